// The bridge between the disk, the engine and the pure checks for `labdeck serve`: reads the workshop's
// `exercises/*.yml`, watches the engine once, and runs one CheckService per attendee environment (for now the local
// engine, shared by every page). The catalog is rebuilt whenever the deck reloads (steps and specs may change).
import type { DeckOutline } from './checks/catalog.ts';
import { readSpecFiles } from './spec-files.ts';
import { createCheckService, type CheckService } from './checks/service.ts';
import type { Step } from './deck/steps.ts';
import { connectEngine, type EngineEndpoint } from './engine/docker.ts';
import { runProbe } from './engine/exec.ts';
import { watchEngine, type EngineWatch, type EngineWatchOptions } from './engine/snapshot.ts';
import type { DeckSource } from './http/deck-routes.ts';
import type { Identity } from './http/access.ts';
import type { DeckJson } from './protocol.ts';

export interface LiveChecksOptions {
  /** The workshop manifest: its folder's `exercises/` holds the check specs. */
  readonly manifest: string;
  readonly deck: DeckSource;
  /** The engine of the (local) attendee environment (DOCKER_HOST-style address; default: the local socket). */
  readonly engine: EngineEndpoint;
  readonly log: (line: string) => void;
  /** Images the lab substitutes offline (catalog.ts). */
  readonly imageSubstitutes?: Readonly<Record<string, string>>;
  readonly engineWatch?: EngineWatchOptions;
}

export interface LiveChecks {
  /** The one engine watch: `apiCalls` tells how much the engine is asked. */
  readonly watch: EngineWatch;
  readonly local: CheckService;
  /** Whose results a caller sees: every identity sees the local environment's, until there is one per attendee. */
  environmentOf(identity: Identity): CheckService | undefined;
  dispose(): void;
}

export function startLiveChecks(options: LiveChecksOptions): LiveChecks {
  const docker = connectEngine(options.engine);
  const watch = watchEngine(docker, options.engineWatch);
  const local = createCheckService({
    deck: () => deckOutline(options.deck.current()),
    specFiles: () => readSpecFiles(options.manifest, options.log),
    engine: watch,
    probe: (probe) => runProbe(docker, probe),
    catalog: { imageSubstitutes: options.imageSubstitutes ?? {} },
    log: (line) => options.log(`checks: ${line}`),
  });
  const unsubscribe = options.deck.onChange(() => local.rebuild());
  return {
    watch,
    local,
    environmentOf: () => local,
    dispose() {
      unsubscribe();
      local.dispose();
      watch.dispose();
    },
  };
}

/** The served deck's steps and slides, as the catalog needs them (the wire format carries the deck's own steps). */
function deckOutline(deck: DeckJson): DeckOutline {
  return {
    steps: deck.steps as readonly Step[],
    slides: deck.slides.map((slide) => ({ position: slide.index, name: slide.name ?? undefined })),
  };
}
