// Swarm resources the lab provisions: the swarm itself, overlay networks, replicated services; and their removal.
// Only this module (with snapshot.ts and exec.ts) speaks the Docker API for the lab; src/lab/ describes what it
// wants as plain definitions.
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';

/** The engine connection, for modules outside engine/ that pass it along without touching the Docker API. */
export type EngineClient = Docker;

export interface NetworkDefinition {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly attachable: boolean;
}

export interface ServiceDefinition {
  readonly name: string;
  readonly image: string;
  readonly replicas: number;
  readonly command: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Networks by name, each with the DNS aliases the service answers to there (`rng` for `dockercoins_rng`). */
  readonly networks: readonly { readonly name: string; readonly aliases: readonly string[] }[];
  /** On the service and on its containers. */
  readonly labels: Readonly<Record<string, string>>;
  /** `vip` needs IPVS in the kernel; `dnsrr` resolves the service name to its tasks' addresses. */
  readonly endpointMode: 'vip' | 'dnsrr';
}

export type Outcome = 'created' | 'updated' | 'unchanged';

const SPEC_LABEL = 'org.labdeck.spec-digest';

/**
 * Makes this engine a single-node swarm manager unless it is in a swarm already. A swarm made here carries `label`,
 * so that whoever made it can tell (and only then leave it).
 */
export async function ensureSwarm(docker: Docker, label: string): Promise<'initialised' | 'active'> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  if (info.Swarm?.LocalNodeState === 'active') return 'active';
  await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1', Spec: { Labels: { [label]: 'initialised' } } });
  return 'initialised';
}

/** Leaves the swarm only when it carries `label` (made by ensureSwarm); true when it left. */
export async function leaveSwarmIfLabelled(docker: Docker, label: string): Promise<boolean> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) return false;
  const swarm = (await docker.swarmInspect()) as { Spec?: { Labels?: Record<string, string> } };
  if (swarm.Spec?.Labels?.[label] === undefined) return false;
  await docker.swarmLeave({ force: true });
  return true;
}

export async function ensureNetwork(docker: Docker, definition: NetworkDefinition): Promise<'created' | 'unchanged'> {
  const existing = await docker.listNetworks({ filters: { name: [definition.name] } });
  if (existing.some((network) => network.Name === definition.name)) return 'unchanged';
  await docker.createNetwork({
    Name: definition.name,
    Driver: 'overlay',
    Attachable: definition.attachable,
    Labels: { ...definition.labels },
    CheckDuplicate: true,
  });
  return 'created';
}

/**
 * Creates the service, or brings it back to its definition (replicas included: a workshop scales services down).
 * A label holds the digest of the definition, so an unchanged one with its replicas is left alone.
 */
export async function ensureService(docker: Docker, definition: ServiceDefinition): Promise<Outcome> {
  const digest = createHash('sha256').update(JSON.stringify(definition)).digest('hex');
  const spec = serviceSpec(definition, digest);
  const existing = (await docker.listServices({ filters: { name: [definition.name] } })).find((s) => s.Spec?.Name === definition.name);
  if (!existing) {
    await docker.createService(spec);
    return 'created';
  }
  const replicas = existing.Spec?.Mode?.Replicated?.Replicas;
  if (existing.Spec?.Labels?.[SPEC_LABEL] === digest && replicas === definition.replicas) return 'unchanged';
  await docker.getService(existing.ID).update({ ...spec, version: existing.Version?.Index }); // the engine sends the version, and refuses an update without it
  return 'updated';
}

function serviceSpec(definition: ServiceDefinition, digest: string): Record<string, unknown> {
  return {
    Name: definition.name,
    Labels: { ...definition.labels, [SPEC_LABEL]: digest },
    Mode: { Replicated: { Replicas: definition.replicas } },
    TaskTemplate: {
      ContainerSpec: {
        Image: definition.image,
        Command: [...definition.command],
        Env: Object.entries(definition.env ?? {}).map(([key, value]) => `${key}=${value}`),
        Labels: { ...definition.labels },
        // A shell as PID 1 ignores SIGTERM: without a short grace period each stop would wait 10 s.
        StopGracePeriod: 100_000_000,
      },
      Networks: definition.networks.map((network) => ({ Target: network.name, Aliases: [...network.aliases] })),
      RestartPolicy: { Condition: 'any', Delay: 1_000_000_000 },
    },
    EndpointSpec: { Mode: definition.endpointMode },
  };
}

