// One PTY and everything attached to it: the mirror, the shell-integration command log, flow control and the
// viewers (owner, instructor, watchers), who all receive the same output.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type pty from 'node-pty';
import type { CommandRecord, ServerMessage, TerminalState, ViewerRole } from '../protocol.ts';
import { CommandLog } from './command-log.ts';
import { elementAt } from '../errors.ts';
import { Emitter, type Disposable, type Event } from '../event.ts';
import { FlowControl, type FlowStats } from './flow-control.ts';
import { clampGeometry, type TerminalLimits } from './limits.ts';
import { Osc633Parser } from './osc633-parser.ts';
import { RateLimiter } from './rate-limiter.ts';
import { ScreenMirror } from './screen-mirror.ts';
import { withShellIntegration, type ShellIntegrationHook } from './shell-integration.ts';

/** Where a viewer's messages go (the WebSocket adapter, or a test). */
export interface ViewerSink {
  send(message: ServerMessage): void;
  /**
   * Bytes of output and snapshot payloads sent and still held by the server (a socket's send buffer): the viewer
   * cannot have parsed them, whatever it acks (flow-control.ts). 0 for a sink that delivers at once.
   */
  undelivered(): number;
  /** The terminal is gone (exited or closed): disconnect this viewer. */
  close(reason: string): void;
}

/**
 * Where a session's screen changes go to be recorded (src/record/), in the order the mirror gets them. Called on the
 * terminal's way to its viewers: an implementation only queues, it never blocks or throws.
 */
