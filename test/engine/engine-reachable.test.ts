// Proves the real engine is reachable through dockerode and in swarm mode. Later engine tests build on this:
// when it fails, CI has not provisioned the engine (see .ci/run), and nothing engine-related can be trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEngine, describeEngine } from '../../src/engine/docker.ts';

test('the local Docker engine answers through dockerode and its swarm is active', async () => {
  const docker = connectEngine({ host: process.env.DOCKER_HOST });
  const engine = await describeEngine(docker);
  assert.match(engine.serverVersion, /^\d+\.\d+/);
  assert.ok(Number(engine.apiVersion) >= 1.41, `API ${engine.apiVersion} is older than 1.41`);
  assert.equal(engine.swarm, 'active');
  assert.equal(engine.isManager, true);
  const nodes = await docker.listNodes();
  assert.ok(
    nodes.some((node) => node.ID === engine.nodeId),
    'this node is listed among the swarm nodes',
  );
});
