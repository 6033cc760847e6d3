// One terminal view's WebSocket (docs/protocol.md): hello at the view's size, output written to xterm and acked from
// xterm's write callback (so the server's flow control follows what the browser really parsed), input and resizes
// sent, and reconnection with backoff, after which the server's mirror repaints the screen.
import type { Terminal } from '@xterm/xterm';
import {
  CloseCode,
  decodeServerMessage,
  encodeClientMessage,
  MAX_CLIENT_FRAME_BYTES,
  TERMINAL_PROTOCOL_VERSION,
  TERMINAL_SUBPROTOCOL,
  type ClientMessage,
  type TerminalState,
} from '../protocol.ts';

export type ConnectionStatus =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'connected'; readonly state: TerminalState }
  | { readonly kind: 'reconnecting'; readonly inMs: number }
  /** The process exited (the reason says with which code) or the server closed the terminal. */
  | { readonly kind: 'ended'; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

export interface TerminalConnectionOptions {
  readonly url: string;
  readonly token: string;
  readonly terminal: string;
  /** Whose terminal (instructor or watcher views); omitted for one's own. */
  readonly attendee?: string;
  readonly onStatus: (status: ConnectionStatus) => void;
  readonly onTitle: (title: string) => void;
  readonly onNotice: (message: string) => void;
}

/**
 * While xterm still has writes queued, acks are batched (one frame per this many parsed bytes); once it has parsed
 * everything received, the rest is acked at once. No timer: a delayed ack is time the server's flow control counts
 * as parse time, so it shrinks the window it grants (under load a `cat` came as 8 KiB frames, each acked 10 ms late).
 */
const ACK_BATCH_BYTES = 64 * 1024;
/**
 * Output is handed to xterm in slices of this size, one slice ahead of its parser; the rest waits in the
 * connection's backlog. An interrupt drops the backlog, as a tty drops its pending output on Ctrl-C: after `yes` or
 * a `cat` of a large file the prompt comes back at once, not after everything the browser had already received
 * (xterm parses `yes` at well under 1 MB/s on a busy machine: a line feed every two bytes).
 */
const FEED_AHEAD_BYTES = 16 * 1024;
/** The keys whose signals make a tty flush its output (ISIG: intr, quit, susp). */
const INTERRUPT_KEYS = /[\x03\x1c\x1a]/;
const EMPTY = new Uint8Array(0);
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
const encoder = new TextEncoder();

export class TerminalConnection {
  #socket: WebSocket | undefined;
  #state: TerminalState | undefined;
  /** Parsed bytes not acked yet. */
  #pendingAck = 0;
  /** Bytes handed to xterm and not parsed yet (this socket's). */
  #unparsed = 0;
  /** Output received and not handed to xterm yet (this socket's); a snapshot resets the terminal first. */
  #backlog: { data: Uint8Array; snapshot: boolean }[] = [];
  /** An interrupt dropped the backlog: output is dropped (and acked) until the server's snapshot of the present. */
  #skipping = false;
  #retryTimer: number | undefined;
  #attempt = 0;
  #disposed = false;
  #ended = false;
  /** Run-button input that arrived before the server accepted the hello. */
  #queued: Uint8Array[] = [];
  /** Writes of the previous socket still in xterm's queue must not be acked on the new one. */
  #generation = 0;

  constructor(
    private readonly terminal: Terminal,
    private readonly options: TerminalConnectionOptions,
  ) {
    terminal.onData((data) => {
      // After the shell exited, a key starts a new one (the same name, a fresh process).
      if (this.#ended) return this.connect();
      this.input(encoder.encode(data));
      if (INTERRUPT_KEYS.test(data)) this.#skipAhead();
    });
    terminal.onBinary((data) => this.input(Uint8Array.from(data, (c) => c.charCodeAt(0))));
    terminal.onResize(({ cols, rows }) => {
      if (this.#state && this.#state.role !== 'watcher') this.#send({ type: 'resize', cols, rows });
    });
  }

  get role(): TerminalState['role'] | undefined {
    return this.#state?.role;
  }

  connect(): void {
    if (this.#disposed) return;
    clearTimeout(this.#retryTimer);
    this.#socket?.close();
    const generation = ++this.#generation;
    this.#state = undefined;
    this.#ended = false;
    this.#pendingAck = 0;
    this.#unparsed = 0;
    this.#backlog = [];
    this.#skipping = false;
    this.options.onStatus({ kind: 'connecting' });
    const socket = new WebSocket(this.options.url, TERMINAL_SUBPROTOCOL);
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    socket.onopen = () => {
      this.#send({
        type: 'hello',
        hello: {
          version: TERMINAL_PROTOCOL_VERSION,
          token: this.options.token,
          terminal: this.options.terminal,
          ...(this.options.attendee === undefined ? {} : { attendee: this.options.attendee }),
          cols: this.terminal.cols,
          rows: this.terminal.rows,
        },
      });
    };
    socket.onmessage = (event: MessageEvent<ArrayBuffer>) => this.#receive(new Uint8Array(event.data), generation);
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#closed(event.code, event.reason);
    };
  }

  /** Keys, pastes and Run buttons: sent in frames below the server's limit. */
  input(data: Uint8Array): void {
    if (!this.#state || this.#state.role === 'watcher') return;
    for (let offset = 0; offset < data.byteLength; offset += MAX_CLIENT_FRAME_BYTES - 1) {
      this.#send({ type: 'input', data: data.subarray(offset, offset + MAX_CLIENT_FRAME_BYTES - 1) });
    }
  }

  /** Like input(), but kept until the connection is ready (a Run button clicked while connecting). */
  type(data: Uint8Array): void {
    if (this.#state) this.input(data);
    else this.#queued.push(data);
  }

  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#retryTimer);
    this.#socket?.close(CloseCode.normal);
  }

  #receive(bytes: Uint8Array, generation: number): void {
    const message = decodeServerMessage(bytes);
    switch (message.type) {
      case 'state':
        this.#state = message.state;
        this.#attempt = 0;
        // The PTY's size is the truth (clamped, or the owner's when we only watch): show exactly that grid.
        if (this.terminal.cols !== message.state.cols || this.terminal.rows !== message.state.rows) this.terminal.resize(message.state.cols, message.state.rows);
        this.options.onStatus({ kind: 'connected', state: message.state });
        for (const data of this.#queued.splice(0)) this.input(data);
        return;
      case 'snapshot':
        this.#skipping = false;
        this.#backlog.push({ data: message.data, snapshot: true });
        return this.#feed(generation);
      case 'output':
        if (this.#skipping) return this.#acked(message.data.byteLength, true);
        this.#backlog.push({ data: message.data, snapshot: false });
        return this.#feed(generation);
      case 'title':
        return this.options.onTitle(message.title);
      case 'exit':
        // The close that follows carries the same news as its reason.
        return;
      case 'notice':
        return this.options.onNotice(message.message);
      case 'malformed':
      case 'unknown':
        console.warn('labdeck terminal: ignored a server frame', message);
    }
  }

  /** Hands the backlog to xterm, FEED_AHEAD_BYTES ahead of its parser; acks from xterm's write callbacks. */
  #feed(generation: number): void {
    while (this.#unparsed < FEED_AHEAD_BYTES) {
      const head = this.#backlog[0];
      if (!head) break;
      // In xterm's queue, so that output written before the snapshot is parsed before the reset, not after it.
      if (head.snapshot) this.terminal.write(EMPTY, () => this.terminal.reset());
      // xterm's UTF-8 decoder carries a character split between two writes over.
      const data = head.data.subarray(0, FEED_AHEAD_BYTES);
      if (data.byteLength < head.data.byteLength) this.#backlog[0] = { data: head.data.subarray(data.byteLength), snapshot: false };
      else this.#backlog.shift();
      this.#unparsed += data.byteLength;
      this.terminal.write(data, () => {
        if (generation !== this.#generation) return;
        this.#unparsed -= data.byteLength;
        this.#acked(data.byteLength, false);
        this.#feed(generation);
      });
    }
  }

  #acked(bytes: number, now: boolean): void {
    this.#pendingAck += bytes;
    if (now || (this.#unparsed === 0 && this.#backlog.length === 0) || this.#pendingAck >= ACK_BATCH_BYTES) {
      this.#send({ type: 'ack', bytes: this.#pendingAck });
      this.#pendingAck = 0;
    }
  }

  /**
   * Drops the output not shown yet and asks the server for the present screen instead (see FEED_AHEAD_BYTES). Only
   * while output is being parsed: a flood's next messages may still be on their way (a busy page handles keys before
   * them), but an interrupt at a quiet prompt needs no repaint.
   */
  #skipAhead(): void {
    if (this.#backlog.length === 0 && this.#unparsed === 0) return;
    const dropped = this.#backlog.splice(0);
    this.#skipping = true;
    this.#send({ type: 'skip' });
    this.#acked(
      dropped.reduce((sum, { data }) => sum + data.byteLength, 0),
      true,
    );
  }

  #send(message: ClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(encodeClientMessage(message));
  }

  #closed(code: number, reason: string): void {
    this.#state = undefined;
    if (this.#disposed) return;
    // Refused (token, name, limits) or ended normally (the process exited): retrying would not help.
    if (code === CloseCode.policyViolation || code === CloseCode.messageTooBig)
      return this.options.onStatus({ kind: 'refused', reason: reason || 'refused by the server' });
    if (code === CloseCode.normal) {
      this.#ended = true;
      return this.options.onStatus({ kind: 'ended', reason: reason || 'the terminal ended' });
    }
    // biome-ignore lint/style/noNonNullAssertion: the index is clamped to the list
    const inMs = BACKOFF_MS[Math.min(this.#attempt++, BACKOFF_MS.length - 1)]!;
    this.options.onStatus({ kind: 'reconnecting', inMs });
    this.#retryTimer = window.setTimeout(() => this.connect(), inMs);
  }
}
