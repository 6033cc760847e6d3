// What a player shows after writing a terminal's track: the tests of keyframes compare it, written from the start
// and from a keyframe, in a headless xterm with the replay's scrollback.
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import { replayScrollback, type TimelineEvent } from '../../src/protocol.ts';

export type TrackEvent = Extract<TimelineEvent, { kind: 'output' | 'resize' }>;

/**
 * The serialized state (screen, `scrollback` lines of scrollback, cursor, which buffer, size) after writing `events`
 * into a new terminal of `size`, after `initial` when given.
 */
export async function stateAfter(
  size: { readonly cols: number; readonly rows: number },
  events: readonly TrackEvent[],
  initial = '',
  scrollback = replayScrollback,
): Promise<string> {
  const terminal = new headless.Terminal({ cols: size.cols, rows: size.rows, scrollback: replayScrollback, allowProposedApi: true, logLevel: 'off' });
  const serializer = new serialize.SerializeAddon();
  terminal.loadAddon(serializer);
  const write = (data: string) => new Promise<void>((resolve) => terminal.write(data, resolve));
  try {
    let pending = initial;
    for (const event of events) {
      if (event.kind === 'output') pending += event.data;
      else {
        await write(pending);
        pending = '';
        terminal.resize(event.cols, event.rows);
      }
    }
    await write(pending);
    const buffer = terminal.buffer.active;
    return `${serializer.serialize({ scrollback })}|cursor ${buffer.cursorX},${buffer.cursorY}|${buffer.type}|${terminal.cols}x${terminal.rows}`;
  } finally {
    serializer.dispose();
    terminal.dispose();
  }
}
