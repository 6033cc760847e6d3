// Which engine of an attendee's cluster (node1…nodeN, each with its own engine) the checks read, as a pure function
// of what the engines said: the decks build their swarm on node1 and type their commands there, so node1 while it is
// a manager of the inner swarm; once it is not (demoted, left), the swarm's leader, which sees every swarm object.
// manager-watch.ts asks the engines and follows the choice.
import type { EngineSnapshot } from '../checks/engine-state.ts';

/** What one engine of the cluster said of its place in the inner swarm. */
export interface NodeAnswer {
  /** Its place in the cluster's list of engines (0: node1). */
  readonly index: number;
  /** Undefined: it did not answer. */
  readonly swarm?: {
    /** Its swarm state: inactive, pending, active, error, locked. */
    readonly state: string;
    readonly nodeId: string;
    readonly manager: boolean;
    /** A manager's word on which node leads (its node ID). */
    readonly leaderId?: string;
  };
}

/** The engine to read: node1 while it is a manager; else the leader; else the first manager that answered; else node1. */
export function chooseEngine(answers: readonly NodeAnswer[]): number {
  const managers = answers.filter((answer) => answer.swarm?.state === 'active' && answer.swarm.manager);
  if (managers.some((answer) => answer.index === 0)) return 0;
  const leaderId = managers.find((answer) => answer.swarm?.leaderId)?.swarm?.leaderId;
  const leader = managers.find((answer) => answer.swarm?.nodeId === leaderId);
  return (leader ?? managers[0])?.index ?? 0;
}

/**
 * Why the engines are asked again:
 * - `no-manager`: the engine read stopped answering, or is no manager (any more: demoted, left; or not yet, before
 *   the deck's `docker swarm init`);
 * - `home-manager`: another node is read, and node1 (`homeNodeId`) is a ready manager in its node list again.
 */
export type LookCall = 'no-manager' | 'home-manager';

/** Whether to ask the engines again, and why, from the latest snapshot of the one read; undefined: no need. */
export function lookCall(snapshot: EngineSnapshot, where: { readonly watchingHome: boolean; readonly homeNodeId: string | undefined }): LookCall | undefined {
  if (!snapshot.reachable) return snapshot.error !== undefined ? 'no-manager' : undefined;
  if (snapshot.swarm !== 'active' || !snapshot.isManager) return 'no-manager';
  if (where.watchingHome || where.homeNodeId === undefined) return undefined;
  return snapshot.nodes.some((node) => node.id === where.homeNodeId && node.role === 'manager' && node.state === 'ready') ? 'home-manager' : undefined;
}

/**
 * The wait before looking again after a look that moved nothing while the snapshot still calls for one;
 * `previousMs`: the wait before that look, undefined when it was the first for this call.
 * - `home-manager`: the shortest interval, every time. The leader lists node1 as a manager as soon as it is promoted,
 *   and node1 manages (its `info` says ControlAvailable) once it has its manager certificate and has joined the raft:
 *   2 s after the promotion in attendee-cluster.test.ts, longer on a loaded machine. A doubling wait finds it up to
 *   twice as late (with LOOK_INTERVAL_MS: a node1 managing after 22 s was found after 45 s), and the leader's
 *   snapshot stays quiet meanwhile, so nothing else asks.
 * - `no-manager` (no swarm yet, before the deck's `docker swarm init`; no manager answering): ever longer, up to
 *   `maxLookIntervalMs`, since each look asks every node and that may go on for the whole of a workshop.
 */
export function retryDelay(call: LookCall, previousMs: number | undefined, limits: { readonly lookIntervalMs: number; readonly maxLookIntervalMs: number }): number {
  if (call === 'home-manager' || previousMs === undefined) return limits.lookIntervalMs;
  return Math.min(previousMs * 2, limits.maxLookIntervalMs);
}
