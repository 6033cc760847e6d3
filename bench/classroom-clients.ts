// The simulated class's side of each wire, one small function per protocol so that a change of a channel changes one
// function: joining (POST /join, the cookie token), the follow-me channel, a terminal (docs/protocol.md, with acks)
// and the instructor's dashboard. Parsing is tolerant: unknown message types are ignored, as the protocols say.
import { WebSocket } from 'ws';
import {
  dashboardPath,
  decodeServerMessage,
  encodeClientMessage,
  followPath,
  TERMINAL_PROTOCOL_VERSION,
  TERMINAL_SUBPROTOCOL,
  type ClientMessage,
} from '../src/protocol.ts';
import { terminalSocketPath } from '../src/http/terminal-route.ts';

const openTimeoutMs = 20_000;

const socketUrl = (url: string, path: string): string => `${url.replace(/^http/, 'ws')}${path.slice(1)}`;
const originOf = (url: string): string => url.replace(/\/$/, '');

function opened(socket: WebSocket, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not open after ${openTimeoutMs / 1000} s`)), openTimeoutMs);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      reject(new Error(`${what}: upgrade refused with ${response.statusCode}`));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Joins the class as a browser's form does; returns the personal token the server put in the cookie. */
export async function joinClass(url: string, classCode: string, name: string): Promise<string> {
  const response = await fetch(`${url}join`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ code: classCode, name }) });
  const token = /labdeck_token=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  if (response.status !== 303 || !token) throw new Error(`joining as ${name}: HTTP ${response.status}, no token cookie`);
  return decodeURIComponent(token);
}

export interface FollowSocket {
  /** As the leading instructor: move to a slide (0-based). */
  goto(index: number): void;
  /** As an attendee's page: where it is and whether it follows (the dashboard shows it). */
  reportAt(index: number, following: boolean): void;
  /** Called with each slide the page is told to show (`welcome`, `position`, `gather`) and when it arrived. */
  onSlide: (index: number, at: number) => void;
  close(): void;
}

/**
 * A deck page's follow-me socket; `client` identifies the browser (the instructor's leads, being the first). With
 * `following`, it behaves as a following page: it moves where it is told and reports where it now is (`at`), as
 * src/client/follow.ts does; a server that does not know `at` ignores it.
 */
export async function openFollow(url: string, token: string, client: string, options: { following: boolean }): Promise<FollowSocket> {
  const socket = new WebSocket(`${socketUrl(url, followPath)}?client=${encodeURIComponent(client)}`, {
    headers: { origin: originOf(url), cookie: `labdeck_token=${token}` },
  });
  const send = (message: object): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const follow: FollowSocket = {
    goto: (index) => send({ type: 'goto', index }),
    reportAt: (index, following) => send({ type: 'at', index, following }),
    onSlide: () => {},
    close: () => socket.terminate(),
  };
  socket.on('message', (data, isBinary) => {
    const at = performance.now();
    if (isBinary) return;
    const message = parseJson(String(data));
    if (message?.type === 'welcome' && options.following) follow.reportAt(typeof message.index === 'number' ? message.index : 0, true);
    if ((message?.type === 'position' || message?.type === 'gather') && typeof message.index === 'number') {
      if (options.following) follow.reportAt(message.index, true);
      follow.onSlide(message.index, at);
    }
  });
  await opened(socket, `follow socket of ${client}`);
  return follow;
}

export interface TerminalSocket {
  type(text: string): void;
  /** Resolves once the output (since this call) matches. */
  outputMatching(pattern: RegExp, timeoutMs: number): Promise<void>;
  readonly bytesReceived: number;
  close(): void;
}

/**
 * An attendee's terminal as a fast browser tab: hello with the token, then every `output`/`snapshot` payload acked as
 * soon as it arrives (a real tab acks after xterm.js parsed it; acking at once keeps the client out of the measure).
 */
export async function openTerminal(url: string, token: string, terminal: string): Promise<TerminalSocket> {
  const socket = new WebSocket(socketUrl(url, terminalSocketPath), TERMINAL_SUBPROTOCOL, { origin: originOf(url) });
  socket.binaryType = 'arraybuffer';
  const send = (message: ClientMessage): void => socket.send(encodeClientMessage(message));
  let recent = '';
  let bytes = 0;
  let waiter: { pattern: RegExp; resolve: () => void } | undefined;
  let accepted: () => void = () => {};
  const acceptedPromise = new Promise<void>((resolve) => (accepted = resolve));
  const decoder = new TextDecoder();
  socket.on('message', (data: ArrayBuffer) => {
    const message = decodeServerMessage(new Uint8Array(data));
    if (message.type === 'state') accepted();
    if (message.type !== 'output' && message.type !== 'snapshot') return;
    bytes += message.data.byteLength;
    send({ type: 'ack', bytes: message.data.byteLength });
    recent = (recent + decoder.decode(message.data, { stream: true })).slice(-2048);
    if (waiter?.pattern.test(recent)) {
      waiter.resolve();
      waiter = undefined;
    }
  });
  await opened(socket, `terminal of ${terminal}`);
  send({ type: 'hello', hello: { version: TERMINAL_PROTOCOL_VERSION, token, terminal, cols: 100, rows: 30 } });
  await Promise.race([
    acceptedPromise,
    new Promise((_resolve, reject) => socket.once('close', (code, reason) => reject(new Error(`terminal refused: ${code} ${String(reason)}`)))),
  ]);
  return {
    type: (text) => send({ type: 'input', data: new TextEncoder().encode(text) }),
    outputMatching: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        recent = '';
        const timer = setTimeout(() => reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
        waiter = {
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      }),
    get bytesReceived() {
      return bytes;
    },
    close: () => socket.terminate(),
  };
}

export interface DashboardSocket {
  /**
   * Called with each message's raw text and when it arrived. Probes look for what they changed (a name, a command) in
   * the text rather than in a given shape: the dashboard's messages are being reshaped (deltas, more columns).
   */
  onMessage: (text: string, at: number) => void;
  readonly messages: number;
  readonly bytes: number;
  close(): void;
}

export async function openDashboard(url: string, instructorToken: string): Promise<DashboardSocket> {
  const socket = new WebSocket(socketUrl(url, dashboardPath), { headers: { origin: originOf(url), cookie: `labdeck_token=${instructorToken}` } });
  let messages = 0;
  let bytes = 0;
  const dashboard: DashboardSocket = {
    onMessage: () => {},
    get messages() {
      return messages;
    },
    get bytes() {
      return bytes;
    },
    close: () => socket.terminate(),
  };
  socket.on('message', (data, isBinary) => {
    const at = performance.now();
    if (isBinary) return;
    const text = String(data);
    messages++;
    bytes += text.length;
    dashboard.onMessage(text, at);
  });
  await opened(socket, 'dashboard socket');
  return dashboard;
}

/**
 * Whether a dashboard message shows the attendee called `name` at slide `index`: some object of the message has that
 * name and, somewhere inside it, that `index` (whole state or patch, whatever the row's shape).
 */
export function showsAttendeeAt(text: string, name: string, index: number): boolean {
  if (!text.includes(JSON.stringify(name))) return false;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  const hasIndex = (node: unknown): boolean =>
    typeof node === 'object' && node !== null && Object.entries(node).some(([key, child]) => (key === 'index' && child === index) || hasIndex(child));
  const rowOf = (node: unknown): boolean =>
    typeof node === 'object' && node !== null && (((node as { name?: unknown }).name === name && hasIndex(node)) || Object.values(node).some(rowOf));
  return rowOf(value);
}

function parseJson(text: string): { type?: unknown; index?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as { type?: unknown; index?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}
