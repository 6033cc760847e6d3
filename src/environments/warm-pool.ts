// Warm seats (`classroom.environment: { provider: swarm, warm: N }`): N sandboxes made before anyone joins, engine
// up, images loaded, sshd answering, so that a joining attendee's terminal is a shell in seconds instead of after a
// whole engine's boot. A joining attendee claims the oldest ready seat; the pool makes a new one in the background.
//
// The swarm is the record (engine/warm-seats.ts): a seat's state and owner are its service's labels, changed by
// compare-and-swap, so claims are safe across processes (`labdeck env warm` beside `labdeck serve`) and restarts.
// A ready seat whose sandbox the swarm recreated (its node failed) is not ready any more: nobody claims it, and the pool
// replaces it (the swarm places the new one on a living node).
// A seat may hold a whole cluster (`nodes` above 1): claimed by its node1, its other nodes following (cluster-seats.ts).
// A claimed seat is the attendee's sandbox for good (`env status|down|reset` find it by its labels) and never goes
// back to the pool: nothing of one attendee can reach another. A seat's files (its ssh host key) live in a folder of
// its own (`<environments>/seat-…/`) until the claim moves its key into the attendee's folder.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxNames } from '../engine/sandbox-spec.ts';
import { claimSeat, listSeats, markSeatReady, recreatedSeats, retireSeat, type Seat, WARM_SEAT_NAME } from '../engine/warm-seats.ts';
import { Emitter, type Disposable, type Event } from '../event.ts';
import { attendeeFolder } from './launcher.ts';
import type { EngineClient } from '../engine/services.ts';

/** An attendee, or a seat waiting for one (provider.ts's AttendeeRef). */
export interface SeatHolder {
  readonly id: string;
  readonly name: string;
}

/** What the dashboard and `labdeck env warm` show of the pool. */
export interface SeatCounts {
  /** Ready, never entered: what the next joining attendees get. */
  readonly ready: number;
  /** Made, their engine starting or images loading. */
  readonly warming: number;
  /** Given to attendees. */
  readonly claimed: number;
  /** How many unclaimed seats the class keeps (`warm: N`). */
  readonly target: number;
}

export interface FillOutcome extends SeatCounts {
  /** Seats that could not be made ready (removed again), with why. */
  readonly failures: readonly string[];
}

export interface WarmPool {
  /** How many unclaimed seats the class keeps (`warm: N`; 0: none). */
  readonly target: number;
  /**
   * Gives the attendee the oldest ready seat, its host key moved into their folder; undefined when none is ready
   * (the attendee's sandbox is then made as without a pool). Starts a refill when the server keeps the pool filled.
   */
  claim(attendee: SeatHolder): Promise<Seat | undefined>;
  /**
   * Makes seats until `count` are unclaimed, and prepares every warming one (those a stopped process left too);
   * resolves once none is warming, `progress` told at each change.
   */
  fill(count: number, progress?: (counts: SeatCounts) => void): Promise<FillOutcome>;
  /**
   * The server's side: the pool filled to its target now, after each claim, and whenever a look (every `refreshMs`:
   * other processes claim too) finds it short; after a fill with failures, not again for `retryMs`.
   */
  keepFilled(): Disposable;
  /** The counts last seen (undefined before the first look). */
  counts(): SeatCounts | undefined;
  /** The counts as the swarm has them now. */
  look(): Promise<SeatCounts>;
  readonly onChange: Event<SeatCounts>;
  /** Removes every seat nobody claimed (the end of a class); resolves to how many. */
  removeUnclaimed(): Promise<number>;
}

export interface WarmPoolOptions {
  readonly docker: EngineClient;
  readonly classId: string;
  /** The environments folder (seats' folders go there, next to the attendees'). */
  readonly root: string;
  readonly target: number;
  /**
   * Makes the seat's sandbox and waits until it is ready (the provider's own preparation, for a seat); resolves to the
   * swarm task it is ready in.
   */
  readonly prepare: (seat: SeatHolder) => Promise<string>;
  /** Removes the seat's sandbox and folder. */
  readonly remove: (seat: SeatHolder) => Promise<unknown>;
  readonly log: (line: string) => void;
  /** How many seats are prepared at once (each boots an engine: the machine's cores are the limit). */
  readonly concurrency?: number;
  /** How often a server looks at the pool when nothing happened (other processes claim and fill too). */
  readonly refreshMs?: number;
  /** How long a server waits before filling again after seats failed to get ready. */
  readonly retryMs?: number;
}

/** Seat ids: never an attendee's (theirs start with `a-`), safe in names and paths. */
const seatPrefix = 'seat-';

/** True for the id of a seat nobody claimed (a claimed seat's sandbox carries its attendee's id). */
export function isSeatId(id: string): boolean {
  return id.startsWith(seatPrefix);
}

