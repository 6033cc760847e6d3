// Records each attendee's class as it happens: their terminals' output (and resizes, and typed input when the
// workshop says `record: { input: true }`), the commands they ran, the slides their page moved to and how their
// checks moved. Events wait in memory and are written once a second (flushMs) into the attendee's current segment
// (segment-file.ts), so that the terminals never wait for the disk and a SIGKILL loses at most the last second.
//
// Layout: <folder>/<attendee id>/<start ms>-<random>.jsonl.gz, one segment per attendee per stretch of activity:
// a segment idle for idleCloseMs is closed (its compressor's memory freed) and the next event starts another.
//
// A flood (`cat` of a large file, `yes`) is not recorded line by line: of a second's output, the plain lines that
// later lines scroll out of every screen and scrollback are left out (flood.ts). The replayed screen is the same; the
// recording stays small and cheap.
//
// Keyframes (keyframes.ts) are taken as it records, and written in the segment beside the events they follow, so that
// opening a replay computes none: one after each keyframeEveryChars of a terminal's recorded output, one when a
// terminal that printed keyframeMinChars or more since its last goes quiet for a write (the end of a command's
// output: a live replay's end is then near one), and one at the end of a segment (closed when idle, or by the
// server's stop) for a terminal that printed keyframeMinChars or more in all. A keyframe lost to a SIGKILL is
// computed by the reader (servedKeyframes).
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandRecord } from '../protocol.ts';
import { isValidTerminalName } from '../protocol.ts';
import type { TapStart, TerminalTap } from '../terminal/session.ts';
import { encodeEvent, encodeHeader, recordingVersion, type RecordedEvent } from './recording-format.ts';
import { SegmentFile } from './segment-file.ts';
import { cutFlood } from './flood.ts';
import { KeyframeTaker } from './keyframe-taker.ts';
import { keyframeEveryChars, keyframeMinChars } from './keyframes.ts';

export interface RecorderOptions {
  /** The recordings folder (recordings.ts recordingsFolder). */
  readonly folder: string;
  /** Record typed input too. */
  readonly input: boolean;
  readonly log: (line: string) => void;
  readonly now?: () => number;
  /** How often waiting events are written: at most this much is lost to a SIGKILL (default 1 s). */
  readonly flushMs?: number;
  /** A segment without events for this long is closed (default 10 minutes). */
  readonly idleCloseMs?: number;
}

