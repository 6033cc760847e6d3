// How long autopilot waits, and what a wait means: `--command-timeout S` bounds the wait for a command (and for the
// text a `wait`/`longwait` directive expects), so that a step that cannot finish offline costs seconds; a command
// followed by a `wait` is judged by that text, not its exit code, as container.training's autotest does (firstservice.md
// runs `docker logs containerID` and waits for `No such container: containerID`); a step whose command already failed
// is failed whatever its check says, so its check is read once, not waited for (`--check-timeout`).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLabdeck } from '../cli/run-cli.ts';

const folder = mkdtempSync(join(tmpdir(), 'labdeck-autopilot-waits-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const fence = '```';
const never = (): Promise<void> => new Promise<void>(() => {});

function step(text: string, command: string, ...directives: string[]): string[] {
  return [`- ${text}`, `  ${fence}bash`, `  ${command}`, `  ${fence}`, '', ...directives.flatMap((directive) => [`  <!-- ${fence}${directive}${fence} -->`, ''])];
}

test('--command-timeout bounds command and text waits; a wait judges its command; a failed step does not wait for its check', { timeout: 90_000 }, async () => {
  writeFileSync(join(folder, 'workshop.yml'), 'title: Waits\ncontent:\n- a.md\n');
  writeFileSync(
    join(folder, 'a.md'),
    [
      'name: waits',
      '# Waits',
      '.exercise[',
      ...step('Never ends in time:', 'sleep 30'),
      ...step('The shell is back:', 'echo after'),
      // The typed line does not hold the text: only what the command printed can match.
      ...step('Fails as the deck expects:', `sh -c 'printf "No such %s: containerID\\n" container >&2; exit 1'`, 'wait No such container: containerID'),
      ...step('Runs on, never printing what is waited for:', 'sleep 30', 'longwait never printed by anything'),
      // logging.md: a `docker service create` that never converges, its `Detected task failure`, then Ctrl-C.
      ...step('Runs on, printing what is waited for:', `sh -c 'printf "Detected %s failure\\n" task; sleep 30'`, 'wait Detected task failure', 'key ^C'),
      ...step('Ends without printing what is waited for:', 'true', 'longwait never printed either'),
      ...step('Fails at once:', 'false'),
      // netshoot.md: entering a container by a placeholder ID fails, as the deck's wait says.
      ...step('Enter it:', 'docker exec -ti containerID sh', 'wait No such container: containerID'),
      ']',
      '',
    ].join('\n'),
  );
  mkdirSync(join(folder, 'exercises'));
  writeFileSync(
    join(folder, 'exercises', 'a.yml'),
    [
      'steps:',
      '  - { slide: waits, step: 3, check: { manual: "see the error the deck shows" } }',
      '  - { slide: waits, step: 5, check: { manual: "see the task fail" } }',
      '  - { slide: waits, step: 8, check: { manual: "enter the container" } }',
      '',
    ].join('\n'),
  );

  const started = Date.now();
  const run = await runLabdeck(['autopilot', 'workshop.yml', '--command-timeout', '2', '--check-timeout', '60'], { cwd: folder, untilStopped: never });
  const seconds = (Date.now() - started) / 1000;
  const seen = `${run.stdout}\n${run.stderr}`;
  assert.match(run.stdout, /^ {2}! `sleep 30` did not finish within 2 s$/m, seen);
  assert.match(run.stdout, /^✓ #\d+ waits\.\w+ passed \([\d.]+ s\): ran `echo after`$/m, seen);
  assert.equal(run.stdout.match(/^✓ #\d+ waits\.\w+ passed \([\d.]+ s\): confirmed by the attendee \(self-reported\)$/gm)?.length, 3, seen);
  assert.match(run.stdout, /^ {2}! `never printed by anything` did not appear within 2 s$/m, seen);
  assert.match(run.stdout, /^ {2}keys \^C$/m, seen);
  const ended =
    /^ {2}! `never printed either` did not appear: `true` ended without printing it\n✗ #\d+ waits\.\w+ passed, but a command did not go through \(([\d.]+) s\)/m.exec(
      run.stdout,
    );
  assert.ok(ended && Number(ended[1]) < 5, `a wait after a command that ended gives up at once: ${seen}`);
  assert.match(run.stdout, /^ {2}! `false` exited with 1: /m, seen);
  const failedAtOnce = /^✗ #\d+ waits\.\w+ failed \(([\d.]+) s\): `false` exited with 1$/m.exec(run.stdout);
  assert.ok(failedAtOnce && Number(failedAtOnce[1]) < 5, `the failed step did not wait for its check (60 s): ${seen}`);
  assert.match(run.stderr, /^autopilot: 4\/8 steps passed$/m, seen);
  assert.equal(run.code, 1, seen);
  assert.ok(seconds < 40, `the run took ${seconds.toFixed(1)} s`);
});

test('--command-timeout takes a positive number of seconds: anything else is a one-line usage error', { timeout: 30_000 }, async () => {
  for (const value of ['0', '-3', 'soon', '', '86401']) {
    const run = await runLabdeck(['autopilot', 'workshop.yml', `--command-timeout=${value}`], { cwd: folder });
    assert.equal(run.code, 2, `${value}: ${run.stderr}`);
    assert.match(
      run.stderr,
      new RegExp(`^labdeck autopilot: --command-timeout must be a number of seconds \\(more than 0, at most 86400\\), not '${value}'$`, 'm'),
      run.stderr,
    );
    assert.doesNotMatch(run.stderr, /\n\s+at /, run.stderr);
  }
  const help = await runLabdeck(['help', 'autopilot'], { cwd: folder });
  assert.match(help.stdout, /--command-timeout SECONDS/, help.stdout);
});

test("a step's own `timeout` (its spec entry) bounds the wait for its check instead of --check-timeout", { timeout: 90_000 }, async () => {
  const own = join(folder, 'own-timeout');
  mkdirSync(join(own, 'exercises'), { recursive: true });
  writeFileSync(join(own, 'workshop.yml'), 'title: Own timeout\ncontent:\n- a.md\n');
  writeFileSync(join(own, 'a.md'), ['name: own', '# Own timeout', '.exercise[', ...step('Nothing makes the network:', 'echo typed'), ']', ''].join('\n'));
  // A check that cannot pass, though no command failed: autopilot waits for it, 1 s here rather than 60.
  writeFileSync(join(own, 'exercises', 'a.yml'), 'steps:\n  - { slide: own, step: 1, timeout: 1, check: { network: labdeck-never-made-here } }\n');
  const run = await runLabdeck(['autopilot', 'workshop.yml', '--check-timeout', '60'], { cwd: own, untilStopped: never });
  const seen = `${run.stdout}\n${run.stderr}`;
  const failed = /^✗ #\d+ own\.\w+ failed \(([\d.]+) s\): network `labdeck-never-made-here` does not exist$/m.exec(run.stdout);
  assert.ok(failed, seen);
  assert.ok(Number(failed[1]) >= 1 && Number(failed[1]) < 10, `waited ${failed[1]} s for the check (its own timeout: 1 s): ${seen}`);
  assert.match(run.stderr, /^autopilot: 0\/1 steps passed$/m, seen);
  assert.equal(run.code, 1, seen);
});

test("after the deck's own Ctrl-C (`key ^C`), a command may take seconds to give the prompt back, whatever --command-timeout", { timeout: 90_000 }, async () => {
  const interrupted = join(folder, 'interrupted');
  mkdirSync(join(interrupted, 'exercises'), { recursive: true });
  writeFileSync(join(interrupted, 'workshop.yml'), 'title: Interrupted\ncontent:\n- a.md\n');
  // A program that cleans up for 2 s on SIGINT (as `docker service create` rolls back): longer than --command-timeout 1,
  // well within the 5 s given after the deck's own Ctrl-C (3 s of it left a CI run's loaded machine too little).
  const cleansUp = `sh -c 'trap "sleep 2; exit 130" INT; printf "Detected %s failure\\n" task; sleep 30'`;
  writeFileSync(
    join(interrupted, 'a.md'),
    ['name: interrupted', '# Interrupted', '.exercise[', ...step('Stopped by the deck:', cleansUp, 'wait Detected task failure', 'key ^C'), ']', ''].join('\n'),
  );
  writeFileSync(join(interrupted, 'exercises', 'a.yml'), 'steps:\n  - { slide: interrupted, step: 1, check: { manual: "see the task fail" } }\n');
  const run = await runLabdeck(['autopilot', 'workshop.yml', '--command-timeout', '1'], { cwd: interrupted, untilStopped: never });
  const seen = `${run.stdout}\n${run.stderr}`;
  assert.doesNotMatch(run.stdout, /did not finish/, seen);
  assert.match(run.stdout, /^✓ #\d+ interrupted\.\w+ passed \([\d.]+ s\): confirmed by the attendee \(self-reported\)$/m, seen);
  assert.equal(run.code, 0, seen);
});
