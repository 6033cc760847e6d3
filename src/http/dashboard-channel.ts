// The dashboard channel (`/_labdeck/dashboard-socket`): instructors only (anyone else is refused at the upgrade).
// Sends the whole class state on connect, then patches (changed rows and cells only, src/classroom/board.ts),
// coalesced so that a burst of changes (a rebuild re-evaluating every step for every attendee, a hundred pages
// following one move) costs one message per period. Receives the instructor's follow-me controls and removals.
import { WebSocketServer, type WebSocket } from 'ws';
import { composeBoard, diffBoard, type FollowSnapshot } from '../classroom/board.ts';
import { maxBroadcastLength, type DashboardClientMessage, type DashboardServerMessage, type DashboardState } from '../protocol.ts';
import type { Access } from '../classroom/access.ts';
import type { ClassroomSource } from '../classroom/classroom-source.ts';
import type { FollowChannel } from './follow-channel.ts';
import { isAllowedOrigin } from './origin.ts';
import { rejectUpgrade, type UpgradeHandler } from './upgrade.ts';

/** What the dashboard needs of follow-me: where attendees are, and the instructor's controls. */
export type DashboardFollow = Pick<FollowChannel, 'gather' | 'setPaused' | 'broadcast' | 'status' | 'presence' | 'onChange'>;

export interface DashboardChannelOptions {
  readonly classroom: ClassroomSource;
  readonly access: Access;
  readonly follow?: DashboardFollow;
  /** How long changes are gathered before one patch goes out (default 250 ms). */
  readonly coalesceMs?: number;
  /** How often the board is looked at without any change, so that attendees become "stuck" in time (default 10 s). */
  readonly recheckMs?: number;
  readonly now?: () => number;
}

export interface DashboardChannel {
  readonly handleUpgrade: UpgradeHandler;
  dispose(): void;
}

const noFollow: FollowSnapshot = { presence: new Map(), paused: false, leaderIndex: null, message: null };

export function createDashboardChannel(options: DashboardChannelOptions): DashboardChannel {
  const server = new WebSocketServer({ noServer: true, maxPayload: 2048 });
  const sockets = new Set<WebSocket>();
  const now = options.now ?? Date.now;
  let pending: NodeJS.Timeout | undefined;
  let recheck: NodeJS.Timeout | undefined;
  /** The state every connected dashboard has (the last one sent). */
  let shown: DashboardState | undefined;

  const followSnapshot = (): FollowSnapshot => {
    if (!options.follow) return noFollow;
    return { presence: options.follow.presence(), ...options.follow.status() };
  };
  const compute = (): DashboardState => composeBoard(options.classroom.dashboard(), followSnapshot(), now());
  const sendAll = (message: DashboardServerMessage): void => {
    const text = JSON.stringify(message);
    for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(text);
  };
  /** Sends what changed to every dashboard; returns the state they now have. */
  const flush = (): DashboardState => {
    clearTimeout(pending);
    pending = undefined;
    const next = compute();
    const change = shown ? diffBoard(shown, next) : 'full';
    shown = next;
    if (change === 'full') sendAll({ type: 'state', state: next });
    else if (change) sendAll({ type: 'patch', patch: change });
    return next;
  };
  const schedule = (): void => {
    if (pending || sockets.size === 0) return;
    pending = setTimeout(flush, options.coalesceMs ?? 250);
  };
  const subscriptions = [options.classroom.onChange(schedule), ...(options.follow ? [options.follow.onChange(schedule)] : [])];

  const act = (message: DashboardClientMessage): void => {
    if (message.type === 'gather') options.follow?.gather();
    else if (message.type === 'pause') options.follow?.setPaused(message.paused);
    else if (message.type === 'remove') options.classroom.removeAttendee(message.attendee);
    else options.follow?.broadcast(message.text);
  };

  return {
    handleUpgrade(request, socket, head) {
      if (!isAllowedOrigin(request.headers.origin, request.headers.host)) return rejectUpgrade(socket, '403 Forbidden');
      const identity = options.access.identifyInstructorFirst(request);
      if (!identity) return rejectUpgrade(socket, '401 Unauthorized');
      if (identity.role !== 'instructor') return rejectUpgrade(socket, '403 Forbidden');
      server.handleUpgrade(request, socket, head, (client) => {
        // Bring the dashboards already open up to date first: then one state is what every dashboard has.
        const state = flush();
        sockets.add(client);
        recheck ??= setInterval(schedule, options.recheckMs ?? 10_000).unref();
        client.on('close', () => {
          sockets.delete(client);
          if (sockets.size === 0) {
            clearInterval(recheck);
            recheck = undefined;
          }
        });
        client.on('error', () => client.terminate());
        client.on('message', (data, isBinary) => {
          const message = isBinary ? undefined : parse(String(data));
          if (message) act(message);
        });
        client.send(JSON.stringify({ type: 'state', state } satisfies DashboardServerMessage));
      });
    },
    dispose() {
      clearTimeout(pending);
      clearInterval(recheck);
      for (const subscription of subscriptions) subscription.dispose();
      for (const client of sockets) client.terminate();
      sockets.clear();
      server.close();
    },
  };
}

function parse(text: string): DashboardClientMessage | undefined {
  try {
    const value = JSON.parse(text) as { type?: unknown; paused?: unknown; text?: unknown; attendee?: unknown };
    if (value.type === 'gather') return { type: 'gather' };
    if (value.type === 'pause' && typeof value.paused === 'boolean') return { type: 'pause', paused: value.paused };
    if (value.type === 'broadcast' && typeof value.text === 'string' && value.text.length <= maxBroadcastLength * 4) return { type: 'broadcast', text: value.text };
    if (value.type === 'remove' && typeof value.attendee === 'string') return { type: 'remove', attendee: value.attendee };
  } catch {
    // not ours: ignored, as the protocol says of unknown messages
  }
  return undefined;
}
