// The text of a recording segment, and how segments become one Timeline. Pure: recorder.ts writes these lines,
// recordings.ts reads them back from disk.
//
// A segment is JSON lines (gzip-compressed on disk): a header, then one event per line, its time `t` in milliseconds
// since the header's `startedAt`. Terminal events, nearly all of a recording, are short arrays in asciicast's terms:
//   [t, "o", terminal, text]     output            [t, "r", terminal, cols, rows]   resize
//   [t, "i", terminal, text]     typed input       [t, "s", terminal, cols, rows]   a terminal (re)started
//   [t, "k", terminal, events, cols, rows, state, screen]  a keyframe: the terminal's state (keyframes.ts) after its
//                                                  first `events` "o", "r" and "s" lines of this segment, and its
//                                                  screen alone (absent from recordings made before it was kept)
// Commands, slides and checks are TimelineEvent objects (protocol.ts) with a relative `t`.
import type { Timeline, TimelineEvent, TimelineKeyframe, TimelineTerminal } from '../protocol.ts';

export const recordingVersion = 1;

export interface SegmentHeader {
  readonly labdeck: 'recording';
  readonly version: number;
  readonly attendee: string;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  /** Whether typed input was recorded in this segment. */
  readonly input: boolean;
}

/** A terminal's session began, at this size: what it printed before (another shell of that name) is gone. */
export interface TerminalStart {
  t: number;
  kind: 'start';
  terminal: string;
  cols: number;
  rows: number;
}

/**
 * A terminal's state, taken while recording (recorder.ts), after the first `events` output, resize and start lines of
 * that terminal in the segment it is written in: written when it is ready, so possibly after later events.
 */
export interface RecordedKeyframe {
  t: number;
  kind: 'keyframe';
  terminal: string;
  events: number;
  cols: number;
  rows: number;
  data: string;
  screen?: string;
}

/** What a segment holds; times are relative to the header's startedAt. */
export type RecordedEvent = TimelineEvent | TerminalStart | RecordedKeyframe;

export interface Segment {
  readonly header: SegmentHeader;
  readonly events: readonly RecordedEvent[];
}

/** `RIS`: what a viewer's terminal gets before a new session's screen (a snapshot starts with a reset too). */
export const terminalReset = '\u001bc';
const assumedSize = { cols: 80, rows: 24 };

export function encodeHeader(header: SegmentHeader): string {
  return JSON.stringify(header);
}

/** One line, without its line feed. */
export function encodeEvent(event: RecordedEvent): string {
  switch (event.kind) {
    case 'output':
      return JSON.stringify([event.t, 'o', event.terminal, event.data]);
    case 'input':
      return JSON.stringify([event.t, 'i', event.terminal, event.data]);
    case 'resize':
      return JSON.stringify([event.t, 'r', event.terminal, event.cols, event.rows]);
    case 'start':
      return JSON.stringify([event.t, 's', event.terminal, event.cols, event.rows]);
    case 'keyframe':
      return JSON.stringify([event.t, 'k', event.terminal, event.events, event.cols, event.rows, event.data, ...(event.screen === undefined ? [] : [event.screen])]);
    default:
      return JSON.stringify(event);
  }
}

/**
 * A segment's text → its header and events. A line that does not parse (the last one, cut by a crash) is skipped:
 * what was written before it is kept. Undefined when there is no valid header.
 */
export function decodeSegment(text: string): Segment | undefined {
  const lines = text.split('\n');
  const header = parseLine(lines[0] ?? '');
  if (!isHeader(header)) return undefined;
  const events: RecordedEvent[] = [];
  for (let index = 1; index < lines.length; index++) {
    const event = decodeEvent(parseLine(lines[index] ?? ''));
    if (event) events.push(event);
  }
  return { header, events };
}

