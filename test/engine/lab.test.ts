// End to end on the real engine: `labdeck lab up`, then autopilot plays the whole sample workshop in a real terminal
// and every step's check passes, then `labdeck lab down` leaves nothing of the lab behind. The toolbox image is
// built the first time only (about a minute with debootstrap) and then reused as a cache. While the lab is up, a
// workshop fresh from `labdeck init` is played the same way (the lab gives it its `alpine`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import type { StepReport } from '../../src/commands/check.ts';
import { repoRoot, runLabdeck } from '../cli/run-cli.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
// Autopilot stops early when the person asks: here nobody does.
const neverStopped = { untilStopped: () => new Promise<void>(() => {}) };

test('lab up, autopilot over the sample workshop (every step passes), lab down leaves nothing', { timeout: 600_000 }, async (t) => {
  const timings: string[] = [];
  const timed = async (name: string, argv: string[], cwd = repoRoot) => {
    const started = Date.now();
    const run = await runLabdeck(argv, { ...neverStopped, cwd });
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

    await t.test('a workshop from labdeck init: lab up there, then autopilot passes every step', async () => {
      const scratch = await mkdtemp(join(tmpdir(), 'labdeck-init-lab-'));
      const dir = join(scratch, 'demo');
      try {
        const init = await runLabdeck(['init', 'demo'], { ...neverStopped, cwd: scratch });
        assert.equal(init.code, 0, init.stdout + init.stderr);
        const initUp = await timed('lab up (init)', ['lab', 'up'], dir);
        assert.equal(initUp.code, 0, initUp.stdout + initUp.stderr);
        const played = await timed('autopilot (init)', ['autopilot'], dir);
        assert.equal(played.code, 0, played.stdout + played.stderr);
        assert.match(played.stderr, /autopilot: 2\/2 steps passed/);

        // What the steps left, `check` sees: the service. The hello-world step's `ran` check needs a terminal's
        // command log, which `check` has not (docs/lab.md), so that step, and the exit code, stay failed.
        const check = await runLabdeck(['check', '--json'], { ...neverStopped, cwd: dir });
        assert.doesNotMatch(check.stderr, /exercises\//, 'no problem in the spec file');
        const reports = JSON.parse(check.stdout) as StepReport[];
        assert.deepEqual(
          reports.map((report) => `${report.id.split('.')[0]} ${report.check.kind} ${report.status}`),
          ['hello-world ran failed', 'first-service service passed'],
          check.stdout,
        );
        assert.match(reports[0]?.reason ?? '', /^no command matching .* has run yet$/);
        const service = await runLabdeck(['check', '--step', reports[1]?.id ?? '?'], { ...neverStopped, cwd: dir });
        assert.equal(service.code, 0, service.stdout + service.stderr);

        // `lab down` in the workshop's folder removes what its steps made too, not only the lab.
        const down = await timed('lab down (init)', ['lab', 'down'], dir);
        assert.equal(down.code, 0, down.stdout + down.stderr);
        assert.match(down.stdout, /removing what the workshop's steps created: service hello/);
        assert.deepEqual(await docker.listServices({ filters: { name: ['hello'] } }), []);
      } finally {
        await docker
          .getService('hello')
          .remove()
          .catch(() => {});
        await rm(scratch, { recursive: true, force: true });
      }
    });
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
