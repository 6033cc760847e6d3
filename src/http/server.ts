// Boots the app on a real socket with its WebSocket channels (live reload), and tears them all down together.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppDeps } from './app.ts';
import { createLiveReload } from './live-reload.ts';
import { routeUpgrades } from './upgrade.ts';
import { dashboardPath, followPath, liveReloadPath, resultsPath } from '../protocol.ts';
import { createDashboardChannel } from './dashboard-channel.ts';
import { createFollowChannel } from './follow-channel.ts';
import { terminalSocketPath } from './terminal-route.ts';
import { createResultsChannel } from './results-channel.ts';

export interface ListenOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(deps: AppDeps, options: ListenOptions): Promise<RunningServer> {
  const server = createServer(createApp(deps));
  const live = createLiveReload(deps.deck, deps.access);
  const follow = deps.access ? createFollowChannel(deps.access) : undefined;
  const results = deps.stepResults ? createResultsChannel({ environmentOf: deps.stepResults, access: deps.access, log: deps.log }) : undefined;
  const dashboard = deps.classroom && deps.access
    ? createDashboardChannel({ classroom: deps.classroom, access: deps.access, ...(follow ? { follow } : {}) })
    : undefined;
  const detachUpgrades = routeUpgrades(server, {
    [liveReloadPath]: live.handleUpgrade,
    ...(follow ? { [followPath]: follow.handleUpgrade } : {}),
    ...(deps.terminals ? { [terminalSocketPath]: deps.terminals.handleUpgrade } : {}),
    ...(results ? { [resultsPath]: results.handleUpgrade } : {}),
    ...(dashboard ? { [dashboardPath]: dashboard.handleUpgrade } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostInUrl}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        detachUpgrades();
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
