// Reading the engine's state, whole or in parts, normalised into the snapshot the checks evaluate.
//
// A part read lands on top of the previous snapshot: lists are replaced whole, one service (and its tasks) in place.
// It falls back to reading everything when there is no good snapshot to land on, or when the swarm itself changed
// under it (this engine left, joined, or changed role: every list may differ then). Every request of a read takes the
// read's abort signal: the watch (snapshot.ts) gives up on a read that passes its deadline, and nothing of it is left
// waiting on a stalled connection.
import type Docker from 'dockerode';
import type { ContainerState, EngineSnapshot, NetworkState, NodeState, ServiceState, TaskState } from '../checks/engine-state.ts';
import { elementAt } from '../errors.ts';
import type { StatePart } from './state-parts.ts';

/** Every engine request goes through it, so the watch can count them. */
export type Call = <T>(request: Promise<T>) => Promise<T>;

/** `swarm`: this engine's place in the swarm when the caller has just read it. */
export async function readEverything(docker: Docker, call: Call, signal?: AbortSignal, swarm?: SwarmPlace): Promise<EngineSnapshot> {
  swarm ??= await readSwarm(docker, call, signal);
  const manager = swarm.isManager;
  const [networks, containers, services, tasks, nodes, secrets, configs] = await Promise.all([
    readNetworks(docker, call, signal),
    readContainers(docker, call, signal),
    manager ? readServices(docker, call, signal) : [],
    manager ? readTasks(docker, call, signal) : [],
    manager ? readNodes(docker, call, signal) : [],
    manager ? readNames(call(docker.listSecrets(aborted(signal)))) : [],
    manager ? readNames(call(docker.listConfigs(aborted(signal)))) : [],
  ]);
  return { reachable: true, error: undefined, takenAt: Date.now(), ...swarm, services, tasks, nodes, networks, containers, secrets, configs };
}

/** `current` with the given parts read again (the requests run in parallel). */
export async function readParts(docker: Docker, call: Call, parts: ReadonlySet<StatePart>, current: EngineSnapshot, signal?: AbortSignal): Promise<EngineSnapshot> {
  if (parts.has('everything') || !current.reachable) return readEverything(docker, call, signal);
  const wholeSwarm = parts.has('swarm');
  if (wholeSwarm) {
    const swarm = await readSwarm(docker, call, signal);
    if (swarm.swarm !== current.swarm || swarm.isManager !== current.isManager || swarm.selfNodeId !== current.selfNodeId) {
      return readEverything(docker, call, signal, swarm);
    }
  }
  // Only managers can list swarm objects: on a worker those lists stay empty.
  const manager = current.isManager;
  const serviceIds = wholeSwarm ? [] : idsIn(parts, 'service:');
  const taskServiceIds = [...new Set([...serviceIds, ...idsIn(parts, 'tasks:')])];
  // Several services' tasks come in one request for all tasks: a request filtered by several services fails whole
  // (404) when one of them is gone, and one request per service would multiply with a stack's services.
  const allTasks = wholeSwarm || parts.has('tasks') || taskServiceIds.length > 1;
  const [containers, networks, secrets, configs, nodes, services, someServices, tasks, oneServiceTasks] = await Promise.all([
    parts.has('containers') ? readContainers(docker, call, signal) : undefined,
    parts.has('networks') ? readNetworks(docker, call, signal) : undefined,
    manager && parts.has('secrets') ? readNames(call(docker.listSecrets(aborted(signal)))) : undefined,
    manager && parts.has('configs') ? readNames(call(docker.listConfigs(aborted(signal)))) : undefined,
    manager && wholeSwarm ? readNodes(docker, call, signal) : undefined,
    manager && wholeSwarm ? readServices(docker, call, signal) : undefined,
    manager && serviceIds.length > 0 ? readServices(docker, call, signal, serviceIds) : undefined,
    manager && allTasks ? readTasks(docker, call, signal) : undefined,
    manager && !allTasks && taskServiceIds.length === 1 ? readTasksOf(docker, call, signal, elementAt(taskServiceIds, 0)) : undefined,
  ]);
  return {
    ...current,
    takenAt: Date.now(),
    containers: containers ?? current.containers,
    networks: networks ?? current.networks,
    secrets: secrets ?? current.secrets,
    configs: configs ?? current.configs,
    nodes: nodes ?? current.nodes,
    services: services ?? (someServices ? replaceServices(current.services, serviceIds, someServices) : current.services),
    tasks: tasks ?? (oneServiceTasks ? [...current.tasks.filter((t) => t.serviceId !== taskServiceIds[0]), ...oneServiceTasks] : current.tasks),
  };
}

function idsIn(parts: ReadonlySet<StatePart>, prefix: 'service:' | 'tasks:'): string[] {
  return [...parts].filter((part) => part.startsWith(prefix)).map((part) => part.slice(prefix.length));
}

/** Read services take their old place (results list a stack's services in a stable order); gone ones leave. */
function replaceServices(old: readonly ServiceState[], ids: readonly string[], read: readonly ServiceState[]): ServiceState[] {
  const fresh = new Map(read.map((s) => [s.id, s]));
  const kept = old.flatMap((s) => (ids.includes(s.id) ? (fresh.get(s.id) ?? []) : [s]));
  return [...kept, ...read.filter((s) => !old.some((o) => o.id === s.id))];
}

