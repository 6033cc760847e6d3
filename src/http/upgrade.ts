// WebSocket upgrades, routed by path: each channel (live reload now, terminals later) registers one handler, and
// an upgrade to any other path is refused instead of left hanging.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Routes the server's upgrades by exact path; returns the function that detaches the routing. `track` sees every
 * upgrade a route takes (to close them later).
 */
export function routeUpgrades(server: Server, routes: Readonly<Record<string, UpgradeHandler>>, track?: (request: IncomingMessage, socket: Duplex) => void): () => void {
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const handler = routes[new URL(request.url ?? '/', 'http://upgrade.invalid').pathname];
    track?.(request, socket);
    if (handler) handler(request, socket, head);
    else rejectUpgrade(socket, '404 Not Found');
  };
  server.on('upgrade', onUpgrade);
  return () => server.off('upgrade', onUpgrade);
}

/** Answers an upgrade request with a plain HTTP status and closes the connection. */
export function rejectUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