export interface TerminalTap {
  /** Output as the viewers and the mirror get it (shell-integration sequences removed). */
  output(text: string): void;
  /** What a viewer typed, once the rate limit let it through to the process. */
  input(data: Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** The session ended (its process exited or it was closed). */
  end(): void;
}

/** What a tap is told when its session starts. */
export interface TapStart {
  readonly attendee: string;
  readonly name: string;
  readonly cols: number;
  readonly rows: number;
  /** The mirror's scrollback in lines: output that scrolls beyond it changes no screen a viewer can get back. */
  readonly scrollback: number;
}

/** A viewer's handle on the session. */
export interface ViewerConnection extends Disposable {
  readonly role: ViewerRole;
  input(data: Uint8Array): void;
  resize(cols: number, rows: number): void;
  ack(bytes: number): void;
  /** The viewer dropped output it had not shown: no more output until it is repainted (flow-control.ts, skip). */
  skip(): void;
  /** Leaves the terminal (the PTY lives on); same as dispose(). */
  detach(): void;
}

export interface TerminalSessionOptions {
  readonly attendee: string;
  readonly name: string;
  /** The command, placeholders already substituted. bash (here, in a container, over ssh) gets shell integration. */
  readonly argv: readonly string[];
  /** How the command gets shell integration (default: withShellIntegration); undefined from it: none. */
  readonly shellIntegration?: ShellIntegrationHook;
  readonly cwd?: string;
  /** The whole environment; node-pty's default (the server's own) when omitted. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cols: number;
  readonly rows: number;
  readonly limits: TerminalLimits;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
  /** Records the session (record/recorder.ts); undefined from it, or absent: not recorded. */
  readonly tap?: (start: TapStart) => TerminalTap | undefined;
}

export interface SessionStats extends FlowStats {
  readonly viewers: number;
  readonly droppedInputBytes: number;
}

interface Viewer {
  readonly role: ViewerRole;
  readonly sink: ViewerSink;
  readonly input: RateLimiter;
  lastRateNoticeAt: number;
  /** Output held back while this viewer's snapshot waits for the mirror to catch up; undefined when live. */
  awaitingSnapshot: Uint8Array[] | undefined;
}

let nodePtyLoaded: typeof pty | undefined;

/**
 * node-pty, loaded at the first terminal rather than when labdeck starts: `serve`'s first page needs no terminal
 * (bench/startup.ts times that start; test/cli/serve-start.test.ts checks what it loads). A missing compiled part
 * throws at the first spawn either way (commands/native-modules.ts).
 */
function nodePty(): typeof pty {
  nodePtyLoaded ??= createRequire(import.meta.url)('node-pty') as typeof pty;
  return nodePtyLoaded;
}

/** node-pty 1.1 has destroy() on Unix (close the fd, then SIGHUP), but its typings omit it. */
type DestroyablePty = pty.IPty & { destroy(): void; on(event: 'close', listener: () => void): void };

/** Escalation when a process ignores the SIGHUP that destroy() sends. */
const KILL_AFTER_MS = 3000;
/**
 * PTY reads are about 4 KiB each. Output is sent in frames of up to this many characters: fewer, larger WebSocket
 * messages and xterm writes in the browser, and fewer acks.
 */
const MAX_FRAME_CHARS = 256 * 1024;
/**
 * Output that follows a flush this closely is a stream (`cat`, a build log): it is collected for this long before
 * the next frame. Output after a quiet moment (an echo, a prompt) is sent at the end of the event loop's turn.
 */
const STREAM_COALESCE_MS = 4;
/**
 * A frame of at least this many characters means a flood (`cat`, `yes`): the next one is collected for
 * FLOOD_COALESCE_MS instead, so that it fills up. Each WebSocket message costs the server, the browser's network
 * process and the page much more than its bytes do (CPU taken from the page when they share a machine): a 16 MiB
 * `cat` sent in 4 ms frames (8–70 KiB) was shown at two thirds of the rate of the same `cat` in 256 KiB frames.
 * Small, so that a loaded machine (whose PTY yields less per 4 ms) still detects its floods: one PTY read of a `cat`
 * is about 4 KiB. An echo or a prompt is far below it: once a flood has stopped, typing waits no longer than
 * STREAM_COALESCE_MS.
 */
const FLOOD_FRAME_CHARS = 2 * 1024;
/** One display frame: invisible to whoever watches a flood. */
const FLOOD_COALESCE_MS = 16;
const encoder = new TextEncoder();

export class TerminalSession implements Disposable {
  readonly attendee: string;
  readonly name: string;
  private readonly pty: DestroyablePty;
  private readonly mirror: ScreenMirror;
  private readonly parser = new Osc633Parser();
  private readonly commands: CommandLog;
  private readonly flow: FlowControl<Viewer>;
  private readonly viewers = new Set<Viewer>();
  private readonly limits: TerminalLimits;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly tap: TerminalTap | undefined;
  private geometry: { cols: number; rows: number };
  private title = '';
  private ptyPaused = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private droppedInputBytes = 0;
  /**
   * Output read from the PTY and not yet sent: flushed at the end of the event loop's turn (STREAM_COALESCE_MS later
   * in a stream), or at once when a frame is full.
   */
  private outputBatch: string[] = [];
  private outputBatchLength = 0;
  private cancelOutputFlush: (() => void) | undefined;
  private lastFlushAt = -Infinity;
  /** Characters in the last frame: a large one means a flood (FLOOD_FRAME_CHARS). */
  private lastFlushChars = 0;
  private processExited = false;
  /**
   * node-pty closed the PTY (reading it failed: the process is exiting) and reports the exit a moment later. From then
   * on its file descriptor is gone: a resize would throw EBADF (node-pty itself turns write() into a no-op).
   */
  private ptyClosed = false;
  private state: 'running' | 'exiting' | 'ended' = 'running';
  private readonly exitEmitter = new Emitter<{ code: number; signal: number | undefined }>();
  private readonly viewerCountEmitter = new Emitter<number>();
  /** The process exited on its own (not fired by dispose()). */
  readonly onExit = this.exitEmitter.event;
  readonly onViewerCountChange = this.viewerCountEmitter.event;
  /** A command finished, as shell integration reported it. */
  readonly onCommand: Event<CommandRecord>;

