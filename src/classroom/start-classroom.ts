// A class and its attendees' environments, started in order: the class opens (its code and known attendees come
// from the store), the environment provider is made for that code, then the two are linked: each attendee who
// arrives (known at start, or joining) gets their environment prepared, each one removed has it taken down. A start
// that fails on the way leaves no class behind.
import { openClassroom, type AttendeeChecks, type Classroom } from './classroom.ts';
import type { ClassroomConfig } from '../config/classroom.ts';
import type { DeckSource } from '../deck/deck-source.ts';
import type { EngineClient } from '../engine/services.ts';
import { createEnvironmentProvider } from '../environments/create-provider.ts';
import type { EnvironmentProvider } from '../environments/provider.ts';
import type { NodeAccess } from '../environments/class-nodes.ts';
import type { Disposable } from '../event.ts';

export interface StartClassroomOptions {
  /** The class's data folder (already checked: not served, not another class's). */
  readonly dataDir: string;
  /** The workshop's `classroom:` settings: its environment provider and when an attendee is stuck. */
  readonly config: ClassroomConfig;
  readonly deck: DeckSource;
  /** Each attendee's checks (their environment's), and the end of watching the engine of one who left. */
  readonly checks: { forAttendee(attendee: string): AttendeeChecks; forget(attendee: string): void };
  /** The class engine (the swarm manager for `swarm`). */
  readonly docker: EngineClient;
  readonly log: (line: string) => void;
  /** How labdeck logs in to the class swarm's other nodes (their `labdeck.engine` labels). */
  readonly nodeAccess?: NodeAccess | undefined;
}

export interface StartedClassroom {
  readonly classroom: Classroom;
  readonly environments: EnvironmentProvider;
  /** The environments followed where they run (e.g. a sandbox the swarm moved): stop with dispose(). */
  readonly following: Disposable;
}

export function startClassroom(options: StartClassroomOptions): StartedClassroom {
  const classroom = openClassroom({
    dataDir: options.dataDir,
    deck: options.deck,
    // A class identifies everyone, even on loopback: progress is kept per attendee, so nobody is anonymous.
    openToLocalAttendee: false,
    stuckAfterMs: options.config.stuckAfterMs,
    checksOf: (attendee) => options.checks.forAttendee(attendee),
  });
  let environments: EnvironmentProvider;
  try {
    environments = createEnvironmentProvider(options.config.environment, {
      docker: options.docker,
      classId: classroom.classCode,
      dataDir: options.dataDir,
      log: options.log,
      nodeAccess: options.nodeAccess,
      onNote: (attendee, note) => classroom.environmentNote(attendee, note),
    });
  } catch (error) {
    classroom.abandon(); // e.g. an attendees file with a mistake: the next start makes the class people join
    throw error;
  }
  // An attendee's environment is made when they join (or found again after a restart), in the background: their
  // terminals show its progress. A failure is logged by the provider and shown in the attendee's terminals. Once
  // ready, the engine the attendee's checks watch may be known only now (`external`): the class follows those
  // checks from then on.
  if (environments.kind !== 'local') {
    classroom.onArrival((attendee) => {
      environments.up(attendee).then(
        () => classroom.environmentChanged(attendee.id),
        () => {},
      );
    });
  }
  // Warm seats: the pool is filled now and after each claim, in the background, and shown on the dashboard.
  const seats = environments.seats;
  if (seats && seats.target > 0) classroom.keepSeats(seats);
  // An attendee the instructor removed: their engine is no longer watched, and their environment goes (a swarm
  // sandbox is removed; a prepared machine is left as it is).
  classroom.onRemoval((attendee) => {
    options.checks.forget(attendee.id);
    environments.down(attendee).catch((error: unknown) => options.log(`environment ${attendee.id}: ${(error as Error).message}`));
  });
  const following = environments.follow?.() ?? { dispose: () => {} };
  return { classroom, environments, following };
}
