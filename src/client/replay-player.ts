// Plays a Timeline's terminal output into an xterm.js terminal: play/pause at 1×–16×, and seek. Playing and short
// seeks forward write the events in between. A seek back, or one forward over more than `rebuildBytes`, builds a new
// terminal that is not on the page yet, writes into it the nearest keyframe before the target (the state the server
// computed: record/keyframes.ts) and the output after it, or everything from the start when there is no keyframe
// (xterm parses without rendering: an opened terminal repaints its rows between every slice of a long write, which
// made seeking to the end of a one-hour class take seconds: bench/replay.ts), then puts it in the old one's place.
// Every terminal operation (write, resize, swap) goes through one queue, so a resize never overtakes the output
// written before it, and `seek()` resolves once the terminal shows the target.
import { Terminal } from '@xterm/xterm';
import { replayScrollback, type Timeline } from '../protocol.ts';
import { countUpTo, replaySpeeds, seekPlan, tracksOf, type TerminalTrack } from './replay-timeline.ts';

export interface ReplayPlayerOptions {
  readonly fontSize?: number;
}

export type PlayerListener = () => void;

/** A seek forward over more output than this rebuilds the terminal off the page (see above). */
const rebuildBytes = 64 * 1024;

export class ReplayPlayer {
  #terminal: Terminal;
  readonly #host: HTMLElement;
  readonly #fontSize: number;
  readonly tracks: readonly TerminalTrack[];
  readonly duration: number;
  #track: TerminalTrack;
  /** Events of #track written (or queued) to the terminal. */
  #played = 0;
  #position = 0;
  #speed: number = replaySpeeds[0];
  #playing = false;
  #frame: number | undefined;
  #lastFrameAt = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #listeners: PlayerListener[] = [];

  constructor(host: HTMLElement, timeline: Timeline, options: ReplayPlayerOptions = {}) {
    this.tracks = tracksOf(timeline);
    this.duration = timeline.durationMs;
    this.#track = this.tracks[0] ?? { name: '', cols: 80, rows: 24, events: [], times: new Float64Array(), keyframes: [] };
    this.#host = host;
    this.#fontSize = options.fontSize ?? 14;
    this.#terminal = this.#newTerminal(this.#track);
    this.#terminal.open(host);
  }

  /** The terminal on the page now (a long seek replaces it). */
  get terminal(): Terminal {
    return this.#terminal;
  }

  get position(): number {
    return this.#position;
  }

  get playing(): boolean {
    return this.#playing;
  }

  get speed(): number {
    return this.#speed;
  }

  get terminalName(): string {
    return this.#track.name;
  }

  /** Called whenever the position, the speed or playing/paused changes. */
  onChange(listener: PlayerListener): void {
    this.#listeners.push(listener);
  }

  /** Shows another terminal of the recording, at the same moment. */
  selectTerminal(name: string): Promise<void> {
    const track = this.tracks.find((candidate) => candidate.name === name);
    if (!track || track === this.#track) return this.#queue;
    this.#track = track;
    this.#played = Number.POSITIVE_INFINITY; // whatever it showed is another terminal's: start over
    return this.seek(this.#position);
  }

  /** Moves to `t` (ms, clamped to the recording); resolves once the terminal shows that moment. */
  seek(t: number): Promise<void> {
    this.#position = Math.min(Math.max(0, t), this.duration);
    this.#writeUpTo(this.#position);
    this.#changed();
    return this.#queue;
  }

  play(): void {
    if (this.#playing) return;
    if (this.#position >= this.duration) void this.seek(0);
    this.#playing = true;
    this.#lastFrameAt = performance.now();
    this.#frame = requestAnimationFrame((now) => this.#tick(now));
    this.#changed();
  }

  pause(): void {
    if (!this.#playing) return;
    this.#playing = false;
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    this.#frame = undefined;
    this.#changed();
  }

  toggle(): void {
    if (this.#playing) this.pause();
    else this.play();
  }

  setSpeed(speed: number): void {
    this.#speed = Math.min(Math.max(speed, replaySpeeds[0]), replaySpeeds[replaySpeeds.length - 1] ?? speed);
    this.#changed();
  }

  /** One step up or down the offered speeds (+ and - keys). */
  stepSpeed(direction: 1 | -1): void {
    const index = replaySpeeds.indexOf(this.#speed as (typeof replaySpeeds)[number]);
    const next = replaySpeeds[Math.min(Math.max(Math.max(index, 0) + direction, 0), replaySpeeds.length - 1)];
    if (next !== undefined) this.setSpeed(next);
  }

  /** The screen as text, row by row, trailing spaces trimmed (what tests compare with the live terminal's). */
  screenText(): string[] {
    const buffer = this.#terminal.buffer.active;
    const rows: string[] = [];
    for (let row = 0; row < this.#terminal.rows; row++) rows.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    return rows;
  }

  dispose(): void {
    this.pause();
    this.#terminal.dispose();
  }

  #tick(now: number): void {
    if (!this.#playing) return;
    const elapsed = (now - this.#lastFrameAt) * this.#speed;
    this.#lastFrameAt = now;
    const target = this.#position + elapsed;
    void this.seek(target);
    if (target >= this.duration) this.pause();
    else this.#frame = requestAnimationFrame((next) => this.#tick(next));
  }

  #writeUpTo(t: number): void {
    const track = this.#track;
    const target = countUpTo(track.times, t);
    if (target === this.#played) return;
    const plan = seekPlan(track, this.#played, target, rebuildBytes);
    const from = plan.from;
    let terminal: Terminal | undefined;
    if (plan.rebuild) {
      terminal = this.#newTerminal(plan.keyframe ?? track);
      if (plan.keyframe) this.#write(plan.keyframe.data, terminal);
    }
    const into = terminal;
    let batch = '';
    for (let i = from; i < target; i++) {
      const event = track.events[i];
      if (!event) break;
      if ('data' in event) {
        batch += event.data;
        continue;
      }
      if (batch) this.#write(batch, into);
      batch = '';
      this.#enqueue(() => (into ?? this.#terminal).resize(event.cols, event.rows));
    }
    if (batch) this.#write(batch, into);
    if (into) {
      this.#enqueue(() => {
        const replaced = this.#terminal;
        replaced.element?.remove();
        this.#terminal = into;
        into.open(this.#host);
        // Disposing the terminal it replaces (20-30 ms for one with a full scrollback: bench/replay.ts) waits until
        // the new screen is painted: off the page already, it is nothing a person waits for.
        requestAnimationFrame(() => setTimeout(() => replaced.dispose()));
      });
    }
    this.#played = target;
  }

  /** A terminal of the track's first size, or of a keyframe's. */
  #newTerminal(size: { readonly cols: number; readonly rows: number }): Terminal {
    return new Terminal({
      cols: size.cols,
      rows: size.rows,
      disableStdin: true,
      cursorBlink: false,
      fontFamily: "'DejaVu Sans Mono', 'Droid Sans Mono', monospace",
      fontSize: this.#fontSize,
      scrollback: replayScrollback,
      theme: { background: '#1e1e1e' },
    });
  }

  /** Writes into `terminal` (one being built off the page), or into the one on the page when it is time. */
  #write(data: string, terminal?: Terminal): void {
    this.#queue = this.#queue.then(() => new Promise<void>((resolve) => (terminal ?? this.#terminal).write(data, resolve)));
  }

  #enqueue(operation: () => void): void {
    this.#queue = this.#queue.then(operation);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
