// Maps lines of assembled markdown back to the file and line they came from, so that every error and every
// slide can name `file:line` even though chapters are concatenated (and fragments inlined) before parsing.
// Lines, not offsets: de-indenting and entity decoding change offsets but never the line structure.
import { elementAt, type SourceLocation } from '../errors.ts';

export interface SourceSegment {
  /** 1-based line of the assembled text where this segment starts. */
  readonly startLine: number;
  readonly file: string;
  /** 1-based line in `file` of the segment's first line. */
  readonly fileLine: number;
}

export interface SourceMap {
  /** Sorted by startLine. */
  readonly segments: readonly SourceSegment[];
}

export function singleFileMap(file: string): SourceMap {
  return { segments: [{ startLine: 1, file, fileLine: 1 }] };
}

/** Where line `line` (1-based) of the assembled text came from. */
export function locate(map: SourceMap, line: number): SourceLocation {
  let segment = map.segments[0];
  if (!segment) return { file: '<unknown>', line };
  let low = 0;
  let high = map.segments.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const candidate = elementAt(map.segments, middle);
    if (candidate.startLine <= line) {
      segment = candidate;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return { file: segment.file, line: segment.fileLine + (line - segment.startLine) };
}