  constructor(options: TerminalSessionOptions) {
    this.attendee = options.attendee;
    this.name = options.name;
    this.limits = options.limits;
    this.log = options.log ?? (() => {});
    this.now = options.now ?? Date.now;
    this.geometry = clampGeometry(this.limits, options.cols, options.rows);
    this.flow = new FlowControl<Viewer>(this.limits, this.now);
    const integration = (options.shellIntegration ?? withShellIntegration)(options.argv);
    // Without integration no sequence carries the nonce, so the log stays empty and every 633 sequence is stripped.
    this.commands = new CommandLog(`${this.attendee}/${this.name}`, integration?.nonce ?? randomUUID(), this.now);
    this.onCommand = this.commands.onCommand;
    this.mirror = new ScreenMirror(this.geometry.cols, this.geometry.rows, this.limits.scrollback);
    this.tap = options.tap?.({ attendee: this.attendee, name: this.name, ...this.geometry, scrollback: this.limits.scrollback });
    this.mirror.onTitleChange((title) => {
      this.title = title;
      this.broadcast({ type: 'title', title });
    });
    const argv = integration?.argv ?? options.argv;
    try {
      this.pty = nodePty().spawn(elementAt(argv, 0), argv.slice(1), {
        name: 'xterm-256color',
        cols: this.geometry.cols,
        rows: this.geometry.rows,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...(options.env === undefined ? {} : { env: { ...options.env } }),
      }) as DestroyablePty;
    } catch (error) {
      this.mirror.dispose();
      this.tap?.end();
      throw error;
    }
    this.pty.onData((chunk) => this.receive(chunk));
    this.pty.onExit(({ exitCode, signal }) => this.exited(exitCode, signal || undefined));
    this.pty.on('close', () => void (this.ptyClosed = true));
  }

  get pid(): number {
    return this.pty.pid;
  }

  get cols(): number {
    return this.geometry.cols;
  }

