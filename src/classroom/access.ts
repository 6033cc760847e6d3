// Who is asking: every HTTP route and WebSocket channel identifies its caller here, from a token carried as
// `?token=` (first visit: the server turns it into a cookie), the `labdeck_token` cookie, or `Authorization: Bearer`.
// Tokens are random and compared in constant time. Attendee-provided names are data, never markup.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Emitter, type Event } from '../event.ts';
import { parseRequestTarget } from '../text/request-target.ts';

export type Role = 'instructor' | 'attendee' | 'watcher';

export interface Identity {
  readonly role: Role;
  /** Whose terminals and progress: a stable id (`local` for the single learner of a loopback server). */
  readonly attendee: string;
  /** What people see (attendee-provided: escape it wherever it is shown). */
  readonly name: string;
}

export interface AccessOptions {
  /** Fixed tokens (tests, restarts); random ones otherwise. */
  readonly instructorToken?: string;
  readonly watcherToken?: string;
  /**
   * Let callers without a token in as the single local attendee. Only safe when the server is reachable from this
   * machine alone (bound to loopback): anyone who can reach the server would get a shell.
   */
  readonly openToLocalAttendee: boolean;
  /** Attendees known from before (the classroom store): their tokens keep working after a restart. */
  readonly attendees?: readonly KnownAttendee[];
  /** Told of every attendee added, so that a store can keep them (called before the token is handed out). */
  readonly onAttendeeAdded?: (attendee: KnownAttendee) => void;
  /**
   * Whether callers without any token may read the deck (its page, data, live reload, follow-me): true for a talk
   * served to a room (the default), false for a class, where everyone is someone.
   */
  readonly anonymousReaders?: boolean;
}

export interface KnownAttendee {
  readonly attendee: string;
  readonly name: string;
  readonly token: string;
}

export const tokenCookie = 'labdeck_token';
/**
 * The instructor's link also sets this cookie: `labdeck_token` is one per browser, and the projector's link (or a trial
 * join) opened later in the same browser overwrites it, which would lock the instructor out of their own dashboard.
 */
export const instructorCookie = 'labdeck_instructor';
export const localAttendee: Identity = Object.freeze({ role: 'attendee', attendee: 'local', name: 'local' });

export interface Access {
  readonly instructorToken: string;
  readonly watcherToken: string;
  /** Registers an attendee and returns its personal token. */
  addAttendee(attendee: string, name: string, token?: string): string;
  /** Revokes an attendee's token(s): their requests get 401 from now on; listeners close their open connections. */
  removeAttendee(attendee: string): void;
  readonly onAttendeeRemoved: Event<string>;
  identify(token: string | undefined): Identity | undefined;
  /** The token a request carries (query, cookie or bearer), without judging it. */
  tokenOf(request: IncomingMessage): string | undefined;
  /** Identity of a request: its token's, else the local attendee when that is allowed, else undefined. */
  identifyRequest(request: IncomingMessage): Identity | undefined;
  /**
   * For what only the instructor uses (the dashboard, its channel and terminal viewer, replays opened from it): a
   * token the request names (query, bearer) decides; else a valid instructor cookie; else as `identifyRequest`.
   */
  identifyInstructorFirst(request: IncomingMessage): Identity | undefined;
  /**
   * Whether a request may come in at all, for routes and channels that anyone allowed to read the deck may use: a
   * token that is not (or no longer) valid never; no token at all only where anonymous readers are allowed.
   */
  admit(request: IncomingMessage): Admission;
}

export type Admission =
  | { readonly admitted: true; readonly identity: Identity | undefined }
  | { readonly admitted: false; readonly status: 401; readonly reason: string };

export function newToken(): string {
  return randomBytes(18).toString('base64url');
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createAccess(options: AccessOptions): Access {
  const instructorToken = options.instructorToken ?? newToken();
  const watcherToken = options.watcherToken ?? newToken();
  const attendees = new Map<string, Identity>();
  const removedEmitter = new Emitter<string>();
  for (const known of options.attendees ?? []) {
    attendees.set(known.token, Object.freeze({ role: 'attendee', attendee: known.attendee, name: known.name }));
  }

  const identify = (token: string | undefined): Identity | undefined => {
    if (!token) return undefined;
    if (sameToken(token, instructorToken)) return { role: 'instructor', attendee: 'instructor', name: 'instructor' };
    if (sameToken(token, watcherToken)) return { role: 'watcher', attendee: 'watcher', name: 'projector' };
    for (const [candidate, identity] of attendees) if (sameToken(token, candidate)) return identity;
    return undefined;
  };

  const identifyRequest = (request: IncomingMessage): Identity | undefined => {
    const token = tokenOf(request);
    if (token) return identify(token);
    return options.openToLocalAttendee ? localAttendee : undefined;
  };

  /** The token a request names itself (query or bearer), as opposed to one its browser holds (cookie). */
  function namedTokenOf(request: IncomingMessage): string | undefined {
    // A malformed target never gets this far (the front door answers 400), and carries no token if it did.
    const query = parseRequestTarget(request.url)?.searchParams.get('token');
    if (query) return query;
    return /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  }

  function tokenOf(request: IncomingMessage): string | undefined {
    return namedTokenOf(request) ?? readCookie(request.headers.cookie, tokenCookie);
  }

  return {
    instructorToken,
    watcherToken,
    addAttendee(attendee, name, token = newToken()) {
      options.onAttendeeAdded?.({ attendee, name, token });
      attendees.set(token, Object.freeze({ role: 'attendee', attendee, name }));
      return token;
    },
    removeAttendee(attendee) {
      for (const [token, identity] of attendees) if (identity.attendee === attendee) attendees.delete(token);
      removedEmitter.fire(attendee);
    },
    onAttendeeRemoved: removedEmitter.event,
    identify,
    tokenOf,
    identifyRequest,
    identifyInstructorFirst(request) {
      if (namedTokenOf(request) === undefined) {
        const instructor = identify(readCookie(request.headers.cookie, instructorCookie));
        if (instructor?.role === 'instructor') return instructor;
      }
      return identifyRequest(request);
    },
    admit(request) {
      const identity = identifyRequest(request);
      if (identity) return { admitted: true, identity };
      if (tokenOf(request)) return { admitted: false, status: 401, reason: 'This link or sign-in is not valid for this class (any more).' };
      if (options.anonymousReaders ?? true) return { admitted: true, identity: undefined };
      return { admitted: false, status: 401, reason: 'Join the class first: open the join link your instructor gave you.' };
    },
  };
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeCookieValue(part.slice(at + 1).trim());
  }
  return undefined;
}

/** An undecodable value (`%`) is no token at all: anyone can send one, and it must not throw in a listener. */
function decodeCookieValue(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * Whether a name or address is this machine reaching itself: a bind address that keeps the server reachable from
 * this machine only, and the Host names a loopback server answers to (host-check.ts).
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