function parseLine(line: string): unknown {
  if (line === '') return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function isHeader(value: unknown): value is SegmentHeader {
  const header = value as Partial<SegmentHeader> | undefined;
  return (
    typeof header === 'object' &&
    header !== null &&
    header.labdeck === 'recording' &&
    header.version === recordingVersion &&
    typeof header.attendee === 'string' &&
    typeof header.startedAt === 'number' &&
    typeof header.input === 'boolean'
  );
}

const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0;

function decodeEvent(value: unknown): RecordedEvent | undefined {
  if (Array.isArray(value)) {
    const [t, code, terminal, a, b, c, d, e] = value as unknown[];
    if (typeof t !== 'number' || typeof terminal !== 'string') return undefined;
    if (code === 'k' && isCount(a) && isCount(b) && isCount(c) && typeof d === 'string' && (e === undefined || typeof e === 'string'))
      return { t, kind: 'keyframe', terminal, events: a, cols: b, rows: c, data: d, ...(e === undefined ? {} : { screen: e }) };
    if ((code === 'o' || code === 'i') && typeof a === 'string') return { t, kind: code === 'o' ? 'output' : 'input', terminal, data: a };
    if ((code === 'r' || code === 's') && isCount(a) && isCount(b)) return { t, kind: code === 'r' ? 'resize' : 'start', terminal, cols: a, rows: b };
    return undefined;
  }
  const event = value as Record<string, unknown> | undefined;
  if (typeof event !== 'object' || event === null || typeof event.t !== 'number') return undefined;
  const t = event.t;
  if (event.kind === 'command' && typeof event.terminal === 'string' && typeof event.command === 'string') {
    const exitCode = typeof event.exitCode === 'number' ? event.exitCode : null;
    return { t, kind: 'command', terminal: event.terminal, command: event.command, exitCode };
  }
  if (event.kind === 'slide' && Number.isInteger(event.slide)) {
    return { t, kind: 'slide', slide: event.slide as number, ...(typeof event.name === 'string' ? { name: event.name } : {}) };
  }
  if (event.kind === 'check' && [event.step, event.from, event.to, event.reason].every((field) => typeof field === 'string')) {
    return { t, kind: 'check', step: event.step as string, from: event.from as string, to: event.to as string, reason: event.reason as string };
  }
  return undefined;
}

/**
 * An attendee's segments (in any order) → one Timeline, or undefined when they hold no event. A terminal's first
 * session gives its size in `terminals`; a later session of the same name (a new shell after `exit`, a server
 * restart) is a reset of that terminal, and a resize when its size changed, as a viewer would have seen it.
 */
export function timelineFromSegments(attendee: string, segments: readonly Segment[]): Timeline | undefined {
  const absolute: RecordedEvent[] = [];
  /** Which segment each event came from (its index in the sorted segments), and the keyframes of each. */
  const segmentOf = new Map<RecordedEvent, number>();
  const recordedKeyframes: { segment: number; keyframe: RecordedKeyframe }[] = [];
  [...segments]
    .sort((a, b) => a.header.startedAt - b.header.startedAt)
    .forEach((segment, index) => {
      for (const event of segment.events) {
        if (event.kind === 'keyframe') recordedKeyframes.push({ segment: index, keyframe: event });
        else {
          const copy = { ...event, t: segment.header.startedAt + event.t };
          segmentOf.set(copy, index);
          absolute.push(copy);
        }
      }
    });
  if (absolute.length === 0) return undefined;
  // Stable: events of one moment keep the order they were written in.
  absolute.sort((a, b) => a.t - b.t);
  const startedAt = absolute[0]?.t ?? 0;
  const terminals: TimelineTerminal[] = [];
  const sizes = new Map<string, { cols: number; rows: number }>();
  const events: TimelineEvent[] = [];
  // Where keyframes land: `${segment} ${terminal} ${n}` → the length of that terminal's track (its output and resize
  // events) once the segment's first n output, resize and start lines of it were read.
  const trackLengths = new Map<string, number>();
  const lines = new Map<string, number>();
  const trackAt = new Map<string, number>();
  const counted = (event: RecordedEvent): void => {
    if (event.kind !== 'output' && event.kind !== 'resize' && event.kind !== 'start') return;
    const key = `${segmentOf.get(event)} ${event.terminal}`;
    const line = (lines.get(key) ?? 0) + 1;
    lines.set(key, line);
    trackAt.set(`${key} ${line}`, trackLengths.get(event.terminal) ?? 0);
  };
  const push = (event: TimelineEvent): void => {
    if (event.kind === 'output' || event.kind === 'resize') trackLengths.set(event.terminal, (trackLengths.get(event.terminal) ?? 0) + 1);
    events.push(event);
  };
  for (const event of absolute) {
    const t = event.t - startedAt;
    if (event.kind === 'keyframe') continue;
    if (event.kind === 'start') {
      const size = sizes.get(event.terminal);
      if (!size) terminals.push({ name: event.terminal, cols: event.cols, rows: event.rows });
      else {
        if (size.cols !== event.cols || size.rows !== event.rows) push({ t, kind: 'resize', terminal: event.terminal, cols: event.cols, rows: event.rows });
        push({ t, kind: 'output', terminal: event.terminal, data: terminalReset });
      }
      sizes.set(event.terminal, { cols: event.cols, rows: event.rows });
      counted(event);
      continue;
    }
    // A terminal whose start went with an older segment (retention): its size is not known, a common one is assumed.
    if ('terminal' in event && !sizes.has(event.terminal)) {
      const size = event.kind === 'resize' ? { cols: event.cols, rows: event.rows } : assumedSize;
      terminals.push({ name: event.terminal, ...size });
      sizes.set(event.terminal, size);
    }
    if (event.kind === 'resize') sizes.set(event.terminal, { cols: event.cols, rows: event.rows });
    push({ ...event, t });
    counted(event);
  }
  const keyframes: TimelineKeyframe[] = [];
  for (const { segment, keyframe } of recordedKeyframes) {
    const at = trackAt.get(`${segment} ${keyframe.terminal} ${keyframe.events}`);
    // Its lines are not all there (a segment cut short): it cannot be placed, and is left out.
    if (at !== undefined)
      keyframes.push({
        terminal: keyframe.terminal,
        events: at,
        cols: keyframe.cols,
        rows: keyframe.rows,
        data: keyframe.data,
        ...(keyframe.screen === undefined ? {} : { screen: keyframe.screen }),
      });
  }
  const last = absolute[absolute.length - 1]?.t ?? startedAt;
  return {
    attendee,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: last - startedAt,
    terminals,
    events,
    inputRecorded: segments.some((segment) => segment.header.input),
    // In the order of their events (they are written as they are computed).
    ...(keyframes.length > 0 ? { keyframes: keyframes.sort((a, b) => a.events - b.events) } : {}),
  };
}
