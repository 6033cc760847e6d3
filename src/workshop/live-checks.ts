// The bridge between the disk, the engines and the pure checks for `labdeck serve`: reads the workshop's
// `exercises/*.yml`, and runs one engine watch + CheckService per attendee environment: the local engine's, shared
// by every attendee whose environment is this machine, and one per attendee whose environment has its own engine
// (a swarm sandbox, a prepared VM), created when first asked for. The catalogs are rebuilt whenever the deck reloads
// (steps and specs may change).
import type { DeckOutline } from '../checks/catalog.ts';
import { readSpecFiles } from './spec-files.ts';
import { createCheckService, type CheckService } from '../checks/service.ts';
import { connectEngineAt, type EngineAddress } from '../engine/engine-address.ts';
import { runProbe } from '../engine/exec.ts';
import { watchEngine, type EngineWatch, type EngineWatchOptions } from '../engine/snapshot.ts';
import { watchSwarmManager } from '../engine/manager-watch.ts';
import type { DeckSource } from '../deck/deck-source.ts';
import type { Identity } from '../classroom/access.ts';
import type { CommandRecord, DeckJson } from '../protocol.ts';

export interface LiveChecksOptions {
  /** The workshop manifest: its folder's `exercises/` holds the check specs. */
  readonly manifest: string;
  readonly deck: DeckSource;
  /** The local engine (DOCKER_HOST-style address; default: the local socket). */
  readonly engine: EngineAddress;
  /** The engine of an attendee's own environment; undefined (or no function): the local engine, shared. */
  readonly engineOf?: (attendee: string) => EngineAddress | undefined;
  /**
   * The engines of an attendee's cluster, node1 first (a class of clusters): their checks follow the inner swarm's
   * manager among them (engine/manager-watch.ts). Undefined (or no function): `engineOf`'s engine alone.
   */
  readonly clusterOf?: (attendee: string) => readonly EngineAddress[] | undefined;
  readonly log: (line: string) => void;
  /** Images the lab substitutes offline (catalog.ts). */
  readonly imageSubstitutes?: Readonly<Record<string, string>>;
  readonly engineWatch?: EngineWatchOptions;
}

export interface LiveChecks {
  /** The local engine's watch: `apiCalls` tells how much the engine is asked. */
  readonly watch: EngineWatch;
  readonly local: CheckService;
  /** The attendee's checks: their own environment's, else the local one. */
  forAttendee(attendee: string): CheckService;
  /** Whose results a caller sees: an attendee their own environment's, everyone else the local one. */
  environmentOf(identity: Identity): CheckService | undefined;
  /** A terminal's command, to the checks of the terminal's attendee (`terminal` is `${attendee}/${name}`). */
  commandRan(record: CommandRecord): void;
  /** Stops watching an attendee's own engine (they left the class). */
  forget(attendee: string): void;
  dispose(): void;
}

interface Environment {
  readonly watch: EngineWatch;
  readonly checks: CheckService;
}

export function startLiveChecks(options: LiveChecksOptions): LiveChecks {
  // Read once per deck change (the deck's watcher covers exercises/*.yml) and shared by every environment: a class
  // of sandboxes must not re-read and re-report the same files once per attendee.
  let specFiles = readSpecFiles(options.manifest, options.log);
  /** `others`: the other engines of a cluster whose first is `address` (node1). */
  const start = (address: EngineAddress, name: string, others: readonly EngineAddress[] = []): Environment => {
    const docker = connectEngineAt(address);
    const cluster = others.length > 0 ? watchSwarmManager([docker, ...others.map(connectEngineAt)], options.engineWatch) : undefined;
    const watch = cluster ?? watchEngine(docker, options.engineWatch);
    const checks = createCheckService({
      deck: () => deckOutline(options.deck.current()),
      specFiles: () => specFiles,
      engine: watch,
      // In a cluster, on the engine the checks read now.
      probe: (probe) => runProbe(cluster?.docker ?? docker, probe),
      catalog: { imageSubstitutes: options.imageSubstitutes ?? {} },
      log: (line) => options.log(`checks${name}: ${line}`),
    });
    return { watch, checks };
  };
  // The local engine's watch starts at its first use (a page asking for results, a command, the class), not with
  // serve: connecting loads the engine client (engine/docker.ts), which serving the first page does not need.
  let localEnvironment: Environment | undefined;
  const local = (): Environment => {
    localEnvironment ??= start(options.engine, '');
    return localEnvironment;
  };
  const attendees = new Map<string, Environment>();
  const forAttendee = (attendee: string): CheckService => {
    const existing = attendees.get(attendee);
    if (existing) return existing.checks;
    const [node1, ...others] = options.clusterOf?.(attendee) ?? [];
    const address = node1 ?? options.engineOf?.(attendee);
    if (!address) return local().checks;
    const environment = start(address, ` (${attendee})`, others);
    attendees.set(attendee, environment);
    return environment.checks;
  };
  const deckSubscription = options.deck.onChange(() => {
    specFiles = readSpecFiles(options.manifest, options.log);
    localEnvironment?.checks.rebuild();
    for (const environment of attendees.values()) environment.checks.rebuild();
  });
  const stop = (environment: Environment): void => {
    environment.checks.dispose();
    environment.watch.dispose();
  };
  return {
    get watch() {
      return local().watch;
    },
    get local() {
      return local().checks;
    },
    forAttendee,
    environmentOf: (identity) => (identity.role === 'attendee' ? forAttendee(identity.attendee) : local().checks),
    commandRan: (record) => forAttendee(record.terminal.split('/')[0] ?? '').commandRan(record),
    forget(attendee) {
      const environment = attendees.get(attendee);
      if (!environment) return;
      attendees.delete(attendee);
      stop(environment);
    },
    dispose() {
      deckSubscription.dispose();
      for (const environment of attendees.values()) stop(environment);
      attendees.clear();
      if (localEnvironment) stop(localEnvironment);
    },
  };
}

/** The served deck's steps and slides, as the catalog needs them. */
function deckOutline(deck: DeckJson): DeckOutline {
  return {
    steps: deck.steps,
    slides: deck.slides.map((slide) => ({ position: slide.index, name: slide.name ?? undefined })),
  };
}
