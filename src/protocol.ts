// Shapes shared by the server and the browser, and by the terminal and the exercise checker. Imports nothing.

/** One command an attendee ran in a terminal, as shell integration (OSC 633) reported it. */
export interface CommandRecord {
  /** The command line as typed. */
  readonly command: string;
  /** Exit status; undefined while the command is still running. 130 = interrupted by Ctrl-C. */
  readonly exitCode: number | undefined;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  /** Working directory when the command started, when the shell reported it. */
  readonly cwd: string | undefined;
  /** Which terminal it ran in: `${attendee}/${terminalName}`. */
  readonly terminal: string;
}

// ── The deck as the browser receives it (labdeck serve, labdeck build, labdeck slides --json) ──

/** Content classes that mark hands-on blocks when workshop.yml names none (`handsOn:`): for the deck engine's steps,
 * the workshop config and the page's Run buttons alike. */
export const defaultHandsOnClasses: readonly string[] = Object.freeze(['exercise', 'lab']);

/** One slide as `labdeck slides --json` prints it and `/deck.json` serves it. */
export interface SlideJson {
  /** 1-based position among shown slides: what `#N` in the page URL means. */
  readonly index: number;
  /** The displayed slide number (count: false and increments change it). */
  readonly number: number;
  readonly name: string | null;
  readonly classes: readonly string[];
  /** Presenter notes, HTML ('' when there are none). */
  readonly notes: string;
  /** Inner HTML of the slide content. */
  readonly html: string;
  /** Text of the slide number element, e.g. "12/340". */
  readonly numberText: string;
  /** True for a `--` increment. */
  readonly continued: boolean;
  readonly source: { readonly file: string; readonly line: number };
}

/** One hands-on step (a list item of a hands-on block), as the deck engine extracts it (src/deck/steps.ts). */
export interface StepJson {
  /** `<slide name or nearest heading>.<hash>`: stable across edits elsewhere in the deck. */
  readonly id: string;
  /** Position of the slide (1-based, as `#N`). */
  readonly slide: number;
  /** 0-based index of the step among the steps of its slide. */
  readonly index: number;
  /** Plain text of the list item, without its code blocks and comments. */
  readonly text: string;
  /** The shell commands to run, one per fenced block. */
  readonly commands: readonly string[];
  /** The hidden directives of container.training's autotester (`<!-- ```wait Ready``` -->`). */
  readonly directives: readonly StepDirectiveJson[];
  /** Where the list item's bullet is (relative to the workshop folder once the deck leaves this machine). */
  readonly source: { readonly file: string; readonly line: number };
}

export interface StepDirectiveJson {
  /** One of the deck engine's directive kinds (`wait`, `keys`, …: src/deck/steps.ts directiveKinds). */
  readonly kind: string;
  /** Text after the kind, trimmed ('' for `paste`, `hide`). */
  readonly argument: string;
  /** How many of the step's commands come before it. */
  readonly afterCommands: number;
}

/** What `/deck.json` serves and what a static export embeds in its page. */
export interface DeckJson {
  /** Goes up by one at every reload attempt, successful or not. */
  readonly version: number;
  /** The title on one line, for the page's <title>. */
  readonly title: string;
  /** Slide width:height, '16:9' or '4:3'. */
  readonly ratio: string;
  readonly slides: readonly SlideJson[];
  /** The hands-on steps, as the deck engine extracts them. */
  readonly steps: readonly StepJson[];
  /** Why the last reload failed (`file:line: message`); the slides are then the last good ones. */
  readonly error: string | null;
  /** The deck's look: its own stylesheet and the fonts labdeck serves (absent: labdeck's default theme). */
  readonly look?: DeckLookJson;
}

