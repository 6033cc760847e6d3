// One live snapshot per engine, shared by every check and every watcher: what the checks evaluate against.
//
// Why this shape: engine API calls must not grow with the number of browsers watching, so nobody but this module
// reads the engine's state. It reads it again when the `/events` stream says something changed (debounced: a
// `service create` fires a burst), and polls briefly only while someone holds a polling lease (a check waiting for
// tasks to converge: there are no task events). When the engine stops answering, the snapshot says so and the
// events stream reconnects by itself, with backoff; the first successful reconnection re-reads everything.
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import {
  UNKNOWN_SNAPSHOT, type ContainerState, type EngineSnapshot, type NetworkState, type NodeState, type ServiceState,
  type TaskState,
} from '../checks/engine-state.ts';

export interface Disposable {
  dispose(): void;
}

export interface EngineWatchOptions {
  /** Quiet time after an event before re-reading (events come in bursts). */
  readonly debounceMs?: number;
  /** Re-read interval while polling leases are held. */
  readonly pollIntervalMs?: number;
  /** Reconnection backoff of the events stream: doubles from min to max. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
}

export interface EngineWatch extends Disposable {
  readonly current: EngineSnapshot;
  /** Called after each read of the engine (successful or not). */
  onSnapshot(listener: (snapshot: EngineSnapshot) => void): Disposable;
  /** Re-read now; concurrent calls share one read (plus at most one more if asked during it). */
  refresh(): Promise<EngineSnapshot>;
  /** Poll while the lease is held (checks waiting for convergence); API calls stop when every lease is disposed. */
  holdPolling(): Disposable;
  /** Engine API requests made so far (events stream connections included): for benchmarks and tests. */
  readonly apiCalls: number;
  /** True while the `/events` stream is connected. */
  readonly listening: boolean;
}

const defaults = { debounceMs: 100, pollIntervalMs: 1000, reconnectMinMs: 250, reconnectMaxMs: 5000 };

export function watchEngine(docker: Docker, options: EngineWatchOptions = {}): EngineWatch {
  const settings = { ...defaults, ...options };
  const listeners = new Set<(snapshot: EngineSnapshot) => void>();
  let current: EngineSnapshot = UNKNOWN_SNAPSHOT;
  let apiCalls = 0;
  let disposed = false;
  let events: Readable | undefined;
  let reconnectDelay = settings.reconnectMinMs;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let debounceTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let leases = 0;
  let inFlight: Promise<EngineSnapshot> | undefined;
  let again: Promise<EngineSnapshot> | undefined;

  const call = <T>(request: Promise<T>): Promise<T> => {
    apiCalls++;
    return request;
  };

  const publish = (snapshot: EngineSnapshot): EngineSnapshot => {
    current = snapshot;
    for (const listener of [...listeners]) listener(snapshot);
    return snapshot;
  };

  const read = async (): Promise<EngineSnapshot> => {
    try {
      return publish(await readEngine(docker, call));
    } catch (problem) {
      return publish({ ...current, reachable: false, error: describeError(problem), takenAt: Date.now() });
    }
  };

  const refresh = (): Promise<EngineSnapshot> => {
    if (disposed) return Promise.resolve(current);
    if (!inFlight) {
      inFlight = read().finally(() => { inFlight = undefined; });
      return inFlight;
    }
    // Asked during a read: the state may have changed after that read started, so one more read follows it.
    again ??= inFlight.then(() => {
      again = undefined;
      return refresh();
    });
    return again;
  };

  // The first event of a burst schedules one read `debounceMs` later; later events of the burst ride along instead of
  // pushing it back (a scale-up streams container events for seconds: a trailing debounce would wait them all out).
  const scheduleRefresh = (): void => {
    if (debounceTimer) return;
    debounceTimer = setTimeout(() => {
      debounceTimer = undefined;
      void refresh();
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
    if (disposed) { stream.destroy(); return; }
    events = stream;
    reconnectDelay = settings.reconnectMinMs;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      if (lines.some(isRelevantEvent)) scheduleRefresh();
    });
    let closed = false;
    const onClosed = (): void => {
      if (closed) return;
      closed = true;
      if (events === stream) events = undefined;
      if (disposed) return;
      void refresh();
      scheduleReconnect();
    };
    stream.on('end', onClosed);
    stream.on('close', onClosed);
    stream.on('error', onClosed);
    // Whatever happened while nobody listened is only visible by reading it all again.
    void refresh();
  };

  void listen();

  return {
    get current() { return current; },
    get apiCalls() { return apiCalls; },
    get listening() { return events !== undefined; },
    onSnapshot(listener) {
      listeners.add(listener);
      return { dispose: () => { listeners.delete(listener); } };
    },
    refresh,
    holdPolling() {
      leases++;
      pollTimer ??= setInterval(() => { void refresh(); }, settings.pollIntervalMs);
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
      listeners.clear();
      for (const timer of [reconnectTimer, debounceTimer]) if (timer) clearTimeout(timer);
      if (pollTimer) clearInterval(pollTimer);
      events?.destroy();
      events = undefined;
    },
  };
}

/** Our own exec probes fire container exec events: re-reading the engine for them would only feed a loop. */
function isRelevantEvent(line: string): boolean {
  if (!line.trim()) return false;
  try {
    const event = JSON.parse(line) as { Type?: string; Action?: string };
    return !(event.Type === 'container' && /^exec_/.test(event.Action ?? ''));
  } catch {
    return true;
  }
}

