// An engine endpoint with what a remote engine may need beyond its address: TLS files for `tcp://` (Docker's
// `--tlsverify`), or, for `ssh://`, a key of labdeck's own and the host key the server must prove it holds. The
// attendees' engines of the external and swarm environment providers are reached this way.
import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { connectEngine, type EngineEndpoint } from './docker.ts';
import { SshDialAgent, type SshTarget } from './ssh-dial-agent.ts';

export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** For `ssh://` with labdeck's own key (a swarm sandbox). Files, read at each connection: a reset replaces them. */
export interface SshFiles {
  /** The private key (OpenSSH format). */
  readonly identity: string;
  /** The server's public host key (an OpenSSH `.pub` line): a server presenting any other is refused. */
  readonly hostKey: string;
}

export interface EngineAddress extends EngineEndpoint {
  /** For `tcp://` with TLS: PEM files (paths). */
  readonly tls?: TlsFiles;
  readonly ssh?: SshFiles;
  /**
   * A file holding the engine's current `ssh://USER@HOST:PORT`, read at each connection, in place of `host`: for an
   * engine whose place is known only once it runs (a sandbox the swarm placed on one of its nodes). Until the file
   * exists, connections fail, and watchers retry as they do for any engine that does not answer yet.
   */
  readonly hostFile?: string;
}

export function connectEngineAt(address: EngineAddress): Docker {
  if (address.ssh) return connectOverSsh(address, address.ssh);
  if (!address.tls) return connectEngine(address);
  const url = new URL(address.host ?? '');
  return new Docker({
    protocol: 'https',
    host: url.hostname,
    port: url.port ? Number(url.port) : 2376,
    ca: readFileSync(address.tls.ca),
    cert: readFileSync(address.tls.cert),
    key: readFileSync(address.tls.key),
  });
}

/** The `ssh://` address `connectEngineAt` would use now (the host file's, else `host`); undefined while unknown. */
export function currentHost(address: EngineAddress): string | undefined {
  if (!address.hostFile) return address.host;
  try {
    return readFileSync(address.hostFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Requests travel over ssh (`docker system dial-stdio` on the server, as the docker CLI does), all on one shared ssh
 * connection: see ssh-dial-agent.ts. Done here rather than with docker-modem's own ssh support because that takes
 * the address once, when the client is made, pins no host key, and opens an ssh connection per request.
 */
function connectOverSsh(address: EngineAddress, files: SshFiles): Docker {
  const agent = new SshDialAgent((): SshTarget => {
    const host = currentHost(address);
    if (!host) throw new Error('the engine has no address yet (its sandbox is not running)');
    const target = new URL(host);
    if (target.protocol !== 'ssh:') throw new Error(`not an ssh:// address: ${host}`);
    return {
      host: target.hostname,
      port: target.port ? Number(target.port) : 22,
      username: decodeURIComponent(target.username) || 'root',
      privateKey: readFileSync(files.identity),
      hostKey: publicKeyBlob(readFileSync(files.hostKey, 'utf8')),
    };
  });
  // The host name only fills the requests' Host header: the agent decides where they go. dockerode hands `agent` to
  // docker-modem, which uses it for every request; dockerode's types leave it out.
  return new Docker({ protocol: 'http', host: 'engine-over-ssh', port: 80, agent } as Docker.DockerOptions);
}

/** The key blob of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`), as the server presents it. */
function publicKeyBlob(line: string): Buffer {
  const encoded = line.trim().split(/\s+/)[1];
  if (!encoded) throw new Error('not an OpenSSH public key');
  return Buffer.from(encoded, 'base64');
}
