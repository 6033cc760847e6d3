// The terminal channel of the HTTP server: `GET /_labdeck/terminals.json` tells the page which terminals exist, and
// WebSocket upgrades on `/_labdeck/terminal` become terminal viewers (docs/protocol.md). The Origin is checked at
// the upgrade; the token at the hello (or, when the hello carries none, the upgrade request's own: cookie, query, or
// the local attendee of a loopback server).
import { Router } from 'express';
import { WebSocketServer } from 'ws';
import { MAX_CLIENT_FRAME_BYTES, TERMINAL_SUBPROTOCOL, TERMINAL_WATCH_PARAM, type ClientHello, type NodeTerminalJson } from '../protocol.ts';
import type { TerminalManager } from '../terminal/manager.ts';
import { localAttendee, type Access, type Identity } from '../classroom/access.ts';
import { isAllowedOrigin } from './origin.ts';
import { attachTerminalSocket, terminalSocketServerOptions, type TerminalAccess } from './terminal-socket.ts';
import { rejectUpgrade, type UpgradeHandler } from './upgrade.ts';

export const terminalSocketPath = '/_labdeck/terminal';
export const terminalsInfoPath = '/_labdeck/terminals.json';

/** What the page learns from terminals.json. */
export interface TerminalsInfo {
  /** Terminal names, the default tab first. */
  readonly terminals: readonly string[];
  /** Content classes of hands-on blocks, whose code blocks get Run buttons. */
  readonly handsOn: readonly string[];
  /** The server keeps recordings of these terminals: the pane links to their replay. */
  readonly replays: boolean;
  /** The other nodes of the attendee's cluster and the terminal that opens on each (none outside a class of clusters). */
  readonly nodes: readonly NodeTerminalJson[];
}

export interface TerminalServiceOptions {
  /** One per server; the server disposes it when it closes. */
  readonly manager: TerminalManager;
  readonly access: Access;
  readonly terminals: readonly string[];
  readonly handsOn: readonly string[];
  /** The server keeps recordings of these terminals (a replay page to link to). */
  readonly replays?: boolean;
  /** Terminals on the other nodes of the attendee's cluster, for the pane's node control. */
  readonly nodes?: readonly NodeTerminalJson[];
  /** Origins besides the server's own allowed to open terminals (e.g. a page embedding them). */
  readonly extraOrigins?: readonly string[];
  readonly log: (line: string) => void;
}

export interface TerminalService {
  readonly manager: TerminalManager;
  readonly routes: Router;
  readonly handleUpgrade: UpgradeHandler;
  /** Closes every terminal socket and destroys every terminal. */
  dispose(): void;
}

export function createTerminalService(options: TerminalServiceOptions): TerminalService {
  const sockets = new WebSocketServer({
    noServer: true,
    // ws closes with 1009 beyond this itself; the socket adapter checks the exact limit per frame.
    maxPayload: MAX_CLIENT_FRAME_BYTES,
    ...terminalSocketServerOptions,
    handleProtocols: (protocols) => (protocols.has(TERMINAL_SUBPROTOCOL) ? TERMINAL_SUBPROTOCOL : false),
  });
  const info: TerminalsInfo = { terminals: options.terminals, handsOn: options.handsOn, replays: options.replays ?? false, nodes: options.nodes ?? [] };
  const routes = Router();
  // Behind the classroom gate when there is a class (classroom-routes.ts); otherwise the names are no secret.
  routes.get(terminalsInfoPath, (_request, response) => {
    response.setHeader('cache-control', 'no-store');
    response.json(info);
  });

  return {
    manager: options.manager,
    routes,
    handleUpgrade(request, socket, head) {
      if (!isAllowedOrigin(request.headers.origin, request.headers.host, options.extraOrigins)) {
        options.log(`terminal: refused an upgrade from origin ${request.headers.origin ?? '(none)'}`);
        return rejectUpgrade(socket, '403 Forbidden');
      }
      const requestIdentity = options.access.identifyRequest(request);
      // A wrong token in the hello is refused, never replaced by the request's identity. A hello naming someone else
      // than the cookie's holder is the dashboard's viewer: the instructor's cookie answers it (the shared cookie may be
      // the projector's, set by its link opened later in the same browser).
      const identityFor = (hello: ClientHello): Identity | undefined =>
        hello.token
          ? options.access.identify(hello.token)
          : hello.attendee !== undefined && hello.attendee !== requestIdentity?.attendee
            ? options.access.identifyInstructorFirst(request)
            : requestIdentity;
      const watchOnly = new URL(request.url ?? '/', 'http://terminal.invalid').searchParams.has(TERMINAL_WATCH_PARAM);
      sockets.handleUpgrade(request, socket, head, (client) => {
        attachTerminalSocket(client, {
          manager: options.manager,
          authorize: (hello) => terminalAccessFor(identityFor(hello), hello, { watchOnly }),
          log: options.log,
        });
      });
    },
    dispose() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      options.manager.dispose();
    },
  };
}

/**
 * Which terminal an identity may open, in which role: attendees their own (owner), instructors anyone's, watchers
 * anyone's read-only. Without `hello.attendee`, a watcher watches the local attendee (a projected single-user demo).
 * `watchOnly` (the viewer asked for `?watch`) makes any allowed viewer a read-only watcher: the dashboard watches an
 * attendee's terminal that way until the instructor explicitly chooses to type.
 */
export function terminalAccessFor(identity: Identity | undefined, hello: ClientHello, request: { readonly watchOnly?: boolean } = {}): TerminalAccess | undefined {
  const access = roleFor(identity, hello);
  return access && request.watchOnly ? { attendee: access.attendee, role: 'watcher' } : access;
}

function roleFor(identity: Identity | undefined, hello: ClientHello): TerminalAccess | undefined {
  if (!identity) return undefined;
  switch (identity.role) {
    case 'attendee':
      return hello.attendee === undefined || hello.attendee === identity.attendee ? { attendee: identity.attendee, role: 'owner' } : undefined;
    case 'instructor':
      return { attendee: hello.attendee ?? identity.attendee, role: 'instructor' };
    case 'watcher':
      return { attendee: hello.attendee ?? localAttendee.attendee, role: 'watcher' };
  }
}
