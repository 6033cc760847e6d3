// The engine a command works on when no classroom environment says otherwise: DOCKER_HOST, else the local socket.
import { connectEngineAt, type EngineAddress } from '../engine/engine-address.ts';
import type { CommandContext } from './command.ts';

/**
 * The local engine's address: an `ssh://` DOCKER_HOST is logged in to as `ssh` would (labdeck's transport); any
 * other is left to dockerode, which reads DOCKER_HOST with its TLS variables (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH).
 */
export function localEngineAddress(context: Pick<CommandContext, 'dockerHost' | 'userSsh'>): EngineAddress {
  // A socket path needs nothing more, and is taken from the context like ssh:// (a caller's own DOCKER_HOST).
  if (context.dockerHost?.startsWith('unix://')) return { host: context.dockerHost };
  if (!context.dockerHost?.startsWith('ssh://')) return {};
  return { host: context.dockerHost, ...(context.userSsh ? { userSsh: context.userSsh } : {}) };
}

export function connectLocalEngine(context: Pick<CommandContext, 'dockerHost' | 'userSsh'>): ReturnType<typeof connectEngineAt> {
  return connectEngineAt(localEngineAddress(context));
}
