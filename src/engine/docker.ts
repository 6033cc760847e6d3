// The one door to the Docker Engine API (dockerode). Everything labdeck learns about an engine comes through here.
import { createRequire } from 'node:module';
import type Docker from 'dockerode';

let dockerodeLoaded: typeof Docker | undefined;

/**
 * dockerode's client class, loaded at the first connection rather than when labdeck starts: it brings ssh2, gRPC and
 * protobufjs along (about a third of `serve`'s start, measured in bench/startup.ts), which the first page never needs.
 */
export function dockerode(): typeof Docker {
  dockerodeLoaded ??= createRequire(import.meta.url)('dockerode') as typeof Docker;
  return dockerodeLoaded;
}

export interface EngineEndpoint {
  /** A DOCKER_HOST-style address (unix://, tcp://, ssh://); undefined = dockerode's defaults (DOCKER_HOST, then the local socket). */
  readonly host?: string;
}

export interface EngineSummary {
  readonly serverVersion: string;
  readonly apiVersion: string;
  readonly swarm: 'inactive' | 'pending' | 'active' | 'error' | 'locked';
  readonly nodeId: string;
  readonly isManager: boolean;
}

export function connectEngine(endpoint: EngineEndpoint = {}): Docker {
  const Docker = dockerode();
  if (!endpoint.host) return new Docker();
  const url = new URL(endpoint.host);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  const protocol = url.protocol.replace(':', '') as 'http' | 'https' | 'ssh';
  const port = url.port ? Number(url.port) : undefined;
  return new Docker({ protocol: protocol === 'http' ? 'http' : protocol, host: url.hostname, port, username: url.username || undefined });
}

/** What an engine is and whether it is part of a swarm: the first thing `labdeck` asks of an engine. */
export async function describeEngine(docker: Docker): Promise<EngineSummary> {
  const [version, info] = await Promise.all([docker.version(), docker.info()]);
  const swarm = (info as { Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean } }).Swarm ?? {};
  return {
    serverVersion: version.Version,
    apiVersion: version.ApiVersion,
    swarm: (swarm.LocalNodeState || 'inactive') as EngineSummary['swarm'],
    nodeId: swarm.NodeID ?? '',
    isManager: swarm.ControlAvailable === true,
  };
}
