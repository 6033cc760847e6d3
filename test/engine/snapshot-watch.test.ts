// The engine watch against the real engine: which requests it makes. Events re-read only what they name (a service
// event: that service and its tasks); the start, unknown events and reconnections read everything; polling leases
// read only the tasks. Every request the watch makes goes through a recording proxy of the real dockerode client.
// Assertions about what was NOT read need an engine nobody else changes meanwhile (another file's service or node
// change makes the watch read more, rightly): the file runs alone, and such an event seen meanwhile fails the test
// with the event, rather than skipping the assertion.
// test-runner: alone
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { EngineSnapshot } from '../../src/checks/engine-state.ts';
import { connectEngine } from '../../src/engine/docker.ts';
import { watchEngine, type EngineWatch } from '../../src/engine/snapshot.ts';
import { partsChangedBy } from '../../src/engine/state-parts.ts';

interface Request {
  readonly method: string;
  readonly args: unknown[];
}

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const name = `lt-watch-${Math.random().toString(36).slice(2, 8)}`;
const requests: Request[] = [];
const eventLines: string[] = [];
let events: Readable | undefined;
let watch: EngineWatch;

/** The real client, with every call the watch makes recorded (and the events stream kept, to break it). */
const recorded = new Proxy(docker, {
  get(target, property, receiver) {
    const value = Reflect.get(target, property, receiver) as unknown;
    if (typeof value !== 'function') return value;
    return (...args: unknown[]) => {
      requests.push({ method: String(property), args });
      const result = (value as (...a: unknown[]) => unknown).apply(target, args);
      if (property === 'getEvents') {
        void (result as Promise<Readable>).then(
          (stream) => {
            events = stream;
            stream.on('data', (chunk: Buffer) => eventLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
          },
          () => {},
        );
      }
      return result;
    };
  },
}) as Docker;

const filterOf = (request: Request, key: string): unknown => (request.args[0] as { filters?: Record<string, unknown> } | undefined)?.filters?.[key];
const methodsSince = (mark: number): string[] => requests.slice(mark).map((r) => r.method);
const unfiltered = (mark: number, method: string): Request[] =>
  requests.slice(mark).filter((r) => r.method === method && (r.args[0] as { filters?: unknown } | undefined)?.filters === undefined);
/** Fails when some event seen since `mark` (someone else's) asked for a read of everything or the whole swarm. */
const assertNoBroadEventSince = (eventMark: number): void => {
  const broad = eventLines.slice(eventMark).filter((line) => partsChangedBy(line).some((part) => part === 'everything' || part === 'swarm'));
  assert.deepEqual(broad, [], 'another process changed the engine meanwhile (is this file running alone?)');
};

async function until<T>(what: string, value: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = value();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ours = (snapshot: EngineSnapshot) => snapshot.services.find((s) => s.name === name);
const fullReadMethods = ['info', 'listNetworks', 'listContainers', 'listServices', 'listTasks', 'listNodes', 'listSecrets', 'listConfigs'];

describe('the engine watch reads what changed', () => {
  before(async () => {
    watch = watchEngine(recorded, { debounceMs: 20, pollIntervalMs: 150 });
    await until('the first read and the events stream', () => watch.current.reachable && watch.listening && events);
    assert.ok(watch.current.isManager, 'these tests need the engine to be a swarm manager');
  });

  after(async () => {
    try {
      await docker.getService(name).remove();
    } catch {
      /* already gone */
    }
    watch?.dispose();
  });

  test('the start reads everything: info and every list', () => {
    assert.deepEqual([...new Set(methodsSince(0))].sort(), ['getEvents', ...fullReadMethods].sort());
  });

  test('a service event re-reads that service and its tasks only; its removal drops it', async () => {
    const mark = requests.length;
    const eventMark = eventLines.length;
    // No replicas: no tasks, no containers, so the service's own events are all this change fires.
    const created = (await docker.createService({
      Name: name,
      Labels: { stage: 'one' },
      Mode: { Replicated: { Replicas: 0 } },
      TaskTemplate: { ContainerSpec: { Image: 'labdeck/busybox:latest', Command: ['sleep', '1000000'] } },
    } as unknown as Docker.CreateServiceOptions)) as { id?: string; ID?: string };
    const id = created.id ?? created.ID!;
    await until('the new service in the snapshot', () => ours(watch.current));
    assert.ok(
      requests.slice(mark).some((r) => r.method === 'listServices' && (filterOf(r, 'id') as string[] | undefined)?.includes(id)),
      `no listServices filtered by the service's id: ${JSON.stringify(requests.slice(mark))}`,
    );
    assert.ok(
      requests.slice(mark).some((r) => r.method === 'listTasks' && (filterOf(r, 'service') as string[] | undefined)?.includes(id)),
      'no listTasks filtered by the service',
    );
    assertNoBroadEventSince(eventMark);
    assert.ok(!methodsSince(mark).includes('info'), `a full read for a service event: ${methodsSince(mark).join(', ')}`);
    assert.deepEqual(unfiltered(mark, 'listServices'), []);
    assert.deepEqual(unfiltered(mark, 'listTasks'), []);

    const service = docker.getService(id);
    const current = await service.inspect();
    await service.update({ _query: { version: current.Version.Index }, _body: { ...current.Spec, Labels: { stage: 'two' } } } as never);
    await until('the label change in the snapshot', () => ours(watch.current)?.labels.stage === 'two');

    await service.remove();
    await until('the service to leave the snapshot', () => !ours(watch.current));
    // Its tasks are asked by service id, which the engine answers with 404 once it is gone: not an outage.
    assert.equal(watch.current.reachable, true);
  });

  test('an unknown event reads everything', async () => {
    const mark = requests.length;
    events!.emit('data', Buffer.from(`${JSON.stringify({ Type: 'labdeck-unknown', Action: 'happened', Actor: { ID: 'x' } })}\n`));
    await until('a read of everything', () => fullReadMethods.every((m) => methodsSince(mark).includes(m)));
    assert.equal(unfiltered(mark, 'listServices').length > 0 && unfiltered(mark, 'listTasks').length > 0, true);
  });

  test('a broken events stream reconnects, and what happened meanwhile is read in full', async () => {
    const mark = requests.length;
    const broken = events!;
    broken.destroy();
    await until('a new events stream', () => watch.listening && events !== broken);
    const reconnected = requests.findIndex((r, i) => i >= mark && r.method === 'getEvents');
    assert.ok(reconnected >= 0);
    await until('a read of everything after the reconnection', () => fullReadMethods.every((m) => methodsSince(reconnected).includes(m)));
    assert.equal(watch.current.reachable, true);
  });

  test('a polling lease re-reads the tasks only, and stops with the lease', async () => {
    const mark = requests.length;
    const eventMark = eventLines.length;
    const lease = watch.holdPolling();
    await until('two polls', () => unfiltered(mark, 'listTasks').length >= 2);
    lease.dispose();
    const released = requests.length;
    assertNoBroadEventSince(eventMark);
    assert.ok(!methodsSince(mark).includes('info'), `polling read more than the tasks: ${methodsSince(mark).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assertNoBroadEventSince(eventMark);
    assert.deepEqual(unfiltered(released, 'listTasks'), [], 'polling went on after the lease was released');
  });
});