/** A check of an exercise step changed state. */
export interface CheckTransition {
  readonly step: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

interface TerminalGeometry {
  rows: number;
  readonly scrollback: number;
}

interface AttendeeRecording {
  readonly id: string;
  file: SegmentFile | undefined;
  segmentStart: number;
  /** Events not written yet, with absolute times, in order. */
  pending: RecordedEvent[];
  lastEventAt: number;
  /** The slide last recorded: pages report where they are again and again. */
  slide: number | undefined;
  readonly terminals: Map<string, TerminalGeometry>;
  /** Each recorded terminal's keyframes. */
  readonly keyframes: Map<string, KeyframeTaker>;
  /** Each terminal's output, resize and start lines in the current segment: where a keyframe taken now lands. */
  lines: Map<string, number>;
}

const defaultFlushMs = 1000;
const defaultIdleCloseMs = 10 * 60_000;
const decoder = new TextDecoder();

export class Recorder {
  private readonly attendees = new Map<string, AttendeeRecording>();
  /** Removed from the class: nothing of theirs is recorded again (their terminals' last output, say). */
  private readonly removed = new Set<string>();
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: RecorderOptions) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.flush(), options.flushMs ?? defaultFlushMs);
    this.timer.unref();
  }

  get inputRecorded(): boolean {
    return this.options.input;
  }

  /** For TerminalManager's `tap`: records a terminal from its start. */
  readonly tap = (start: TapStart): TerminalTap | undefined => {
    const recording = this.recordingOf(start.attendee);
    if (!recording || !isValidTerminalName(start.name)) return undefined;
    const geometry: TerminalGeometry = { rows: start.rows, scrollback: start.scrollback };
    recording.terminals.set(start.name, geometry);
    this.add(recording, { t: this.now(), kind: 'start', terminal: start.name, cols: start.cols, rows: start.rows });
    const terminal = start.name;
    return {
      output: (data) => this.add(recording, { t: this.now(), kind: 'output', terminal, data }),
      input: (data) => {
        if (this.options.input) this.add(recording, { t: this.now(), kind: 'input', terminal, data: decoder.decode(data) });
      },
      resize: (cols, rows) => {
        geometry.rows = rows;
        this.add(recording, { t: this.now(), kind: 'resize', terminal, cols, rows });
      },
      end: () => {},
    };
  };

  /**
   * A command finished in a terminal (TerminalManager.onCommand); `record.terminal` is `${attendee}/${name}`. Its exit
   * code is null when the shell did not say.
   */
  commandRan(record: CommandRecord): void {
    const [attendee = '', terminal = ''] = record.terminal.split('/');
    const recording = this.recordingOf(attendee);
    if (!recording) return;
    this.add(recording, { t: record.endedAt ?? this.now(), kind: 'command', terminal, command: record.command, exitCode: record.exitCode ?? null });
  }

  /** The attendee's page is on this slide (0-based); reported again without a move, recorded once per move. */
  slide(attendee: string, index: number, name?: string): void {
    const recording = this.recordingOf(attendee);
    if (!recording || recording.slide === index) return;
    recording.slide = index;
    this.add(recording, { t: this.now(), kind: 'slide', slide: index, ...(name ? { name } : {}) });
  }

  check(attendee: string, transition: CheckTransition): void {
    const recording = this.recordingOf(attendee);
    if (recording) this.add(recording, { t: this.now(), kind: 'check', ...transition });
  }

  /** The attendee left the class: their recording goes, and nothing more of theirs is recorded. */
  async remove(attendee: string): Promise<void> {
    if (!isValidTerminalName(attendee)) return;
    this.removed.add(attendee);
    const recording = this.attendees.get(attendee);
    this.attendees.delete(attendee);
    await recording?.file?.close();
    rmSync(join(this.options.folder, attendee), { recursive: true, force: true });
  }

  /** Writes every waiting event now (the timer does it every flushMs), and the keyframes due. */
  flush(): void {
    const now = this.now();
    for (const recording of this.attendees.values()) {
      const waiting = recording.pending.length > 0;
      const printed = waiting ? this.write(recording) : new Set<string>();
      // Quiet terminals with enough output since their last keyframe: the end of a command's output.
      for (const [terminal, taker] of recording.keyframes) {
        if (!printed.has(terminal) && taker.charsSinceKeyframe >= keyframeMinChars) this.takeKeyframe(recording, terminal, taker);
      }
      if (!waiting && recording.file && now - recording.lastEventAt >= (this.options.idleCloseMs ?? defaultIdleCloseMs)) {
        this.takeEndKeyframes(recording);
        const file = recording.file;
        recording.file = undefined;
        // After the keyframes being computed for it: they land in it.
        void this.keyframesSettled(recording).then(() => file.close());
      }
    }
  }

  /** Writes what waits and the last keyframes, and closes every segment (the server stops). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    for (const recording of this.attendees.values()) this.takeEndKeyframes(recording);
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all(
      [...this.attendees.values()].map(async (recording) => {
        await this.keyframesSettled(recording);
        await recording.file?.close();
      }),
    );
    this.attendees.clear();
  }

  private recordingOf(attendee: string): AttendeeRecording | undefined {
    if (this.closed || this.removed.has(attendee) || !isValidTerminalName(attendee)) return undefined;
    let recording = this.attendees.get(attendee);
    if (!recording) {
      recording = {
        id: attendee,
        file: undefined,
        segmentStart: 0,
        pending: [],
        lastEventAt: 0,
        slide: undefined,
        terminals: new Map(),
        keyframes: new Map(),
        lines: new Map(),
      };
      this.attendees.set(attendee, recording);
    }
    return recording;
  }

  private add(recording: AttendeeRecording, event: RecordedEvent): void {
    if (this.closed || !this.attendees.has(recording.id)) return;
    recording.pending.push(event);
    recording.lastEventAt = event.t;
  }

  /** Writes the waiting events; returns the terminals that printed among them. */
  private write(recording: AttendeeRecording): Set<string> {
    const events = withoutFloods(recording.pending, recording.terminals);
    const printed = new Set<string>();
    recording.pending = [];
    if (!recording.file) {
      try {
        recording.file = this.openSegment(recording, events[0]?.t ?? this.now());
      } catch (error) {
        this.options.log(`recording ${recording.id}: cannot write: ${(error as Error).message}`);
        return printed;
      }
    }
    const start = recording.segmentStart;
    let text = '';
    for (const event of events) text += `${encodeEvent({ ...event, t: Math.max(0, event.t - start) })}\n`;
    recording.file.append(text);
    // The keyframe takers follow exactly what was written, line by line.
    for (const event of events) {
      if (event.kind !== 'output' && event.kind !== 'resize' && event.kind !== 'start') continue;
      recording.lines.set(event.terminal, (recording.lines.get(event.terminal) ?? 0) + 1);
      let taker = recording.keyframes.get(event.terminal);
      if (event.kind === 'start') {
        if (taker) taker.restart(event.cols, event.rows);
        else {
          taker = new KeyframeTaker(event.cols, event.rows, (error) =>
            this.options.log(`recording ${recording.id}: a keyframe of ${event.terminal} failed: ${error.message}`),
          );
          recording.keyframes.set(event.terminal, taker);
        }
      } else if (!taker) continue;
      else if (event.kind === 'resize') taker.resize(event.cols, event.rows);
      else {
        taker.output(event.data);
        printed.add(event.terminal);
        if (taker.charsSinceKeyframe >= keyframeEveryChars) this.takeKeyframe(recording, event.terminal, taker);
      }
    }
    return printed;
  }

  /** Takes a keyframe of everything written of `terminal`, to be written in the current segment once computed. */
  private takeKeyframe(recording: AttendeeRecording, terminal: string, taker: KeyframeTaker): void {
    const file = recording.file;
    const events = recording.lines.get(terminal) ?? 0;
    // Nothing of it in this segment yet: a keyframe could not say where it lands (the next one will).
    if (!file || events === 0) return;
    const t = Math.max(0, this.now() - recording.segmentStart);
    taker.take((state) => file.append(`${encodeEvent({ t, kind: 'keyframe', terminal, events, ...state })}\n`));
  }

  /** The segment ends: a keyframe of each terminal at its end (a finished recording's end is one). */
  private takeEndKeyframes(recording: AttendeeRecording): void {
    for (const [terminal, taker] of recording.keyframes) if (taker.endsWithKeyframe) this.takeKeyframe(recording, terminal, taker);
  }

  private async keyframesSettled(recording: AttendeeRecording): Promise<void> {
    await Promise.all([...recording.keyframes.values()].map((taker) => taker.settled()));
  }

  private openSegment(recording: AttendeeRecording, startedAt: number): SegmentFile {
    const folder = join(this.options.folder, recording.id);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const path = join(folder, `${startedAt}-${randomBytes(4).toString('hex')}.jsonl.gz`);
    const file = new SegmentFile(path, (error) => this.options.log(`recording ${recording.id}: cannot write ${path}: ${error.message}`));
    recording.segmentStart = startedAt;
    recording.lines = new Map();
    file.append(`${encodeHeader({ labdeck: 'recording', version: recordingVersion, attendee: recording.id, startedAt, input: this.options.input })}\n`);
    return file;
  }
}

