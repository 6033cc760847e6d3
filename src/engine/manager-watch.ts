// The checks' engine watch for an attendee's cluster (node1…nodeN): one EngineWatch (snapshot.ts) on the engine
// manager-choice.ts picks, node1 at first. When the engine read stops answering or is no manager of the inner swarm
// (demoted, left), or node1 is a manager again while another node is read, every node's engine is asked where the
// managers are (`info`, and a manager's node list for the leader), and the watch moves to the chosen one. The choice
// is kept until a snapshot calls for another look; looks are at most one per LOOK_INTERVAL_MS: before the decks'
// `docker swarm init`, node1 is no manager, and each of its snapshots would otherwise ask every node. A look that
// moves nothing while the snapshot still calls for one is tried again (manager-choice.ts retryDelay): nothing else
// would ask while the engine read stays quiet. Promptly while node1 shows as a manager again (promoted a moment ago,
// it manages seconds later), ever later otherwise (up to MAX_LOOK_INTERVAL_MS). Each node's answer has a deadline
// (ASK_TIMEOUT_MS): a node that does not answer counts as no manager.
import type Docker from 'dockerode';
import type { EngineSnapshot } from '../checks/engine-state.ts';
import { Emitter, type Disposable } from '../event.ts';
import { chooseEngine, lookCall, retryDelay, type LookCall, type NodeAnswer } from './manager-choice.ts';
import { watchEngine, type EngineWatch, type EngineWatchOptions } from './snapshot.ts';

/**
 * At most one look at the cluster's managers per this interval (a look is one `info` per node, over ssh). A demotion
 * is seen at the next snapshot of the engine read, and followed within this interval at worst.
 */
export const LOOK_INTERVAL_MS = 3000;
/** The longest wait between looks while the snapshot keeps calling for one (e.g. no swarm yet). */
export const MAX_LOOK_INTERVAL_MS = 60_000;
/**
 * How long a look waits for one node's answer (`info`, and a manager's node list) before it counts as none. Without
 * it, a request stalled on the ssh hop through node1 held the look, and every look after it, for ever. An answer took
 * 0.07 to 1.1 s in attendee-cluster.test.ts (the slowest: a cold connection through node1, two ssh logins and a
 * `docker system dial-stdio` started in the node); a node's engine itself gives up on the swarm's requests after 20 s
 * (a manager without its raft), and such a node is no engine to read. Above ssh's own login limit (10 s,
 * ssh-dial-agent.ts), so that a slow but working login is not cut off, and started over, at every look.
 */
export const ASK_TIMEOUT_MS = 15_000;

export interface ClusterWatch extends EngineWatch {
  /** The engine read now: its place in the cluster's list (0: node1). */
  readonly watching: number;
  /** That engine's client: what runs in a container (probes) runs there. */
  readonly docker: Docker;
}

export interface ClusterWatchOptions extends EngineWatchOptions {
  readonly lookIntervalMs?: number;
  readonly askTimeoutMs?: number;
}

/** dockerode's `info` takes an abort signal, as its node list does; its typings leave it out. */
type InfoWithSignal = { info(options: { abortSignal: AbortSignal }): Promise<unknown> };

