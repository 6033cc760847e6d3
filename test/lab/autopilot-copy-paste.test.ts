// Autopilot honours container.training's `copypaste REGEX`, `copy REGEX` and `paste` directives in a real terminal:
// it types the latest text on the screen the regex matches, as a presenter copies the `docker swarm join …` that
// `docker swarm init` printed. Each step's check is `ran` (shell integration saw the pasted command exit 0), so a
// paste that typed anything else fails. A regex nothing matches is a failed step that says why.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLabdeck } from '../cli/run-cli.ts';

const folder = mkdtempSync(join(tmpdir(), 'labdeck-copypaste-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const fence = '```';

test('copypaste, copy then paste in a later step, and a copy that finds nothing', { timeout: 120_000 }, async () => {
  writeFileSync(join(folder, 'workshop.yml'), 'title: Copy and paste\ncontent:\n- a.md\n');
  // The typed line (`echo "ec""ho …$((40+2))"`) never matches the regex: only what the command printed does.
  writeFileSync(
    join(folder, 'a.md'),
    [
      'name: paste-here',
      '# Paste',
      '.exercise[',
      '- Print a command:',
      `  ${fence}bash`,
      '  echo "ec""ho pasted-$((40+2))"',
      `  ${fence}`,
      '',
      `<!-- ${fence}copypaste echo pasted-\\d+${fence} -->`,
      '',
      '- Print another one:',
      `  ${fence}bash`,
      '  echo "ec""ho later-$((6*7))"',
      `  ${fence}`,
      '',
      `<!-- ${fence}copy echo later-\\d+${fence} -->`,
      '',
      '- Paste it now:',
      `  ${fence}bash`,
      '  true',
      `  ${fence}`,
      '',
      `<!-- ${fence}paste${fence} -->`,
      '',
      '- Copy what was never printed:',
      `  ${fence}bash`,
      '  true',
      `  ${fence}`,
      '',
      `<!-- ${fence}copypaste SWMTKN.*?:2377${fence} -->`,
      ']',
      '',
    ].join('\n'),
  );
  mkdirSync(join(folder, 'exercises'));
  writeFileSync(
    join(folder, 'exercises', 'a.yml'),
    [
      'steps:',
      '  - { slide: paste-here, step: 1, check: { ran: "^echo pasted-42$" } }',
      '  - { slide: paste-here, step: 2, check: { ran: "^echo \\"ec\\"\\"ho later" } }',
      '  - { slide: paste-here, step: 3, check: { ran: "^echo later-42$" } }',
      '  - { slide: paste-here, step: 4, check: { ran: "^true$" } }',
      '',
    ].join('\n'),
  );
  const played = await runLabdeck(['autopilot', 'workshop.yml', '--check-timeout', '10'], { cwd: folder, untilStopped: () => new Promise<void>(() => {}) });
  const seen = `${played.stdout}\n${played.stderr}`;
  assert.match(played.stdout, /^ {2}\(copied: echo pasted-42\)$/m, seen);
  assert.equal(played.stdout.match(/^✓ #\d+ paste-here\.\w+ passed \(/gm)?.length, 3, seen);
  assert.match(played.stdout, /^✓ #\d+ paste-here\.\w+ passed \([\d.]+ s\): ran `echo later-42`$/m, seen);
  // The last step's command ran, but its copy found nothing: the step does not count as played.
  assert.match(played.stdout, /^ {2}! copy: nothing the terminal printed matches `SWMTKN\.\*\?:2377`$/m, seen);
  assert.match(played.stderr, /^autopilot: 3\/4 steps passed$/m, seen);
  assert.equal(played.code, 1, seen);
});
