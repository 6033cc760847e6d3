// `labdeck check` against the real engine: a one-step workshop whose step creates a network. Output, --json,
// --explain, --step and the exit codes follow the state of the engine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import { runLabdeck } from './run-cli.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const network = `lt-check-${Math.random().toString(36).slice(2, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'labdeck-check-'));
const manifest = join(dir, 'workshop.yml');

before(() => {
  mkdirSync(join(dir, 'slides'));
  writeFileSync(manifest, 'title: Check test\ncontent:\n- slides/net.md\n');
  writeFileSync(
    join(dir, 'slides/net.md'),
    [
      '# Networks',
      '',
      '.exercise[',
      '',
      '- Create a network:',
      '  ```bash',
      `  docker network create ${network}`,
      '  ```',
      '',
      '- Look at it:',
      '  ```bash',
      `  docker network ls`,
      '  ```',
      '',
      ']',
      '',
    ].join('\n'),
  );
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await docker
    .getNetwork(network)
    .remove()
    .catch(() => {});
});

test('check: failed steps exit 1 with reasons; --json has the contract fields; --explain shows the origin', async () => {
  const text = await runLabdeck(['check', manifest]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, new RegExp(`✗ failed  #\\d+ networks\\.\\w+  Create a network:\\n    .*${network}`));
  assert.match(text.stderr, /0\/2 steps passed/);

  const json = await runLabdeck(['check', manifest, '--json']);
  assert.equal(json.code, 1);
  const steps = JSON.parse(json.stdout) as Record<string, unknown>[];
  assert.equal(steps.length, 2);
  assert.deepEqual(Object.keys(steps[0]!).sort(), ['check', 'commands', 'id', 'reason', 'slide', 'status', 'text']);
  assert.deepEqual(steps[0]!.commands, [`docker network create ${network}`]);
  assert.equal(steps[0]!.status, 'failed');
  assert.deepEqual({ ...(steps[0]!.check as object), from: undefined }, { kind: 'network', how: 'inferred', from: undefined });
  assert.equal((steps[1]!.check as { how: string }).how, 'fallback');

  const explain = await runLabdeck(['check', manifest, '--explain']);
  assert.match(explain.stdout, /check: network, inferred at .*slides\/net\.md:\d+/);
  assert.match(explain.stdout, /check: ran, fallback at /);
});

test('check --step: passes (exit 0) once the engine holds the state; an unknown id is a usage error', async () => {
  const { stdout } = await runLabdeck(['check', manifest, '--json']);
  const id = (JSON.parse(stdout) as { id: string }[])[0]!.id;
  await docker.createNetwork({ Name: network, Driver: 'bridge' });
  const passed = await runLabdeck(['check', manifest, '--step', id]);
  assert.equal(passed.code, 0, passed.stdout + passed.stderr);
  assert.match(passed.stdout, /✓ passed/);
  assert.match(passed.stderr, /1\/1 step passed/);

  const unknown = await runLabdeck(['check', manifest, '--step', 'nope.123']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no step has the id 'nope\.123'/);
});