/** `engines`: node1's first, then node2's… */
export function watchSwarmManager(engines: readonly Docker[], options: ClusterWatchOptions = {}): ClusterWatch {
  const first = engines[0];
  if (!first) throw new Error('a cluster has at least node1');
  const lookIntervalMs = options.lookIntervalMs ?? LOOK_INTERVAL_MS;
  const askTimeoutMs = options.askTimeoutMs ?? ASK_TIMEOUT_MS;
  const snapshotEmitter = new Emitter<EngineSnapshot>();
  const leases = new Map<object, Disposable>();
  let index = 0;
  let watch = watchEngine(first, options);
  let latest: EngineSnapshot = watch.current;
  let homeNodeId: string | undefined;
  let formerCalls = 0;
  let lookCalls = 0;
  let looking = false;
  let lookAgain = false;
  let lastLook = Number.NEGATIVE_INFINITY;
  /** Why the latest snapshot calls for a look, and the last wait before a look that followed one that moved nothing. */
  let calling: LookCall | undefined;
  let lastRetryMs: number | undefined;
  let lookTimer: NodeJS.Timeout | undefined;
  let disposed = false;

  const call = <T>(request: Promise<T>): Promise<T> => {
    lookCalls++;
    return request;
  };

  const ask = async (engine: Docker, at: number): Promise<NodeAnswer> => {
    // Aborting the request also closes its channel: nothing is left waiting on the stalled hop.
    const abortSignal = AbortSignal.timeout(askTimeoutMs);
    try {
      const info = (await call((engine as unknown as InfoWithSignal).info({ abortSignal }))) as {
        Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean };
      };
      const state = info.Swarm?.LocalNodeState || 'inactive';
      const manager = state === 'active' && info.Swarm?.ControlAvailable === true;
      let leaderId: string | undefined;
      if (manager) {
        const nodes = (await call(engine.listNodes({ abortSignal }))) as { ID?: string; ManagerStatus?: { Leader?: boolean } }[];
        leaderId = nodes.find((node) => node.ManagerStatus?.Leader)?.ID;
      }
      return { index: at, swarm: { state, nodeId: info.Swarm?.NodeID ?? '', manager, ...(leaderId ? { leaderId } : {}) } };
    } catch {
      return { index: at };
    }
  };

  const moveTo = (next: number, engine: Docker): void => {
    subscription.dispose();
    formerCalls += watch.apiCalls;
    watch.dispose();
    index = next;
    watch = watchEngine(engine, options);
    subscription = watch.onSnapshot(seen);
    for (const [lease, inner] of leases) {
      inner.dispose();
      leases.set(lease, watch.holdPolling());
    }
  };

  const look = async (): Promise<void> => {
    looking = true;
    lastLook = Date.now();
    try {
      const answers = await Promise.all(engines.map((engine, at) => ask(engine, at)));
      if (disposed) return;
      homeNodeId = answers[0]?.swarm?.nodeId || homeNodeId;
      const chosen = chooseEngine(answers);
      const engine = engines[chosen];
      if (chosen !== index && engine) {
        moveTo(chosen, engine);
        // The new engine's snapshots tell whether to look again.
        calling = undefined;
      }
    } finally {
      looking = false;
      if (!disposed && lookAgain) {
        lookAgain = false;
        scheduleLook(lookIntervalMs);
      } else if (!disposed && calling) {
        lastRetryMs = retryDelay(calling, lastRetryMs, { lookIntervalMs, maxLookIntervalMs: MAX_LOOK_INTERVAL_MS });
        scheduleLook(lastRetryMs);
      }
    }
  };

  /** A look now, or once `interval` since the last one is over; one at a time. */
  const scheduleLook = (interval = lookIntervalMs): void => {
    if (looking) {
      lookAgain = true;
      return;
    }
    if (lookTimer) return;
    const wait = lastLook + interval - Date.now();
    if (wait <= 0) void look();
    else {
      lookTimer = setTimeout(() => {
        lookTimer = undefined;
        if (!disposed) void look();
      }, wait);
      lookTimer.unref();
    }
  };

  const seen = (snapshot: EngineSnapshot): void => {
    latest = snapshot;
    snapshotEmitter.fire(snapshot);
    // node1's own snapshots name it: a look that finds node1 silent (it is why the watch looks) cannot, and node1 not
    // known, nothing would bring the checks back to it.
    if (index === 0 && snapshot.reachable && snapshot.selfNodeId) homeNodeId = snapshot.selfNodeId;
    const call = engines.length > 1 ? lookCall(snapshot, { watchingHome: index === 0, homeNodeId }) : undefined;
    // Something changed (a demotion, node1 back): looks start again at the shortest interval, a long wait left from
    // the former call included.
    if (call !== calling) {
      lastRetryMs = undefined;
      if (lookTimer) clearTimeout(lookTimer);
      lookTimer = undefined;
    }
    calling = call;
    if (call) scheduleLook();
  };
  let subscription = watch.onSnapshot(seen);

  return {
    get current() {
      return latest;
    },
    get apiCalls() {
      return formerCalls + lookCalls + watch.apiCalls;
    },
    get listening() {
      return watch.listening;
    },
    get watching() {
      return index;
    },
    get docker() {
      return engines[index] ?? first;
    },
    onSnapshot: snapshotEmitter.event,
    refresh: () => watch.refresh(),
    holdPolling() {
      const lease = {};
      leases.set(lease, watch.holdPolling());
      return {
        dispose: () => {
          leases.get(lease)?.dispose();
          leases.delete(lease);
        },
      };
    },
    dispose() {
      disposed = true;
      if (lookTimer) clearTimeout(lookTimer);
      subscription.dispose();
      watch.dispose();
      snapshotEmitter.dispose();
      leases.clear();
    },
  };
}
