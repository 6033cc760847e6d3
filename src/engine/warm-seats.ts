// Warm seats on the class swarm: sandboxes made before anyone joined, for whoever joins next. Whose a seat is, and
// whether it is ready, is recorded in its service's labels, and only there: the swarm changes a service by
// compare-and-swap (an update names the spec version it read, and a stale one is refused: "update out of
// sequence"), so two attendees claiming at once, in one process or two, never get the same seat, and a restarted
// server finds every claim where it was. Changing the service's own labels leaves its task (the running sandbox)
// alone. A seat may hold a whole cluster (`nodes` above 1): it is then its node1's service, and the other nodes follow
// its claim (cluster-seats.ts).
//
//   warming   made, its engine starting or its images loading (the pool prepares it)
//   ready     engine up, images loaded, sshd answering: nobody has ever entered it. Only while the task it was made
//             ready in runs: a task the swarm recreated (its node failed) is a fresh container, its engine booting and
//             its images gone, so such a seat is never claimed, and the pool replaces it (warm-pool.ts).
//   claimed   an attendee's sandbox from now on (`labdeck.attendee` is theirs); never a seat again
//   retired   being removed (it failed to get ready, or the class ended): nobody may claim it
import type Docker from 'dockerode';
import { SANDBOX_ATTENDEE_LABEL, SANDBOX_CLASS_LABEL, SANDBOX_NAME_LABEL, SANDBOX_SEAT_LABEL, SEAT_STATE_LABEL } from './sandbox-spec.ts';
import { isOtherClusterNode } from './cluster-spec.ts';

/** On a ready seat's service: the task it was made ready in (its container, whose engine has the images). */
export const SEAT_TASK_LABEL = 'labdeck.seat-task';

export type SeatState = 'warming' | 'ready' | 'claimed' | 'retired';

export interface Seat {
  /** The seat's id (`seat-…`), also the sandbox's attendee id while nobody claimed it. */
  readonly seat: string;
  readonly service: string;
  readonly state: SeatState;
  /** The attendee who claimed it. */
  readonly attendee: string | undefined;
  /** The task it was made ready in (undefined while warming). */
  readonly readyTask: string | undefined;
  /** When the swarm made it (ISO 8601): seats are claimed oldest first. */
  readonly createdAt: string;
  /**
   * The swarm's index of the service's last change (one counter for the whole swarm): of two claims, the one the
   * swarm recorded first has the lower index.
   */
  readonly version: number;
}

