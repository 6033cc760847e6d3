// The instructor dashboard's data, pure: the class as the store holds it plus where each attendee is (follow-me)
// → one DashboardState; who is stuck; and what changed between two states, so that a hundred attendees cost the
// dashboard a few changed rows and cells per update rather than the whole class. Imports nothing but protocol.ts
// and the (pure) rules of attendee names.
import { cleanName, nameKey } from './attendee-name.ts';
import { elementAt } from '../errors.ts';
import type {
  DashboardAttendeeJson,
  DashboardFollowJson,
  DashboardPatch,
  DashboardResultJson,
  DashboardSeatsJson,
  DashboardState,
  EnvironmentNoteJson,
  SlideJson,
} from '../protocol.ts';

/** "Stuck" means failing the same step for this long, unless the class says otherwise. */
export const defaultStuckAfterMs = 5 * 60_000;

/** The class as the progress store holds it (src/classroom/classroom.ts builds it). */
export interface ClassSnapshot {
  readonly attendees: readonly { readonly id: string; readonly name: string; readonly joinedAt: number }[];
  readonly steps: DashboardState['steps'];
  readonly results: readonly DashboardResultJson[];
  /** By attendee id. */
  readonly lastCommands: ReadonlyMap<string, NonNullable<DashboardAttendeeJson['lastCommand']>>;
  readonly stuckAfterMs: number;
  /** By attendee id: what happened to their environment (sandbox recreated, class full). */
  readonly environmentNotes?: ReadonlyMap<string, EnvironmentNoteJson>;
  /** The warm seats, when the class keeps some. */
  readonly seats?: DashboardSeatsJson | null;
  /** "N · title" of a slide (0-based index). */
  slideLabel(index: number): string;
}

/** Where attendees are and what the instructor does with follow-me (src/http/follow-channel.ts). */
export interface FollowSnapshot {
  readonly presence: ReadonlyMap<string, { readonly pages: number; readonly index: number | null; readonly following: boolean }>;
  readonly paused: boolean;
  readonly leaderIndex: number | null;
  readonly message: DashboardFollowJson['message'];
}

/** The step an attendee has been failing longest, when that is at least `stuckAfterMs`; null otherwise. */
export function stuckOn(
  results: readonly Pick<DashboardResultJson, 'step' | 'status' | 'since'>[],
  now: number,
  stuckAfterMs: number,
): { readonly step: string; readonly since: number } | null {
  let stuck: { step: string; since: number } | null = null;
  for (const result of results) {
    if (result.status !== 'failed' || now - result.since < stuckAfterMs) continue;
    if (!stuck || result.since < stuck.since) stuck = { step: result.step, since: result.since };
  }
  return stuck;
}

export function composeBoard(snapshot: ClassSnapshot, follow: FollowSnapshot, now: number): DashboardState {
  const resultsOf = new Map<string, DashboardResultJson[]>();
  for (const result of snapshot.results) {
    const list = resultsOf.get(result.attendee) ?? [];
    list.push(result);
    resultsOf.set(result.attendee, list);
  }
  // Names joined before the join cleaned them are cleaned here: no bidi override reorders a dashboard row.
  const names = snapshot.attendees.map((attendee) => cleanName(attendee.name) || attendee.id);
  const keys = names.map(nameKey);
  const sameName = new Map<string, number>();
  for (const key of keys) sameName.set(key, (sameName.get(key) ?? 0) + 1);
  const attendees = snapshot.attendees.map((attendee, index): DashboardAttendeeJson => {
    const presence = follow.presence.get(attendee.id);
    const environment = snapshot.environmentNotes?.get(attendee.id);
    return {
      id: attendee.id,
      name: elementAt(names, index),
      sameNameCount: sameName.get(elementAt(keys, index)) ?? 1, // counted above: this attendee at least
      joinedAt: attendee.joinedAt,
      connected: (presence?.pages ?? 0) > 0,
      slide: presence?.index == null ? null : { index: presence.index, label: snapshot.slideLabel(presence.index), following: presence.following },
      lastCommand: snapshot.lastCommands.get(attendee.id) ?? null,
      stuck: stuckOn(resultsOf.get(attendee.id) ?? [], now, snapshot.stuckAfterMs),
      ...(environment ? { environment } : {}),
    };
  });
  return {
    attendees,
    steps: snapshot.steps,
    results: snapshot.results,
    follow: {
      paused: follow.paused,
      leader: follow.leaderIndex === null ? null : { index: follow.leaderIndex, label: snapshot.slideLabel(follow.leaderIndex) },
      message: follow.message,
    },
    stuckAfterMs: snapshot.stuckAfterMs,
    seats: snapshot.seats ?? null,
  };
}

/**
 * What changed from `previous` to `next`: a patch of whole changed rows and cells, 'full' when the grid itself
 * changed (other steps after a deck reload, something removed), undefined when nothing did.
 */
export function diffBoard(previous: DashboardState, next: DashboardState): DashboardPatch | 'full' | undefined {
  if (previous.stuckAfterMs !== next.stuckAfterMs || JSON.stringify(previous.steps) !== JSON.stringify(next.steps)) return 'full';
  // A patch only adds and replaces: an attendee removed (or a result gone with them) needs the whole state.
  const nextIds = new Set(next.attendees.map((attendee) => attendee.id));
  const nextCells = new Set(next.results.map(cellKey));
  if (previous.attendees.some((attendee) => !nextIds.has(attendee.id)) || previous.results.some((result) => !nextCells.has(cellKey(result)))) return 'full';
  const rows = new Map(previous.attendees.map((attendee) => [attendee.id, JSON.stringify(attendee)]));
  const attendees = next.attendees.filter((attendee) => rows.get(attendee.id) !== JSON.stringify(attendee));
  const cells = new Map(previous.results.map((result) => [cellKey(result), result]));
  const results = next.results.filter((result) => {
    const before = cells.get(cellKey(result));
    return !before || before.status !== result.status || before.since !== result.since;
  });
  const followChanged = JSON.stringify(previous.follow) !== JSON.stringify(next.follow);
  const seatsChanged = JSON.stringify(previous.seats) !== JSON.stringify(next.seats);
  if (attendees.length === 0 && results.length === 0 && !followChanged && !seatsChanged) return undefined;
  return { attendees, results, ...(followChanged ? { follow: next.follow } : {}), ...(seatsChanged ? { seats: next.seats } : {}) };
}

function cellKey(result: Pick<DashboardResultJson, 'attendee' | 'step'>): string {
  return `${result.attendee}\n${result.step}`;
}

/** "12 · Title of the slide": the 1-based number the page's URL uses, and the slide's first heading. */
export function slideLabel(slides: readonly SlideJson[], index: number): string {
  const title = slides[index] ? headingText(slides[index].html) || (slides[index].name ?? '') : '';
  return title ? `${index + 1} · ${title}` : String(index + 1);
}

const maxTitleLength = 60;

function headingText(html: string): string {
  const heading = /<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1>/i.exec(html);
  if (!heading) return '';
  const text = elementAt(heading, 2)
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (whole, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[entity] ?? whole)
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > maxTitleLength ? `${text.slice(0, maxTitleLength - 1)}…` : text;
}
