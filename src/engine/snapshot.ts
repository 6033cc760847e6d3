// One live snapshot per engine, shared by every check and every watcher: what the checks evaluate against.
//
// Why this shape: engine API calls must not grow with the number of browsers watching, so nobody but this module
// reads the engine's state. It reads everything at the start, after each reconnection of the `/events` stream and
// when asked (`refresh`); otherwise it re-reads only the parts events say changed (state-parts.ts), a burst of
// events coalesced into one read, and polls only the tasks while someone holds a polling lease (a check waiting for
// tasks to converge: there are no task events). Reads run one at a time, so each lands on the snapshot the previous
// one made. When the engine stops answering, the snapshot says so and the events stream reconnects by itself, with
// backoff. A connection may also stall (open, and nothing comes back: the engine, or the ssh hop to a node, stopped
// answering mid-request): each request has a deadline (READ_TIMEOUT_MS), and the `/events` stream, silent while
// nothing happens, is checked with a ping after STREAM_QUIET_MS without a byte; a deadline passed makes the snapshot
// unreachable and the stream start over, which reads everything again once the engine answers.
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
  /** How long a read (or the events stream's connection, or a ping) may take before the engine counts as unreachable. */
  readonly readTimeoutMs?: number;
  /** How long the events stream may stay silent before a ping checks that the engine still answers. */
  readonly streamQuietMs?: number;
}

export interface EngineWatch extends SnapshotSource, Disposable {
  /** Engine API requests made so far (events stream connections included): for benchmarks and tests. */
  readonly apiCalls: number;
  /** True while the `/events` stream is connected. */
  readonly listening: boolean;
}

/**
 * How long a read may take before the engine counts as unreachable. Without it, a request stalled on its connection
 * held the one-at-a-time reads for ever: the snapshot never said the engine was gone, nor came back. A whole read took
 * 28 to 102 ms on the local engine (20 reads; load average 2) and a median of 209 ms from an attendee's engine over
 * ssh, 30 requests at once 1.2 s (docs/benchmarks.md, *Engines over ssh*); a read on a cold ssh connection waits for
 * a login first, which ssh-dial-agent.ts gives up on after 10 s: above that, so that a slow but working login is not
 * cut off and started over. The same as manager-watch.ts's ASK_TIMEOUT_MS, for the same requests.
 */
export const READ_TIMEOUT_MS = 15_000;
/**
 * The `/events` stream says nothing while nothing happens (the engine sends no heartbeat), so a stalled one looks like
 * a quiet engine: after this long without a byte, a ping (with READ_TIMEOUT_MS) asks whether the engine still answers.
 * A stall is then seen within 45 s while nobody does anything; a docker command in a terminal reads at once (the
 * checks refresh), and that read has its own deadline. Over ssh, a ping after a silence longer than the agent's idle
 * channel (10 s) starts a `docker system dial-stdio` in the attendee's sandbox (about 0.1 CPU-s): one every 30 s.
 */
export const STREAM_QUIET_MS = 30_000;

const defaults = {
  debounceMs: 30,
  pollIntervalMs: 1000,
  reconnectMinMs: 250,
  reconnectMaxMs: 5000,
  readTimeoutMs: READ_TIMEOUT_MS,
  streamQuietMs: STREAM_QUIET_MS,
};

/** dockerode's `ping` takes an abort signal, as every request does; its typings leave the options out. */
type PingWithSignal = { ping(options: { abortSignal: AbortSignal }): Promise<unknown> };

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
  let quietTimer: NodeJS.Timeout | undefined;
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

  /** The engine did not answer: said in the snapshot (once), and the events stream, maybe stalled too, starts over. */
  const unreachable = (problem: unknown, signal?: AbortSignal): EngineSnapshot => {
    const error = signal?.aborted ? noAnswer(settings.readTimeoutMs) : describeError(problem);
    const snapshot = current.reachable || current.error !== error ? publish({ ...current, reachable: false, error, takenAt: Date.now() }) : current;
    if (signal?.aborted) events?.destroy();
    return snapshot;
  };

  const read = async (parts: ReadonlySet<StatePart>): Promise<EngineSnapshot> => {
    // Aborting the requests also closes their connections: nothing is left waiting on a stalled one.
    const signal = AbortSignal.timeout(settings.readTimeoutMs);
    try {
      return publish(await readParts(docker, call, parts, current, signal));
    } catch (problem) {
      // The next read reads everything: a part read needs a good snapshot to land on.
      if (signal.aborted) return unreachable(problem, signal);
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

  /** After a quiet STREAM_QUIET_MS on the events stream: does the engine still answer? */
  const checkQuiet = (stream: Readable): void => {
    if (quietTimer) clearTimeout(quietTimer);
    quietTimer = setTimeout(() => {
      quietTimer = undefined;
      const abortSignal = AbortSignal.timeout(settings.readTimeoutMs);
      call((docker as unknown as PingWithSignal).ping({ abortSignal })).then(
        () => {
          if (events === stream) checkQuiet(stream);
        },
        (problem: unknown) => {
          if (disposed || events !== stream) return;
          unreachable(problem, abortSignal);
          // A refused ping: the stream's own connection may still be open: it starts over too.
          stream.destroy();
        },
      );
    }, settings.streamQuietMs);
    quietTimer.unref();
  };

  const listen = async (): Promise<void> => {
    let stream: Readable;
    // The stream's answer has the read deadline; once connected, it stays open as long as the engine keeps it.
    const connecting = new AbortController();
    const connectTimer = setTimeout(() => connecting.abort(), settings.readTimeoutMs);
    connectTimer.unref();
    try {
      stream = (await call(docker.getEvents({ abortSignal: connecting.signal }))) as unknown as Readable;
    } catch (problem) {
      if (connecting.signal.aborted) unreachable(problem, connecting.signal);
      else if (current.reachable || current.error === undefined) publish({ ...current, reachable: false, error: describeError(problem), takenAt: Date.now() });
      scheduleReconnect();
      return;
    } finally {
      clearTimeout(connectTimer);
    }
    if (disposed) {
      stream.destroy();
      return;
    }
    events = stream;
    reconnectDelay = settings.reconnectMinMs;
    let buffered = '';
    checkQuiet(stream);
    stream.on('data', (chunk: Buffer) => {
      checkQuiet(stream);
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
      if (events === stream) {
        events = undefined;
        if (quietTimer) clearTimeout(quietTimer);
        quietTimer = undefined;
      }
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
      for (const timer of [reconnectTimer, debounceTimer, quietTimer]) if (timer) clearTimeout(timer);
      if (pollTimer) clearInterval(pollTimer);
      events?.destroy();
      events = undefined;
    },
  };
}

function noAnswer(timeoutMs: number): string {
  return `no answer from the engine within ${timeoutMs / 1000} s`;
}

function describeError(problem: unknown): string {
  const error = problem as { code?: string; address?: string; message?: string };
  if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') return `cannot connect to ${error.address ?? 'the engine'} (${error.code})`;
  return error.message?.split('\n')[0] ?? String(problem);
}
