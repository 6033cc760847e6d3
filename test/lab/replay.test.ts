// A deck can be tested again and again on the same machine: `labdeck lab up` brings the lab back to its starting
// state, removing what the workshop's own steps created, and autopilot says when something of an earlier run is
// still there. Real engine (run under `flock /tmp/labdeck-heavy.lock`): the seed workshop's first step (it creates
// the `debug` service) is played twice, with a `lab up` between. Only the lab's objects and `debug` are touched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import { repoRoot, runLabdeck } from '../cli/run-cli.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const neverStopped = { untilStopped: () => new Promise<void>(() => {}) };
let scratch: string | undefined;

after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A workshop made of the seed chapter's first exercise slide, copied from slides/netshoot.md as it is. */
async function firstStepWorkshop(): Promise<string> {
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-replay-'));
  const seed = await readFile(join(repoRoot, 'slides/netshoot.md'), 'utf8');
  const slide = seed.split('\n---\n').find((chunk) => chunk.includes('# Breaking into an overlay network'));
  assert.ok(slide, 'the seed chapter still has its first exercise slide');
  await mkdir(join(scratch, 'slides'));
  await writeFile(join(scratch, 'slides', 'first.md'), slide);
  await writeFile(join(scratch, 'workshop.yml'), 'title: Replay\ncontent:\n- slides/first.md\n');
  return join(scratch, 'workshop.yml');
}

async function debugExists(): Promise<boolean> {
  return (await docker.listServices({ filters: { name: ['debug'] } })).some((service) => service.Spec?.Name === 'debug');
}

test('lab up, autopilot, (autopilot warns), lab up, autopilot: the first step passes both times', { timeout: 600_000 }, async () => {
  const manifest = await firstStepWorkshop();
  try {
    const up = await runLabdeck(['lab', 'up', manifest], neverStopped);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const first = await runLabdeck(['autopilot', manifest, '--check-timeout', '90'], neverStopped);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stderr, /autopilot: 1\/1 steps passed/);
    assert.doesNotMatch(first.stderr, /from an earlier run/);
    assert.ok(await debugExists());

    // Without a reset, the step's `docker service create --name debug` conflicts: autopilot says so before step 1.
    const unreset = await runLabdeck(['autopilot', manifest, '--check-timeout', '90'], neverStopped);
    assert.match(unreset.stderr, /^autopilot: service debug exists from an earlier run: run `labdeck lab up` to reset$/m);
    assert.equal(unreset.code, 1, 'the command failed, although the check passed');
    assert.match(unreset.stdout, /already exists/);

    const reset = await runLabdeck(['lab', 'up', manifest], neverStopped);
    assert.equal(reset.code, 0, reset.stdout + reset.stderr);
    assert.match(reset.stdout, /reset: removing what the workshop's steps created: service debug/);
    assert.match(reset.stdout, /service dockercoins_rng: unchanged/, "the lab's own services stay");
    assert.equal(await debugExists(), false);

    const second = await runLabdeck(['autopilot', manifest, '--check-timeout', '90'], neverStopped);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stderr, /autopilot: 1\/1 steps passed/);
    assert.doesNotMatch(second.stderr, /from an earlier run/);
  } finally {
    const down = await runLabdeck(['lab', 'down'], neverStopped);
    assert.equal(down.code, 0, down.stdout + down.stderr);
  }
  assert.equal(await debugExists(), false);
});