export function createWarmPool(options: WarmPoolOptions): WarmPool {
  const { docker, classId, root, target } = options;
  const changes = new Emitter<SeatCounts>();
  let last: SeatCounts | undefined;
  /** Seats this process is preparing, by seat id. */
  const preparing = new Map<string, Promise<void>>();
  let keeping = false;
  let filling: Promise<unknown> | undefined;
  let fillAgain = false;
  /** No refill before this time (seats failed to get ready: a broken image or a full swarm is not hammered). */
  let quietUntil = 0;

  const look = async (): Promise<{ seats: Seat[]; counts: SeatCounts }> => {
    const seats = await listSeats(docker, classId);
    const count = (state: Seat['state']): number => seats.filter((seat) => seat.state === state).length;
    const counts = { ready: count('ready'), warming: count('warming'), claimed: count('claimed'), target };
    if (JSON.stringify(counts) !== JSON.stringify(last)) {
      last = counts;
      changes.fire(counts);
    }
    return { seats, counts };
  };

  const seatRef = (seat: string): SeatHolder => ({ id: seat, name: WARM_SEAT_NAME });

  const prepareSeat = (seat: string, failures: string[]): Promise<void> => {
    const current = preparing.get(seat);
    if (current) return current;
    const run = options
      .prepare(seatRef(seat))
      .then(async (task) => {
        await markSeatReady(docker, sandboxOf(seat), task);
      })
      .catch(async (error: unknown) => {
        // A seat that did not get ready is nobody's: it goes, and the next fill makes another.
        failures.push(`${seat}: ${(error as Error).message.split('\n')[0]}`);
        await removeSeat(seat).catch(() => {});
      })
      .finally(() => preparing.delete(seat));
    preparing.set(seat, run);
    return run;
  };
  const sandboxOf = (seat: string): string => sandboxNames(classId, seat).service;
  /** Removes a seat unless someone claimed it: retired first, so that no claim takes it meanwhile. */
  const removeSeat = async (seat: string): Promise<boolean> => {
    if (!(await retireSeat(docker, sandboxOf(seat)))) return false;
    await options.remove(seatRef(seat));
    return true;
  };
  /** Replaces the ready seats the swarm recreated (not ready any more): resolves to how many went. */
  const removeRecreated = async (seats: readonly Seat[]): Promise<number> => {
    let removed = 0;
    for (const seat of await recreatedSeats(docker, seats)) {
      options.log(`warm seat ${seat.seat}: its sandbox was recreated by the swarm (its node failed or left): replacing it`);
      if (await removeSeat(seat.seat)) removed++;
    }
    return removed;
  };

  const fill = async (count: number, progress?: (counts: SeatCounts) => void): Promise<FillOutcome> => {
    const failures: string[] = [];
    /** Seats this fill has yet to make ready: warming already, even before their sandbox exists. */
    let pending = 0;
    const tell = async (): Promise<{ seats: Seat[]; counts: SeatCounts }> => {
      const seen = await look();
      progress?.({ ...seen.counts, warming: Math.max(seen.counts.warming, pending), target: count });
      return seen;
    };
    let { seats } = await look();
    if ((await removeRecreated(seats)) > 0) ({ seats } = await look());
    const unclaimed = seats.filter((seat) => seat.state === 'warming' || seat.state === 'ready').length;
    const warming = seats.filter((seat) => seat.state === 'warming').map((seat) => seat.seat);
    const fresh = Array.from({ length: Math.max(0, count - unclaimed) }, () => `${seatPrefix}${randomBytes(4).toString('hex')}`);
    const queue = [...warming, ...fresh];
    pending = queue.length;
    await tell();
    const workers = Array.from({ length: Math.min(queue.length, options.concurrency ?? 2) }, async () => {
      for (let seat = queue.shift(); seat !== undefined; seat = queue.shift()) {
        await prepareSeat(seat, failures);
        pending--;
        await tell();
      }
    });
    // Seats made by this process's other fills are waited for as well: a fill ends with nothing warming here.
    await Promise.all([...workers, ...[...preparing.values()]]);
    const { counts } = await tell();
    for (const failure of failures) options.log(`warm seat ${failure}`);
    return { ...counts, target: count, failures };
  };

  /** One fill at a time in a server; a claim during a fill makes another once it ends. */
  const refill = (): void => {
    if (!keeping || Date.now() < quietUntil) return;
    if (filling) {
      fillAgain = true;
      return;
    }
    filling = fill(target)
      .then((outcome) => {
        if (outcome.failures.length > 0) quietUntil = Date.now() + (options.retryMs ?? 30_000);
      })
      .catch((error: unknown) => {
        quietUntil = Date.now() + (options.retryMs ?? 30_000);
        options.log(`warm seats: ${(error as Error).message}`);
      })
      .finally(() => {
        filling = undefined;
        if (fillAgain) {
          fillAgain = false;
          refill();
        }
      });
  };

  return {
    target,
    async claim(attendee) {
      const seat = await claimSeat(docker, classId, attendee);
      if (seat) {
        adoptSeatKeys(root, seat.seat, attendee.id);
        options.log(`environment ${attendee.id}: warm seat ${seat.seat} claimed`);
      }
      refill();
      return seat;
    },
    fill,
    keepFilled() {
      keeping = true;
      refill();
      const timer = setInterval(() => {
        look().then(
          async (seen) => {
            if (seen.counts.ready + seen.counts.warming < target || (await recreatedSeats(docker, seen.seats)).length > 0) refill();
          },
          () => {},
        );
      }, options.refreshMs ?? 5000);
      timer.unref();
      return {
        dispose: () => {
          keeping = false;
          clearInterval(timer);
        },
      };
    },
    counts: () => last,
    look: async () => (await look()).counts,
    onChange: changes.event,
    async removeUnclaimed() {
      keeping = false;
      await Promise.all([...preparing.values()]);
      let removed = 0;
      for (const seat of await listSeats(docker, classId)) if (seat.state !== 'claimed' && (await removeSeat(seat.seat))) removed++;
      // Folders of seats whose sandbox is gone (a claim moved their key, or a process stopped half-way).
      if (existsSync(root)) for (const entry of readdirSync(root)) if (entry.startsWith(seatPrefix)) rmSync(join(root, entry), { recursive: true, force: true });
      await look();
      return removed;
    },
  };
}

