// One live snapshot per engine, shared by every check and every watcher: what the checks evaluate against.
//
// Why this shape: engine API calls must not grow with the number of browsers watching, so nobody but this module
// reads the engine's state. It reads everything at the start, after each reconnection of the `/events` stream and
// when asked (`refresh`); otherwise it re-reads only the parts events say changed (state-parts.ts), a burst of
// events coalesced into one read, and polls only the tasks while someone holds a polling lease (a check waiting for
// tasks to converge: there are no task events). Reads run one at a time, so each lands on the snapshot the previous
// one made. When the engine stops answering, the snapshot says so and the events stream reconnects by itself, with
// backoff.
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { UNKNOWN_SNAPSHOT, type EngineSnapshot, type SnapshotSource } from '../checks/engine-state.ts';
import { Emitter, type Disposable } from '../event.ts';
import { partsChangedBy, type StatePart } from './state-parts.ts';
import { readParts } from './state-reads.ts';

export interface EngineWatchOptions {
  /** How long the first event of a burst waits for the rest before the changed parts are read. */
  readonly debounceMs?: number;
  /** Tasks re-read interval while polling leases are held. */
  readonly pollIntervalMs?: number;
  /** Reconnection backoff of the events stream: doubles from min to max. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
}

export interface EngineWatch extends SnapshotSource, Disposable {
  /** Engine API requests made so far (events stream connections included): for benchmarks and tests. */
  readonly apiCalls: number;
  /** True while the `/events` stream is connected. */
  readonly listening: boolean;
}

const defaults = { debounceMs: 30, pollIntervalMs: 1000, reconnectMinMs: 250, reconnectMaxMs: 5000 };

export function watchEngine(docker: Docker, options: EngineWatchOptions = {}): EngineWatch {
  const settings = { ...defaults, ...options };
  const snapshotEmitter = new Emitter<EngineSnapshot>();
  let current: EngineSnapshot = UNKNOWN_SNAPSHOT;
  let apiCalls = 0;
  let disposed = false;
  let events: Readable | undefined;
  let reconnectDelay = settings.reconnectMinMs;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let debounceTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let leases = 0;
  /** What changed since the last read started. */
  let stale = new Set<StatePart>();
  let inFlight: Promise<EngineSnapshot> | undefined;
  let queued: Promise<EngineSnapshot> | undefined;

  const call = <T>(request: Promise<T>): Promise<T> => {
    apiCalls++;
    return request;
  };

  const publish = (snapshot: EngineSnapshot): EngineSnapshot => {
    current = snapshot;
    snapshotEmitter.fire(snapshot);
    return snapshot;
  };

  const read = async (parts: ReadonlySet<StatePart>): Promise<EngineSnapshot> => {
    try {
      return publish(await readParts(docker, call, parts, current));
    } catch (problem) {
      // The next read reads everything: a part read needs a good snapshot to land on.
      return publish({ ...current, reachable: false, error: describeError(problem), takenAt: Date.now() });
    }
  };

  /** Reads the stale parts, one read at a time; what goes stale during a read is read right after it, in one go. */
  const flush = (): Promise<EngineSnapshot> => {
    if (disposed) return Promise.resolve(current);
    if (!inFlight) {
      if (stale.size === 0) return Promise.resolve(current);
      const parts = stale;
      stale = new Set();
      inFlight = read(parts).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    queued ??= inFlight.then(() => {
      queued = undefined;
      return flush();
    });
    return queued;
  };

  const readNow = (part: StatePart): Promise<EngineSnapshot> => {
    stale.add(part);
    return flush();
  };

  // The first event of a burst schedules one read `debounceMs` later; later events of the burst ride along instead of
  // pushing it back (a scale-up streams container events for seconds: a trailing debounce would wait them all out).
  const scheduleRead = (parts: readonly StatePart[]): void => {
    for (const part of parts) stale.add(part);
    if (debounceTimer) return;
    debounceTimer = setTimeout(() => {
      debounceTimer = undefined;
      void flush();
    }, settings.debounceMs);
  };

  const scheduleReconnect = (): void => {
    if (disposed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void listen();
    }, reconnectDelay);
    reconnectDelay = Math.min(reconnectDelay * 2, settings.reconnectMaxMs);
  };

  const listen = async (): Promise<void> => {
    let stream: Readable;
    try {
      stream = (await call(docker.getEvents())) as unknown as Readable;
    } catch (problem) {
      if (current.reachable || current.error === undefined) publish({ ...current, reachable: false, error: describeError(problem), takenAt: Date.now() });
      scheduleReconnect();
      return;
    }
    if (disposed) {
      stream.destroy();
      return;
    }
    events = stream;
    reconnectDelay = settings.reconnectMinMs;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? ''; // split() gives at least one part: the unfinished line
      const parts = lines.flatMap(partsChangedBy);
      if (parts.length > 0) scheduleRead(parts);
    });
    let closed = false;
    const onClosed = (): void => {
      if (closed) return;
      closed = true;
      if (events === stream) events = undefined;
      if (disposed) return;
      void readNow('everything');
      scheduleReconnect();
    };
    stream.on('end', onClosed);
    stream.on('close', onClosed);
    stream.on('error', onClosed);
    // Whatever happened while nobody listened is only visible by reading it all again.
    void readNow('everything');
  };

  void listen();

  return {
    get current() {
      return current;
    },
    get apiCalls() {
      return apiCalls;
    },
    get listening() {
      return events !== undefined;
    },
    onSnapshot: snapshotEmitter.event,
    refresh: () => readNow('everything'),
    holdPolling() {
      leases++;
      pollTimer ??= setInterval(() => {
        void readNow('tasks');
      }, settings.pollIntervalMs);
      let released = false;
      return {
        dispose: () => {
          if (released) return;
          released = true;
          if (--leases === 0 && pollTimer) {
            clearInterval(pollTimer);
            pollTimer = undefined;
          }
        },
      };
    },
    dispose() {
      disposed = true;
      snapshotEmitter.dispose();
      for (const timer of [reconnectTimer, debounceTimer]) if (timer) clearTimeout(timer);
      if (pollTimer) clearInterval(pollTimer);
      events?.destroy();
      events = undefined;
    },
  };
}

function describeError(problem: unknown): string {
  const error = problem as { code?: string; address?: string; message?: string };
  if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') return `cannot connect to ${error.address ?? 'the engine'} (${error.code})`;
  return error.message?.split('\n')[0] ?? String(problem);
}