/** Every warm seat the class has made that still exists (claimed ones included), oldest first. */
export async function listSeats(docker: Docker, classId: string): Promise<Seat[]> {
  const services = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`, SANDBOX_SEAT_LABEL] } });
  return services
    .flatMap((service): Seat[] => {
      const labels = service.Spec?.Labels ?? {};
      const seat = labels[SANDBOX_SEAT_LABEL];
      const state = labels[SEAT_STATE_LABEL];
      const name = service.Spec?.Name;
      // A seat holding a cluster is its node1: node2…nodeN carry its id and follow it (cluster-seats.ts).
      if (isOtherClusterNode(labels)) return [];
      if (!seat || !name || !state || !['warming', 'ready', 'claimed', 'retired'].includes(state)) return [];
      return [
        {
          seat,
          service: name,
          state: state as SeatState,
          attendee: state === 'claimed' ? labels[SANDBOX_ATTENDEE_LABEL] : undefined,
          readyTask: labels[SEAT_TASK_LABEL],
          createdAt: service.CreatedAt ?? '',
          version: service.Version?.Index ?? 0,
        },
      ];
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.seat.localeCompare(b.seat));
}

/** The name a seat's sandbox carries while nobody claimed it. */
export const WARM_SEAT_NAME = 'warm seat';

/** warming → ready, in `task` (the one it was made ready in); false when the seat is not warming any more (claimed, or gone). */
export function markSeatReady(docker: Docker, service: string, task: string): Promise<boolean> {
  return swapLabels(docker, service, inState('warming'), (labels) => ({ ...labels, [SEAT_STATE_LABEL]: 'ready', [SEAT_TASK_LABEL]: task }));
}

/**
 * The seats labelled ready whose sandbox no longer runs in the task it was made ready in: the swarm recreated it (its
 * node failed or left, or it crashed), and its new container is not ready. One request for all of them. A seat that
 * does not name its task (made ready by an older labdeck) is taken at its word.
 */
export async function recreatedSeats(docker: Docker, seats: readonly Seat[]): Promise<Seat[]> {
  const ready = seats.filter((seat) => seat.state === 'ready' && seat.readyTask !== undefined);
  if (ready.length === 0) return [];
  const tasks = (await docker.listTasks({ filters: { service: ready.map((seat) => seat.service), 'desired-state': ['running'] } })) as {
    ID?: string;
    Status?: { State?: string };
  }[];
  const running = new Set(tasks.filter((task) => task.Status?.State === 'running').map((task) => task.ID));
  return ready.filter((seat) => !running.has(seat.readyTask));
}

/**
 * Takes an unclaimed seat out of the pool before it is removed (→ retired), so that nobody claims it meanwhile;
 * false when it was claimed (or is gone).
 */
export async function retireSeat(docker: Docker, service: string): Promise<boolean> {
  const retire = (labels: Record<string, string>): Record<string, string> => ({ ...labels, [SEAT_STATE_LABEL]: 'retired' });
  return swapLabels(docker, service, (labels) => ['ready', 'warming', 'retired'].includes(labels[SEAT_STATE_LABEL] ?? ''), retire);
}

/**
 * Gives the oldest ready seat to the attendee (ready → claimed, labelled theirs), or the seat they hold already;
 * undefined when no seat is ready. A seat someone else claimed meanwhile is skipped, and so is one the swarm
 * recreated since it was made ready (recreatedSeats).
 *
 * Two processes that bring up the same attendee at once (`labdeck serve` starting, `labdeck env up` beside it) may
 * each claim a seat for them: every claimer then keeps the claim the swarm recorded first, and the other goes back to
 * the pool. The first claim is the same for all: a claimer lists the seats after its own claim landed, so it sees
 * every earlier one. A claimer that finds no ready seat gives such a second claim back itself (its own claimer may
 * have stopped) and looks again.
 */
export async function claimSeat(docker: Docker, classId: string, attendee: { readonly id: string; readonly name: string }): Promise<Seat | undefined> {
  for (let look = 0; look < 4; look++) {
    const seats = await listSeats(docker, classId);
    const seconds = secondClaims(seats);
    if (seconds.length > 0) {
      for (const second of seconds) await giveBack(docker, second);
      continue;
    }
    const held = firstClaims(seats).get(attendee.id);
    if (held) return held;
    const recreated = new Set((await recreatedSeats(docker, seats)).map((seat) => seat.seat));
    const ready = seats.filter((seat) => seat.state === 'ready' && !recreated.has(seat.seat));
    if (ready.length === 0) return undefined;
    for (const seat of ready) {
      const claimed = await swapLabels(docker, seat.service, inState('ready'), (labels) => ({
        ...labels,
        [SEAT_STATE_LABEL]: 'claimed',
        [SANDBOX_ATTENDEE_LABEL]: attendee.id,
        [SANDBOX_NAME_LABEL]: attendee.name,
      }));
      if (!claimed) continue;
      const mine: Seat = { ...seat, state: 'claimed', attendee: attendee.id };
      const first = firstClaims(await listSeats(docker, classId)).get(attendee.id) ?? mine;
      if (first.seat !== mine.seat) await giveBack(docker, mine);
      return first;
    }
  }
  return undefined;
}

/** The claim the swarm recorded first, for each attendee who holds a seat. */
function firstClaims(seats: readonly Seat[]): Map<string, Seat> {
  const first = new Map<string, Seat>();
  for (const seat of seats) {
    if (seat.state !== 'claimed' || seat.attendee === undefined) continue;
    const earlier = first.get(seat.attendee);
    if (!earlier || seat.version < earlier.version) first.set(seat.attendee, seat);
  }
  return first;
}

/** Claims that are not their attendee's first. */
function secondClaims(seats: readonly Seat[]): Seat[] {
  const first = firstClaims(seats);
  return seats.filter((seat) => seat.state === 'claimed' && seat.attendee !== undefined && first.get(seat.attendee)?.seat !== seat.seat);
}

/** A second claim goes back to the pool as the ready seat it was, unless it changed hands meanwhile. */
async function giveBack(docker: Docker, seat: Seat): Promise<void> {
  await swapLabels(
    docker,
    seat.service,
    (labels) => labels[SEAT_STATE_LABEL] === 'claimed' && labels[SANDBOX_ATTENDEE_LABEL] === seat.attendee,
    (labels) => ({ ...labels, [SEAT_STATE_LABEL]: 'ready', [SANDBOX_ATTENDEE_LABEL]: seat.seat, [SANDBOX_NAME_LABEL]: WARM_SEAT_NAME }),
  );
}

interface ServiceView {
  Version?: { Index?: number };
  Spec?: { Labels?: Record<string, string> } & Record<string, unknown>;
}

const inState =
  (state: SeatState) =>
  (labels: Record<string, string>): boolean =>
    labels[SEAT_STATE_LABEL] === state;

/**
 * Changes the service's labels when they are `as` expected, by compare-and-swap: a concurrent change (a claim by
 * another request or process) makes the swarm refuse ours, and the labels are read again.
 */
async function swapLabels(
  docker: Docker,
  service: string,
  as: (labels: Record<string, string>) => boolean,
  change: (labels: Record<string, string>) => Record<string, string>,
): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    let current: ServiceView;
    try {
      current = (await docker.getService(service).inspect()) as ServiceView;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
    const labels = current.Spec?.Labels ?? {};
    if (!as(labels)) return false;
    try {
      await docker.getService(service).update({ _query: { version: current.Version?.Index }, _body: { ...current.Spec, Labels: change(labels) } });
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      if (!/out of sequence/i.test((error as Error).message)) throw error;
    }
  }
  throw new Error(`the seat ${service} kept changing while labdeck tried to update it`);
}
