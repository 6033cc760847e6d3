// Plays a Timeline's terminal output into an xterm.js terminal: play/pause at 1×–16×, and seek. Playing and short
// seeks forward write the events in between. A seek back, or one forward over more than `rebuildBytes`, builds a new
// terminal that is not on the page yet, writes into it the nearest keyframe before the target (the state the server
// computed: record/keyframes.ts) and the output after it, or everything from the start when there is no keyframe
// (xterm parses without rendering: an opened terminal repaints its rows between every slice of a long write, which
// made seeking to the end of a one-hour class take seconds: bench/replay.ts), then puts it in the old one's place.
// A keyframe's screen alone comes first when the keyframe has it and little output follows: a few KiB for xterm to
// parse instead of tens (the 1,000 lines of scrollback), so the moment is shown sooner; a second terminal with the
// whole state then takes its place, unless another long seek came meanwhile.
// Every terminal operation (write, resize, swap) goes through one queue, so a resize never overtakes the output
// written before it, and `seek()` resolves once the terminal shows the target.
// No terminal is made until something is to be shown: at 0:00 the screen is empty, and a blank of the terminal's size
// stands in its place. Making and opening one was 30-100 ms of opening a replay (bench/replay.ts, Chromium's profile),
// and the first long seek, the usual first move, replaced it at once; a deck with recordings on its slides makes none
// until one is played.
import { Terminal } from '@xterm/xterm';
import { afterNextPaint } from './after-paint.ts';
import { replayScrollback, type Timeline } from '../protocol.ts';
import { countUpTo, outputChars, replaySpeeds, seekPlan, stepsBetween, tracksOf, type TerminalTrack, type TrackStep } from './replay-timeline.ts';

export interface ReplayPlayerOptions {
  readonly fontSize?: number;
}

export type PlayerListener = () => void;

const terminalFont = "'DejaVu Sans Mono', 'Droid Sans Mono', monospace";

/** A seek forward over more output than this rebuilds the terminal off the page (see above). */
const rebuildBytes = 64 * 1024;

export class ReplayPlayer {
  /** The terminal on the page, once one is (see above). */
  #terminal: Terminal | undefined;
  /** What stands in its place until then. */
  #blank: HTMLElement | undefined;
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
  /** Long seeks so far: a terminal completing one is dropped once a later one has started. */
  #rebuilds = 0;
  readonly #listeners: PlayerListener[] = [];