/** A deck's look as the page applies it (workshop/deck-look.ts makes it; deck/deck-style.ts scopes the stylesheet). */
export interface DeckLookJson {
  /** @font-face rules for the fonts labdeck serves (under `_labdeck/fonts/`): the emoji font, the deck's families. */
  readonly fontFaces: string;
  /** The deck's stylesheets, scoped to the slides; null: labdeck's default theme styles them. */
  readonly stylesheet: string | null;
  /** The page size the stylesheet asks for printing (`@page { size }`, CSS pixels); null: the slide's size. */
  readonly pageSize: { readonly width: number; readonly height: number } | null;
  /** The workshop files the stylesheet references (pictures), relative to the workshop folder: served with the deck. */
  readonly files: readonly string[];
}

/** The deck page's elements that hold its look (http/page.ts renders them, client/deck-look.ts updates them). */
export const fontFacesElementId = 'labdeck-font-faces';
export const defaultThemeElementId = 'labdeck-default-theme';
export const deckStyleElementId = 'labdeck-deck-style';

/** The class of labdeck's own controls inside a slide (step badges, Run/Copy): a deck's stylesheet never styles them. */
export const slideUiClass = 'labdeck-ui';

/** Where open pages connect to hear about new deck versions. */
export const liveReloadPath = '/_labdeck/live';

/** Sent to every open page when the deck was reloaded (or failed to): fetch `deck.json` again. */
export interface DeckChangedMessage {
  readonly type: 'deck-changed';
  readonly version: number;
}

export type LiveMessage = DeckChangedMessage;

/** The id of the `<script type="application/json">` element holding the page's PageData. */
export const pageDataElementId = 'labdeck-data';

