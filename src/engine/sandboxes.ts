// Per-attendee sandboxes as Docker Swarm services (their spec: sandbox-spec.ts): created with their secrets and ssh
// port, waited for, given the images a class needs (copied from the outer engine, no registry), listed, and removed
// with their secrets and volume.
import type Docker from 'dockerode';
import { inspectImageByName } from './import-image.ts';
import { asClusterNode, isOtherClusterNode, type ClusterMembership } from './cluster-spec.ts';
import {
  SANDBOX_ATTENDEE_LABEL,
  SANDBOX_CLASS_LABEL,
  SANDBOX_NAME_LABEL,
  SEAT_STATE_LABEL,
  sandboxLabels,
  sandboxNames,
  sandboxNamesOf,
  sandboxServiceSpec,
  type SandboxDefinition,
  type SecretRef,
} from './sandbox-spec.ts';

export type SandboxState = 'running' | 'starting' | 'failed';

export interface SandboxStatus {
  readonly attendee: string;
  readonly name: string;
  readonly service: string;
  readonly state: SandboxState;
  /** The node its task runs on (a node id). */
  readonly node: string | undefined;
  /** Why it is not running, when its task says. */
  readonly problem: string | undefined;
}

export interface SandboxRequest extends Omit<SandboxDefinition, 'sshPort' | 'secrets'> {
  /** root's authorized keys in the sandbox (the class's public key). */
  readonly authorizedKeys: string;
  /** The sandbox's ssh host key (private, OpenSSH format). */
  readonly hostKey: string;
  /** Ports are given from here up, the lowest no sandbox of any class publishes. */
  readonly firstPort: number;
  /** Set when the sandbox is node1 of the attendee's cluster (attendee-cluster.ts made the rest). */
  readonly cluster?: ClusterMembership | undefined;
}

/**
 * Creates the sandbox's service (with its secrets and a port of its own) unless it exists already; resolves to the
 * port its sshd is published on. Two calls must not run at once (they could pick the same port).
 */
export async function createSandbox(docker: Docker, request: SandboxRequest): Promise<{ outcome: 'created' | 'exists'; port: number }> {
  const names = sandboxNames(request.classId, request.attendee);
  const existing = (await findSandbox(docker, request.classId, request.attendee)) ?? (await findService(docker, names.service));
  if (existing) {
    // A warm seat claimed since (its service keeps the seat's name) is no longer the seat's to prepare.
    if (existing.Spec?.Labels?.[SANDBOX_ATTENDEE_LABEL] !== request.attendee) throw new Error(`the sandbox ${names.service} is someone else's now`);
    const port = publishedPorts(existing)[0];
    if (port === undefined) throw new Error(`the sandbox ${names.service} publishes no ssh port: remove it (labdeck env reset)`);
    return { outcome: 'exists', port };
  }
  const labels = sandboxLabels(request);
  // Secrets of a sandbox whose creation was interrupted: their content may be stale.
  await removeSecrets(docker, [names.authorizedKeysSecret, names.hostKeySecret]);
  const secret = async (name: string, content: string): Promise<SecretRef> => {
    const created = (await docker.createSecret({ Name: name, Labels: labels, Data: Buffer.from(content).toString('base64') })) as { id: string };
    return { id: created.id, name };
  };
  const secrets = { authorizedKeys: await secret(names.authorizedKeysSecret, request.authorizedKeys), hostKey: await secret(names.hostKeySecret, request.hostKey) };
  const { authorizedKeys: _keys, hostKey: _hostKey, firstPort: _first, cluster, ...definition } = request;
  try {
    // Another process (`labdeck env warm` beside a serving class) may pick the same port at the same moment: the
    // sandbox made later gives way and picks again, or the swarm could never place it on that node.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort(docker, request.firstPort);
      const spec = sandboxServiceSpec({ ...definition, sshPort: port, secrets });
      const created = (await docker.createService(cluster ? asClusterNode(spec, definition, cluster) : spec)) as { id?: string; ID?: string };
      const id = created.id ?? created.ID ?? '';
      if (!(await portTakenEarlier(docker, port, id))) return { outcome: 'created', port };
      await docker.getService(id).remove().catch(ignoreGone);
      if (attempt === 10) throw new Error(`no free ssh port for ${names.service}: other sandboxes kept taking them`);
    }
  } catch (error) {
    await removeSecrets(docker, [names.authorizedKeysSecret, names.hostKeySecret]).catch(() => {});
    throw error;
  }
}

