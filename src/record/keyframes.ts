// Keyframes of a Timeline: each terminal's state (screen, scrollback, cursor, colours) at a few moments, as the
// escape sequences that rebuild it (@xterm/headless + serialize addon, as the live mirror's snapshots), so that the
// replay player seeks by writing the nearest keyframe and the output after it instead of everything from the start.
// Writing a one-hour class from the start cost the browser most of a second per seek (bench/replay.ts).
//
// The recorder takes them while it records (keyframe-taker.ts: after each keyframeEveryChars of a terminal's output,
// when it goes quiet, when the recording closes), so that opening a replay computes nothing: servedKeyframes picks
// the recorded ones, and computes only what a crash lost or a live recording has printed since its last one.
// Serializing a keyframe (screen and 1000 lines of scrollback) costs 10-35 ms, up to 100 ms for the first of a
// process (bench/replay.ts, on the reference machine): hence few of them.
import type headless from '@xterm/headless';
import type serialize from '@xterm/addon-serialize';
import { xterm } from '../terminal/headless-xterm.ts';
import { replayScrollback, type Timeline, type TimelineKeyframe } from '../protocol.ts';

/** A keyframe after each this much output of a terminal (characters), and one at its end. */
export const keyframeEveryChars = 1024 * 1024;
/** A terminal with less output than this (since its last keyframe) replays from there fast enough: no keyframe. */
export const keyframeMinChars = 64 * 1024;

/** A terminal's state to go on from: a keyframe's, or (data '') a new terminal's of that size. */
export interface TerminalState {
  readonly cols: number;
  readonly rows: number;
  readonly data: string;
  /** The screen alone (TimelineKeyframe.screen), once computed. */
  readonly screen?: string;
}

/** What a player writes into a terminal: output, or a resize. */
export type TrackStep = string | { readonly cols: number; readonly rows: number };

interface TrackState {
  readonly terminal: headless.Terminal;
  readonly serializer: serialize.SerializeAddon;
  /** Output not written yet. */
  pending: string;
  /** The terminal's output and resize events so far (what a keyframe taken now includes). */
  events: number;
  /** Output characters since the last keyframe, and in all. */
  sinceKeyframe: number;
  total: number;
  cols: number;
  rows: number;
}

function openTrack(from: TerminalState): TrackState {
  const terminal = new (xterm().headless.Terminal)({ cols: from.cols, rows: from.rows, scrollback: replayScrollback, allowProposedApi: true, logLevel: 'off' });
  const serializer = new (xterm().serialize.SerializeAddon)();
  terminal.loadAddon(serializer);
  return { terminal, serializer, pending: from.data, events: 0, sinceKeyframe: 0, total: 0, cols: from.cols, rows: from.rows };
}

function closeTrack(state: TrackState): void {
  state.serializer.dispose();
  state.terminal.dispose();
}

/** What stateAfter writes at once: xterm parses a write whole, and lets the event loop run only between writes. */
const sliceChars = 16 * 1024;

/**
 * The state after writing `steps` on `from` (a new terminal of its size, its data first), written in slices: the
 * recorder computes it beside live terminals. Serializing the state is one block (see above).
 */
export async function stateAfter(from: TerminalState, steps: readonly TrackStep[]): Promise<TerminalState> {
  const state = openTrack({ ...from, data: '' });
  const write = (data: string): void => {
    for (let start = 0; start < data.length; start += sliceChars) state.terminal.write(data.slice(start, start + sliceChars));
  };
  try {
    write(from.data);
    for (const step of steps) {
      if (typeof step === 'string') write(step);
      else await resizeTrack(state, step);
    }
    await writePending(state);
    return snapshotOf(state);
  } finally {
    closeTrack(state);
  }
}

/** The keyframes of `timeline`'s terminals computed from their output, in timeline order per terminal. */
export function keyframesOf(timeline: Timeline, everyChars = keyframeEveryChars): Promise<TimelineKeyframe[]> {
  const names = new Set(timeline.terminals.map((terminal) => terminal.name));
  for (const event of timeline.events) if (event.kind === 'output' || event.kind === 'resize') names.add(event.terminal);
  return keyframesAfter(timeline, new Map([...names].map((name) => [name, undefined])), everyChars);
}

/**
 * The keyframes the timeline route serves: the recorded ones (timeline.keyframes), one after each `everyChars` of
 * a terminal's output and its last, and those computed after the last for a terminal that printed keyframeMinChars
 * or more since (a live recording, a keyframe lost to a crash), or from the start for one that has none.
 */
