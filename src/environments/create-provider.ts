// The environment provider a class's configuration names, built with what it needs from the outside.
import { join } from 'node:path';
import type { EngineClient } from '../engine/services.ts';
import type { EnvironmentConfig } from '../config/environment.ts';
import { createExternalProvider, externalEngineOf } from './external-provider.ts';
import { createLocalProvider, type EnvironmentProvider } from './provider.ts';
import { createSwarmProvider, sandboxEngineAddress } from './swarm-provider.ts';
import { clusterNodeEngineAddress } from './cluster-access.ts';
import type { EngineAddress, UserSsh } from '../engine/engine-address.ts';
import type { NodeAccess } from './class-nodes.ts';
import type { EnvironmentNoteJson } from '../protocol.ts';

export interface ProviderContext {
  /** The class engine (the swarm manager for `swarm`). */
  readonly docker: EngineClient;
  /** The class code. */
  readonly classId: string;
  /** The class's data folder: attendees' environment folders go under `environments/`. */
  readonly dataDir: string;
  readonly log: (line: string) => void;
  /** How labdeck logs in to the class swarm's nodes (`swarm`: to give them the sandbox image). */
  readonly nodeAccess?: NodeAccess | undefined;
  /** Told what happened to an attendee's environment that the instructor should know (null: nothing any more). */
  readonly onNote?: ((attendee: string, note: EnvironmentNoteJson | null) => void) | undefined;
}

export function createEnvironmentProvider(config: EnvironmentConfig, context: ProviderContext): EnvironmentProvider {
  const root = environmentsFolder(context.dataDir);
  if (config.provider === 'local') return createLocalProvider();
  if (config.provider === 'external') return createExternalProvider({ attendeesFile: config.attendeesFile, root, log: context.log });
  return createSwarmProvider({
    docker: context.docker,
    classId: context.classId,
    root,
    config,
    log: context.log,
    nodeAccess: context.nodeAccess ?? {},
    ...(context.onNote ? { onNote: context.onNote } : {}),
  });
}

export function environmentsFolder(dataDir: string): string {
  return join(dataDir, 'environments');
}

/**
 * Which engine each attendee's checks watch, without the provider itself (the checks start before the class, whose
 * code the provider needs, is opened): undefined = the local engine, shared. A prepared machine's `ssh://` engine is
 * logged in to with the user's own ssh setup.
 */
export function environmentEngines(config: EnvironmentConfig, dataDir: string, userSsh?: UserSsh): (attendee: string) => EngineAddress | undefined {
  const root = environmentsFolder(dataDir);
  if (config.provider === 'swarm') return (attendee) => sandboxEngineAddress(root, attendee);
  if (config.provider === 'external') {
    return (attendee) => {
      const address = externalEngineOf(root, attendee);
      return address && userSsh ? { ...address, userSsh } : address;
    };
  }
  return () => undefined;
}

/**
 * The engines of each attendee's cluster (`swarm` with `nodes` above 1), node1 first: their checks follow the inner
 * swarm's manager among them (engine/manager-watch.ts). Undefined where an attendee has one engine (environmentEngines).
 */
export function environmentClusters(config: EnvironmentConfig, dataDir: string): ((attendee: string) => readonly EngineAddress[]) | undefined {
  if (config.provider !== 'swarm' || (config.nodes ?? 1) < 2) return undefined;
  const root = environmentsFolder(dataDir);
  const nodes = config.nodes ?? 1;
  return (attendee) => {
    const node1 = sandboxEngineAddress(root, attendee);
    return [node1, ...Array.from({ length: nodes - 1 }, (_, i) => clusterNodeEngineAddress(node1, root, attendee, i + 2))];
  };
}
