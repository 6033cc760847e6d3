// An engine endpoint with what a remote engine may need beyond its address: TLS files for `tcp://` (Docker's
// `--tlsverify`). The attendees' engines of the external and swarm environment providers are reached this way.
import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { connectEngine, type EngineEndpoint } from './docker.ts';

export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface EngineAddress extends EngineEndpoint {
  /** For `tcp://` with TLS: PEM files (paths). */
  readonly tls?: TlsFiles;
}

export function connectEngineAt(address: EngineAddress): Docker {
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