/** True when a sandbox made before the service `id` (by creation time, then id) publishes `port` too. */
async function portTakenEarlier(docker: Docker, port: number, id: string): Promise<boolean> {
  const services = await docker.listServices({ filters: { label: [SANDBOX_CLASS_LABEL] } });
  const order = (service: Docker.Service | (typeof services)[number]): string => `${service.CreatedAt ?? ''} ${service.ID}`;
  const mine = services.find((service) => service.ID === id);
  if (!mine) return false;
  return services.some((service) => service.ID !== id && publishedPorts(service).includes(port) && order(service) < order(mine));
}

/** How long a task must stay hopeless (e.g. pending for want of room) before the wait gives up. */
const HOPELESS_AFTER_MS = 3000;

/** Where a running sandbox is reached: its node's address and the port its sshd is published on there. */
export interface SandboxPlace {
  /** The task running it: a new task is a new container, on a fresh engine volume (the swarm recreated it). */
  readonly task: string;
  readonly node: string;
  readonly address: string;
  readonly port: number;
}

/**
 * Waits until the sandbox's task runs and `answers` (given where it runs: e.g. its engine answers over ssh) says it
 * is ready; resolves to where it runs.
 */
export async function waitForSandbox(
  docker: Docker,
  classId: string,
  attendee: string,
  options: {
    timeoutMs: number;
    log: (line: string) => void;
    answers: (place: SandboxPlace) => Promise<boolean>;
    /** Why waiting is pointless, given a task that is not running (its state and error): the wait fails with it. */
    hopeless?: (state: string | undefined, error: string | undefined) => string | undefined;
  },
): Promise<SandboxPlace> {
  const service = (await findSandbox(docker, classId, attendee))?.Spec?.Name ?? sandboxNames(classId, attendee).service;
  const deadline = Date.now() + options.timeoutMs;
  let said = '';
  const say = (line: string): void => {
    if (line !== said) options.log(line);
    said = line;
  };
  let hopelessSince: number | undefined;
  for (;;) {
    const task = await currentTask(docker, service);
    const port = task?.Status?.PortStatus?.Ports?.find((p) => p.PublishMode === 'host')?.PublishedPort;
    if (task?.Status?.State === 'running' && task.NodeID && port) {
      const place = { task: task.ID ?? '', node: task.NodeID, address: await nodeAddress(docker, task.NodeID), port };
      say(`the sandbox runs (node ${place.address}, port ${port}); waiting for its Docker engine`);
      if (await options.answers(place)) return place;
    } else {
      const hopeless = options.hopeless?.(task?.Status?.State, task?.Status?.Err);
      // For a few seconds in a row: a node that just got room (or the image) takes a pending task a moment later.
      hopelessSince = hopeless ? (hopelessSince ?? Date.now()) : undefined;
      if (hopeless && hopelessSince !== undefined && Date.now() - hopelessSince >= HOPELESS_AFTER_MS) throw new Error(hopeless);
      say(`sandbox task: ${task?.Status?.State ?? 'not scheduled yet'}${task?.Status?.Err ? ` (${task.Status.Err})` : ''}`);
    }
    if (Date.now() > deadline) throw new Error(`the sandbox ${service} was not ready within ${options.timeoutMs / 1000} s (${said})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Copies images from the outer engine into the inner one (`docker save | docker load`), skipping those the outer
 * engine lacks and those the inner one already has; resolves to the names it copied.
 */
export async function preloadImages(outer: Docker, inner: Docker, images: readonly string[], log: (line: string) => void): Promise<string[]> {
  const copied: string[] = [];
  for (const name of images) {
    const source = await inspectImageByName(outer, name);
    if (!source) continue;
    if ((await inspectImageByName(inner, name))?.Id === source.Id) continue;
    log(`loading ${name} into the sandbox's engine`);
    const tar = await outer.getImage(name).get();
    const progress = await inner.loadImage(tar, { quiet: true });
    await new Promise<void>((resolve, reject) => {
      inner.modem.followProgress(progress, (error: Error | null, messages: { error?: string }[]) => {
        const failure = error ?? messages.find((m) => m.error)?.error;
        if (failure) reject(failure instanceof Error ? failure : new Error(failure));
        else resolve();
      });
    });
    copied.push(name);
  }
  return copied;
}

/** The class's sandboxes (its attendees': warm seats nobody claimed yet are not), each with the state of its latest task. */
export async function listSandboxes(docker: Docker, classId: string): Promise<SandboxStatus[]> {
  const all = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } });
  // node2…nodeN of attendees' clusters are listed with their node1 (attendee-cluster.ts), not as sandboxes of their own.
  const services = firstClaimsOnly(
    all.filter((service) => [undefined, 'claimed'].includes(service.Spec?.Labels?.[SEAT_STATE_LABEL]) && !isOtherClusterNode(service.Spec?.Labels)),
  );
  return Promise.all(
    services.map(async (service): Promise<SandboxStatus> => {
      const labels = service.Spec?.Labels ?? {};
      // biome-ignore lint/style/noNonNullAssertion: the engine names every service it lists (the API types mark all optional)
      const name = service.Spec!.Name!;
      const task = await currentTask(docker, name);
      const taskState = task?.Status?.State;
      const state: SandboxState = taskState === 'running' ? 'running' : taskState === 'failed' || taskState === 'rejected' ? 'failed' : 'starting';
      return {
        attendee: labels[SANDBOX_ATTENDEE_LABEL] ?? '',
        name: labels[SANDBOX_NAME_LABEL] ?? '',
        service: name,
        state,
        node: task?.NodeID,
        problem: task?.Status?.Err,
      };
    }),
  );
}

