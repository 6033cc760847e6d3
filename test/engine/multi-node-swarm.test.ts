// test-runner: alone
// The multi-node test swarm (test/support/multi-node-swarm.ts) leaves nothing behind, even after a run killed with
// its engines (SIGKILL: their containers and shims still running, holding mounts): the next run, or the removal,
// clears it all. Heavy: run it under `flock /tmp/labdeck-heavy.lock`.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { createMultiNodeSwarm, killNodeEngine, multiNodeSwarmTraces, removeMultiNodeSwarm } from '../support/multi-node-swarm.ts';
import { waitFor } from '../support/wait.ts';

after(removeMultiNodeSwarm);

test('the test swarm: tasks on every node, and no trace after a killed run is removed', { timeout: 180_000 }, async () => {
  const machine = connectEngine({ host: process.env.DOCKER_HOST });
  await ensureBusyboxImage(machine, { name: 'labdeck/busybox:latest' });
  const swarm = await createMultiNodeSwarm({ nodes: 3, images: ['labdeck/busybox:latest'], source: machine });
  for (const node of swarm.nodes.slice(1)) {
    const progress = await node.docker.loadImage(await machine.getImage('labdeck/busybox:latest').get());
    await new Promise((resolve) => node.docker.modem.followProgress(progress, resolve));
  }
  await swarm.manager.docker.createService({
    Name: 'everywhere',
    Mode: { Global: {} },
    TaskTemplate: { ContainerSpec: { Image: 'labdeck/busybox:latest', Command: ['sleep', '600'] } },
    EndpointSpec: { Mode: 'dnsrr' },
  });
  const running = async () => Promise.all(swarm.nodes.map(async (node) => (await node.docker.listContainers()).length));
  await waitFor(async () => (await running()).every((count) => count === 1), { timeoutMs: 60_000, intervalMs: 500, describe: () => 'a task running on each node' });

  for (const node of swarm.nodes) killNodeEngine(node);
  await waitFor(() => multiNodeSwarmTraces().some((trace) => trace.startsWith('processes')), { timeoutMs: 5000, describe: () => 'shims left running' });
  await removeMultiNodeSwarm();
  assert.deepEqual(multiNodeSwarmTraces(), []);
});
