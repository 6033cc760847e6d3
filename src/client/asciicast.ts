// An asciicast v2 file (asciinema's format: a JSON header line, then one `[seconds, code, data]` event per line) read
// as a Timeline of one terminal, so that a recording embedded in a slide (`.replay[demo.cast]`) plays in the same
// player as a class's replay. Pure: the caller fetches the text. `file` names it in errors (`demo.cast:3: ...`).
import type { Timeline, TimelineEvent } from '../protocol.ts';

export function parseAsciicast(text: string, file = 'recording.cast'): Timeline {
  const lines = text.split('\n');
  const header = parseLine(lines[0] ?? '', file, 1) as { version?: unknown; width?: unknown; height?: unknown; timestamp?: unknown } | undefined;
  if (!header || typeof header !== 'object' || Array.isArray(header) || header.version !== 2) {
    throw new Error(`${file}:1: not an asciicast v2 file (its first line must be a JSON header with "version": 2)`);
  }
  const cols = positiveInteger(header.width) ?? 80;
  const rows = positiveInteger(header.height) ?? 24;
  const name = 'recording';
  const events: TimelineEvent[] = [];
  let last = 0;
  lines.forEach((line, index) => {
    if (index === 0 || line.trim() === '') return;
    const event = parseLine(line, file, index + 1);
    if (!Array.isArray(event) || typeof event[0] !== 'number' || typeof event[1] !== 'string' || typeof event[2] !== 'string') {
      throw new Error(`${file}:${index + 1}: an event is [seconds, "o" | "i" | "r" | "m", "data"]`);
    }
    // Times only grow in a recording; a player must not go back when one does not.
    const t = Math.max(last, Math.round(event[0] * 1000));
    last = t;
    const [, code, data] = event as [number, string, string];
    if (code === 'o') events.push({ t, kind: 'output', terminal: name, data });
    else if (code === 'i') events.push({ t, kind: 'input', terminal: name, data });
    else if (code === 'r') {
      const size = /^(\d+)x(\d+)$/.exec(data);
      if (size) events.push({ t, kind: 'resize', terminal: name, cols: Number(size[1]), rows: Number(size[2]) });
    }
    // "m" (markers) and codes of later versions: nothing to play.
  });
  const startedAt = typeof header.timestamp === 'number' ? new Date(header.timestamp * 1000).toISOString() : new Date(0).toISOString();
  return {
    attendee: '',
    startedAt,
    durationMs: last,
    terminals: [{ name, cols, rows }],
    events,
    inputRecorded: events.some((event) => event.kind === 'input'),
  };
}

function parseLine(line: string, file: string, number: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new Error(`${file}:${number}: not a line of JSON`);
  }
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