export interface SandboxTask {
  readonly attendee: string;
  readonly name: string;
  readonly task: string;
  readonly state: string;
  readonly node: string | undefined;
  /** Why it is not running, when the task says (e.g. pending: "no suitable node (insufficient resources on 3 nodes)"). */
  readonly error: string | undefined;
}

/**
 * The task each of the class's sandboxes should be running now (the newest the swarm wants running), in two requests
 * however large the class: what the provider polls to notice a sandbox the swarm moved to another node.
 */
export async function sandboxTasks(docker: Docker, classId: string): Promise<SandboxTask[]> {
  const [services, tasks] = await Promise.all([
    docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } }),
    docker.listTasks({ filters: { 'desired-state': ['running'] } }) as Promise<TaskView[]>,
  ]);
  return firstClaimsOnly(services.filter((service) => !isOtherClusterNode(service.Spec?.Labels))).flatMap((service) => {
    const labels = service.Spec?.Labels ?? {};
    const newest = tasks.filter((task) => task.ServiceID === service.ID).sort((a, b) => String(b.UpdatedAt).localeCompare(String(a.UpdatedAt)))[0];
    if (!newest?.ID) return [];
    return [
      {
        attendee: labels[SANDBOX_ATTENDEE_LABEL] ?? '',
        name: labels[SANDBOX_NAME_LABEL] ?? '',
        task: newest.ID,
        state: newest.Status?.State ?? 'unknown',
        node: newest.NodeID,
        error: newest.Status?.Err,
      },
    ];
  });
}

/**
 * Removes the sandbox: its service, its secrets, its container right away, then its volume (the inner engine's
 * images, containers and swarm). True when there was something to remove. The volume lives on the node that ran
 * the task: removed here when that is this engine's node.
 */