/** Output events shorter than this, together, are never worth looking at for a flood. */
const floodCheckChars = 16 * 1024;

/**
 * `events` without the plain lines of each terminal's output that later lines of the same stretch scroll out of its
 * screen and scrollback (flood.ts). A stretch is the terminal's output between two resizes
 * (or restarts): a resize among the lines would reflow them.
 */
export function withoutFloods(events: readonly RecordedEvent[], terminals: ReadonlyMap<string, { rows: number; scrollback: number }>): RecordedEvent[] {
  // The most rows each terminal had in the batch: more lines kept than needed is safe, fewer is not.
  const rows = new Map<string, number>();
  for (const event of events) {
    if (event.kind === 'resize' || event.kind === 'start') rows.set(event.terminal, Math.max(event.rows, rows.get(event.terminal) ?? 0));
  }
  // Per terminal, its current stretch of output events and their length.
  const stretches = new Map<string, { outputs: OutputEvent[]; chars: number }>();
  const done: { outputs: OutputEvent[]; keepLines: number }[] = [];
  const close = (terminal: string): void => {
    const stretch = stretches.get(terminal);
    const geometry = terminals.get(terminal);
    stretches.delete(terminal);
    if (!stretch || !geometry || stretch.chars < floodCheckChars) return;
    done.push({ outputs: stretch.outputs, keepLines: geometry.scrollback + 2 * Math.max(geometry.rows, rows.get(terminal) ?? 0) });
  };
  for (const event of events) {
    if (event.kind === 'output') {
      const stretch = stretches.get(event.terminal) ?? { outputs: [], chars: 0 };
      stretch.outputs.push(event);
      stretch.chars += event.data.length;
      stretches.set(event.terminal, stretch);
    } else if (event.kind === 'resize' || event.kind === 'start') close(event.terminal);
  }
  for (const terminal of [...stretches.keys()]) close(terminal);
  const kept = new Map<RecordedEvent, string>();
  for (const { outputs, keepLines } of done) {
    const cut = cutFlood(
      outputs.map((event) => event.data),
      keepLines,
    );
    if (!cut) continue;
    outputs.forEach((event, index) => {
      const data = cut[index] ?? event.data;
      if (data !== event.data) kept.set(event, data);
    });
  }
  if (kept.size === 0) return [...events];
  return events.flatMap((event) => {
    const data = kept.get(event);
    if (data === undefined) return [event];
    return data === '' ? [] : [{ ...event, data } as RecordedEvent];
  });
}

type OutputEvent = Extract<RecordedEvent, { kind: 'output' }>;
