// Which part of the snapshot an `/events` line makes stale: lines as dockerd 20.10 writes them (trimmed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partsChangedBy } from '../../src/engine/state-parts.ts';

const line = (event: object): string => JSON.stringify(event);

test('swarm objects: a service event names its service, nodes re-read the swarm, secrets and configs their list', () => {
  assert.deepEqual(
    partsChangedBy(
      line({
        Type: 'service',
        Action: 'update',
        scope: 'swarm',
        Actor: { ID: 'u5bgx2059e7pe7fe5rvgj145e', Attributes: { name: 'web', 'replicas.new': '2', 'replicas.old': '1' } },
      }),
    ),
    ['service:u5bgx2059e7pe7fe5rvgj145e'],
  );
  assert.deepEqual(partsChangedBy(line({ Type: 'node', Action: 'update', scope: 'swarm', Actor: { ID: 'n1' } })), ['swarm']);
  assert.deepEqual(partsChangedBy(line({ Type: 'secret', Action: 'create', scope: 'swarm', Actor: { ID: 's1' } })), ['secrets']);
  assert.deepEqual(partsChangedBy(line({ Type: 'config', Action: 'remove', scope: 'swarm', Actor: { ID: 'c1' } })), ['configs']);
});

test("containers: a task container also re-reads its service's tasks; exec, attach, kill and stop change nothing", () => {
  assert.deepEqual(
    partsChangedBy(
      line({
        Type: 'container',
        Action: 'start',
        scope: 'local',
        Actor: { ID: 'f1f8', Attributes: { 'com.docker.swarm.service.id': 'u5bg', 'com.docker.swarm.node.id': 'sqdk' } },
      }),
    ),
    ['containers', 'tasks:u5bg'],
  );
  for (const action of ['create', 'start', 'die', 'destroy', 'pause', 'rename']) {
    assert.deepEqual(partsChangedBy(line({ Type: 'container', Action: action, Actor: { ID: 'c', Attributes: { exitCode: '0' } } })), ['containers'], action);
  }
  for (const action of ['exec_create: sh -c true', 'exec_start: sh -c true', 'exec_die', 'attach', 'resize', 'health_status: healthy', 'kill', 'stop']) {
    assert.deepEqual(partsChangedBy(line({ Type: 'container', Action: action, Actor: { ID: 'c' } })), [], action);
  }
});

test('networks: created or removed ones are re-read, containers joining or leaving change no network', () => {
  assert.deepEqual(partsChangedBy(line({ Type: 'network', Action: 'create', scope: 'swarm', Actor: { ID: 'n' } })), ['networks']);
  assert.deepEqual(partsChangedBy(line({ Type: 'network', Action: 'destroy', scope: 'local', Actor: { ID: 'n' } })), ['networks']);
  assert.deepEqual(partsChangedBy(line({ Type: 'network', Action: 'connect', Actor: { ID: 'n', Attributes: { container: 'c' } } })), []);
});

test('images and volumes are outside the snapshot; unknown events and broken lines re-read everything', () => {
  assert.deepEqual(partsChangedBy(line({ Type: 'image', Action: 'pull', Actor: { ID: 'busybox:latest' } })), []);
  assert.deepEqual(partsChangedBy(line({ Type: 'volume', Action: 'create', Actor: { ID: 'v' } })), []);
  assert.deepEqual(partsChangedBy(line({ Type: 'daemon', Action: 'reload', Actor: { ID: 'd' } })), ['everything']);
  assert.deepEqual(partsChangedBy(line({ Type: 'service', Action: 'update', Actor: {} })), ['everything']);
  assert.deepEqual(partsChangedBy('{"Type":"servi'), ['everything']);
  assert.deepEqual(partsChangedBy('   '), []);
});
