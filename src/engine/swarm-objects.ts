// Swarm objects by name, as a workshop's steps create them: which of them exist (a stack stands for its services
// and networks), and their removal. Objects carrying the caller's own label (the lab's stack) are never listed, so
// a reset removes only what the workshop made.
import type Docker from 'dockerode';
import { removeNetwork, removeServices } from './services.ts';

export interface NamedObject {
  readonly kind: 'service' | 'network' | 'stack' | 'secret' | 'config';
  readonly name: string;
}

export interface ExistingObject {
  readonly kind: 'service' | 'network' | 'secret' | 'config';
  readonly name: string;
  /** The stack named in the workshop that this object belongs to. */
  readonly stack?: string;
}

const STACK_LABEL = 'com.docker.stack.namespace';

/** The objects that exist on the engine, except those labelled `exceptLabel`; stacks expanded to their parts. */
export async function findExisting(docker: Docker, objects: readonly NamedObject[], exceptLabel: string): Promise<ExistingObject[]> {
  if (objects.length === 0) return [];
  const [services, networks, secrets, configs] = await Promise.all([docker.listServices(), docker.listNetworks(), docker.listSecrets(), docker.listConfigs()]);
  const listed = {
    service: services.map((s) => ({ name: s.Spec?.Name ?? '', labels: s.Spec?.Labels ?? {} })),
    network: networks.map((n) => ({ name: n.Name, labels: n.Labels ?? {} })),
    secret: secrets.map((s) => ({ name: s.Spec?.Name ?? '', labels: s.Spec?.Labels ?? {} })),
    config: configs.map((c) => ({
      name: (c.Spec as { Name?: string } | undefined)?.Name ?? '',
      labels: (c.Spec as { Labels?: Record<string, string> } | undefined)?.Labels ?? {},
    })),
  };
  const found = new Map<string, ExistingObject>();
  const add = (object: ExistingObject): void => {
    found.set(`${object.kind} ${object.name}`, object);
  };
  for (const object of objects) {
    for (const kind of ['service', 'network', 'secret', 'config'] as const) {
      for (const candidate of listed[kind]) {
        if (candidate.labels[exceptLabel] !== undefined) continue;
        if (object.kind === 'stack' && candidate.labels[STACK_LABEL] === object.name) add({ kind, name: candidate.name, stack: object.name });
        else if (object.kind === kind && candidate.name === object.name) add({ kind, name: candidate.name });
      }
    }
  }
  return [...found.values()];
}

/** Removes services first (their tasks hold the networks), then networks, secrets and configs. */
export async function removeExisting(docker: Docker, objects: readonly ExistingObject[]): Promise<void> {
  await removeServices(
    docker,
    objects.filter((o) => o.kind === 'service').map((o) => o.name),
  );
  for (const object of objects) {
    if (object.kind === 'network') await removeNetwork(docker, object.name);
    else if (object.kind === 'secret') await docker.getSecret(object.name).remove().catch(ignoreGone);
    else if (object.kind === 'config') await docker.getConfig(object.name).remove().catch(ignoreGone);
  }
}

function ignoreGone(problem: unknown): void {
  if ((problem as { statusCode?: number }).statusCode !== 404) throw problem;
}
