// Live step results for one attendee environment, as pages see them: the deck's catalog, one runner over the shared
// engine snapshot, and the attendee's evidence (commands that ran, steps they confirmed). Every page of that
// environment listens to the same service, so opening pages never adds engine API calls: the runner's fan-out is
// the only one.
//
// Why a service around the runner: the deck changes while authoring (live reload), which means a new catalog and a
// new runner; the attendee's evidence must survive that, and pages must receive the new full state.
import type { CommandRecord, EngineStatusJson, ResultsServerMessage, StepResultJson } from '../protocol.ts';
import { buildCatalog, type CatalogOptions, type DeckOutline, type SpecFile } from './catalog.ts';
import { Emitter, type Disposable, type Event } from '../event.ts';
import type { EngineSnapshot, ProbeResult, SnapshotSource } from './engine-state.ts';
import type { Probe } from './probes.ts';
import { createCheckRunner, keepCommand, type CheckRunner, type StepResult } from './runner.ts';
import type { StepCheck } from './spec.ts';

export interface CheckServiceOptions {
  /** The deck's current steps and slides (read again by `rebuild`). */
  readonly deck: () => DeckOutline;
  /** The current `exercises/*.yml` texts (read again by `rebuild`). */
  readonly specFiles: () => readonly SpecFile[];
  readonly engine: SnapshotSource;
  readonly probe: (probe: Probe) => Promise<ProbeResult>;
  readonly catalog?: CatalogOptions;
  /** Spec file problems (`file:line: what`) go here; their steps fall back to inference. */
  readonly log?: (line: string) => void;
}

export interface ResultsState {
  readonly engine: EngineStatusJson;
  readonly results: readonly StepResultJson[];
}

export interface CheckService extends Disposable {
  state(): ResultsState;
  /** Every change, as the message pages receive: a full state after a rebuild, else one result or engine status. */
  readonly onUpdate: Event<ResultsServerMessage>;
  /** The deck or its specs changed: rebuild the catalog (a no-op when the checks are the same). */
  rebuild(): void;
  checkNow(stepId?: string): Promise<void>;
  /** "I did it" for a manual step; false when no step has that id. */
  confirm(stepId: string, confirmed: boolean): boolean;
  /** Feed the terminal's shell-integration records here (TerminalManager.onCommand). */
  commandRan(record: CommandRecord): void;
}

export function createCheckService(options: CheckServiceOptions): CheckService {
  const updateEmitter = new Emitter<ResultsServerMessage>();
  const commands: CommandRecord[] = [];
  const confirmed = new Set<string>();
  let checks: readonly StepCheck[] = [];
  let catalogKey = '';
  let runner: CheckRunner | undefined;
  let runnerSubscription: Disposable | undefined;
  let engineStatus = engineStatusOf(options.engine.current);

  const emit = (message: ResultsServerMessage): void => updateEmitter.fire(message);
  const toJson = (result: StepResult): StepResultJson => ({
    stepId: result.stepId,
    status: result.status,
    reason: result.reason,
    kind: result.check.kind,
    origin: result.origin.how,
    selfReported: result.check.kind === 'manual',
    confirmed: confirmed.has(result.stepId),
    at: result.at,
  });
  const state = (): ResultsState => ({ engine: engineStatus, results: runner ? runner.results().map(toJson) : [] });

  const rebuild = (): void => {
    const catalog = buildCatalog(options.deck(), options.specFiles(), options.catalog);
    const key = JSON.stringify(catalog.checks);
    if (runner && key === catalogKey) return;
    for (const error of catalog.errors) options.log?.(error.message);
    runnerSubscription?.dispose();
    runner?.dispose();
    checks = catalog.checks;
    catalogKey = key;
    const stepIds = new Set(checks.map((c) => c.stepId));
    for (const id of confirmed) if (!stepIds.has(id)) confirmed.delete(id);
    runner = createCheckRunner({ checks, engine: options.engine, probe: options.probe, commands });
    for (const id of confirmed) runner.confirm(id);
    runnerSubscription = runner.onResult((result) => emit({ type: 'result', result: toJson(result) }));
    emit({ type: 'results', ...state() });
  };

  const engineSubscription = options.engine.onSnapshot((snapshot) => {
    const next = engineStatusOf(snapshot);
    if (next.reachable === engineStatus.reachable && next.error === engineStatus.error && next.swarm === engineStatus.swarm) return;
    engineStatus = next;
    emit({ type: 'engine', engine: next });
  });
  rebuild();

  return {
    state,
    onUpdate: updateEmitter.event,
    rebuild,
    async checkNow(stepId) {
      await runner?.checkNow(stepId);
    },
    confirm(stepId, value) {
      if (!checks.some((c) => c.stepId === stepId)) return false;
      if (value) confirmed.add(stepId);
      else confirmed.delete(stepId);
      // The runner only tells when status or reason change; the confirmation flag is news even when they do not.
      runner?.confirm(stepId, value);
      const result = runner?.result(stepId);
      if (result) emit({ type: 'result', result: toJson(result) });
      return true;
    },
    commandRan(record) {
      keepCommand(commands, record);
      runner?.commandRan(record);
    },
    dispose() {
      engineSubscription.dispose();
      runnerSubscription?.dispose();
      runner?.dispose();
      updateEmitter.dispose();
    },
  };
}

function engineStatusOf(snapshot: EngineSnapshot): EngineStatusJson {
  return { reachable: snapshot.reachable, error: snapshot.error ?? null, swarm: snapshot.swarm };
}
