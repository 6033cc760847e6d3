// The classroom for `labdeck serve --classroom`: the class and its attendees live in the progress store (so a restart
// locks nobody out), access.ts is seeded from it, and every change of a step result is recorded per attendee. Each
// attendee's results come from the checks of their own environment (checksOf); when that environment is made again
// or its engine becomes known (environmentChanged), the class follows the new checks. Removing an attendee revokes
// their token and closes what is theirs. The dashboard is built from the store and the served deck.
import { randomBytes } from 'node:crypto';
import { createAccess, newToken, type Access } from './access.ts';
import type { ClassroomSource } from './classroom-source.ts';
import { Emitter, type Disposable, type Event } from '../event.ts';
import type { DeckSource } from '../deck/deck-source.ts';
import type { CheckService } from '../checks/service.ts';
import type { CommandRecord, DashboardSeatsJson, EnvironmentNoteJson, StepResultJson } from '../protocol.ts';
import { openProgressStore, type ClassRecord } from '../progress/store.ts';
import { defaultStuckAfterMs, slideLabel, type ClassSnapshot } from './board.ts';

export type AttendeeChecks = Pick<CheckService, 'state' | 'onUpdate'>;

export interface ClassroomOptions {
  readonly dataDir: string;
  readonly deck: DeckSource;
  /** Whose results each attendee has: their environment's checks (asked again by environmentChanged()). */
  readonly checksOf: (attendee: string) => AttendeeChecks;
  readonly openToLocalAttendee: boolean;
  /** Failing the same step this long makes an attendee "stuck" on the dashboard (default: 5 minutes). */
  readonly stuckAfterMs?: number;
}

export interface Classroom extends ClassroomSource {
  readonly access: Access;
  readonly classRecord: ClassRecord;
  /** Feed the terminals' shell-integration records here: `terminal` is `${attendee}/${name}`. */
  commandRan(record: CommandRecord): void;
  /**
   * The attendee's environment is ready or was made again (its engine may be known only now): their results come
   * from checksOf(attendee) from now on, starting with its current ones.
   */
  environmentChanged(attendee: string): void;
  /** What happened to the attendee's environment, for the dashboard (null: nothing to say any more). */
  environmentNote(attendee: string, note: EnvironmentNoteJson | null): void;
  /**
   * Every attendee known now (told at once), then each who joins: the time to prepare their environment. Subscribed
   * after the class opened, so that what it calls (an environment provider needs the class code) exists by then.
   */
  readonly onArrival: Event<ClassAttendee>;
  /** The instructor removed an attendee (their token is revoked already): close what is theirs. */
  readonly onRemoval: Event<ClassAttendee>;
  /** While the class is open, it keeps the pool of warm seats filled, and its dashboard shows the pool. */
  keepSeats(seats: SeatSource): void;
  dispose(): void;
  /** The server did not start: as dispose(), and a class this start created is removed (nothing is left behind). */
  abandon(): void;
}

/** What the class needs of a pool of warm seats (environments/warm-pool.ts). */
export interface SeatSource {
  counts(): DashboardSeatsJson | undefined;
  readonly onChange: Event<unknown>;
  /** Fills the pool now and whenever it runs low, until disposed. */
  keepFilled(): Disposable;
}

/** An attendee's id (stable, safe in names and paths) and name (attendee-provided text). */
export interface ClassAttendee {
  readonly id: string;
  readonly name: string;
}

