// The "follow me" channel: the leading instructor's slide moves reach every connected page at once. Any page the
// deck is open to may listen; only an instructor may lead, and another instructor (a co-presenter) takes the lead
// by asking for it. The windows of one browser (audience + presenter view) share a client id, so they lead together.
//
// For the dashboard, the channel also knows where each attendee is (their pages report every move), and carries the
// instructor's controls: "everyone to my slide", pausing follow mode, and a broadcast message.
import { WebSocketServer, type WebSocket } from 'ws';
import { maxBroadcastLength, type BroadcastJson, type FollowClientMessage, type FollowServerMessage } from '../protocol.ts';
import type { Access, Identity } from '../classroom/access.ts';
import { Emitter, type Event } from '../event.ts';
import { isAllowedOrigin } from './origin.ts';
import { rejectUpgrade, type UpgradeHandler } from './upgrade.ts';

/** Where an attendee is, as the dashboard shows it. */
export interface AttendeePresence {
  /** How many of their deck pages are open. */
  readonly pages: number;
  /** The slide of the page that moved last (0-based); null before any page reported. */
  readonly index: number | null;
  readonly following: boolean;
}

export interface FollowStatus {
  readonly paused: boolean;
  /** The leader's slide (0-based); null before anyone led. */
  readonly leaderIndex: number | null;
  readonly message: BroadcastJson | null;
}

export interface FollowChannel {
  readonly handleUpgrade: UpgradeHandler;
  /** "Everyone to my slide": every page that does not lead follows the leader again; false before anyone led. */
  gather(): boolean;
  /** While paused, the leader's moves are not sent; resuming sends followers to where the leader is now. */
  setPaused(paused: boolean): void;
  /** Shows `text` on every page ('' takes the message down); trimmed to `maxBroadcastLength`. */
  broadcast(text: string): void;
  status(): FollowStatus;
  /** Attendees who have, or had, a deck page open (by attendee id). */
  presence(): ReadonlyMap<string, AttendeePresence>;
  /** Presence or status changed (called often: a listener coalesces). */
  readonly onChange: Event<void>;
  /** An attendee's page said where it is (0-based): after each move, and again on connect (the recorder listens). */
  readonly onAttendeeAt: Event<{ readonly attendee: string; readonly index: number }>;
  dispose(): void;
}

interface Member {
  readonly instructor: boolean;
  /** Whose page, when an attendee's (presence is tracked for attendees only). */
  readonly attendee: string | undefined;
  /** Identifies the browser the page runs in (see above); '' when the page sent none. */
  readonly client: string;
}

/** A slide index is small; anything else is a confused or hostile client. */
const maxSlideIndex = 100_000;
const isSlideIndex = (value: number): boolean => Number.isInteger(value) && value >= 0 && value <= maxSlideIndex;