export interface ServiceProgress {
  readonly name: string;
  readonly running: number;
  readonly desired: number;
  /** The latest task's problem, when it has one (image missing, no suitable node, …). */
  readonly problem: string | undefined;
}

/** Polls until every named service runs its desired tasks; rejects with each service's state after `timeoutMs`. */
export async function waitForServices(
  docker: Docker,
  names: readonly string[],
  timeoutMs: number,
  onProgress: (progress: readonly ServiceProgress[]) => void = () => {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await Promise.all(names.map((name) => serviceProgress(docker, name)));
    onProgress(progress);
    if (progress.every((p) => p.running === p.desired)) return;
    if (Date.now() > deadline) {
      const states = progress.map((p) => `${p.name} ${p.running}/${p.desired}${p.problem ? ` (${p.problem})` : ''}`);
      throw new Error(`services did not start within ${timeoutMs / 1000} s: ${states.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function serviceProgress(docker: Docker, name: string): Promise<ServiceProgress> {
  const service = (await docker.listServices({ filters: { name: [name] } })).find((s) => s.Spec?.Name === name);
  if (!service) return { name, running: 0, desired: 1, problem: 'no such service' };
  const desired = service.Spec?.Mode?.Replicated?.Replicas ?? 0;
  const tasks = await docker.listTasks({ filters: { service: [service.ID], 'desired-state': ['running'] } });
  const running = tasks.filter((task) => task.Status?.State === 'running').length;
  const latest = [...tasks].sort((a, b) => String(b.UpdatedAt).localeCompare(String(a.UpdatedAt)))[0];
  const problem = latest && latest.Status?.State !== 'running' ? (latest.Status?.Err ?? latest.Status?.Message) : undefined;
  return { name, running, desired, problem };
}

/** Names of the services carrying the label, or attached to the network (their tasks would keep it in use). */
export async function listServices(docker: Docker, selector: { label: string } | { network: string }): Promise<string[]> {
  if ('label' in selector) {
    const services = await docker.listServices({ filters: { label: [selector.label] } });
    return services.flatMap((s) => s.Spec?.Name ?? []);
  }
  const network = (await docker.listNetworks({ filters: { name: [selector.network] } })).find((n) => n.Name === selector.network);
  if (!network) return [];
  const services = await docker.listServices();
  return services
    .filter((s) => (s.Spec?.TaskTemplate?.Networks ?? s.Spec?.Networks ?? []).some((n) => n.Target === network.Id || n.Target === network.Name))
    .flatMap((s) => s.Spec?.Name ?? []);
}

/**
 * Removes the services, then their containers right away (`rm -f`) rather than waiting for each task's stop:
 * the network they used can only be removed once they are gone.
 */
export async function removeServices(docker: Docker, names: readonly string[]): Promise<void> {
  for (const name of names) {
    try {
      await docker.getService(name).remove();
    } catch (problem) {
      if ((problem as { statusCode?: number }).statusCode !== 404) throw problem;
    }
  }
  const all = (await Promise.all(names.map((name) => docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${name}`] } })))).flat();
  await Promise.all(all.map((container) => docker.getContainer(container.Id).remove({ force: true }).catch(ignoreGone)));
}

/** Removes the network, retrying while the engine still detaches the last endpoints, and waits until it is gone (bounded). */
export async function removeNetwork(docker: Docker, name: string, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const network = (await docker.listNetworks({ filters: { name: [name] } })).find((n) => n.Name === name);
    if (!network) return false;
    try {
      await docker.getNetwork(network.Id).remove();
      // The swarm forgets a network asynchronously: it is gone once the engine no longer lists it.
      while ((await docker.listNetworks({ filters: { name: [name] } })).some((n) => n.Name === name) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return true;
    } catch (problem) {
      if ((problem as { statusCode?: number }).statusCode === 404) return false;
      if (Date.now() > deadline) throw problem;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function ignoreGone(problem: unknown): void {
  const status = (problem as { statusCode?: number }).statusCode;
  if (status !== 404 && status !== 409) throw problem;
}