export async function removeSandbox(docker: Docker, classId: string, attendee: string, timeoutMs = 30_000): Promise<boolean> {
  const service = await findSandbox(docker, classId, attendee);
  // biome-ignore lint/style/noNonNullAssertion: the engine names every service it lists (the API types mark all optional)
  const names = service ? sandboxNamesOf(service.Spec!.Name!) : sandboxNames(classId, attendee);
  if (service) await docker.getService(service.ID).remove().catch(ignoreGone);
  // A secret can go once no service refers to it, whether or not its tasks are gone.
  const secrets = await removeSecrets(docker, [names.authorizedKeysSecret, names.hostKeySecret]);
  const deadline = Date.now() + timeoutMs;
  // The swarm removes the task's container asynchronously; removing it here frees the volume without waiting.
  for (;;) {
    const containers = await docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${names.service}`] } });
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: false }).catch(ignoreGone)));
    try {
      await docker.getVolume(names.volume).remove();
      return true;
    } catch (problem) {
      const status = (problem as { statusCode?: number }).statusCode;
      if (status === 404) return service !== undefined || secrets > 0;
      // 409: still in use by a container the swarm is removing.
      if (status !== 409 || Date.now() > deadline) throw problem;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/**
 * The lowest port from `first` up that no sandbox (of any class) publishes. Host-mode ports only clash on one node,
 * but a sandbox may move to any node: one port per sandbox, swarm-wide.
 */
async function freePort(docker: Docker, first: number): Promise<number> {
  const services = await docker.listServices({ filters: { label: [SANDBOX_CLASS_LABEL] } });
  const taken = new Set(services.flatMap(publishedPorts));
  let port = first;
  while (taken.has(port)) port++;
  return port;
}

function publishedPorts(service: Docker.Service | { Spec?: unknown }): number[] {
  const spec = (service as { Spec?: { EndpointSpec?: { Ports?: { PublishedPort?: number }[] } } }).Spec;
  return (spec?.EndpointSpec?.Ports ?? []).flatMap((p) => (p.PublishedPort ? [p.PublishedPort] : []));
}

/** The address other machines reach a swarm node at (a manager may report 0.0.0.0: its manager address then). */
async function nodeAddress(docker: Docker, nodeId: string): Promise<string> {
  const node = (await docker.getNode(nodeId).inspect()) as { Status?: { Addr?: string }; ManagerStatus?: { Addr?: string } };
  const address = node.Status?.Addr;
  if (address && address !== '0.0.0.0') return address;
  const manager = node.ManagerStatus?.Addr?.replace(/:\d+$/, '');
  if (manager) return manager;
  throw new Error(`the swarm does not say at which address node ${nodeId} is reached`);
}

/** Removes the named secrets that exist; resolves to how many there were. */
async function removeSecrets(docker: Docker, names: readonly string[]): Promise<number> {
  const secrets = (await docker.listSecrets({ filters: { name: [...names] } })) as { ID: string; Spec?: { Name?: string } }[];
  const ours = secrets.filter((secret) => names.includes(secret.Spec?.Name ?? ''));
  await Promise.all(ours.map((secret) => docker.getSecret(secret.ID).remove().catch(ignoreGone)));
  return ours.length;
}

/**
 * The attendee's sandbox service: the one labelled for them, whatever its name (a claimed warm seat keeps the seat's
 * name; the swarm's labels are the record of whose it is). Two processes bringing the attendee up at once may each
 * claim a seat: until the second claim goes back to the pool, both carry the attendee's label, and theirs is the
 * claim the swarm recorded first (the lower version: warm-seats.ts's rule), whose host key labdeck adopts.
 */
export async function findSandbox(docker: Docker, classId: string, attendee: string): Promise<Docker.Service | undefined> {
  const services = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`, `${SANDBOX_ATTENDEE_LABEL}=${attendee}`] } });
  const theirs = services.filter((s) => s.Spec?.Labels?.[SANDBOX_ATTENDEE_LABEL] === attendee && !isOtherClusterNode(s.Spec?.Labels));
  return firstClaimsOnly(theirs)[0] as Docker.Service | undefined;
}

interface VersionedService {
  readonly Version?: { readonly Index?: number };
  readonly Spec?: { readonly Labels?: Record<string, string> };
}

/**
 * The services, but for each attendee only the one the swarm recorded first (the lower version): a second warm-seat
 * claim not given back yet carries their label too (findSandbox), and is not theirs.
 */
function firstClaimsOnly<T extends VersionedService>(services: readonly T[]): T[] {
  const first = new Map<string, T>();
  const version = (service: T): number => service.Version?.Index ?? 0;
  const attendeeOf = (service: T): string | undefined => service.Spec?.Labels?.[SANDBOX_ATTENDEE_LABEL];
  for (const service of services) {
    const attendee = attendeeOf(service);
    const earlier = attendee === undefined ? undefined : first.get(attendee);
    if (attendee !== undefined && (!earlier || version(service) < version(earlier))) first.set(attendee, service);
  }
  return services.filter((service) => {
    const attendee = attendeeOf(service);
    return attendee === undefined || first.get(attendee) === service;
  });
}

async function findService(docker: Docker, name: string): Promise<Docker.Service | undefined> {
  const services = await docker.listServices({ filters: { name: [name] } });
  return services.find((s) => s.Spec?.Name === name) as Docker.Service | undefined;
}

interface TaskView {
  ID?: string;
  ServiceID?: string;
  DesiredState?: string;
  NodeID?: string;
  UpdatedAt?: string;
  Status?: { State?: string; Err?: string; PortStatus?: { Ports?: { PublishMode?: string; PublishedPort?: number }[] } };
}

/** The service's most recent task (the one a restart replaced its predecessor with). */
async function currentTask(docker: Docker, service: string): Promise<TaskView | undefined> {
  const tasks = (await docker.listTasks({ filters: { service: [service] } })) as TaskView[];
  return [...tasks].sort((a, b) => String(b.UpdatedAt).localeCompare(String(a.UpdatedAt)))[0];
}

function ignoreGone(problem: unknown): void {
  const status = (problem as { statusCode?: number }).statusCode;
  if (status !== 404 && status !== 409) throw problem;
}
