// The dashboard channel (`/_labdeck/dashboard-socket`): instructors only (anyone else is refused at the upgrade).
// Sends the whole class state on connect, then again after changes, coalesced so that a burst of results (a rebuild
// re-evaluates every step for every attendee) costs one message. Receives "everyone to my slide".
import { WebSocketServer, type WebSocket } from 'ws';
import type { DashboardServerMessage } from '../protocol.ts';
import type { Access } from './access.ts';
import type { ClassroomSource } from './classroom-routes.ts';
import { isAllowedOrigin } from './origin.ts';
import { rejectUpgrade, type UpgradeHandler } from './upgrade.ts';

export interface DashboardChannelOptions {
  readonly classroom: ClassroomSource;
  readonly access: Access;
  /** "Everyone to my slide" (follow-channel.ts `gather`). */
  readonly gather?: () => boolean;
  /** How long changes are gathered before one state goes out. */
  readonly coalesceMs?: number;
}

export interface DashboardChannel {
  readonly handleUpgrade: UpgradeHandler;
  dispose(): void;
}

export function createDashboardChannel(options: DashboardChannelOptions): DashboardChannel {
  const server = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const sockets = new Set<WebSocket>();
  let pending: NodeJS.Timeout | undefined;

  const stateMessage = (): string => JSON.stringify({ type: 'state', state: options.classroom.dashboard() } satisfies DashboardServerMessage);
  const subscription = options.classroom.onChange(() => {
    if (pending || sockets.size === 0) return;
    pending = setTimeout(() => {
      pending = undefined;
      const text = stateMessage();
      for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(text);
    }, options.coalesceMs ?? 200);
  });

  return {
    handleUpgrade(request, socket, head) {
      if (!isAllowedOrigin(request.headers.origin, request.headers.host)) return rejectUpgrade(socket, '403 Forbidden');
      const identity = options.access.identifyRequest(request);
      if (!identity) return rejectUpgrade(socket, '401 Unauthorized');
      if (identity.role !== 'instructor') return rejectUpgrade(socket, '403 Forbidden');
      server.handleUpgrade(request, socket, head, (client) => {
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.on('error', () => client.terminate());
        client.on('message', (data, isBinary) => {
          if (!isBinary && isGather(String(data))) options.gather?.();
        });
        client.send(stateMessage());
      });
    },
    dispose() {
      clearTimeout(pending);
      subscription.dispose();
      for (const client of sockets) client.terminate();
      sockets.clear();
      server.close();
    },
  };
}

function isGather(text: string): boolean {
  try {
    return (JSON.parse(text) as { type?: unknown }).type === 'gather';
  } catch {
    return false; // not ours: ignored, as the protocol says of unknown messages
  }
}
