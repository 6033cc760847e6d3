// The front door every request passes first, routes (app.ts) and upgrades (upgrade.ts) alike, before anything
// reads its token or its path: a Host that is not one of this server's names is refused (host-check.ts, against DNS
// rebinding), and a malformed request target is 400 (text/request-target.ts).
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { HostCheck } from './host-check.ts';
import { parseRequestTarget } from '../text/request-target.ts';

export interface Refusal {
  readonly status: 400 | 403;
  /** One plain-text line for the person at the browser. */
  readonly reason: string;
}

/** Why `request` may not come in at all; undefined when it may. Without `hostCheck`, any Host goes. */
export function refusalAtDoor(request: IncomingMessage, hostCheck: HostCheck | undefined): Refusal | undefined {
  const host = hostCheck?.(request.headers.host);
  if (host && !host.allowed) return host;
  if (!parseRequestTarget(request.url)) return { status: 400, reason: 'Malformed request target: it must be a path on this server.' };
  return undefined;
}

export function frontDoor(hostCheck: HostCheck | undefined): RequestHandler {
  return (request, response, next) => {
    const refusal = refusalAtDoor(request, hostCheck);
    if (!refusal) return next();
    response.status(refusal.status).set('cache-control', 'no-store').type('text/plain').send(`${refusal.reason}\n`);
  };
}