export function createFollowChannel(access: Access): FollowChannel {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const members = new Map<WebSocket, Member>();
  const presence = new Map<string, AttendeePresence>();
  const changeEmitter = new Emitter<void>();
  const attendeeAtEmitter = new Emitter<{ readonly attendee: string; readonly index: number }>();
  let leader: string | undefined;
  /** The leader's slide, paused or not. */
  let leaderIndex: number | null = null;
  /** The slide followers were last sent to: frozen while paused. */
  let position: number | null = null;
  let paused = false;
  let message: BroadcastJson | null = null;

  const changed = (): void => changeEmitter.fire();
  const send = (socket: WebSocket, outgoing: FollowServerMessage): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(outgoing));
  };
  const sendAll = (outgoing: FollowServerMessage, except?: (member: Member) => boolean): void => {
    const text = JSON.stringify(outgoing);
    for (const [socket, member] of members) if (!except?.(member) && socket.readyState === socket.OPEN) socket.send(text);
  };
  const isLeading = (member: Member): boolean => member.instructor && member.client !== '' && member.client === leader;
  const updatePresence = (attendee: string, update: Partial<AttendeePresence>): void => {
    const previous = presence.get(attendee) ?? { pages: 0, index: null, following: true };
    presence.set(attendee, { ...previous, ...update });
    changed();
  };

  const onMessage = (socket: WebSocket, member: Member, incoming: FollowClientMessage): void => {
    if (incoming.type === 'at') {
      if (member.attendee !== undefined && isSlideIndex(incoming.index)) {
        updatePresence(member.attendee, { index: incoming.index, following: incoming.following });
        attendeeAtEmitter.fire({ attendee: member.attendee, index: incoming.index });
      }
      return;
    }
    if (!member.instructor) return;
    if (incoming.type === 'take-lead' && member.client !== '') {
      leader = member.client;
      for (const [other, otherMember] of members) {
        if (otherMember.instructor) send(other, { type: 'lead', leading: isLeading(otherMember) });
      }
    } else if (incoming.type === 'goto' && isLeading(member) && isSlideIndex(incoming.index)) {
      leaderIndex = incoming.index;
      changed();
      if (paused) return;
      position = leaderIndex;
      for (const other of members.keys()) if (other !== socket) send(other, { type: 'position', index: position });
    }
  };

  const admitted = (identity: Identity | undefined, ws: WebSocket, client: string): void => {
    const member: Member = { instructor: identity?.role === 'instructor', attendee: identity?.role === 'attendee' ? identity.attendee : undefined, client };
    // The first instructor to arrive leads: a lone instructor should not have to ask.
    if (member.instructor && leader === undefined && client !== '') leader = client;
    members.set(ws, member);
    if (member.attendee !== undefined) updatePresence(member.attendee, { pages: (presence.get(member.attendee)?.pages ?? 0) + 1 });
    send(ws, { type: 'welcome', instructor: member.instructor, leading: isLeading(member), index: position, paused, message });
    ws.on('message', (data, isBinary) => {
      const incoming = isBinary ? undefined : parse(data.toString());
      if (incoming) onMessage(ws, member, incoming);
    });
    ws.on('close', () => {
      members.delete(ws);
      if (member.attendee !== undefined) updatePresence(member.attendee, { pages: Math.max(0, (presence.get(member.attendee)?.pages ?? 1) - 1) });
    });
    ws.on('error', () => ws.terminate());
  };

  return {
    handleUpgrade(request, socket, head) {
      if (!isAllowedOrigin(request.headers.origin, request.headers.host)) return rejectUpgrade(socket, '403 Forbidden');
      // Listening reveals only a slide number, which the deck page itself shows: whoever may read the deck may listen.
      const admission = access.admit(request);
      if (!admission.admitted) return rejectUpgrade(socket, '401 Unauthorized');
      const client = new URL(request.url ?? '/', 'http://follow.invalid').searchParams.get('client')?.slice(0, 64) ?? '';
      sockets.handleUpgrade(request, socket, head, (ws) => admitted(admission.identity, ws, client));
    },
    gather() {
      if (leaderIndex === null) return false;
      position = leaderIndex;
      sendAll({ type: 'gather', index: position }, isLeading);
      return true;
    },
    setPaused(value) {
      if (paused === value) return;
      paused = value;
      sendAll({ type: 'paused', paused });
      if (!paused && leaderIndex !== null && leaderIndex !== position) {
        position = leaderIndex;
        sendAll({ type: 'position', index: position }, isLeading);
      }
      changed();
    },
    broadcast(text) {
      const trimmed = text.trim().slice(0, maxBroadcastLength);
      // The time as id: unlike a counter, it does not start over after a restart, when pages remember dismissed ids.
      message = trimmed === '' ? null : { id: Math.max(Date.now(), (message?.id ?? 0) + 1), text: trimmed };
      sendAll({ type: 'message', message });
      changed();
    },
    status: () => ({ paused, leaderIndex, message }),
    presence: () => presence,
    onChange: changeEmitter.event,
    onAttendeeAt: attendeeAtEmitter.event,
    dispose() {
      for (const ws of members.keys()) ws.terminate();
      members.clear();
      changeEmitter.dispose();
      attendeeAtEmitter.dispose();
      sockets.close();
    },
  };
}

function parse(text: string): FollowClientMessage | undefined {
  try {
    const value = JSON.parse(text) as { type?: unknown; index?: unknown; following?: unknown };
    if (value.type === 'take-lead') return { type: 'take-lead' };
    if (value.type === 'goto' && typeof value.index === 'number') return { type: 'goto', index: value.index };
    if (value.type === 'at' && typeof value.index === 'number' && typeof value.following === 'boolean')
      return { type: 'at', index: value.index, following: value.following };
  } catch {
    // not ours: ignored, as the protocol says of unknown messages
  }
  return undefined;
}