export function openClassroom(options: ClassroomOptions): Classroom {
  const store = openProgressStore(options.dataDir);
  let classRecord: ClassRecord;
  try {
    classRecord = store.classRecord(() => ({
      code: classCode(),
      instructorToken: newToken(),
      watcherToken: newToken(),
      createdAt: Date.now(),
    }));
  } catch (error) {
    store.close(); // a store that refuses to make a class (see walMayHoldAClass) is left as it was, and unlocked
    throw error;
  }
  const changeEmitter = new Emitter<void>();
  const changed = (): void => changeEmitter.fire();
  const arrivalEmitter = new Emitter<ClassAttendee>();
  const removalEmitter = new Emitter<ClassAttendee>();
  /** Per attendee: the checks their results come from, and the subscription to them. */
  const subscriptions = new Map<string, { checks: AttendeeChecks; subscription: Disposable }>();
  let seats: { source: SeatSource; subscription: Disposable } | undefined;
  // Slide labels are asked for on every dashboard update: worked out once per deck version.
  let labelCache: { version: number; labels: Map<number, string> } | undefined;
  const labels =
    (deck: ReturnType<DeckSource['current']>) =>
    (index: number): string => {
      if (labelCache?.version !== deck.version) labelCache = { version: deck.version, labels: new Map() };
      let label = labelCache.labels.get(index);
      if (label === undefined) labelCache.labels.set(index, (label = slideLabel(deck.slides, index)));
      return label;
    };

  const record = (attendee: string, result: StepResultJson): boolean =>
    store.recordResult({ attendee, step: result.stepId, status: result.status, reason: result.reason, at: result.at });
  const follow = (attendee: string): void => {
    const checks = options.checksOf(attendee);
    const current = subscriptions.get(attendee);
    if (current?.checks === checks) return;
    current?.subscription.dispose();
    let any = false;
    for (const result of checks.state().results) any = record(attendee, result) || any;
    if (any) changed();
    const subscription = checks.onUpdate((message) => {
      const results = message.type === 'result' ? [message.result] : message.type === 'results' ? message.results : [];
      let news = false;
      for (const result of results) news = record(attendee, result) || news;
      if (news) changed();
    });
    subscriptions.set(attendee, { checks, subscription });
  };
  const stopFollowing = (): void => {
    for (const { subscription } of subscriptions.values()) subscription.dispose();
    subscriptions.clear();
    changeEmitter.dispose();
    arrivalEmitter.dispose();
    removalEmitter.dispose();
  };

  const access = createAccess({
    instructorToken: classRecord.instructorToken,
    watcherToken: classRecord.watcherToken,
    openToLocalAttendee: options.openToLocalAttendee,
    anonymousReaders: false,
    attendees: store.attendees().map((known) => ({ attendee: known.id, name: known.name, token: known.token })),
    // Stored before the token is handed out: a token the browser holds always survives a restart.
    onAttendeeAdded: (known) => store.addAttendee({ id: known.attendee, name: known.name, token: known.token, joinedAt: Date.now() }),
  });
  for (const known of store.attendees()) follow(known.id);
  const environmentNotes = new Map<string, EnvironmentNoteJson>();

  return {
    access,
    classRecord,
    classCode: classRecord.code,
    join(name) {
      const attendee = `a-${randomBytes(6).toString('hex')}`;
      const token = access.addAttendee(attendee, name);
      follow(attendee);
      arrivalEmitter.fire({ id: attendee, name });
      changed();
      return token;
    },
    dashboard(): ClassSnapshot {
      const deck = options.deck.current();
      const steps = deck.steps.map(({ id, slide, text }) => ({ id, slide, text }));
      const lastCommands = new Map<string, NonNullable<ReturnType<ClassSnapshot['lastCommands']['get']>>>();
      for (const summary of store.commandSummaries()) {
        if (summary.lastCommand !== null) lastCommands.set(summary.attendee, { command: summary.lastCommand, exitCode: summary.lastExitCode, at: summary.lastAt ?? 0 });
      }
      return {
        attendees: store.attendees().map(({ id, name, joinedAt }) => ({ id, name, joinedAt })),
        steps,
        results: store.latestResults().map(({ attendee, step, status, since }) => ({ attendee, step, status, since })),
        lastCommands,
        environmentNotes,
        stuckAfterMs: options.stuckAfterMs ?? defaultStuckAfterMs,
        seats: seats?.source.counts() ?? null,
        slideLabel: labels(deck),
      };
    },
    removeAttendee(attendee) {
      const name = store.attendees().find((known) => known.id === attendee)?.name ?? attendee;
      if (!store.removeAttendee(attendee)) return false;
      subscriptions.get(attendee)?.subscription.dispose();
      subscriptions.delete(attendee);
      access.removeAttendee(attendee);
      removalEmitter.fire({ id: attendee, name });
      changed();
      return true;
    },
    onChange: changeEmitter.event,
    commandRan(commandRecord) {
      if (commandRecord.exitCode === undefined) return; // counted once, when it ends
      const attendee = commandRecord.terminal.split('/')[0] ?? '';
      store.recordCommand(attendee, { command: commandRecord.command, exitCode: commandRecord.exitCode, at: commandRecord.endedAt ?? commandRecord.startedAt });
      changed();
    },
    onArrival(listener) {
      const subscription = arrivalEmitter.event(listener);
      for (const { id, name } of store.attendees()) listener({ id, name });
      return subscription;
    },
    onRemoval: removalEmitter.event,
    environmentNote(attendee, note) {
      // Kept by this server only: a note is about what happened while it ran.
      if (note) environmentNotes.set(attendee, note);
      else if (!environmentNotes.delete(attendee)) return;
      changed();
    },
    keepSeats(source) {
      seats?.subscription.dispose();
      const shown = source.onChange(changed);
      const keeping = source.keepFilled();
      seats = {
        source,
        subscription: {
          dispose: () => {
            shown.dispose();
            keeping.dispose();
          },
        },
      };
      changed();
    },
    environmentChanged(attendee) {
      // Only attendees of this class: an environment left over from another class is not followed.
      if (subscriptions.has(attendee)) follow(attendee);
    },
    dispose() {
      seats?.subscription.dispose();
      stopFollowing();
      store.close();
    },
    abandon() {
      seats?.subscription.dispose();
      stopFollowing();
      store.abandon();
    },
  };
}

/** Six characters people can read aloud and type: no 0/O or 1/I/L. */
function classCode(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  return [...randomBytes(6)].map((byte) => alphabet[byte % alphabet.length]).join('');
}