function describeError(problem: unknown): string {
  const error = problem as { code?: string; address?: string; message?: string };
  if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') return `cannot connect to ${error.address ?? 'the engine'} (${error.code})`;
  return error.message?.split('\n')[0] ?? String(problem);
}

// ── reading and normalising the engine's state ─────────────────────────────────────────────────────────────────

type Call = <T>(request: Promise<T>) => Promise<T>;

async function readEngine(docker: Docker, call: Call): Promise<EngineSnapshot> {
  const info = (await call(docker.info())) as { Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean } };
  const swarm = (info.Swarm?.LocalNodeState || 'inactive') as EngineSnapshot['swarm'];
  const isManager = swarm === 'active' && info.Swarm?.ControlAvailable === true;
  const [networks, containers, services, tasks, nodes, secrets, configs] = await Promise.all([
    call(docker.listNetworks()),
    call(docker.listContainers({ all: true })),
    isManager ? call(docker.listServices({ status: true } as object)) : [],
    isManager ? call(docker.listTasks()) : [],
    isManager ? call(docker.listNodes()) : [],
    isManager ? call(docker.listSecrets()) : [],
    isManager ? call(docker.listConfigs()) : [],
  ]);
  return {
    reachable: true,
    error: undefined,
    takenAt: Date.now(),
    swarm,
    selfNodeId: info.Swarm?.NodeID ?? '',
    isManager,
    services: (services as unknown as RawService[]).map(toServiceState),
    tasks: (tasks as unknown as RawTask[]).map(toTaskState),
    nodes: (nodes as unknown as RawNode[]).map(toNodeState),
    networks: (networks as unknown as RawNetwork[]).map((n): NetworkState => ({
      id: n.Id, name: n.Name, driver: n.Driver, scope: n.Scope, attachable: n.Attachable === true,
    })),
    containers: (containers as unknown as RawContainer[]).map((c): ContainerState => ({
      id: c.Id, name: (c.Names?.[0] ?? '').replace(/^\//, ''), labels: c.Labels ?? {}, state: c.State,
    })),
    secrets: (secrets as unknown as { Spec: { Name: string } }[]).map((s) => s.Spec.Name),
    configs: (configs as unknown as { Spec: { Name: string } }[]).map((c) => c.Spec.Name),
  };
}

// The API's shapes, only as far as labdeck reads them (dockerode's types are loose about several of these).
interface RawService {
  ID: string;
  UpdatedAt?: string;
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number }; Global?: object };
    TaskTemplate?: {
      ContainerSpec?: { Image?: string };
      Networks?: { Target: string }[];
      Placement?: { Constraints?: string[] };
    };
    EndpointSpec?: { Mode?: 'vip' | 'dnsrr'; Ports?: { PublishedPort?: number; TargetPort: number; Protocol?: string }[] };
  };
  Endpoint?: { Ports?: { PublishedPort?: number; TargetPort: number; Protocol?: string }[] };
  ServiceStatus?: { DesiredTasks?: number };
}
interface RawTask {
  ID: string; ServiceID: string; NodeID?: string; DesiredState: string; UpdatedAt?: string;
  Status?: { State?: string; Message?: string; Err?: string; Timestamp?: string };
}
interface RawNode {
  ID: string;
  Description?: { Hostname?: string };
  Spec?: { Role?: 'manager' | 'worker'; Availability?: 'active' | 'pause' | 'drain'; Labels?: Record<string, string> };
  Status?: { State?: string };
}
interface RawNetwork { Id: string; Name: string; Driver: string; Scope: string; Attachable?: boolean }
interface RawContainer { Id: string; Names?: string[]; Labels?: Record<string, string>; State: string }

function toServiceState(s: RawService): ServiceState {
  const template = s.Spec.TaskTemplate ?? {};
  // The spec lists only the ports asked for; the endpoint also has the published ports the engine picked.
  const ports = s.Endpoint?.Ports ?? s.Spec.EndpointSpec?.Ports ?? [];
  return {
    id: s.ID,
    name: s.Spec.Name,
    labels: s.Spec.Labels ?? {},
    mode: s.Spec.Mode?.Global ? 'global' : 'replicated',
    replicas: s.Spec.Mode?.Global ? undefined : s.Spec.Mode?.Replicated?.Replicas ?? 1,
    image: template.ContainerSpec?.Image ?? '',
    networkIds: (template.Networks ?? []).map((n) => n.Target),
    constraints: template.Placement?.Constraints ?? [],
    endpointMode: s.Spec.EndpointSpec?.Mode ?? 'vip',
    ports: ports.map((p) => ({ published: p.PublishedPort, target: p.TargetPort, protocol: p.Protocol ?? 'tcp' })),
    desiredTasks: s.ServiceStatus?.DesiredTasks,
    updatedAt: Date.parse(s.UpdatedAt ?? '') || 0,
  };
}

function toTaskState(t: RawTask): TaskState {
  return {
    id: t.ID,
    serviceId: t.ServiceID,
    nodeId: t.NodeID ?? '',
    desiredState: t.DesiredState,
    state: t.Status?.State ?? 'new',
    message: t.Status?.Message ?? '',
    error: t.Status?.Err || undefined,
    updatedAt: Date.parse(t.Status?.Timestamp ?? t.UpdatedAt ?? '') || 0,
  };
}

function toNodeState(n: RawNode): NodeState {
  return {
    id: n.ID,
    hostname: n.Description?.Hostname ?? '',
    role: n.Spec?.Role ?? 'worker',
    availability: n.Spec?.Availability ?? 'active',
    state: n.Status?.State ?? 'unknown',
    labels: n.Spec?.Labels ?? {},
  };
}
