// The class swarm's nodes as labdeck sees them from the manager: each node's state and memory, what the swarm has
// reserved on it, the engine address labdeck reaches it at (the node label `labdeck.engine`, set by the instructor),
// and whether it holds the sandbox image. With no registry, labdeck copies the image from the manager to each node
// it can reach (docker save → docker load through the API), then labels the node as holding it: sandboxes are
// placed only on nodes so labelled (sandbox-spec.ts), so no task goes to a node that would have to pull the image.
import type Docker from 'dockerode';
import { SANDBOX_CLASS_LABEL } from './sandbox-spec.ts';
import { preloadImages } from './sandboxes.ts';

/** The node label holding the address labdeck reaches the node's engine at (`ssh://…`, `tcp://…`, `unix://…`). */
export const NODE_ENGINE_LABEL = 'labdeck.engine';

/** The node label saying the node holds the sandbox image with this id (12 hex digits), set once it was copied. */
export function imageLabel(imageId: string): string {
  return `labdeck.image.${imageId.replace(/^sha256:/, '').slice(0, 12)}`;
}

export interface ClassNode {
  readonly id: string;
  readonly hostname: string;
  /** Where other machines reach it (and the sandboxes' ssh ports on it). */
  readonly address: string;
  /** As the manager sees it: ready, down, unknown, disconnected. */
  readonly state: string;
  /** active, pause or drain: only active nodes take new tasks. */
  readonly availability: string;
  readonly manager: boolean;
  readonly memoryBytes: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Its `labdeck.engine` label, if set. */
  readonly engine: string | undefined;
}

interface NodeView {
  ID: string;
  Version?: { Index?: number };
  Spec?: { Labels?: Record<string, string>; Role?: string; Availability?: string };
  Description?: { Hostname?: string; Resources?: { MemoryBytes?: number } };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Addr?: string };
}

export async function listClassNodes(docker: Docker): Promise<ClassNode[]> {
  const nodes = (await docker.listNodes()) as NodeView[];
  return nodes
    .map((node): ClassNode => {
      const labels = node.Spec?.Labels ?? {};
      const address = node.Status?.Addr && node.Status.Addr !== '0.0.0.0' ? node.Status.Addr : (node.ManagerStatus?.Addr?.replace(/:\d+$/, '') ?? '');
      return {
        id: node.ID,
        hostname: node.Description?.Hostname ?? node.ID,
        address,
        state: node.Status?.State ?? 'unknown',
        availability: node.Spec?.Availability ?? 'active',
        manager: node.Spec?.Role === 'manager',
        memoryBytes: node.Description?.Resources?.MemoryBytes ?? 0,
        labels,
        engine: labels[NODE_ENGINE_LABEL] || undefined,
      };
    })
    .sort((a, b) => a.hostname.localeCompare(b.hostname));
}

export interface NodeLoad {
  /** Memory the swarm reserved on the node for running or starting tasks (all services: the scheduler counts them all). */
  readonly reservedBytes: number;
  /** The class's sandboxes there (running or starting). */
  readonly sandboxes: number;
}

interface TaskView {
  NodeID?: string;
  DesiredState?: string;
  Spec?: { Resources?: { Reservations?: { MemoryBytes?: number } } };
  Status?: { State?: string };
}

/** Per node id, what its tasks that should run reserve, and how many of the class's sandboxes it runs. */
export async function nodeLoads(docker: Docker, classId: string): Promise<Map<string, NodeLoad>> {
  const [tasks, sandboxServices] = await Promise.all([
    docker.listTasks({ filters: { 'desired-state': ['running'] } }) as Promise<(TaskView & { ServiceID?: string })[]>,
    docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } }),
  ]);
  const ours = new Set(sandboxServices.map((service) => service.ID));
  const loads = new Map<string, { reservedBytes: number; sandboxes: number }>();
  for (const task of tasks) {
    if (!task.NodeID || task.Status?.State === 'pending') continue;
    const load = loads.get(task.NodeID) ?? { reservedBytes: 0, sandboxes: 0 };
    load.reservedBytes += task.Spec?.Resources?.Reservations?.MemoryBytes ?? 0;
    if (task.ServiceID && ours.has(task.ServiceID)) load.sandboxes++;
    loads.set(task.NodeID, load);
  }
  return loads;
}

/** The id of the node whose engine this is (the manager labdeck runs next to). */
export async function ownNodeId(docker: Docker): Promise<string> {
  const info = (await docker.info()) as { Swarm?: { NodeID?: string } };
  return info.Swarm?.NodeID ?? '';
}

/** Whether the node holds the image, as far as its labels say (labdeck labels a node once it copied the image). */
export function holdsImage(node: ClassNode, imageId: string): boolean {
  return node.labels[imageLabel(imageId)] === 'ready';
}

/**
 * Copies the image from the manager's engine to the node's (unless it has it already) and labels the node as holding
 * it. `engine` is the node's own engine (the manager's for the manager's node).
 */
export async function giveNodeImage(manager: Docker, node: ClassNode, engine: Docker, image: string, imageId: string, log: (line: string) => void): Promise<void> {
  await preloadImages(manager, engine, [image], () => log(`copying ${image} to ${node.hostname}`));
  await labelNode(manager, node.id, { [imageLabel(imageId)]: 'ready' });
}

/** Adds labels to a node (read, then written with its version: the engine refuses a stale update, which is retried). */
export async function labelNode(docker: Docker, nodeId: string, labels: Record<string, string>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const node = (await docker.getNode(nodeId).inspect()) as NodeView;
    const spec = { ...node.Spec, Labels: { ...node.Spec?.Labels, ...labels } };
    try {
      await docker.getNode(nodeId).update({ _query: { version: node.Version?.Index }, _body: spec });
      return;
    } catch (error) {
      // 500 "update out of sequence": someone else updated the node in between.
      if (attempt >= 3 || !/out of sequence/.test((error as Error).message)) throw error;
    }
  }
}