  constructor(host: HTMLElement, timeline: Timeline, options: ReplayPlayerOptions = {}) {
    this.tracks = tracksOf(timeline);
    this.duration = timeline.durationMs;
    this.#track = this.tracks[0] ?? { name: '', cols: 80, rows: 24, events: [], times: new Float64Array(), keyframes: [] };
    this.#host = host;
    this.#fontSize = options.fontSize ?? 14;
    this.#blank = blankTerminal(this.#track, this.#fontSize);
    host.append(this.#blank);
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
    const terminal = this.#terminal;
    if (!terminal) return Array.from({ length: this.#track.rows }, () => '');
    const buffer = terminal.buffer.active;
    const rows: string[] = [];
    for (let row = 0; row < terminal.rows; row++) rows.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    return rows;
  }

  dispose(): void {
    this.pause();
    this.#terminal?.dispose();
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
    const steps = stepsBetween(track, plan.from, target);
    if (!plan.rebuild) {
      for (const step of steps) {
        if (typeof step === 'string') this.#queue = this.#queue.then(() => write(this.#onPage(), step));
        else this.#enqueue(() => this.#onPage().resize(step.cols, step.rows));
      }
    } else {
      const keyframe = plan.keyframe;
      const rebuild = ++this.#rebuilds;
      if (keyframe?.screen !== undefined && outputChars(steps) <= rebuildBytes) {
        // The screen alone first (a few KiB to parse instead of tens: the moment is shown sooner), then the whole state.
        this.#rebuild(keyframe, keyframe.screen, steps);
        this.#rebuild(keyframe, keyframe.data, steps, rebuild);
      } else this.#rebuild(keyframe ?? track, keyframe?.data ?? '', steps);
    }
    this.#played = target;
  }

  /**
   * Builds a terminal off the page (of `size`, `state` written first, then `steps`) and puts it in place of the one
   * shown. Given `rebuild` (the long seek it completes), it is dropped if a later long seek started meanwhile.
   */
  #rebuild(size: { readonly cols: number; readonly rows: number }, state: string, steps: readonly TrackStep[], rebuild?: number): void {
    const stale = (): boolean => rebuild !== undefined && rebuild !== this.#rebuilds;
    let terminal: Terminal | undefined;
    // Completing a screen already shown waits until it is painted: parsing the whole state first would hold the frame.
    if (rebuild !== undefined) this.#queue = this.#queue.then(() => new Promise<void>((resolve) => afterNextPaint(resolve)));
    this.#enqueue(() => {
      if (!stale()) terminal = this.#newTerminal(size);
    });
    for (const step of [state, ...steps]) {
      if (typeof step === 'string') this.#queue = this.#queue.then(() => (terminal && !stale() && step ? write(terminal, step) : undefined));
      else this.#enqueue(() => (terminal && !stale() ? terminal.resize(step.cols, step.rows) : undefined));
    }
    this.#enqueue(() => {
      if (!terminal) return;
      if (stale()) terminal.dispose();
      else this.#show(terminal);
    });
  }

  /** Puts `terminal` on the page in place of the one shown (or of the blank). */
  #show(terminal: Terminal): void {
    const replaced = this.#terminal;
    replaced?.element?.remove();
    this.#blank?.remove();
    this.#blank = undefined;
    this.#terminal = terminal;
    terminal.open(this.#host);
    syncScrollbar(terminal);
    // Disposing the terminal it replaces (20-30 ms for one with a full scrollback: bench/replay.ts) waits until the
    // new screen is painted: off the page already, it is nothing a person waits for.
    if (replaced) requestAnimationFrame(() => setTimeout(() => replaced.dispose()));
  }

  /** A terminal of the track's first size, or of a keyframe's. */
  #newTerminal(size: { readonly cols: number; readonly rows: number }): Terminal {
    return new Terminal({
      cols: size.cols,
      rows: size.rows,
      disableStdin: true,
      cursorBlink: false,
      fontFamily: terminalFont,
      fontSize: this.#fontSize,
      scrollback: replayScrollback,
      theme: { background: '#1e1e1e' },
    });
  }

  /** The terminal on the page, made and put in the blank's place if there is none yet. */
  #onPage(): Terminal {
    if (this.#terminal) return this.#terminal;
    const terminal = this.#newTerminal(this.#track);
    this.#show(terminal);
    return terminal;
  }

  #enqueue(operation: () => void): void {
    this.#queue = this.#queue.then(operation);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

/**
 * Sizes the scrollbar of a terminal opened after it was written. xterm.js 6 sizes it when its buffer scrolls, resizes
 * or switches, never on open(): a terminal built off the page had no scrollbar and its scrollback could not be
 * reached (test/e2e/replay-keyframes.test.ts). No public call does it without changing the terminal's state (moving
 * its view, its saved cursor or its size), hence the viewport's own; gone in another version, the test says so.
 */
function syncScrollbar(terminal: Terminal): void {
  (terminal as unknown as { _core?: { _viewport?: { queueSync?(): void } } })._core?._viewport?.queueSync?.();
}

/** Resolves once `terminal` has parsed `data`. */
function write(terminal: Terminal, data: string): Promise<void> {
  return new Promise((resolve) => terminal.write(data, resolve));
}

/**
 * An empty screen of the track's size in the terminal's font, measured as xterm.js measures its cells (a run of `W`),
 * so that the terminal that takes its place moves nothing.
 */
function blankTerminal(size: { readonly cols: number; readonly rows: number }, fontSize: number): HTMLElement {
  const blank = document.createElement('div');
  blank.className = 'labdeck-replay-blank';
  blank.style.font = `${fontSize}px ${terminalFont}`;
  const probe = document.createElement('span');
  probe.style.cssText = 'position: absolute; visibility: hidden; white-space: pre; line-height: normal';
  probe.textContent = 'W'.repeat(32);
  blank.append(probe);
  document.body.append(blank);
  const cell = { width: probe.offsetWidth / 32, height: Math.ceil(probe.offsetHeight) };
  probe.remove();
  blank.style.width = `${size.cols * cell.width}px`;
  blank.style.height = `${size.rows * cell.height}px`;
  return blank;
}
