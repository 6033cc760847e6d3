// Records each attendee's class as it happens: their terminals' output (and resizes, and typed input when the
// workshop says `record: { input: true }`), the commands they ran, the slides their page moved to and how their
// checks moved. Events wait in memory and are written once a second (flushMs) into the attendee's current segment
// (segment-file.ts), so that the terminals never wait for the disk and a SIGKILL loses at most the last second.
//
// Layout: <folder>/<attendee id>/<start ms>-<random>.jsonl.gz, one segment per attendee per stretch of activity:
// a segment idle for idleCloseMs is closed (its compressor's memory freed) and the next event starts another.
//
// A flood (`cat` of a large file, `yes`) is not recorded line by line: of a second's output, the plain lines that
// later lines scroll out of every screen and scrollback are left out, as the server's mirror leaves them out
// (terminal/screen-mirror.ts skippableRange). The replayed screen is the same; the recording stays small and cheap.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandRecord } from '../protocol.ts';
import { isValidTerminalName } from '../protocol.ts';
import { skippableRange } from '../terminal/screen-mirror.ts';
import type { TapStart, TerminalTap } from '../terminal/session.ts';
import { encodeEvent, encodeHeader, recordingVersion, type RecordedEvent } from './recording-format.ts';
import { SegmentFile } from './segment-file.ts';

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

  /** Writes every waiting event now (the timer does it every flushMs). */
  flush(): void {
    const now = this.now();
    for (const recording of this.attendees.values()) {
      if (recording.pending.length > 0) this.write(recording);
      else if (recording.file && now - recording.lastEventAt >= (this.options.idleCloseMs ?? defaultIdleCloseMs)) {
        const file = recording.file;
        recording.file = undefined;
        void file.close();
      }
    }
  }

  /** Writes what waits and closes every segment (the server stops). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([...this.attendees.values()].map((recording) => recording.file?.close()));
    this.attendees.clear();
  }

  private recordingOf(attendee: string): AttendeeRecording | undefined {
    if (this.closed || this.removed.has(attendee) || !isValidTerminalName(attendee)) return undefined;
    let recording = this.attendees.get(attendee);
    if (!recording) {
      recording = { id: attendee, file: undefined, segmentStart: 0, pending: [], lastEventAt: 0, slide: undefined, terminals: new Map() };
      this.attendees.set(attendee, recording);
    }
    return recording;
  }

  private add(recording: AttendeeRecording, event: RecordedEvent): void {
    if (this.closed || !this.attendees.has(recording.id)) return;
    recording.pending.push(event);
    recording.lastEventAt = event.t;
  }

  private write(recording: AttendeeRecording): void {
    const events = withoutFloods(recording.pending, recording.terminals);
    recording.pending = [];
    if (!recording.file) {
      try {
        recording.file = this.openSegment(recording, events[0]?.t ?? this.now());
      } catch (error) {
        this.options.log(`recording ${recording.id}: cannot write: ${(error as Error).message}`);
        return;
      }
    }
    const start = recording.segmentStart;
    let text = '';
    for (const event of events) text += `${encodeEvent({ ...event, t: Math.max(0, event.t - start) })}\n`;
    recording.file.append(text);
  }

  private openSegment(recording: AttendeeRecording, startedAt: number): SegmentFile {
    const folder = join(this.options.folder, recording.id);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const path = join(folder, `${startedAt}-${randomBytes(4).toString('hex')}.jsonl.gz`);
    const file = new SegmentFile(path, (error) => this.options.log(`recording ${recording.id}: cannot write ${path}: ${error.message}`));
    recording.segmentStart = startedAt;
    file.append(`${encodeHeader({ labdeck: 'recording', version: recordingVersion, attendee: recording.id, startedAt, input: this.options.input })}\n`);
    return file;
  }
}

/** Output events shorter than this, together, are never worth looking at for a flood. */
const floodCheckChars = 16 * 1024;

/**
 * `events` without the plain lines of each terminal's output that later lines of the same batch scroll out of its
 * screen and scrollback (skippableRange, the mirror's rule). Only for terminals not resized or restarted in the
 * batch: a resize between the lines would reflow them.
 */
export function withoutFloods(events: readonly RecordedEvent[], terminals: ReadonlyMap<string, { rows: number; scrollback: number }>): RecordedEvent[] {
  const outputChars = new Map<string, number>();
  const reshaped = new Set<string>();
  for (const event of events) {
    if (event.kind === 'output') outputChars.set(event.terminal, (outputChars.get(event.terminal) ?? 0) + event.data.length);
    else if (event.kind === 'resize' || event.kind === 'start') reshaped.add(event.terminal);
  }
  let result: RecordedEvent[] = [...events];
  for (const [terminal, chars] of outputChars) {
    const geometry = terminals.get(terminal);
    if (chars < floodCheckChars || reshaped.has(terminal) || !geometry) continue;
    const outputs = result.filter((event): event is Extract<RecordedEvent, { kind: 'output' }> => event.kind === 'output' && event.terminal === terminal);
    const range = skippableRange(outputs.map((event) => event.data).join(''), geometry.scrollback + 2 * geometry.rows);
    if (!range) continue;
    let offset = 0;
    const kept = new Map<RecordedEvent, string>();
    for (const event of outputs) {
      const start = offset;
      const end = (offset += event.data.length);
      if (end <= range.from || start >= range.to) continue;
      kept.set(event, event.data.slice(0, Math.max(0, range.from - start)) + event.data.slice(Math.max(0, range.to - start)));
    }
    result = result.flatMap((event) => {
      const data = kept.get(event);
      if (data === undefined) return [event];
      return data === '' ? [] : [{ ...event, data } as RecordedEvent];
    });
  }
  return result;
}