export async function servedKeyframes(timeline: Timeline, everyChars = keyframeEveryChars): Promise<TimelineKeyframe[]> {
  // Each terminal's output characters before each of its track events (index i: before event i).
  const charsBefore = new Map<string, number[]>();
  for (const event of timeline.events) {
    if (event.kind !== 'output' && event.kind !== 'resize') continue;
    let chars = charsBefore.get(event.terminal);
    if (!chars) charsBefore.set(event.terminal, (chars = [0]));
    chars.push((chars[chars.length - 1] ?? 0) + (event.kind === 'output' ? event.data.length : 0));
  }
  const served: TimelineKeyframe[] = [];
  const toCompute = new Map<string, TimelineKeyframe | undefined>();
  for (const [name, chars] of charsBefore) {
    const recorded = (timeline.keyframes ?? []).filter((keyframe) => keyframe.terminal === name && keyframe.events < chars.length).sort((a, b) => a.events - b.events);
    let servedChars = 0;
    recorded.forEach((keyframe, index) => {
      const at = chars[keyframe.events] ?? 0;
      if (index === recorded.length - 1 || at - servedChars >= everyChars) {
        served.push(keyframe);
        servedChars = at;
      }
    });
    const last = recorded[recorded.length - 1];
    if ((chars[chars.length - 1] ?? 0) - (last ? (chars[last.events] ?? 0) : 0) >= keyframeMinChars) toCompute.set(name, last);
  }
  return [...served, ...(await keyframesAfter(timeline, toCompute, everyChars))];
}

/**
 * The keyframes of the terminals named in `from`, each computed after its given keyframe (or from the start): one
 * after each `everyChars` of output, and one at the end when the terminal printed keyframeMinChars or more in all.
 */
async function keyframesAfter(timeline: Timeline, from: ReadonlyMap<string, TimelineKeyframe | undefined>, everyChars: number): Promise<TimelineKeyframe[]> {
  const tracks = new Map<string, TrackState>();
  const keyframes: TimelineKeyframe[] = [];
  const stateOf = (name: string): TrackState | undefined => {
    let state = tracks.get(name);
    if (!state && from.has(name)) {
      // The size a player's terminal starts at (replay-timeline.ts tracksOf): the recording's, or 80×24.
      const size = timeline.terminals.find((terminal) => terminal.name === name) ?? { cols: 80, rows: 24 };
      state = openTrack(from.get(name) ?? { cols: size.cols, rows: size.rows, data: '' });
      tracks.set(name, state);
    }
    return state;
  };
  const take = async (name: string, state: TrackState): Promise<void> => {
    await writePending(state);
    keyframes.push({ terminal: name, events: state.events, ...snapshotOf(state) });
    state.sinceKeyframe = 0;
  };
  try {
    for (const event of timeline.events) {
      if (event.kind !== 'output' && event.kind !== 'resize') continue;
      const state = stateOf(event.terminal);
      if (!state) continue;
      state.events++;
      // Events the keyframe it starts from already holds.
      if (state.events <= (from.get(event.terminal)?.events ?? 0)) continue;
      if (event.kind === 'output') {
        state.pending += event.data;
        state.sinceKeyframe += event.data.length;
        state.total += event.data.length;
        if (state.sinceKeyframe >= everyChars) await take(event.terminal, state);
      } else await resizeTrack(state, event);
    }
    for (const [name, state] of tracks) {
      if (state.total >= keyframeMinChars && state.sinceKeyframe > 0) await take(name, state);
    }
  } finally {
    for (const state of tracks.values()) closeTrack(state);
  }
  return keyframes;
}

/** The state of a track whose output is all parsed: with its scrollback, and its screen alone (about 1 ms more). */
function snapshotOf(state: TrackState): Required<TerminalState> {
  return {
    cols: state.cols,
    rows: state.rows,
    data: state.serializer.serialize({ scrollback: replayScrollback }),
    screen: state.serializer.serialize({ scrollback: 0 }),
  };
}

async function resizeTrack(state: TrackState, size: { readonly cols: number; readonly rows: number }): Promise<void> {
  await writePending(state);
  state.terminal.resize(size.cols, size.rows);
  state.cols = size.cols;
  state.rows = size.rows;
}

/** Writes what waits; resolves once everything written so far is parsed. */
function writePending(state: TrackState): Promise<void> {
  const data = state.pending;
  state.pending = '';
  return new Promise((resolve) => state.terminal.write(data, resolve));
}
