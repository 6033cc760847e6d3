// Part reads land on the previous snapshot: what each part asks of the engine, and how its answer is merged. A fake
// engine answers in the API's own shapes (the watch test covers the real one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import type { EngineSnapshot } from '../../src/checks/engine-state.ts';
import type { StatePart } from '../../src/engine/state-parts.ts';
import { readEverything, readParts, type Call } from '../../src/engine/state-reads.ts';

interface RawService {
  ID: string;
  Spec: { Name: string; Mode: { Replicated: { Replicas: number } } };
}
interface RawTask {
  ID: string;
  ServiceID: string;
  DesiredState: string;
  Status: { State: string };
}

function fakeEngine() {
  const engine = {
    requests: [] as string[],
    manager: true,
    services: [] as RawService[],
    tasks: [] as RawTask[],
    containers: [{ Id: 'c1', Names: ['/one'], Labels: {}, State: 'running' }],
  };
  const answer =
    <T>(name: string, value: () => T) =>
    async (options?: { filters?: Record<string, string[]> }): Promise<T> => {
      engine.requests.push(options?.filters ? `${name} ${JSON.stringify(options.filters)}` : name);
      return value();
    };
  const api = {
    info: answer('info', () => ({ Swarm: { LocalNodeState: 'active', NodeID: 'node-1', ControlAvailable: engine.manager } })),
    listNetworks: answer('listNetworks', () => [{ Id: 'n1', Name: 'ingress', Driver: 'overlay', Scope: 'swarm', Ingress: true }]),
    listContainers: answer('listContainers', () => engine.containers),
    listNodes: answer('listNodes', () => [{ ID: 'node-1', Spec: { Role: 'manager', Availability: 'active' }, Status: { State: 'ready' } }]),
    listSecrets: answer('listSecrets', () => []),
    listConfigs: answer('listConfigs', () => []),
    listServices: async (options?: { status?: boolean; filters?: { id?: string[] } }) => {
      engine.requests.push(`listServices ${JSON.stringify(options)}`);
      const ids = options?.filters?.id;
      return engine.services.filter((s) => !ids || ids.includes(s.ID));
    },
    listTasks: async (options?: { filters?: { service?: string[] } }) => {
      engine.requests.push(options?.filters ? `listTasks ${JSON.stringify(options.filters)}` : 'listTasks');
      const wanted = options?.filters?.service;
      if (wanted && !wanted.every((id) => engine.services.some((s) => s.ID === id))) {
        throw Object.assign(new Error(`service ${wanted[0]} not found`), { statusCode: 404 });
      }
      return engine.tasks.filter((t) => !wanted || wanted.includes(t.ServiceID));
    },
  };
  return { engine, docker: api as unknown as Docker };
}

const counted: Call = (request) => request;
const service = (id: string, replicas: number): RawService => ({ ID: id, Spec: { Name: id, Mode: { Replicated: { Replicas: replicas } } } });
const task = (id: string, serviceId: string, state: string): RawTask => ({ ID: id, ServiceID: serviceId, DesiredState: 'running', Status: { State: state } });

async function start() {
  const { engine, docker } = fakeEngine();
  engine.services = [service('a', 1), service('b', 1)];
  engine.tasks = [task('a1', 'a', 'running'), task('b1', 'b', 'running')];
  const first = await readEverything(docker, counted);
  engine.requests.length = 0;
  const read = (parts: StatePart[], on: EngineSnapshot = first) => readParts(docker, counted, new Set(parts), on);
  return { engine, first, read };
}

test('one service: that service (status included) and its tasks, merged in place; nothing else is asked', async () => {
  const { engine, first, read } = await start();
  engine.services = [service('a', 3), service('b', 1)];
  engine.tasks.push(task('a2', 'a', 'starting'));
  const next = await read(['service:a']);
  assert.deepEqual(engine.requests, ['listServices {"status":true,"filters":{"id":["a"]}}', 'listTasks {"service":["a"]}']);
  assert.deepEqual(
    next.services.map((s) => [s.id, s.replicas]),
    [
      ['a', 3],
      ['b', 1],
    ],
    'the service keeps its place',
  );
  assert.deepEqual(next.tasks.map((t) => t.id).sort(), ['a1', 'a2', 'b1']);
  assert.equal(next.containers, first.containers, 'untouched lists are the previous ones');
});

test('a removed service leaves with its tasks (the engine answers 404 for them)', async () => {
  const { engine, read } = await start();
  engine.services = [service('b', 1)];
  const next = await read(['service:a', 'tasks:a']);
  assert.deepEqual(
    next.services.map((s) => s.id),
    ['b'],
  );
  assert.deepEqual(
    next.tasks.map((t) => t.id),
    ['b1'],
  );
  assert.equal(next.reachable, true);
});

test("several services' tasks come in one request; containers and networks are one list each", async () => {
  const { engine, read } = await start();
  engine.services.push(service('c', 1));
  engine.tasks.push(task('c1', 'c', 'running'));
  const next = await read(['service:c', 'tasks:a', 'containers']);
  assert.deepEqual(engine.requests.sort(), ['listContainers', 'listServices {"status":true,"filters":{"id":["c"]}}', 'listTasks']);
  assert.deepEqual(
    next.services.map((s) => s.id),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    next.tasks.map((t) => t.id),
    ['a1', 'b1', 'c1'],
  );
});

test('a node change re-reads the swarm; a changed role or no good snapshot means reading everything', async () => {
  const { engine, first, read } = await start();
  await read(['swarm']);
  assert.deepEqual(engine.requests.sort(), ['info', 'listNodes', 'listServices {"status":true}', 'listTasks']);

  engine.requests.length = 0;
  engine.manager = false;
  const demoted = await read(['swarm']);
  assert.equal(demoted.isManager, false);
  assert.deepEqual(demoted.services, [], 'a worker cannot list services');
  assert.deepEqual(engine.requests.sort(), ['info', 'listContainers', 'listNetworks'], 'the swarm place was read once');

  engine.requests.length = 0;
  engine.manager = true;
  await read(['containers'], { ...first, reachable: false, error: 'down' });
  assert.deepEqual(engine.requests.sort(), [
    'info',
    'listConfigs',
    'listContainers',
    'listNetworks',
    'listNodes',
    'listSecrets',
    'listServices {"status":true}',
    'listTasks',
  ]);
});
