// Warm seats on the class swarm: sandboxes made before anyone joined, for whoever joins next. Whose a seat is, and
// whether it is ready, is recorded in its service's labels, and only there: the swarm changes a service by
// compare-and-swap (an update names the spec version it read, and a stale one is refused: "update out of
// sequence"), so two attendees claiming at once, in one process or two, never get the same seat, and a restarted
// server finds every claim where it was. Changing the service's own labels leaves its task (the running sandbox)
// alone.
//
//   warming   made, its engine starting or its images loading (the pool prepares it)
//   ready     engine up, images loaded, sshd answering: nobody has ever entered it
//   claimed   an attendee's sandbox from now on (`labdeck.attendee` is theirs); never a seat again
//   retired   being removed (it failed to get ready, or the class ended): nobody may claim it
import type Docker from 'dockerode';
import { SANDBOX_ATTENDEE_LABEL, SANDBOX_CLASS_LABEL, SANDBOX_NAME_LABEL, SANDBOX_SEAT_LABEL, SEAT_STATE_LABEL } from './sandbox-spec.ts';

export type SeatState = 'warming' | 'ready' | 'claimed' | 'retired';

export interface Seat {
  /** The seat's id (`seat-…`), also the sandbox's attendee id while nobody claimed it. */
  readonly seat: string;
  readonly service: string;
  readonly state: SeatState;
  /** The attendee who claimed it. */
  readonly attendee: string | undefined;
  /** When the swarm made it (ISO 8601): seats are claimed oldest first. */
  readonly createdAt: string;
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
      if (!seat || !name || !state || !['warming', 'ready', 'claimed', 'retired'].includes(state)) return [];
      return [
        {
          seat,
          service: name,
          state: state as SeatState,
          attendee: state === 'claimed' ? labels[SANDBOX_ATTENDEE_LABEL] : undefined,
          createdAt: service.CreatedAt ?? '',
        },
      ];
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.seat.localeCompare(b.seat));
}

/** warming → ready; false when the seat is not warming any more (claimed, or gone). */
export function markSeatReady(docker: Docker, service: string): Promise<boolean> {
  return swapLabels(docker, service, 'warming', (labels) => ({ ...labels, [SEAT_STATE_LABEL]: 'ready' }));
}

/**
 * Takes an unclaimed seat out of the pool before it is removed (→ retired), so that nobody claims it meanwhile;
 * false when it was claimed (or is gone).
 */
export async function retireSeat(docker: Docker, service: string): Promise<boolean> {
  const retire = (labels: Record<string, string>): Record<string, string> => ({ ...labels, [SEAT_STATE_LABEL]: 'retired' });
  for (const from of ['ready', 'warming', 'retired'] as const) if (await swapLabels(docker, service, from, retire)) return true;
  return false;
}

/**
 * Gives the oldest ready seat to the attendee (ready → claimed, labelled theirs); undefined when no seat is ready.
 * A seat someone else claimed meanwhile is skipped.
 */
export async function claimSeat(docker: Docker, classId: string, attendee: { readonly id: string; readonly name: string }): Promise<Seat | undefined> {
  for (const seat of await listSeats(docker, classId)) {
    if (seat.state !== 'ready') continue;
    const claimed = await swapLabels(docker, seat.service, 'ready', (labels) => ({
      ...labels,
      [SEAT_STATE_LABEL]: 'claimed',
      [SANDBOX_ATTENDEE_LABEL]: attendee.id,
      [SANDBOX_NAME_LABEL]: attendee.name,
    }));
    if (claimed) return { ...seat, state: 'claimed', attendee: attendee.id };
  }
  return undefined;
}

interface ServiceView {
  Version?: { Index?: number };
  Spec?: { Labels?: Record<string, string> } & Record<string, unknown>;
}

/**
 * Changes the service's labels when its seat state is `from`, by compare-and-swap: a concurrent change (a claim by
 * another request or process) makes the swarm refuse ours, and the state is read again.
 */
async function swapLabels(docker: Docker, service: string, from: SeatState, change: (labels: Record<string, string>) => Record<string, string>): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    let current: ServiceView;
    try {
      current = (await docker.getService(service).inspect()) as ServiceView;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
    const labels = current.Spec?.Labels ?? {};
    if (labels[SEAT_STATE_LABEL] !== from) return false;
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
