// End to end on the real engine: `labdeck lab up`, then autopilot plays the whole sample workshop in a real terminal
// and every step's check passes, then `labdeck lab down` leaves nothing of the lab behind. The toolbox image is
// built the first time only (about a minute with debootstrap) and then reused as a cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEngine } from '../../src/engine/docker.ts';
import { runLabdeck } from '../cli/run-cli.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
// Autopilot stops early when the person asks: here nobody does.
const neverStopped = { untilStopped: () => new Promise<void>(() => {}) };

test('lab up, autopilot over the sample workshop (every step passes), lab down leaves nothing', { timeout: 600_000 }, async () => {
  const timings: string[] = [];
  const timed = async (name: string, argv: string[]) => {
    const started = Date.now();
    const run = await runLabdeck(argv, neverStopped);
    timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return run;
  };
  try {
    const up = await timed('lab up', ['lab', 'up']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /image alpine:latest: offline, the workshop's `alpine` is the lab's toolbox/);
    assert.match(up.stdout, /ready: stack dockercoins/);

    const again = await timed('lab up (again)', ['lab', 'up']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /service dockercoins_rng: unchanged/);

    const autopilot = await timed('autopilot', ['autopilot']);
    assert.equal(autopilot.code, 0, autopilot.stdout + autopilot.stderr);
    assert.match(autopilot.stderr, /autopilot: 16\/16 steps passed/);
    assert.doesNotMatch(autopilot.stdout, /^✗/m);
  } finally {
    const down = await timed('lab down', ['lab', 'down']);
    assert.equal(down.code, 0, down.stdout + down.stderr);
    process.stdout.write(`# lab timings: ${timings.join(', ')}\n`);
  }

  const services = await docker.listServices();
  assert.deepEqual(
    services.map((s) => s.Spec?.Name).filter((name) => name === 'debug' || name?.startsWith('dockercoins_')),
    [],
  );
  const networks = await docker.listNetworks({ filters: { name: ['dockercoins_default'] } });
  assert.deepEqual(
    networks.filter((n) => n.Name === 'dockercoins_default'),
    [],
  );
  const containers = await docker.listContainers({ all: true, filters: { label: ['com.docker.stack.namespace=dockercoins'] } });
  assert.deepEqual(containers, []);
  const toolbox = await docker.getImage('labdeck/toolbox:latest').inspect();
  assert.ok(!toolbox.RepoTags?.includes('alpine:latest'), 'the alpine tag the lab added is removed');
});
