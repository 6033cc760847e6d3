// Plays a Timeline's terminal output into an xterm.js terminal: play/pause at 1×–16×, and seek. Playing and short
// seeks forward write the events in between. A seek back, or one forward over more than `rebuildBytes`, builds a new
// terminal that is not on the page yet, writes into it the nearest keyframe before the target (the state the server
// computed: record/keyframes.ts) and the output after it, or everything from the start when there is no keyframe
// (xterm parses without rendering: an opened terminal repaints its rows between every slice of a long write, which
// made seeking to the end of a one-hour class take seconds: bench/replay.ts), then puts it in the old one's place.
// A keyframe's screen alone comes first when the keyframe has it and little output follows, written into the
// terminal on the page: a few KiB for xterm to parse instead of tens (the 1,000 lines of scrollback), so the moment is
// shown sooner; the terminal with the whole state then takes its place, unless another long seek came meanwhile.
// Every terminal operation (write, resize, swap) goes through one queue, so a resize never overtakes the output
// written before it, and `seek()` resolves once the terminal shows the target.
// At 0:00 the screen is empty: a blank of the terminal's size stands in its place, and no terminal is made while the
// page opens (30-100 ms of opening a replay: bench/replay.ts, Chromium's profile). The replay page has one made once
// it is painted and idle (`terminalWhenIdle`); a recording on a deck's slide makes none until it is played.
// xterm.js itself is given as a promise: the replay page opens before it has even been evaluated (replay-xterm.ts).
import type { Terminal } from '@xterm/xterm';
import { afterNextPaint, whenIdle } from './after-paint.ts';
import { replayScrollback, type Timeline } from '../protocol.ts';
import { countUpTo, outputChars, replaySpeeds, seekPlan, stepsBetween, tracksOf, writeSlices, type TerminalTrack, type TrackStep } from './replay-timeline.ts';

export interface ReplayPlayerOptions {
  readonly fontSize?: number;
  /**
   * Make the terminal once the page is painted and idle, not at the first seek: making and opening it (xterm.js's
   * first run, cold) was 40-60 ms of that seek (bench/replay.ts, Chromium's trace).
   */
  readonly terminalWhenIdle?: boolean;
}

/** xterm.js's Terminal class: what the player makes its terminals with. */
export type TerminalClass = typeof Terminal;

export type PlayerListener = () => void;

const terminalFont = "'DejaVu Sans Mono', 'Droid Sans Mono', monospace";

/** A seek forward over more output than this rebuilds the terminal off the page (see above). */
const rebuildBytes = 64 * 1024;

export class ReplayPlayer {
  /** The terminal on the page, once one is (see above). */
  #terminal: Terminal | undefined;
  /** Set once xterm.js is there: every terminal operation waits for it in the queue. */
  #Terminal: TerminalClass | undefined;
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

  /** `xterm`: xterm.js's Terminal class, or its promise (a failure to load it fails every seek and play with it). */
  constructor(host: HTMLElement, timeline: Timeline, xterm: TerminalClass | Promise<TerminalClass>, options: ReplayPlayerOptions = {}) {
    this.tracks = tracksOf(timeline);
    this.duration = timeline.durationMs;
    this.#track = this.tracks[0] ?? { name: '', cols: 80, rows: 24, events: [], times: new Float64Array(), keyframes: [] };
    this.#host = host;
    this.#fontSize = options.fontSize ?? 14;
    this.#blank = blankTerminal(this.#track, this.#fontSize);
    host.append(this.#blank);
    this.#queue = Promise.resolve(xterm).then((loaded) => {
      this.#Terminal = loaded;
      if (options.terminalWhenIdle) afterNextPaint(() => whenIdle(() => this.#enqueue(() => void this.#onPage())));
    });
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
    if (!plan.rebuild) this.#writeOnPage(steps);
    else {
      const keyframe = plan.keyframe;
      const rebuild = ++this.#rebuilds;
      if (keyframe?.screen !== undefined && outputChars(steps) <= rebuildBytes) {
        // The screen alone first, in the terminal on the page (a few KiB to parse instead of tens: the moment is
        // shown sooner), then the whole state in a terminal that takes its place.
        this.#enqueue(() => {
          const terminal = this.#onPage();
          terminal.reset();
          terminal.resize(keyframe.cols, keyframe.rows);
        });
        this.#writeOnPage([keyframe.screen, ...steps]);
        this.#rebuild(keyframe, keyframe.data, steps, rebuild);
      } else this.#rebuild(keyframe ?? track, keyframe?.data ?? '', steps);
    }
    this.#played = target;
  }

  /** Queues `steps` for the terminal on the page. */
  #writeOnPage(steps: readonly TrackStep[]): void {
    for (const step of steps) {
      if (typeof step === 'string') this.#queue = this.#queue.then(() => write(this.#onPage(), step));
      else this.#enqueue(() => this.#onPage().resize(step.cols, step.rows));
    }
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
    if (!this.#Terminal) throw new Error('labdeck: a replay terminal was made before xterm.js was loaded');
    return new this.#Terminal({
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

/** A write's pieces (see writeSlices): xterm.js lets a frame through between them once 12 ms have passed. */
const writeSliceChars = 8 * 1024;

/** Resolves once `terminal` has parsed `data`. */
function write(terminal: Terminal, data: string): Promise<void> {
  const slices = writeSlices(data, writeSliceChars);
  if (slices.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const last = slices.length - 1;
    for (const [index, slice] of slices.entries()) terminal.write(slice, index === last ? resolve : undefined);
  });
}

/**
 * An empty screen of the track's size in the terminal's font, sized as xterm.js sizes its screen (its
 * CharSizeService and DomRenderer: a `W` measured on a canvas, or a run of them in the page where canvases cannot
 * measure fonts), so that the terminal that takes its place moves nothing. The canvas also spares a layout of the
 * page: measuring in the page forced one, 16 ms of opening a replay (bench/replay.ts, Chromium's trace).
 */
function blankTerminal(size: { readonly cols: number; readonly rows: number }, fontSize: number): HTMLElement {
  const blank = document.createElement('div');
  blank.className = 'labdeck-replay-blank';
  blank.style.font = `${fontSize}px ${terminalFont}`;
  const char = measureChar(`${fontSize}px ${terminalFont}`);
  const dpr = window.devicePixelRatio || 1;
  blank.style.width = `${Math.round((char.width * dpr * size.cols) / dpr)}px`;
  blank.style.height = `${Math.round((Math.ceil(char.height * dpr) * size.rows) / dpr)}px`;
  return blank;
}

/** A character cell of `font`, as xterm.js measures it. */
function measureChar(font: string): { width: number; height: number } {
  const context = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(100, 100).getContext('2d') : null;
  if (context) {
    context.font = font;
    const metrics = context.measureText('W');
    const height = metrics.fontBoundingBoxAscent + metrics.fontBoundingBoxDescent;
    if (metrics.width > 0 && height > 0) return { width: metrics.width, height };
  }
  const probe = document.createElement('span');
  probe.style.cssText = 'position: absolute; visibility: hidden; white-space: pre; font-kerning: none';
  probe.style.font = font;
  probe.textContent = 'W'.repeat(32);
  document.body.append(probe);
  const measured = { width: probe.offsetWidth / 32, height: probe.offsetHeight };
  probe.remove();
  return measured;
}
