// Boots the app on a real socket with its WebSocket channels (live reload always; follow-me with access, terminals,
// step results and the class dashboard when the server has them), all behind one Host check (host-check.ts). An
// attendee removed from the class loses their open sockets at once. close() tears everything down together.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { isLoopback, type Access } from '../classroom/access.ts';
import type { Disposable } from '../event.ts';
import { createApp, type AppDeps } from './app.ts';
import { createLiveReload } from './live-reload.ts';
import { routeUpgrades } from './upgrade.ts';
import { refusalAtDoor } from './front-door.ts';
import { checkHost, type HostCheck } from './host-check.ts';
import { dashboardPath, followPath, liveReloadPath, resultsPath } from '../protocol.ts';
import { createDashboardChannel } from './dashboard-channel.ts';
import { createFollowChannel } from './follow-channel.ts';
import { terminalSocketPath } from './terminal-route.ts';
import { createResultsChannel } from './results-channel.ts';

export interface ListenOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  /**
   * Names the server answers to besides its loopback ones (`serve --allowed-hosts`): `name` or `name:port`. On a
   * loopback bind, nothing else; on another bind, any name when none is given (host-check.ts).
   */
  readonly allowedHosts?: readonly string[];
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(deps: AppDeps, options: ListenOptions): Promise<RunningServer> {
  // The port is known once the server listens (0 picks one); nothing arrives before.
  let boundPort = options.port;
  const hostPolicy = { loopback: isLoopback(options.host), allowedHosts: options.allowedHosts ?? [] };
  const hostCheck: HostCheck = (header) => checkHost(header, { ...hostPolicy, port: boundPort });
  const server = createServer(createApp({ ...deps, hostCheck }));
  const live = createLiveReload(deps.deck, deps.access);
  const follow = deps.access ? createFollowChannel(deps.access) : undefined;
  const recording = deps.recording;
  if (follow && recording) follow.onAttendeeAt(({ attendee, index }) => recording.slideMoved(attendee, index));
  const results = deps.stepResults ? createResultsChannel({ environmentOf: deps.stepResults, access: deps.access, log: deps.log }) : undefined;
  const dashboard = deps.classroom && deps.access ? createDashboardChannel({ classroom: deps.classroom, access: deps.access, ...(follow ? { follow } : {}) }) : undefined;
  const attendeeConnections = trackAttendeeConnections(deps.access);
  const upgradeRouting = routeUpgrades(
    server,
    {
      [liveReloadPath]: live.handleUpgrade,
      ...(follow ? { [followPath]: follow.handleUpgrade } : {}),
      ...(deps.terminals ? { [terminalSocketPath]: deps.terminals.handleUpgrade } : {}),
      ...(results ? { [resultsPath]: results.handleUpgrade } : {}),
      ...(dashboard ? { [dashboardPath]: dashboard.handleUpgrade } : {}),
    },
    { track: attendeeConnections.track, refuse: (request) => refusalAtDoor(request, hostCheck), log: deps.log },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  boundPort = port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostInUrl}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        upgradeRouting.dispose();
        attendeeConnections.dispose();
        live.dispose();
        deps.terminals?.dispose();
        follow?.dispose();
        results?.dispose();
        dashboard?.dispose();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Every WebSocket an attendee holds, by attendee: one removed from the class (their token revoked) loses them at
 * once, as if the network dropped, instead of keeping what they had open.
 */
function trackAttendeeConnections(access: Access | undefined): Disposable & { track: (request: IncomingMessage, socket: Duplex) => void } {
  const open = new Map<string, Set<Duplex>>();
  const removal = access?.onAttendeeRemoved((attendee) => {
    for (const socket of open.get(attendee) ?? []) socket.destroy();
    open.delete(attendee);
  });
  return {
    track(request, socket) {
      const identity = access?.identifyRequest(request);
      if (identity?.role !== 'attendee') return;
      const sockets = open.get(identity.attendee) ?? new Set<Duplex>();
      open.set(identity.attendee, sockets.add(socket));
      socket.once('close', () => sockets.delete(socket));
    },
    dispose: () => removal?.dispose(),
  };
}
