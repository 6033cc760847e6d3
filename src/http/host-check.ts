// Which names this server answers to: the defence against DNS rebinding. A page on evil.example whose name is made
// to resolve to 127.0.0.1 reaches a local server as "same origin": its requests carry `Host: evil.example:PORT`
// (and a matching Origin), so the Origin check alone cannot tell. A loopback server therefore answers only to its
// own loopback names on its own port, plus names the person configured (`serve --allowed-hosts`), as Jupyter and
// webpack-dev-server do. Pure: the server applies it to every route (app.ts) and every upgrade (upgrade.ts).
import { isLoopback } from '../classroom/access.ts';
import { elementAt } from '../errors.ts';

export interface HostPolicy {
  /** Bound to loopback: reachable from this machine only, so only its loopback names can be genuine. */
  readonly loopback: boolean;
  /** The port the server listens on (known once it listens: port 0 picks one). */
  readonly port: number;
  /**
   * Names given with `--allowed-hosts`: `name` (any port: a proxy in front may use its own) or `name:port`. On a
   * non-loopback bind, none means any Host (tokens protect that server; the machine's names are unknown).
   */
  readonly allowedHosts: readonly string[];
}

export type HostVerdict = { readonly allowed: true } | { readonly allowed: false; readonly status: 400 | 403; readonly reason: string };

export type HostCheck = (header: string | undefined) => HostVerdict;

export interface HostName {
  /** Lower case; IPv6 without brackets. */
  readonly name: string;
  /** Undefined when the text names no port. */
  readonly port: number | undefined;
}

/** `name`, `name:port`, `[v6]` or `[v6]:port`, as Host headers and --allowed-hosts entries write them. */
export function parseHostName(text: string): HostName | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9](?:[a-z0-9._-]*[a-z0-9])?))(?::(\d{1,5}))?$/i.exec(text.trim());
  if (!match) return undefined;
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && port > 65535) return undefined;
  return { name: (match[1] ?? elementAt(match, 2)).toLowerCase(), port };
}

const allowed: HostVerdict = Object.freeze({ allowed: true });

export function checkHost(header: string | undefined, policy: HostPolicy): HostVerdict {
  if (header === undefined || header.trim() === '') return { allowed: false, status: 400, reason: 'The request has no Host header.' };
  const host = parseHostName(header);
  if (!host) return { allowed: false, status: 400, reason: 'The Host header names no host.' };
  if (!policy.loopback && policy.allowedHosts.length === 0) return allowed;
  // The names by which this machine reaches itself (the browser has no DNS say in them).
  if (isLoopback(host.name) && (host.port ?? 80) === policy.port) return allowed;
  for (const entry of policy.allowedHosts) {
    const name = parseHostName(entry);
    if (name?.name === host.name && (name.port === undefined || name.port === (host.port ?? 80))) return allowed;
  }
  return {
    allowed: false,
    status: 403,
    reason: `This labdeck server does not answer to the name ${host.name} (a page elsewhere may be using it to reach this machine). To allow it: labdeck serve --allowed-hosts ${host.name}`,
  };
}
