// Keyframes of a Timeline: each terminal's state (screen, scrollback, cursor, colours) at a few moments, as the
// escape sequences that rebuild it (@xterm/headless + serialize addon, as the live mirror's snapshots), so that the
// replay player seeks by writing the nearest keyframe and the output after it instead of everything from the start.
// Writing a one-hour class from the start cost the browser most of a second per seek (bench/replay.ts); parsing it
// here once costs the server a fraction of that, and serializing a keyframe (screen and 1000 lines of scrollback)
// about 100 ms on the reference machine: hence few of them.
import type headless from '@xterm/headless';
import type serialize from '@xterm/addon-serialize';
import { xterm } from '../terminal/headless-xterm.ts';
import { replayScrollback, type Timeline, type TimelineKeyframe } from '../protocol.ts';

/** A keyframe after each this much output of a terminal (characters), and one at its end. */
export const keyframeEveryChars = 1024 * 1024;
/** A terminal with less output than this replays from the start fast enough: no keyframe. */
export const keyframeMinChars = 64 * 1024;

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

/** The keyframes of `timeline`'s terminals, in timeline order per terminal. */
export async function keyframesOf(timeline: Timeline, everyChars = keyframeEveryChars): Promise<TimelineKeyframe[]> {
  const tracks = new Map<string, TrackState>();
  const keyframes: TimelineKeyframe[] = [];
  const stateOf = (name: string): TrackState => {
    let state = tracks.get(name);
    if (!state) {
      // The size a player's terminal starts at (replay-timeline.ts tracksOf): the recording's, or 80×24.
      const size = timeline.terminals.find((terminal) => terminal.name === name) ?? { cols: 80, rows: 24 };
      const terminal = new (xterm().headless.Terminal)({ cols: size.cols, rows: size.rows, scrollback: replayScrollback, allowProposedApi: true, logLevel: 'off' });
      const serializer = new (xterm().serialize.SerializeAddon)();
      terminal.loadAddon(serializer);
      state = { terminal, serializer, pending: '', events: 0, sinceKeyframe: 0, total: 0, cols: size.cols, rows: size.rows };
      tracks.set(name, state);
    }
    return state;
  };
  const take = async (name: string, state: TrackState): Promise<void> => {
    await writePending(state);
    keyframes.push({ terminal: name, events: state.events, cols: state.cols, rows: state.rows, data: state.serializer.serialize({ scrollback: replayScrollback }) });
    state.sinceKeyframe = 0;
  };
  try {
    for (const event of timeline.events) {
      if (event.kind === 'output') {
        const state = stateOf(event.terminal);
        state.pending += event.data;
        state.events++;
        state.sinceKeyframe += event.data.length;
        state.total += event.data.length;
        if (state.sinceKeyframe >= everyChars) await take(event.terminal, state);
      } else if (event.kind === 'resize') {
        const state = stateOf(event.terminal);
        await writePending(state);
        state.terminal.resize(event.cols, event.rows);
        state.cols = event.cols;
        state.rows = event.rows;
        state.events++;
      }
    }
    for (const [name, state] of tracks) {
      if (state.total >= keyframeMinChars && state.sinceKeyframe > 0) await take(name, state);
    }
  } finally {
    for (const state of tracks.values()) {
      state.serializer.dispose();
      state.terminal.dispose();
    }
  }
  return keyframes;
}

function writePending(state: TrackState): Promise<void> {
  const data = state.pending;
  state.pending = '';
  return data === '' ? Promise.resolve() : new Promise((resolve) => state.terminal.write(data, resolve));
}
