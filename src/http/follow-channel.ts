// The "follow me" channel: the leading instructor's slide moves reach every connected page at once. Any page may
// listen; only an instructor may lead, and another instructor (a co-presenter) takes the lead
// by asking for it. The windows of one browser (audience + presenter view) share a client id, so they lead together.
import { WebSocketServer, type WebSocket } from 'ws';
import type { FollowClientMessage, FollowServerMessage } from '../protocol.ts';
import type { Access } from './access.ts';
import { isAllowedOrigin } from './origin.ts';
import { rejectUpgrade, type UpgradeHandler } from './upgrade.ts';

export interface FollowChannel {
  readonly handleUpgrade: UpgradeHandler;
  /** "Everyone to my slide": every page that does not lead follows the leader again; false before anyone led. */
  gather(): boolean;
  dispose(): void;
}

interface Member {
  readonly instructor: boolean;
  /** Identifies the browser the page runs in (see above); '' when the page sent none. */
  readonly client: string;
}

/** A slide index is small; anything else is a confused or hostile client. */
const maxSlideIndex = 100_000;

export function createFollowChannel(access: Access): FollowChannel {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const members = new Map<WebSocket, Member>();
  let leader: string | undefined;
  let position: number | null = null;

  const send = (socket: WebSocket, message: FollowServerMessage): void => socket.send(JSON.stringify(message));
  const isLeading = (member: Member): boolean => member.instructor && member.client !== '' && member.client === leader;

  const onMessage = (socket: WebSocket, member: Member, message: FollowClientMessage): void => {
    if (!member.instructor) return;
    if (message.type === 'take-lead' && member.client !== '') {
      leader = member.client;
      for (const [other, otherMember] of members) {
        if (otherMember.instructor) send(other, { type: 'lead', leading: isLeading(otherMember) });
      }
    } else if (message.type === 'goto' && isLeading(member) && Number.isInteger(message.index) && message.index >= 0 && message.index <= maxSlideIndex) {
      position = message.index;
      for (const other of members.keys()) if (other !== socket) send(other, { type: 'position', index: position });
    }
  };

  return {
    handleUpgrade(request, socket, head) {
      if (!isAllowedOrigin(request.headers.origin, request.headers.host)) return rejectUpgrade(socket, '403 Forbidden');
      // Listening reveals only a slide number, which the deck page itself shows: anyone who can load the page may.
      const instructor = access.identifyRequest(request)?.role === 'instructor';
      const client = new URL(request.url ?? '/', 'http://follow.invalid').searchParams.get('client')?.slice(0, 64) ?? '';
      sockets.handleUpgrade(request, socket, head, (ws) => {
        const member: Member = { instructor, client };
        // The first instructor to arrive leads: a lone instructor should not have to ask.
        if (member.instructor && leader === undefined && client !== '') leader = client;
        members.set(ws, member);
        send(ws, { type: 'welcome', instructor: member.instructor, leading: isLeading(member), index: position });
        ws.on('message', (data, isBinary) => {
          const message = isBinary ? undefined : parse(data.toString());
          if (message) onMessage(ws, member, message);
        });
        ws.on('close', () => members.delete(ws));
        ws.on('error', () => ws.terminate());
      });
    },
    gather() {
      if (position === null) return false;
      for (const [socket, member] of members) if (!isLeading(member)) send(socket, { type: 'gather', index: position });
      return true;
    },
    dispose() {
      for (const ws of members.keys()) ws.terminate();
      members.clear();
      sockets.close();
    },
  };
}

function parse(text: string): FollowClientMessage | undefined {
  try {
    const value = JSON.parse(text) as { type?: unknown; index?: unknown };
    if (value.type === 'take-lead') return { type: 'take-lead' };
    if (value.type === 'goto' && typeof value.index === 'number') return { type: 'goto', index: value.index };
  } catch {
    // not ours: ignored, as the protocol says of unknown messages
  }
  return undefined;
}