/** What the server embeds in the deck page for the client to start from. */
export interface PageData {
  readonly deck: DeckJson;
  /** False in a static export: no server to ask for updates. */
  readonly live: boolean;
  /**
   * Recordings slides embed (`.replay[demo.cast]`) by the path the slide names: a static export carries them in the
   * page, since a page opened from file:// may not fetch files beside it. Absent when served (the page fetches them).
   */
  readonly casts?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------------------------
// Terminal wire format (docs/protocol.md). One binary WebSocket message = one frame = a type byte + a payload.
// Pure and Uint8Array-based so that the browser pane and the server share the same encoder and decoder.

export const TERMINAL_PROTOCOL_VERSION = 1;
/** The WebSocket subprotocol a terminal client asks for. */
export const TERMINAL_SUBPROTOCOL = 'labdeck.terminal.v1';
/**
 * A viewer who may type (an instructor) can ask to only watch: `?watch=1` on the upgrade URL gives the socket the
 * read-only watcher role, enforced by the server, until the viewer reconnects without it.
 */
export const TERMINAL_WATCH_PARAM = 'watch';
/** Largest frame a client may send; the server closes with 1009 beyond it. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

/** Close codes the terminal socket uses (RFC 6455). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

export const ClientFrameType = { hello: 0x01, input: 0x02, resize: 0x03, ack: 0x04, skip: 0x05 } as const;
export const ServerFrameType = { state: 0x81, output: 0x82, snapshot: 0x83, title: 0x84, exit: 0x85, notice: 0x86 } as const;

/** Who a viewer is to a terminal: the attendee who owns it, an instructor (both read-write), or a read-only watcher. */
export type ViewerRole = 'owner' | 'instructor' | 'watcher';

/** A terminal on another node of the attendee's cluster (terminals.json's `nodes`): the pane's node control opens it. */
export interface NodeTerminalJson {
  /** node2…nodeN. */
  readonly node: string;
  readonly terminal: string;
}

export interface ClientHello {
  readonly version: number;
  /** The attendee's or instructor's token; checked by the server before anything runs. */
  readonly token: string;
  /** Which of the attendee's terminals, e.g. `shell` or `node1`. */
  readonly terminal: string;
  /** Whose terminal, when an instructor or a watcher opens someone else's; omitted for one's own. */
  readonly attendee?: string;
  readonly cols: number;
  readonly rows: number;
}

export type ClientMessage =
  | { readonly type: 'hello'; readonly hello: ClientHello }
  | { readonly type: 'input'; readonly data: Uint8Array }
  | { readonly type: 'resize'; readonly cols: number; readonly rows: number }
  /** Bytes of output/snapshot payloads written by the client's terminal since its previous ack. */
  | { readonly type: 'ack'; readonly bytes: number }
  /**
   * The client dropped output it had not shown yet (the user interrupted a flood): send no more output until a
   * snapshot of the present screen, once what is in flight is acked.
   */
  | { readonly type: 'skip' };

export interface TerminalState {
  readonly terminal: string;
  readonly role: ViewerRole;
  readonly cols: number;
  readonly rows: number;
}

export type ServerMessage =
  /** Sent after the hello is accepted, and again whenever the terminal's geometry changes. */
  | { readonly type: 'state'; readonly state: TerminalState }
  | { readonly type: 'output'; readonly data: Uint8Array }
  /** Reset the terminal, then write this: the whole screen as the server's mirror holds it. */
  | { readonly type: 'snapshot'; readonly data: Uint8Array }
  | { readonly type: 'title'; readonly title: string }
  | { readonly type: 'exit'; readonly code: number; readonly signal: number | undefined }
  /** Something the viewer should know that does not end the connection, e.g. input dropped by the rate limit. */
  | { readonly type: 'notice'; readonly code: string; readonly message: string };

/** Why a frame could not be decoded: `malformed` closes the socket (1008), `unknown` is logged and ignored. */
export type DecodeFailure = { readonly type: 'malformed'; readonly reason: string } | { readonly type: 'unknown'; readonly frameType: number };

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

function frame(type: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(payload.byteLength + 1);
  bytes[0] = type;
  bytes.set(payload, 1);
  return bytes;
}

function uint16Pair(a: number, b: number): Uint8Array {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint16(0, a);
  new DataView(payload.buffer).setUint16(2, b);
  return payload;
}

function json(value: unknown): Uint8Array {
  return textEncoder.encode(JSON.stringify(value));
}

function parseJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(textDecoder.decode(payload));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isDimension = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 0xffff;
const TERMINAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** Terminal and attendee names travel in argv placeholders and paths: keep them to a small safe alphabet. */
export function isValidTerminalName(name: string): boolean {
  return TERMINAL_NAME.test(name);
}

export function encodeClientMessage(message: ClientMessage): Uint8Array {
  switch (message.type) {
    case 'hello':
      return frame(ClientFrameType.hello, json(message.hello));
    case 'input':
      return frame(ClientFrameType.input, message.data);
    case 'resize':
      return frame(ClientFrameType.resize, uint16Pair(message.cols, message.rows));
    case 'ack': {
      const payload = new Uint8Array(4);
      new DataView(payload.buffer).setUint32(0, message.bytes);
      return frame(ClientFrameType.ack, payload);
    }
    case 'skip':
      return frame(ClientFrameType.skip, new Uint8Array(0));
  }
}

export function decodeClientMessage(bytes: Uint8Array): ClientMessage | DecodeFailure {
  const frameType = bytes[0];
  if (frameType === undefined) return { type: 'malformed', reason: 'empty frame' };
  const payload = bytes.subarray(1);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  switch (frameType) {
    case ClientFrameType.hello:
      return decodeHello(payload);
    case ClientFrameType.input:
      return { type: 'input', data: payload };
    case ClientFrameType.resize:
      if (payload.byteLength !== 4) return { type: 'malformed', reason: 'resize payload must be 4 bytes' };
      return { type: 'resize', cols: view.getUint16(0), rows: view.getUint16(2) };
    case ClientFrameType.ack:
      if (payload.byteLength !== 4) return { type: 'malformed', reason: 'ack payload must be 4 bytes' };
      return { type: 'ack', bytes: view.getUint32(0) };
    case ClientFrameType.skip:
      if (payload.byteLength !== 0) return { type: 'malformed', reason: 'skip has no payload' };
      return { type: 'skip' };
    default:
      return { type: 'unknown', frameType };
  }
}

function decodeHello(payload: Uint8Array): ClientMessage | DecodeFailure {
  const value = parseJson(payload);
  const bad = (reason: string): DecodeFailure => ({ type: 'malformed', reason: `hello: ${reason}` });
  if (!isRecord(value)) return bad('payload must be a JSON object');
  const { version, token, terminal, attendee, cols, rows } = value;
  if (version !== TERMINAL_PROTOCOL_VERSION) return bad(`protocol version ${String(version)} is not ${TERMINAL_PROTOCOL_VERSION}`);
  if (typeof token !== 'string' || token.length > 1024) return bad('token must be a string');
  if (typeof terminal !== 'string' || !isValidTerminalName(terminal)) return bad('terminal must be a name of letters, digits, - and _');
  if (attendee !== undefined && (typeof attendee !== 'string' || !isValidTerminalName(attendee))) return bad('attendee must be a name of letters, digits, - and _');
  if (!isDimension(cols) || !isDimension(rows)) return bad('cols and rows must be positive integers');
  return { type: 'hello', hello: { version, token, terminal, ...(attendee === undefined ? {} : { attendee }), cols, rows } };
}

export function encodeServerMessage(message: ServerMessage): Uint8Array {
  switch (message.type) {
    case 'state':
      return frame(ServerFrameType.state, json(message.state));
    case 'output':
      return frame(ServerFrameType.output, message.data);
    case 'snapshot':
      return frame(ServerFrameType.snapshot, message.data);
    case 'title':
      return frame(ServerFrameType.title, textEncoder.encode(message.title));
    case 'exit':
      return frame(ServerFrameType.exit, json({ code: message.code, signal: message.signal ?? null }));
    case 'notice':
      return frame(ServerFrameType.notice, json({ code: message.code, message: message.message }));
  }
}

export function decodeServerMessage(bytes: Uint8Array): ServerMessage | DecodeFailure {
  const frameType = bytes[0];
  if (frameType === undefined) return { type: 'malformed', reason: 'empty frame' };
  const payload = bytes.subarray(1);
  switch (frameType) {
    case ServerFrameType.output:
      return { type: 'output', data: payload };
    case ServerFrameType.snapshot:
      return { type: 'snapshot', data: payload };
    case ServerFrameType.title: {
      const title = parseText(payload);
      return title === undefined ? { type: 'malformed', reason: 'title is not UTF-8' } : { type: 'title', title };
    }
    case ServerFrameType.state: {
      const value = parseJson(payload);
      if (!isRecord(value) || typeof value.terminal !== 'string' || !isRole(value.role) || !isDimension(value.cols) || !isDimension(value.rows)) {
        return { type: 'malformed', reason: 'state: expected {terminal, role, cols, rows}' };
      }
      return { type: 'state', state: { terminal: value.terminal, role: value.role, cols: value.cols, rows: value.rows } };
    }
    case ServerFrameType.exit: {
      const value = parseJson(payload);
      if (!isRecord(value) || !Number.isInteger(value.code)) return { type: 'malformed', reason: 'exit: expected {code, signal}' };
      return { type: 'exit', code: value.code as number, signal: Number.isInteger(value.signal) ? (value.signal as number) : undefined };
    }
    case ServerFrameType.notice: {
      const value = parseJson(payload);
      if (!isRecord(value) || typeof value.code !== 'string' || typeof value.message !== 'string')
        return { type: 'malformed', reason: 'notice: expected {code, message}' };
      return { type: 'notice', code: value.code, message: value.message };
    }
    default:
      return { type: 'unknown', frameType };
  }
}

function parseText(payload: Uint8Array): string | undefined {
  try {
    return textDecoder.decode(payload);
  } catch {
    return undefined;
  }
}

function isRole(value: unknown): value is ViewerRole {
  return value === 'owner' || value === 'instructor' || value === 'watcher';
}

// ── Follow me (src/http/follow-channel.ts ⇄ src/client/follow.ts): JSON text messages ──

/** Where deck pages connect to follow the instructor (or, as the instructor, to lead). */
export const followPath = '/_labdeck/follow';

export type FollowClientMessage =
  /** The leading instructor moved (0-based slide index); ignored from anyone else. */
  | { readonly type: 'goto'; readonly index: number }
  /** An instructor window takes the lead; `client` is shared by the windows of one browser, which lead together. */
  | { readonly type: 'take-lead' }
  /** Where this page is (0-based) and whether it follows: sent on connect and after every move (the dashboard shows it). */
  | { readonly type: 'at'; readonly index: number; readonly following: boolean };

/** A short message the instructor broadcasts to every page (attendee-visible text: insert it as text, never markup). */
export interface BroadcastJson {
  /** Changes with every broadcast, so that a page remembers which one its reader dismissed. */
  readonly id: number;
  readonly text: string;
}

/** The longest broadcast message, in characters. */
export const maxBroadcastLength = 280;

export type FollowServerMessage =
  /** On connect: who this page is to the channel, and where the leader is (null before anyone led). */
  | {
      readonly type: 'welcome';
      readonly instructor: boolean;
      readonly leading: boolean;
      readonly index: number | null;
      readonly paused: boolean;
      readonly message: BroadcastJson | null;
    }
  /** The leader's slide, sent to every page when the leader moves (not while follow mode is paused). */
  | { readonly type: 'position'; readonly index: number }
  /** Sent to instructor pages when the lead changes hands. */
  | { readonly type: 'lead'; readonly leading: boolean }
  /** "Everyone to my slide" (the dashboard): follow the leader again, from its slide. */
  | { readonly type: 'gather'; readonly index: number }
  /** The instructor paused (followers stay where they are) or resumed follow mode. */
  | { readonly type: 'paused'; readonly paused: boolean }
  /** The instructor's broadcast message, or null when it was taken down. */
  | { readonly type: 'message'; readonly message: BroadcastJson | null };

// ---------------------------------------------------------------------------------------------------------------
// Step results (exercise checks) as pages receive them: JSON text messages on one WebSocket per page. On connect the
// server sends the whole state, then only what changes. Unknown message types are ignored on both sides.

/** Where open pages connect to receive live step results and send "check now" / "I did it". */
export const resultsPath = '/_labdeck/results';

export type StepStatus = 'passed' | 'failed' | 'pending' | 'error';

/** One step's result, as a page shows it. `reason` may contain names attendees typed: always insert it as text. */
export interface StepResultJson {
  readonly stepId: string;
  readonly status: StepStatus;
  readonly reason: string;
  /** The check's kind (`service`, `ran`, `manual`, `all`, ...). */
  readonly kind: string;
  /** Where the check came from: a spec file, inferred from the step's commands, or the fallback. */
  readonly origin: 'specified' | 'inferred' | 'fallback';
  /** True when only the attendee's word can pass it (`manual`): shown as self-reported. */
  readonly selfReported: boolean;
  /** Whether the attendee has said "I did it" (manual steps). */
  readonly confirmed: boolean;
  /** When it was evaluated (ms since the epoch). */
  readonly at: number;
}

export interface EngineStatusJson {
  readonly reachable: boolean;
  /** Why the engine cannot be read (null when it can, or before the first attempt). */
  readonly error: string | null;
  readonly swarm: string;
}

export type ResultsServerMessage =
  /** The whole state: on connect, and after the deck's steps changed (live reload). */
  | { readonly type: 'results'; readonly engine: EngineStatusJson; readonly results: readonly StepResultJson[] }
  | { readonly type: 'result'; readonly result: StepResultJson }
  | { readonly type: 'engine'; readonly engine: EngineStatusJson }
  /** An action was refused (e.g. a read-only watcher asked to confirm a step). */
  | { readonly type: 'refused'; readonly message: string };

export type ResultsClientMessage =
  /** Re-read the engine and re-run the probes now: one step, or every step when `stepId` is omitted. */
  | { readonly type: 'check-now'; readonly stepId?: string }
  /** "I did it" (or, with `confirmed: false`, "not yet") for a manual step. */
  | { readonly type: 'confirm'; readonly stepId: string; readonly confirmed: boolean };

// ── Classroom dashboard (src/http/dashboard-channel.ts ⇄ src/client/dashboard.ts): JSON text messages ──

/** Where the instructor's dashboard connects (instructors only). */
export const dashboardPath = '/_labdeck/dashboard-socket';

export interface DashboardAttendeeJson {
  readonly id: string;
  /** Attendee-provided: shown as text, never as markup. */
  readonly name: string;
  /**
   * How many attendees of the class have a name that looks like this one (case, width and joiners aside), this one
   * included: above 1, the dashboard flags every one of them so that the instructor tells them apart.
   */
  readonly sameNameCount: number;
  readonly joinedAt: number;
  /** Whether a deck page of theirs is open (connected to the follow channel). */
  readonly connected: boolean;
  /** Where their deck page is; null before it reported. `label` is "N · title". */
  readonly slide: { readonly index: number; readonly label: string; readonly following: boolean } | null;
  /** The last command that ended in one of their terminals (attendee-typed: text, never markup). */
  readonly lastCommand: { readonly command: string; readonly exitCode: number | null; readonly at: number } | null;
  /** The step they have been failing for longer than `stuckAfterMs`, and since when; null when not stuck. */
  readonly stuck: { readonly step: string; readonly since: number } | null;
  /** What happened to their environment that the instructor should know (sandbox recreated, class full); absent: nothing. */
  readonly environment?: EnvironmentNoteJson;
}

/** A note about an attendee's environment, for the instructor (one line), and when it was made. */
export interface EnvironmentNoteJson {
  readonly text: string;
  readonly at: number;
}

export interface DashboardResultJson {
  readonly attendee: string;
  readonly step: string;
  readonly status: StepStatus;
  /** Since when the step has had this status (ms since the epoch). */
  readonly since: number;
}

export interface DashboardFollowJson {
  readonly paused: boolean;
  /** The leading instructor's slide (0-based) and its label; null before anyone led. */
  readonly leader: { readonly index: number; readonly label: string } | null;
  readonly message: BroadcastJson | null;
}

/** The class's warm seats (`environment: { provider: swarm, warm: N }`): sandboxes made before anyone joined. */
export interface DashboardSeatsJson {
  readonly ready: number;
  readonly warming: number;
  readonly claimed: number;
  /** How many unclaimed seats the class keeps. */
  readonly target: number;
}

export interface DashboardState {
  readonly attendees: readonly DashboardAttendeeJson[];
  readonly steps: readonly Pick<StepJson, 'id' | 'slide' | 'text'>[];
  /** Latest result per attendee and step; a missing pair is pending. */
  readonly results: readonly DashboardResultJson[];
  readonly follow: DashboardFollowJson;
  /** Failing the same step for this long makes an attendee "stuck". */
  readonly stuckAfterMs: number;
  /** The warm seats; null when the class keeps none. */
  readonly seats: DashboardSeatsJson | null;
}

/** What changed since the previous state: whole rows and cells, never removals (attendees stay in a class). */
export interface DashboardPatch {
  /** Attendees added or changed, whole. */
  readonly attendees: readonly DashboardAttendeeJson[];
  /** Results changed or new. */
  readonly results: readonly DashboardResultJson[];
  /** Present when the follow mode or the broadcast message changed. */
  readonly follow?: DashboardFollowJson;
  /** Present when the warm seats changed. */
  readonly seats?: DashboardSeatsJson | null;
}

/**
 * The whole state on connect and when the steps changed (a deck reload); otherwise patches, coalesced (a burst of
 * results, a hundred pages following a move) into at most one message per coalescing period.
 */
export type DashboardServerMessage = { readonly type: 'state'; readonly state: DashboardState } | { readonly type: 'patch'; readonly patch: DashboardPatch };

export type DashboardClientMessage =
  /** "Everyone to my slide": every page jumps to the leader's slide and follows again. */
  | { readonly type: 'gather' }
  /** Pause or resume follow mode: while paused, the leader's moves are not sent to followers. */
  | { readonly type: 'pause'; readonly paused: boolean }
  /** Show a short message on every page ('' takes it down). */
  | { readonly type: 'broadcast'; readonly text: string }
  /** Remove an attendee from the class (by id): their token stops working, their progress is forgotten. */
  | { readonly type: 'remove'; readonly attendee: string };

// ── A class replayed (the recorder writes it; `labdeck record export` and the replay page read it) ──
// One attendee's class on one timeline: what their terminals printed, the commands they ran, the slides they were on
// and how their checks moved. Terminal output is kept in asciicast v2 terms (asciinema's format), so that one
// terminal's events convert to a .cast file without loss.

/** `GET ${timelinePath}/<attendee id>`: that attendee's Timeline as JSON (the instructor: anyone's; an attendee: their own). */
export const timelinePath = '/_labdeck/timeline';
/** `GET ${replayPagePath}/<attendee id>`: the page that plays a Timeline. */
export const replayPagePath = '/replay';

/** A terminal of the recording, with its size when recording of it began. */
export interface TimelineTerminal {
  readonly name: string;
  readonly cols: number;
  readonly rows: number;
}

/** Everything is timed in milliseconds since the timeline's `startedAt`; events are sorted by `t`. */
export type TimelineEvent =
  /** What a terminal printed (asciicast `"o"`). */
  | { t: number; kind: 'output'; terminal: string; data: string }
  /** What was typed (asciicast `"i"`): only when the workshop says `record: { input: true }`. */
  | { t: number; kind: 'input'; terminal: string; data: string }
  /** A terminal resized (asciicast `"r"`). */
  | { t: number; kind: 'resize'; terminal: string; cols: number; rows: number }
  /** A command finished, from shell integration; `exitCode` is null when the shell did not say. */
  | { t: number; kind: 'command'; terminal: string; command: string; exitCode: number | null }
  /** The attendee's page moved to a slide (0-based index, and the slide's name when it has one). */
  | { t: number; kind: 'slide'; slide: number; name?: string }
  /** A check of an exercise step changed state, with the reason written for a person. */
  | { t: number; kind: 'check'; step: string; from: string; to: string; reason: string };

export interface Timeline {
  /** The attendee's id in the class (the self-paced learner has one too). */
  attendee: string;
  /** ISO 8601 time of the recording's first event. */
  startedAt: string;
  durationMs: number;
  terminals: TimelineTerminal[];
  events: TimelineEvent[];
  /** True when typed input was recorded, so that a viewer can say so. */
  inputRecorded: boolean;
  /** Terminals' states at a few moments, for seeking (recorded with it, served by the timeline route: record/keyframes.ts). */
  keyframes?: TimelineKeyframe[];
}

/** The lines of scrollback a replayed terminal keeps, and that a keyframe rebuilds: the live terminals' default. */
export const replayScrollback = 1000;

/** A terminal's state after its first `events` output and resize events, to seek from instead of from the start. */
export interface TimelineKeyframe {
  readonly terminal: string;
  readonly events: number;
  /** Its size then. */
  readonly cols: number;
  readonly rows: number;
  /** Escape sequences that rebuild its screen and scrollback on a new terminal of that size. */
  readonly data: string;
  /**
   * The same state without its scrollback: the screen alone, a few KiB instead of tens, which a player seeking there
   * shows first while it writes `data` (absent from recordings made before labdeck kept it).
   */
  readonly screen?: string;
}

/** The id of the replay page's `<script type="application/json">` element holding its ReplayPageData. */
export const replayDataElementId = 'labdeck-replay-data';
/** The id of the replay page's `<link rel=preload>` of its timeline, when the page has one (src/client/replay-fetch.ts). */
export const replayTimelinePreloadId = 'labdeck-replay-timeline';
/** The id of the replay page's script element that loads xterm.js (src/client/replay-xterm-loader.ts). */
export const replayXtermScriptId = 'labdeck-replay-xterm';

/** What the server embeds in the replay page: whose timeline to fetch, and the deck to show their slides from. */
export interface ReplayPageData {
  readonly attendee: string;
  readonly deck: DeckJson;
}
