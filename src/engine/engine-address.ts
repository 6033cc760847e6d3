// An engine endpoint with what a remote engine may need beyond its address: TLS files for `tcp://` (Docker's
// `--tlsverify`), or, for `ssh://`, either a key of labdeck's own and the host key the server must prove it holds (a
// swarm sandbox), or the user's own ssh setup, as the docker CLI would use it (a prepared machine). The attendees'
// engines of the external and swarm environment providers are reached this way.
import type Docker from 'dockerode';
import { existsSync, readFileSync } from 'node:fs';
import { connectEngine, dockerode, type EngineEndpoint } from './docker.ts';
import { loadSsh2 } from './ssh-dial-agent.ts';
import { verifyKnownHost } from './known-hosts.ts';
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
  /**
   * The engine is another node of the sandbox's cluster, reached through the sandbox (`ssh -J`): that node's name on
   * the cluster's network, and its public host key (a file, as `hostKey`), logged in to with the same key.
   */
  readonly node?: { readonly name: string; readonly hostKey: string };
}

/**
 * For `ssh://` as the user's own `ssh` would log in (a prepared machine): their ssh-agent, else their first key file
 * that exists, and the host key on record in their known_hosts. Files, read at each connection.
 */
export interface UserSsh {
  /** The ssh-agent's socket (SSH_AUTH_SOCK). */
  readonly agentSocket?: string | undefined;
  /** Private key files (OpenSSH format, unencrypted: an encrypted key goes through the agent). */
  readonly identities: readonly string[];
  readonly knownHosts: readonly string[];
}

export interface EngineAddress extends EngineEndpoint {
  /** For `tcp://` with TLS: PEM files (paths). */
  readonly tls?: TlsFiles;
  readonly ssh?: SshFiles;
  readonly userSsh?: UserSsh;
  /**
   * A file holding the engine's current `ssh://USER@HOST:PORT`, read at each connection, in place of `host`: for an
   * engine whose place is known only once it runs (a sandbox the swarm placed on one of its nodes). Until the file
   * exists, connections fail, and watchers retry as they do for any engine that does not answer yet.
   */
  readonly hostFile?: string;
}

export function connectEngineAt(address: EngineAddress): Docker {
  const { ssh, userSsh } = address;
  if (ssh) return connectOverSsh(address, (target) => sandboxLogin(target, ssh));
  if (userSsh && address.host?.startsWith('ssh://')) return connectOverSsh(address, (target) => userLogin(target, userSsh));
  if (!address.tls) return connectEngine(address);
  const url = new URL(address.host ?? '');
  const Docker = dockerode();
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

type Place = Pick<SshTarget, 'host' | 'port' | 'username'> & { readonly address: string };
type Login = Pick<SshTarget, 'privateKey' | 'agent' | 'hostKeyProblem' | 'identity' | 'next'>;

/**
 * Requests travel over ssh (`docker system dial-stdio` on the server, as the docker CLI does), all on one shared ssh
 * connection: see ssh-dial-agent.ts. Done here rather than with docker-modem's own ssh support because that takes
 * the address once, when the client is made, checks no host key, and opens an ssh connection per request.
 */
function connectOverSsh(address: EngineAddress, login: (place: Place) => Login): Docker {
  const agent = new SshDialAgent((): SshTarget => {
    const host = currentHost(address);
    if (!host) throw new Error('the engine has no address yet (its sandbox is not running)');
    const target = new URL(host);
    if (target.protocol !== 'ssh:') throw new Error(`not an ssh:// address: ${host}`);
    const place: Place = {
      address: host,
      host: target.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: target.port ? Number(target.port) : 22,
      username: decodeURIComponent(target.username) || 'root',
    };
    return { ...place, ...login(place) };
  });
  // The host name only fills the requests' Host header: the agent decides where they go. dockerode hands `agent` to
  // docker-modem, which uses it for every request; dockerode's types leave it out.
  const Docker = dockerode();
  return new Docker({ protocol: 'http', host: 'engine-over-ssh', port: 80, agent } as Docker.DockerOptions);
}

/** labdeck's class key, and the one host key the sandbox was given (and, through it, the node's the engine is on). */
function sandboxLogin(place: Place, files: SshFiles): Login {
  const expected = publicKeyBlob(readFileSync(files.hostKey, 'utf8'));
  const node = files.node;
  const nodeKey = node && publicKeyBlob(readFileSync(node.hostKey, 'utf8'));
  return {
    privateKey: readFileSync(files.identity),
    hostKeyProblem: (key) => (key.equals(expected) ? undefined : `the sandbox at ${place.address} did not present its own host key`),
    identity: `${place.address} ${expected.toString('base64')}${node && nodeKey ? ` ${node.name} ${nodeKey.toString('base64')}` : ''}`,
    ...(node && nodeKey
      ? {
          next: {
            host: node.name,
            port: 22,
            username: place.username,
            hostKeyProblem: (key: Buffer) => (key.equals(nodeKey) ? undefined : `${node.name} (through ${place.address}) did not present its own host key`),
          },
        }
      : {}),
  };
}

/** The user's agent or key, and their known_hosts, as their `ssh` would use them. */
function userLogin(place: Place, setup: UserSsh): Login {
  const keyFile = setup.agentSocket ? undefined : setup.identities.find((file) => existsSync(file));
  if (!setup.agentSocket && !keyFile) {
    throw new Error(`no way to log in to ${place.address}: no ssh-agent (SSH_AUTH_SOCK) and none of ${setup.identities.join(', ')}`);
  }
  const privateKey = keyFile ? readFileSync(keyFile) : undefined;
  const parsed = privateKey && loadSsh2().utils.parseKey(privateKey);
  if (parsed instanceof Error) {
    const hint = /passphrase/i.test(parsed.message) ? ': add it to an ssh-agent (ssh-add) and start labdeck with SSH_AUTH_SOCK' : '';
    throw new Error(`${keyFile}: ${parsed.message}${hint}`);
  }
  const knownHosts = setup.knownHosts.filter((file) => existsSync(file)).map((file) => readFileSync(file, 'utf8'));
  return {
    privateKey,
    agent: setup.agentSocket,
    hostKeyProblem: (key) => {
      const verdict = verifyKnownHost(knownHosts, place.host, place.port, key);
      return verdict.trusted ? undefined : verdict.reason;
    },
    identity: `${place.address} ${knownHosts.join('\n')}`,
  };
}

/** The key blob of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`), as the server presents it. */
function publicKeyBlob(line: string): Buffer {
  const encoded = line.trim().split(/\s+/)[1];
  if (!encoded) throw new Error('not an OpenSSH public key');
  return Buffer.from(encoded, 'base64');
}
