// One terminal of a Timeline as an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/), the format
// asciinema and its player read: a JSON header line, then `[seconds, code, data]` lines. Pure.
import type { Timeline, TimelineTerminal } from '../protocol.ts';
import { LabdeckError } from '../errors.ts';

/** The terminal named, or the recording's first one; a LabdeckError naming the ones there are otherwise. */
export function pickTerminal(timeline: Timeline, name: string | undefined): TimelineTerminal {
  const terminal = name === undefined ? timeline.terminals[0] : timeline.terminals.find((candidate) => candidate.name === name);
  if (terminal) return terminal;
  const known = timeline.terminals.map((candidate) => candidate.name).join(', ') || 'none';
  throw new LabdeckError(
    name === undefined ? `the recording of ${timeline.attendee} has no terminal` : `the recording of ${timeline.attendee} has no terminal "${name}" (it has: ${known})`,
  );
}

/**
 * The asciicast v2 text of one terminal: time 0 is that terminal's first event, the header's size its size then.
 * Typed input is included when the timeline has it (`"i"` events, which players ignore).
 */
export function asciicastOf(timeline: Timeline, terminal: TimelineTerminal): string {
  const events = timeline.events.filter((event) => 'terminal' in event && event.terminal === terminal.name && event.kind !== 'command');
  const origin = events[0]?.t ?? 0;
  const header = {
    version: 2,
    width: terminal.cols,
    height: terminal.rows,
    timestamp: Math.floor((Date.parse(timeline.startedAt) + origin) / 1000),
    title: `${timeline.attendee}/${terminal.name}`,
    env: { TERM: 'xterm-256color' },
  };
  const lines = [JSON.stringify(header)];
  for (const event of events) {
    const seconds = Math.round(event.t - origin) / 1000;
    if (event.kind === 'output') lines.push(JSON.stringify([seconds, 'o', event.data]));
    else if (event.kind === 'input') lines.push(JSON.stringify([seconds, 'i', event.data]));
    else if (event.kind === 'resize') lines.push(JSON.stringify([seconds, 'r', `${event.cols}x${event.rows}`]));
  }
  return `${lines.join('\n')}\n`;
}
