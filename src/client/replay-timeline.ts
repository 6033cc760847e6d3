// What the replay player reads out of a Timeline, pure (tested without a browser): each terminal's track (output and
// resizes, with their times in one typed array for binary search, and its keyframes), where a seek starts writing
// from, the markers on the scrubber, and the slide the attendee was on at any moment.
import type { Timeline, TimelineKeyframe } from '../protocol.ts';

export type TrackEvent = { readonly t: number; readonly data: string } | { readonly t: number; readonly cols: number; readonly rows: number };

export interface TerminalTrack {
  readonly name: string;
  /** The size when recording of it began. */
  readonly cols: number;
  readonly rows: number;
  readonly events: readonly TrackEvent[];
  /** `events[i].t`, for binary search. */
  readonly times: Float64Array;
  /** Its keyframes, by `events` ascending. */
  readonly keyframes: readonly TimelineKeyframe[];
}

export type MarkerKind = 'slide' | 'command' | 'check';

export interface Marker {
  readonly t: number;
  readonly kind: MarkerKind;
  /** What a person reads (and a screen reader says) for it. */
  readonly label: string;
  /** Commands: green (exit 0), red (any other exit code), neutral (the shell did not say). Checks: passed is ok. */
  readonly tone: 'ok' | 'failed' | 'neutral';
  /** The terminal it happened in (commands). */
  readonly terminal?: string;
}

export interface SlideMoment {
  readonly t: number;
  readonly slide: number;
  readonly name?: string;
}

export function tracksOf(timeline: Timeline): TerminalTrack[] {
  const events = new Map<string, TrackEvent[]>(timeline.terminals.map((terminal) => [terminal.name, []]));
  for (const event of timeline.events) {
    if (event.kind !== 'output' && event.kind !== 'resize') continue;
    let list = events.get(event.terminal);
    if (!list) events.set(event.terminal, (list = []));
    list.push(event.kind === 'output' ? { t: event.t, data: event.data } : { t: event.t, cols: event.cols, rows: event.rows });
  }
  return [...events].map(([name, list]) => {
    const terminal = timeline.terminals.find((candidate) => candidate.name === name);
    const keyframes = (timeline.keyframes ?? []).filter((keyframe) => keyframe.terminal === name && keyframe.events <= list.length).sort((a, b) => a.events - b.events);
    return { name, cols: terminal?.cols ?? 80, rows: terminal?.rows ?? 24, events: list, times: Float64Array.from(list, (event) => event.t), keyframes };
  });
}

/**
 * Where a player that has written `played` events of `track` starts to show `target` of them: on from where it is
 * for a step forward over at most `rebuildChars` of output; otherwise (back, or far forward) in a new terminal, from
 * the last keyframe at or before `target`, or from the start when there is none.
 */
export function seekPlan(track: TerminalTrack, played: number, target: number, rebuildChars: number): SeekPlan {
  if (target >= played && charsBetween(track, played, target, rebuildChars) <= rebuildChars) return { rebuild: false, from: played };
  let keyframe: TimelineKeyframe | undefined;
  for (const candidate of track.keyframes) {
    if (candidate.events > target) break;
    keyframe = candidate;
  }
  return keyframe ? { rebuild: true, from: keyframe.events, keyframe } : { rebuild: true, from: 0 };
}

/** What a player writes into a terminal: output (consecutive events' joined), or a resize. */
export type TrackStep = string | { readonly cols: number; readonly rows: number };

/** Events [from, to) of `track` as steps: each run of output one string, so that xterm parses it in one write. */
export function stepsBetween(track: TerminalTrack, from: number, to: number): TrackStep[] {
  const steps: TrackStep[] = [];
  let output = '';
  for (let i = from; i < to; i++) {
    const event = track.events[i];
    if (!event) break;
    if ('data' in event) output += event.data;
    else {
      if (output) steps.push(output);
      output = '';
      steps.push({ cols: event.cols, rows: event.rows });
    }
  }
  if (output) steps.push(output);
  return steps;
}

/** The output characters of `steps`. */
export function outputChars(steps: readonly TrackStep[]): number {
  let chars = 0;
  for (const step of steps) if (typeof step === 'string') chars += step.length;
  return chars;
}

/**
 * `data` cut into pieces of at most `size` characters, never between the two halves of a surrogate pair. xterm.js
 * parses what it is given in one task, and yields between writes once 12 ms have passed: a keyframe's 40 KiB in one
 * write held the page for 50-70 ms, frames included (bench/replay.ts, Chromium's trace).
 */
