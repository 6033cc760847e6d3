// The recordings of a data folder, as readers see them: each attendee's Timeline (the replay routes, through
// TimelineSource; `labdeck record export`), removing one attendee's, and retention (old segments deleted). Reads
// beside a running recorder: a segment being written reads as far as it was flushed.
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isValidTerminalName, type Timeline } from '../protocol.ts';
import { decodeSegment, timelineFromSegments, type Segment } from './recording-format.ts';
import { readSegmentFile } from './segment-file.ts';
import type { TimelineSource } from './timeline-source.ts';

/** Where a data folder keeps its recordings. */
export function recordingsFolder(dataDir: string): string {
  return join(dataDir, 'recordings');
}

const segmentName = /^\d+-[0-9a-f]+\.jsonl\.gz$/;

export interface RecordingsOptions {
  /** The recordings folder (recordingsFolder). */
  readonly folder: string;
  /** A segment that cannot be read is skipped and said here. */
  readonly log?: (line: string) => void;
}

export class Recordings implements TimelineSource {
  constructor(private readonly options: RecordingsOptions) {}

  /** Attendees with a recording, by id. */
  attendees(): string[] {
    return listNames(this.options.folder).filter((name) => isValidTerminalName(name) && this.segmentFiles(name).length > 0);
  }

  async timelineOf(attendeeId: string): Promise<Timeline | undefined> {
    return this.timelineNow(attendeeId);
  }

  /** timelineOf, synchronously (the export command). */
  timelineNow(attendeeId: string): Timeline | undefined {
    if (!isValidTerminalName(attendeeId)) return undefined;
    const segments: Segment[] = [];
    for (const path of this.segmentFiles(attendeeId)) {
      let segment: Segment | undefined;
      try {
        segment = decodeSegment(readSegmentFile(path));
      } catch (error) {
        this.options.log?.(`recording ${path}: unreadable, skipped: ${(error as Error).message}`);
      }
      if (segment?.header.attendee === attendeeId) segments.push(segment);
    }
    return timelineFromSegments(attendeeId, segments);
  }

  /** Deletes an attendee's whole recording. */
  remove(attendeeId: string): void {
    if (isValidTerminalName(attendeeId)) rmSync(join(this.options.folder, attendeeId), { recursive: true, force: true });
  }

  /**
   * Deletes the segments last written more than `retentionMs` before `now`, and the folders of attendees left with
   * none. Returns how many segments went.
   */
  removeOlderThan(retentionMs: number, now: number = Date.now()): number {
    let removed = 0;
    for (const attendee of listNames(this.options.folder).filter(isValidTerminalName)) {
      const files = this.segmentFiles(attendee);
      for (const path of files) {
        const modified = modifiedAt(path);
        if (modified === undefined || now - modified <= retentionMs) continue;
        rmSync(path, { force: true });
        removed++;
      }
      if (this.segmentFiles(attendee).length === 0) rmSync(join(this.options.folder, attendee), { recursive: true, force: true });
    }
    return removed;
  }

  /**
   * Copies every attendee's segments into another recordings folder (a backup), folders 0700 like the data folder's;
   * a segment being written is copied as far as it was flushed, which reads as it would after a crash. Returns how
   * many attendees' recordings were copied.
   */
  copyTo(folder: string): number {
    const attendees = this.attendees();
    for (const attendee of attendees) {
      const into = join(folder, attendee);
      mkdirSync(into, { recursive: true, mode: 0o700 });
      for (const path of this.segmentFiles(attendee)) copyFileSync(path, join(into, basename(path)));
    }
    return attendees.length;
  }

  private segmentFiles(attendee: string): string[] {
    const folder = join(this.options.folder, attendee);
    return listNames(folder)
      .filter((name) => segmentName.test(name))
      .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
      .map((name) => join(folder, name));
  }
}

function listNames(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function modifiedAt(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
