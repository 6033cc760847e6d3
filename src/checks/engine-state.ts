// The engine's state as the checks see it: a normalised, plain-data snapshot (engine/snapshot.ts fills it from the
// Docker API; tests build it by hand). Also the evidence that only a probe inside a container can give.
import type { Disposable, Event } from '../event.ts';

export interface ServiceState {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly mode: 'replicated' | 'global';
  /** Desired replicas; undefined for global services. */
  readonly replicas: number | undefined;
  /** As the spec holds it, often with `@sha256:…` appended. */
  readonly image: string;
  readonly networkIds: readonly string[];
  readonly constraints: readonly string[];
  readonly endpointMode: 'vip' | 'dnsrr';
  readonly ports: readonly { readonly published: number | undefined; readonly target: number; readonly protocol: string }[];
  /** From `ServiceStatus` (API ≥ 1.41); undefined when the engine does not report it. */
  readonly desiredTasks: number | undefined;
  /** Milliseconds since the epoch of the last spec change: recent changes are still converging. */
  readonly updatedAt: number;
}

export interface TaskState {
  readonly id: string;
  readonly serviceId: string;
  readonly nodeId: string;
  readonly desiredState: string;
  /** new, pending, assigned, accepted, preparing, starting, running, complete, failed, rejected, shutdown, … */
  readonly state: string;
  readonly message: string;
  readonly error: string | undefined;
  readonly updatedAt: number;
}

export interface NodeState {
  readonly id: string;
  readonly hostname: string;
  readonly role: 'manager' | 'worker';
  readonly availability: 'active' | 'pause' | 'drain';
  readonly state: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface NetworkState {
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly scope: string;
  readonly attachable: boolean;
}

export interface ContainerState {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** running, exited, created, paused, restarting, dead */
  readonly state: string;
}

export interface EngineSnapshot {
  /** False until the first successful read, and whenever the engine stops answering. */
  readonly reachable: boolean;
  /** Why the engine is unreachable (or undefined before the first attempt). */
  readonly error: string | undefined;
  /** Milliseconds since the epoch of the read this snapshot comes from. */
  readonly takenAt: number;
  readonly swarm: 'inactive' | 'pending' | 'active' | 'error' | 'locked';
  /** Node ID of the engine labdeck talks to ('' outside a swarm). */
  readonly selfNodeId: string;
  /** Only managers can list services, tasks and nodes; on a worker those lists are empty. */
  readonly isManager: boolean;
  readonly services: readonly ServiceState[];
  readonly tasks: readonly TaskState[];
  readonly nodes: readonly NodeState[];
  readonly networks: readonly NetworkState[];
  readonly containers: readonly ContainerState[];
  readonly secrets: readonly string[];
  readonly configs: readonly string[];
}

/** The snapshot before anything is known. */
export const UNKNOWN_SNAPSHOT: EngineSnapshot = Object.freeze({
  reachable: false,
  error: undefined,
  takenAt: 0,
  swarm: 'inactive',
  selfNodeId: '',
  isManager: false,
  services: [],
  tasks: [],
  nodes: [],
  networks: [],
  containers: [],
  secrets: [],
  configs: [],
});

/**
 * What the checks need of a live engine: its latest snapshot, word of each new one, a re-read on demand, and task
 * polling while a check waits for convergence. engine/snapshot.ts's EngineWatch is one; tests hand-build others.
 */
export interface SnapshotSource {
  readonly current: EngineSnapshot;
  /** Called after each read of the engine, whole or in part (successful or not). */
  readonly onSnapshot: Event<EngineSnapshot>;
  /** Re-read everything now; concurrent calls share one read (plus at most one more if asked during it). */
  refresh(): Promise<EngineSnapshot>;
  /** Poll the tasks while the lease is held (checks waiting for convergence); stops when every lease is disposed. */
  holdPolling(): Disposable;
}

/** What running a command inside a container gave. */
export type ProbeResult =
  | { readonly ok: true; readonly exitCode: number; readonly output: string; readonly at: number }
  | { readonly ok: false; readonly error: string; readonly at: number };