export function writeSlices(data: string, size: number): string[] {
  if (size < 2) throw new RangeError(`writeSlices: size ${size} cannot hold a surrogate pair`);
  const slices: string[] = [];
  for (let start = 0; start < data.length; ) {
    let end = Math.min(start + size, data.length);
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end--;
    slices.push(data.slice(start, end));
    start = end;
  }
  return slices;
}

/** Write events [from, target) on the terminal as it is, or into a new one (after the keyframe's state, if any). */
export type SeekPlan = { readonly rebuild: false; readonly from: number } | { readonly rebuild: true; readonly from: number; readonly keyframe?: TimelineKeyframe };

/** The output characters of events [from, to), counted up to just past `limit`. */
function charsBetween(track: TerminalTrack, from: number, to: number, limit: number): number {
  let chars = 0;
  for (let i = from; i < to && chars <= limit; i++) {
    const event = track.events[i];
    if (event && 'data' in event) chars += event.data.length;
  }
  return chars;
}

/** How many of `times` (sorted) are at or before `t`: the events a player at `t` has played. */
export function countUpTo(times: Float64Array, t: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] as number) <= t) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function markersOf(timeline: Timeline): Marker[] {
  const markers: Marker[] = [];
  for (const event of timeline.events) {
    if (event.kind === 'slide') {
      markers.push({ t: event.t, kind: 'slide', label: `Slide ${event.slide + 1}${event.name ? ` (${event.name})` : ''}`, tone: 'neutral' });
    } else if (event.kind === 'command') {
      const exit = event.exitCode === null ? 'exit code unknown' : `exit code ${event.exitCode}`;
      const tone = event.exitCode === null ? 'neutral' : event.exitCode === 0 ? 'ok' : 'failed';
      markers.push({ t: event.t, kind: 'command', label: `Command ${event.command} (${exit})`, tone, terminal: event.terminal });
    } else if (event.kind === 'check') {
      const tone = event.to === 'passed' ? 'ok' : event.to === 'failed' || event.to === 'error' ? 'failed' : 'neutral';
      markers.push({ t: event.t, kind: 'check', label: `Check ${event.step}: ${event.from} → ${event.to}${event.reason ? `: ${event.reason}` : ''}`, tone });
    }
  }
  return markers;
}

/** The marker nearest `t` within `withinMs` of it (a click on the markers' drawing), or none. `markers` by time. */
export function markerNear(markers: readonly Marker[], t: number, withinMs: number): Marker | undefined {
  let nearest: Marker | undefined;
  for (const marker of markers) {
    const distance = Math.abs(marker.t - t);
    if (distance <= withinMs && (!nearest || distance < Math.abs(nearest.t - t))) nearest = marker;
    if (marker.t > t + withinMs) break;
  }
  return nearest;
}

/** The markers exactly at `t` (what the scrubber names there). `markers` by time. */
export function markersAt(markers: readonly Marker[], t: number): Marker[] {
  return markers.filter((marker) => marker.t === t);
}

/** The first marker after `t` (direction 1) or the last before it (-1): PageDown and PageUp. `markers` by time. */
export function neighbourMarker(markers: readonly Marker[], t: number, direction: 1 | -1): Marker | undefined {
  if (direction === 1) return markers.find((marker) => marker.t > t);
  return markers.findLast((marker) => marker.t < t);
}

export function slidesOf(timeline: Timeline): SlideMoment[] {
  return timeline.events.flatMap((event) => (event.kind === 'slide' ? [{ t: event.t, slide: event.slide, ...(event.name ? { name: event.name } : {}) }] : []));
}

/** The slide the attendee was on at `t`: the last move at or before it (none before their first move). */
export function slideAt(slides: readonly SlideMoment[], t: number): SlideMoment | undefined {
  let found: SlideMoment | undefined;
  for (const moment of slides) {
    if (moment.t > t) break;
    found = moment;
  }
  return found;
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatTime(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * `2026-12-06 09:05` in the viewer's time zone. Not toLocaleString: its first call loads the locale's formats, which
 * cost the replay page 60-90 ms before the player could be built (bench/replay.ts, Chromium's profiler).
 */
export function formatDate(date: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** The speeds the player offers: 1× to 16×. */
export const replaySpeeds = [1, 2, 4, 8, 16] as const;