/**
 * The claimed seat's ssh host key (and the known_hosts naming it) moves into the attendee's folder, and so do a
 * cluster's keys (`cluster/`: its key pair, its other nodes' host keys), and the seat's folder goes. Idempotent: a
 * server stopped between the claim and the move does it at the attendee's next start (`ssh/` moves last).
 *
 * Two processes may adopt the same seat at once (`serve` and `env up`, each finding the claimed seat by its labels),
 * so no step deletes what another may have just moved in: each part is first taken out of the seat's folder by a
 * rename to a name of this call's own (only one process can take it; a part already gone was taken by another, which
 * puts it in place), then renamed into place; keys of a former sandbox in the way are renamed aside first and
 * deleted after. A process stopped between those renames leaves its folder under a name that says whose it was
 * (`.ssh.adopting-PID-…`): the next adoption finishes it once that process is gone.
 */
export function adoptSeatKeys(root: string, seat: string, attendee: string): void {
  const from = (part: string): string => join(attendeeFolder(root, seat), part);
  const folder = attendeeFolder(root, attendee);
  finishStoppedAdoptions(folder);
  if (!existsSync(from('ssh'))) return;
  mkdirSync(folder, { recursive: true });
  for (const part of ['cluster', 'ssh']) {
    const taken = join(folder, leftoverName(part, 'adopting'));
    try {
      renameSync(from(part), taken);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    putInPlace(taken, join(folder, part), leftoverName(part, 'former'));
  }
  rmSync(attendeeFolder(root, seat), { recursive: true, force: true });
}

const LEFTOVER = /^\.(cluster|ssh)\.(adopting|former)-(\d+)-[0-9a-f]+$/;

function leftoverName(part: string, kind: 'adopting' | 'former'): string {
  return `.${part}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** `taken` becomes `to`; what `to` held (a former sandbox's keys) is renamed aside, then deleted. */
function putInPlace(taken: string, to: string, aside: string): void {
  try {
    renameSync(taken, to);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  const former = join(to, '..', aside);
  renameSync(to, former);
  renameSync(taken, to);
  rmSync(former, { recursive: true, force: true });
}

/** Parts a stopped process had taken and not put in place yet are put in place; keys it had put aside go. */
function finishStoppedAdoptions(folder: string): void {
  if (!existsSync(folder)) return;
  for (const entry of readdirSync(folder)) {
    const [, part, kind, pid] = LEFTOVER.exec(entry) ?? [];
    if (!part || !pid || isRunning(Number(pid))) continue;
    if (kind === 'former') {
      rmSync(join(folder, entry), { recursive: true, force: true });
      continue;
    }
    // Taken again under this call's own name first: two processes finishing the same leftover do not both replace.
    const taken = join(folder, leftoverName(part, 'adopting'));
    try {
      renameSync(join(folder, entry), taken);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    putInPlace(taken, join(folder, part), leftoverName(part, 'former'));
  }
}

/** Another process that may still be adopting (adoptions are synchronous: this process's own are all over). */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