// ── one request each ────────────────────────────────────────────────────────────────────────────────────────────

type SwarmPlace = Pick<EngineSnapshot, 'swarm' | 'selfNodeId' | 'isManager'>;

/** The read's abort signal, as a request's option (dockerode takes `abortSignal` in every request's options). */
function aborted(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}

/** dockerode's `info` takes an abort signal too; its typings leave the options out. */
type InfoWithOptions = { info(options: { abortSignal?: AbortSignal }): Promise<unknown> };

async function readSwarm(docker: Docker, call: Call, signal: AbortSignal | undefined): Promise<SwarmPlace> {
  const info = (await call((docker as unknown as InfoWithOptions).info(aborted(signal)))) as {
    Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean };
  };
  const swarm = (info.Swarm?.LocalNodeState || 'inactive') as EngineSnapshot['swarm'];
  return { swarm, selfNodeId: info.Swarm?.NodeID ?? '', isManager: swarm === 'active' && info.Swarm?.ControlAvailable === true };
}

async function readServices(docker: Docker, call: Call, signal: AbortSignal | undefined, ids?: readonly string[]): Promise<ServiceState[]> {
  // `status` adds ServiceStatus (desired tasks of global services); `id` matches by prefix, and full ids are unique.
  const query = ids ? { status: true, filters: { id: ids } } : { status: true };
  return ((await call(docker.listServices({ ...query, ...aborted(signal) } as object))) as unknown as RawService[]).map(toServiceState);
}

async function readTasks(docker: Docker, call: Call, signal: AbortSignal | undefined): Promise<TaskState[]> {
  return ((await call(docker.listTasks(aborted(signal)))) as unknown as RawTask[]).map(toTaskState);
}

async function readTasksOf(docker: Docker, call: Call, signal: AbortSignal | undefined, serviceId: string): Promise<TaskState[]> {
  try {
    return ((await call(docker.listTasks({ filters: { service: [serviceId] }, ...aborted(signal) }))) as unknown as RawTask[]).map(toTaskState);
  } catch (problem) {
    // The engine answers 404 for the tasks of a service that no longer exists: it has none we could check.
    if ((problem as { statusCode?: number }).statusCode === 404) return [];
    throw problem;
  }
}

async function readNodes(docker: Docker, call: Call, signal: AbortSignal | undefined): Promise<NodeState[]> {
  return ((await call(docker.listNodes(aborted(signal)))) as unknown as RawNode[]).map(toNodeState);
}

async function readNetworks(docker: Docker, call: Call, signal: AbortSignal | undefined): Promise<NetworkState[]> {
  return ((await call(docker.listNetworks(aborted(signal)))) as unknown as RawNetwork[]).map(
    (n): NetworkState => ({
      id: n.Id,
      name: n.Name,
      driver: n.Driver,
      scope: n.Scope,
      attachable: n.Attachable === true,
    }),
  );
}

async function readContainers(docker: Docker, call: Call, signal: AbortSignal | undefined): Promise<ContainerState[]> {
  return ((await call(docker.listContainers({ all: true, ...aborted(signal) }))) as unknown as RawContainer[]).map(
    (c): ContainerState => ({
      id: c.Id,
      name: (c.Names?.[0] ?? '').replace(/^\//, ''),
      labels: c.Labels ?? {},
      state: c.State,
    }),
  );
}

async function readNames(request: Promise<unknown>): Promise<string[]> {
  return ((await request) as { Spec: { Name: string } }[]).map((s) => s.Spec.Name);
}

// ── the API's shapes, only as far as labdeck reads them (dockerode's types are loose about several of these) ────

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
  ID: string;
  ServiceID: string;
  NodeID?: string;
  DesiredState: string;
  UpdatedAt?: string;
  Status?: { State?: string; Message?: string; Err?: string; Timestamp?: string };
}
interface RawNode {
  ID: string;
  Description?: { Hostname?: string };
  Spec?: { Role?: 'manager' | 'worker'; Availability?: 'active' | 'pause' | 'drain'; Labels?: Record<string, string> };
  Status?: { State?: string };
}
interface RawNetwork {
  Id: string;
  Name: string;
  Driver: string;
  Scope: string;
  Attachable?: boolean;
}
interface RawContainer {
  Id: string;
  Names?: string[];
  Labels?: Record<string, string>;
  State: string;
}

function toServiceState(s: RawService): ServiceState {
  const template = s.Spec.TaskTemplate ?? {};
  // The spec lists only the ports asked for; the endpoint also has the published ports the engine picked.
  const ports = s.Endpoint?.Ports ?? s.Spec.EndpointSpec?.Ports ?? [];
  return {
    id: s.ID,
    name: s.Spec.Name,
    labels: s.Spec.Labels ?? {},
    mode: s.Spec.Mode?.Global ? 'global' : 'replicated',
    replicas: s.Spec.Mode?.Global ? undefined : (s.Spec.Mode?.Replicated?.Replicas ?? 1),
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
