// WebSocket upgrades, routed by exact path: each channel (live reload, follow-me, terminals, step results, the class
// dashboard: server.ts wires them) registers one handler, and an upgrade to any other path is refused instead of
// left hanging. Every upgrade passes the front door first, and nothing a channel throws leaves the listener (it
// would end the process): it becomes a 500, logged.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Disposable } from '../event.ts';
import type { Refusal } from './front-door.ts';
import { parseRequestTarget, redactTokens } from '../text/request-target.ts';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeRoutingOptions {
  /** Sees every upgrade a route takes (to close them later). */
  readonly track?: (request: IncomingMessage, socket: Duplex) => void;
  /** The front door (front-door.ts `refusalAtDoor`): asked before any channel sees the request. */
  readonly refuse?: (request: IncomingMessage) => Refusal | undefined;
  /** Where a failing channel is reported (tokens taken out). */
  readonly log?: (line: string) => void;
}

const statusLines: Readonly<Record<Refusal['status'], string>> = { 400: '400 Bad Request', 403: '403 Forbidden' };

/** Routes the server's upgrades by exact path; disposing the result detaches the routing. */
export function routeUpgrades(server: Server, routes: Readonly<Record<string, UpgradeHandler>>, options: UpgradeRoutingOptions = {}): Disposable {
  const dispatch = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refusal = options.refuse?.(request);
    if (refusal) return rejectUpgrade(socket, statusLines[refusal.status], refusal.reason);
    const target = parseRequestTarget(request.url);
    if (!target) return rejectUpgrade(socket, '400 Bad Request');
    const handler = routes[target.pathname];
    options.track?.(request, socket);
    if (handler) handler(request, socket, head);
    else rejectUpgrade(socket, '404 Not Found');
  };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node leaves an upgrade's socket without an error listener: a peer resetting it must not end the process either.
    socket.on('error', () => socket.destroy());
    try {
      dispatch(request, socket, head);
    } catch (error) {
      options.log?.(redactTokens(`upgrade ${request.url ?? ''}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
      // Once a channel has answered (a 101 went out), an HTTP status would only garble the stream.
      if (!(socket as { bytesWritten?: number }).bytesWritten && socket.writable) rejectUpgrade(socket, '500 Internal Server Error');
      else socket.destroy();
    }
  };
  server.on('upgrade', onUpgrade);
  return { dispose: () => server.off('upgrade', onUpgrade) };
}

/** Answers an upgrade request with a plain HTTP status (and a one-line reason, when given) and closes the connection. */
export function rejectUpgrade(socket: Duplex, status: string, reason?: string): void {
  const body = reason === undefined ? '' : `${reason}\n`;
  const type = reason === undefined ? '' : 'Content-Type: text/plain; charset=utf-8\r\n';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
