// Recordings embedded in slides (`.replay[demo.cast]`): the rendered element names the file, so that `serve` serves
// it, `build` copies it (and carries it in the page), and `lint` reports a missing one at its file:line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeck } from '../../src/workshop/load-deck.ts';
import { referencedPaths, replayEmbedPaths } from '../../src/deck/references.ts';
import { runLabdeck } from '../cli/run-cli.ts';

const chapter = `# Inline

.replay[demo.cast]

---

# A block, and a missing one

.replay.big[
casts/a&b.cast
]

.replay[missing.cast]
`;

let scratch: string;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-replay-embeds-'));
  await writeFile(join(scratch, 'workshop.yml'), 'title: Embeds\ngenerated: false\ncontent: [a.md]\n');
  await writeFile(join(scratch, 'a.md'), chapter);
  await writeFile(join(scratch, 'demo.cast'), '{"version":2,"width":80,"height":24}\n[0.1,"o","hi"]\n');
});

after(() => rm(scratch, { recursive: true, force: true }));

test('the rendered embeds name their recordings: found as references (served, copied) and as embeds (carried in an export)', { timeout: 10_000 }, async () => {
  const { deck } = await loadDeck(join(scratch, 'workshop.yml'));
  const [inline, block] = deck.slides.map((slide) => slide.html);
  assert.deepEqual(replayEmbedPaths(inline!), ['demo.cast']);
  assert.deepEqual(referencedPaths(inline!), ['/demo.cast']);
  assert.deepEqual(replayEmbedPaths(block!), ['casts/a&b.cast', 'missing.cast']);
  assert.deepEqual(referencedPaths(block!), ['/casts/a&b.cast', '/missing.cast']);
  assert.deepEqual(replayEmbedPaths('<span class="nothing">demo.cast</span><div class="replayed">x.cast</div>'), []);
});

test('lint reports a missing recording at its file:line, and not one that exists', { timeout: 10_000 }, async () => {
  const run = await runLabdeck(['lint', join(scratch, 'workshop.yml')], { cwd: scratch });
  assert.match(run.stdout + run.stderr, /a\.md:13: recording not found: missing\.cast \(looked for .*missing\.cast\)/);
  assert.match(run.stdout + run.stderr, /a\.md:10: recording not found: casts\/a&b\.cast/, 'the block form: the path on its own line');
  assert.doesNotMatch(run.stdout + run.stderr, /demo\.cast/);
});