  get rows(): number {
    return this.geometry.rows;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Finished commands, oldest first (bounded). */
  get commandLog(): readonly CommandRecord[] {
    return this.commands.records;
  }

  stats(): SessionStats {
    return { ...this.flow.stats(), viewers: this.viewers.size, droppedInputBytes: this.droppedInputBytes };
  }

  /**
   * Adds a viewer: it gets the state, the title and a snapshot of the screen, then live output. An owner (or an
   * instructor when no owner is attached) brings its geometry, and the PTY is resized to it first.
   */
  attach(role: ViewerRole, sink: ViewerSink, geometry?: { cols: number; rows: number }): ViewerConnection {
    if (this.state !== 'running') throw new Error(`terminal ${this.attendee}/${this.name} has ended`);
    const viewer: Viewer = {
      role,
      sink,
      input: new RateLimiter(this.limits.inputBytesPerSecond, this.limits.inputBurstBytes, this.now),
      lastRateNoticeAt: -Infinity,
      awaitingSnapshot: undefined,
    };
    this.viewers.add(viewer);
    this.flow.add(viewer, role !== 'watcher');
    if (geometry && this.mayResize(viewer)) this.resize(geometry.cols, geometry.rows);
    sink.send({ type: 'state', state: this.stateFor(viewer) });
    if (this.title) sink.send({ type: 'title', title: this.title });
    this.repaint(viewer);
    this.viewerCountEmitter.fire(this.viewers.size);
    let attached = true;
    const detach = () => {
      if (!attached) return;
      attached = false;
      this.viewers.delete(viewer);
      this.flow.remove(viewer);
      this.applyFlow();
      this.viewerCountEmitter.fire(this.viewers.size);
    };
    return {
      role,
      input: (data) => attached && this.input(viewer, data),
      resize: (cols, rows) => {
        if (attached && this.mayResize(viewer)) this.resize(cols, rows);
      },
      ack: (bytes) => {
        if (!attached) return;
        this.flow.acked(viewer, bytes, sink.undelivered());
        this.applyFlow();
      },
      skip: () => {
        if (!attached) return;
        this.flow.skip(viewer);
        this.applyFlow();
      },
      detach,
      dispose: detach,
    };
  }

  /** Destroys the PTY (not just a kill: that leaks the file descriptor), disconnects viewers, frees everything. */
  dispose(): void {
    if (this.state === 'ended') return;
    this.end('terminal closed');
    this.pty.destroy();
    if (this.processExited) return;
    // If the process ignores SIGHUP, it must not outlive its terminal.
    this.killTimer = setTimeout(() => this.pty.kill('SIGKILL'), KILL_AFTER_MS);
    this.killTimer.unref();
  }

  private mayResize(viewer: Viewer): boolean {
    if (viewer.role === 'owner') return true;
    return viewer.role === 'instructor' && ![...this.viewers].some((other) => other.role === 'owner');
  }

  private resize(cols: number, rows: number): void {
    const geometry = clampGeometry(this.limits, cols, rows);
    if (geometry.cols === this.geometry.cols && geometry.rows === this.geometry.rows) return;
    // Thrown from a WebSocket frame handler, EBADF would end the server.
    if (this.ptyClosed) return;
    try {
      this.pty.resize(geometry.cols, geometry.rows);
    } catch (error) {
      // node-pty closes the descriptor a tick before it says 'close' (a shell ended by Ctrl-D, then a resize frame):
      // the PTY is gone all the same (a fuzz run ended a class server this way).
      this.ptyClosed = true;
      this.log(`terminal ${this.attendee}/${this.name}: resize after the PTY closed (${(error as Error).message})`);
      return;
    }
    this.geometry = geometry;
    this.mirror.resize(geometry.cols, geometry.rows);
    this.tap?.resize(geometry.cols, geometry.rows);
    for (const viewer of this.viewers) viewer.sink.send({ type: 'state', state: this.stateFor(viewer) });
  }

  private stateFor(viewer: Viewer): TerminalState {
    return { terminal: this.name, role: viewer.role, cols: this.geometry.cols, rows: this.geometry.rows };
  }

  private input(viewer: Viewer, data: Uint8Array): void {
    if (this.state !== 'running') return;
    if (viewer.role === 'watcher') {
      this.droppedInputBytes += data.byteLength;
      return;
    }
    if (!viewer.input.take(data.byteLength)) {
      this.droppedInputBytes += data.byteLength;
      // One notice per second is enough to explain why keys are lost.
      if (this.now() - viewer.lastRateNoticeAt >= 1000) {
        viewer.lastRateNoticeAt = this.now();
        viewer.sink.send({ type: 'notice', code: 'input-rate', message: `input above ${this.limits.inputBytesPerSecond} bytes/s was dropped` });
      }
      return;
    }
    this.tap?.input(data);
    this.pty.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  private receive(chunk: string): void {
    if (this.state !== 'running') return;
    const { text, sequences } = this.parser.push(chunk);
    for (const sequence of sequences) {
      if (!this.commands.accept(sequence)) this.log(`terminal ${this.attendee}/${this.name}: ignored an OSC 633 sequence without the session nonce`);
    }
    this.queueOutput(text);
  }

  private queueOutput(text: string): void {
    if (!text) return;
    this.outputBatch.push(text);
    this.outputBatchLength += text.length;
    if (this.outputBatchLength >= MAX_FRAME_CHARS) this.flushOutput();
    else if (this.cancelOutputFlush === undefined) {
      const coalesceMs = this.lastFlushChars >= FLOOD_FRAME_CHARS ? FLOOD_COALESCE_MS : STREAM_COALESCE_MS;
      if (performance.now() - this.lastFlushAt < coalesceMs) {
        const timer = setTimeout(() => this.flushOutput(), coalesceMs);
        this.cancelOutputFlush = () => clearTimeout(timer);
      } else {
        const immediate = setImmediate(() => this.flushOutput());
        this.cancelOutputFlush = () => clearImmediate(immediate);
      }
    }
  }

  private cancelFlush(): void {
    this.cancelOutputFlush?.();
    this.cancelOutputFlush = undefined;
  }

  /**
   * Sends the batch to the live viewers at once and to the mirror, which parses it in the background (it is not on
   * the way to the browsers; its flow-control window bounds how far it lags). A viewer waiting for a snapshot gets
   * the batch queued after it instead, which is what makes snapshot + live output gapless (see repaint()).
   */
  private flushOutput(): void {
    this.cancelFlush();
    if (this.outputBatchLength === 0 || this.state === 'ended') return;
    this.lastFlushAt = performance.now();
    this.lastFlushChars = this.outputBatchLength;
    const text = this.outputBatch.length === 1 ? elementAt(this.outputBatch, 0) : this.outputBatch.join('');
    this.outputBatch = [];
    this.outputBatchLength = 0;
    this.tap?.output(text);
    this.flow.mirrorWritten(text.length);
    this.mirror.write(text, () => {
      this.flow.mirrorParsed(text.length);
      this.applyFlow();
    });
    const data = encoder.encode(text);
    for (const viewer of this.viewers) {
      if (viewer.awaitingSnapshot) viewer.awaitingSnapshot.push(data);
      else this.sendOutput(viewer, data);
    }
    this.applyFlow();
  }

  private sendOutput(viewer: Viewer, data: Uint8Array): void {
    if (!this.flow.canSend(viewer)) return;
    viewer.sink.send({ type: 'output', data });
    this.flow.sent(viewer, data.byteLength);
  }

  /**
   * Sends a viewer the screen, then live output. The snapshot must hold exactly the output sent before the live
   * output that follows it. If the mirror is up to date that is now (the batch not yet flushed is in neither).
   * Otherwise output from now on is queued for the viewer, and the snapshot is taken once the mirror has parsed what
   * it was given before: everything before the queue, nothing in it.
   */
  private repaint(viewer: Viewer): void {
    if (viewer.awaitingSnapshot) return;
    if (this.mirror.caughtUp) return this.sendSnapshot(viewer, []);
    viewer.awaitingSnapshot = [];
    this.mirror.afterParsed(() => {
      const queued = viewer.awaitingSnapshot ?? [];
      viewer.awaitingSnapshot = undefined;
      if (this.state === 'ended' || !this.viewers.has(viewer)) return;
      this.sendSnapshot(viewer, queued);
      this.applyFlow();
    });
  }

  private sendSnapshot(viewer: Viewer, queued: readonly Uint8Array[]): void {
    const data = encoder.encode(this.mirror.serialize());
    viewer.sink.send({ type: 'snapshot', data });
    this.flow.sent(viewer, data.byteLength);
    for (const output of queued) this.sendOutput(viewer, output);
  }

  private broadcast(message: ServerMessage): void {
    for (const viewer of this.viewers) viewer.sink.send(message);
  }

  private applyFlow(): void {
    if (this.state === 'ended') return;
    const decision = this.flow.evaluate();
    for (const viewer of decision.repaint) this.repaint(viewer);
    if (decision.pause !== this.ptyPaused) {
      this.ptyPaused = decision.pause;
      if (decision.pause) this.pty.pause();
      else this.pty.resume();
    }
    // While paused, look again after the stall timeout: a silent viewer must not hold the PTY forever.
    if (this.ptyPaused && !this.stallTimer) {
      this.stallTimer = setTimeout(() => {
        this.stallTimer = undefined;
        this.applyFlow();
      }, this.limits.stallTimeoutMs + 10);
    } else if (!this.ptyPaused && this.stallTimer) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    }
  }

  private exited(code: number, signal: number | undefined): void {
    this.processExited = true;
    clearTimeout(this.killTimer);
    if (this.state !== 'running') return;
    this.state = 'exiting';
    // Deliver the last output, and the snapshots of viewers still waiting for one, before the exit notice.
    this.queueOutput(this.parser.flush());
    this.flushOutput();
    this.mirror.afterParsed(() => {
      this.broadcast({ type: 'exit', code, signal });
      this.end(`process exited with code ${code}`);
      this.pty.destroy();
      this.exitEmitter.fire({ code, signal });
      this.exitEmitter.dispose();
    });
  }

  private end(reason: string): void {
    this.state = 'ended';
    clearTimeout(this.stallTimer);
    this.cancelFlush();
    for (const viewer of [...this.viewers]) viewer.sink.close(reason);
    this.viewers.clear();
    this.viewerCountEmitter.fire(0);
    this.viewerCountEmitter.dispose();
    this.commands.dispose();
    this.mirror.dispose();
    this.tap?.end();
  }
}
