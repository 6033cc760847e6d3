// Live results for a deck's steps: the glue between the step checks, the shared engine snapshot, the command log and
// the probes. Everything that reaches the engine is injected (the snapshot source, the probe runner), so the runner
// itself holds no connection; one runner serves any number of watchers through `onResult`.
//
// - A new snapshot, a command that ran, or a confirmation re-evaluates every step; `onResult` fires only for steps
//   whose status or reason changed.
// - While some engine check is pending (tasks converging), the runner holds a polling lease on the snapshot.
// - Exec/dns probes run when a result needs them and their cached answer is older than `probeTtlMs`; while such a
//   check is not passed they are retried every `probeTtlMs` (what happens inside a container fires no event).
import type { CommandRecord } from '../protocol.ts';
import { Emitter, type Disposable, type Event } from '../event.ts';
import type { ProbeResult, SnapshotSource } from './engine-state.ts';
import { evaluateCheck } from './evaluate.ts';
import { runsDocker } from './infer.ts';
import { probeFor, type Probe } from './probes.ts';
import type { CheckOrigin, CheckResult, CheckSpec, DnsCheck, ExecCheck, StepCheck } from './spec.ts';

export interface CheckRunnerOptions {
  readonly checks: readonly StepCheck[];
  readonly engine: SnapshotSource;
  /** Runs a probe inside a container (engine/exec.ts `runProbe` bound to the engine). */
  readonly probe: (probe: Probe) => Promise<ProbeResult>;
  /** Commands that already ran (e.g. restored from progress storage). */
  readonly commands?: readonly CommandRecord[];
  readonly now?: () => number;
  readonly probeTtlMs?: number;
}

export interface StepResult extends CheckResult {
  readonly stepId: string;
  readonly check: CheckSpec;
  readonly origin: CheckOrigin;
  /** When this status was evaluated (ms since the epoch). */
  readonly at: number;
}

export interface CheckRunner extends Disposable {
  /** Current results, in step order. */
  results(): StepResult[];
  result(stepId: string): StepResult | undefined;
  /** Fires when a step's status or reason changes. */
  readonly onResult: Event<StepResult>;
  /** Re-reads the engine and re-runs the probes now (all steps, or one), then returns the fresh results. */
  checkNow(stepId?: string): Promise<StepResult[]>;
  /** A command ran in a terminal: evidence for `ran` checks, and a hint that the engine may have changed. */
  commandRan(record: CommandRecord): void;
  /** The attendee says the step is done (or takes it back): evidence for `manual` checks. */
  confirm(stepId: string, confirmed?: boolean): void;
}

/** The latest commands kept as evidence for `ran` checks: by the runner, and by the service that seeds a new runner. */
const MAX_COMMANDS = 1000;

/** Adds a command to a command log, forgetting the oldest beyond MAX_COMMANDS. */
export function keepCommand(commands: CommandRecord[], record: CommandRecord): void {
  commands.push(record);
  if (commands.length > MAX_COMMANDS) commands.splice(0, commands.length - MAX_COMMANDS);
}
const engineKinds = new Set<CheckSpec['kind']>(['service', 'network', 'node', 'container', 'secret', 'config']);

export function createCheckRunner(options: CheckRunnerOptions): CheckRunner {
  const now = options.now ?? Date.now;
  const probeTtlMs = options.probeTtlMs ?? 5000;
  const checks = options.checks;
  const commands: CommandRecord[] = [...(options.commands ?? [])];
  const confirmed = new Set<string>();
  const probeResults = new Map<string, ProbeResult>();
  const probesInFlight = new Map<string, Promise<void>>();
  const results = new Map<string, StepResult>();
  const resultEmitter = new Emitter<StepResult>();
  const probesByStep = new Map(checks.map((c) => [c.stepId, probesOf(c.check)]));
  let pollingLease: Disposable | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let disposed = false;

  const runProbe = (probe: Probe): Promise<void> => {
    const running = probesInFlight.get(probe.key);
    if (running) return running;
    const done = options
      .probe(probe)
      .then((result) => {
        probeResults.set(probe.key, result);
      })
      .finally(() => {
        probesInFlight.delete(probe.key);
        evaluateAll();
      });
    probesInFlight.set(probe.key, done);
    return done;
  };

  const evaluateAll = (): void => {
    if (disposed) return;
    const snapshot = options.engine.current;
    const at = now();
    let waitingForEngine = false;
    let waitingForProbes = false;
    for (const stepCheck of checks) {
      const evidence = { probes: probeResults, confirmed: confirmed.has(stepCheck.stepId) };
      const outcome = evaluateCheck(stepCheck.check, snapshot, commands, at, evidence);
      const probes = probesByStep.get(stepCheck.stepId) ?? [];
      if (outcome.status === 'pending' && usesEngineState(stepCheck.check)) waitingForEngine = true;
      if (outcome.status !== 'passed' && probes.length) {
        waitingForProbes = true;
        if (snapshot.reachable) {
          for (const probe of probes) {
            const cached = probeResults.get(probe.key);
            if (!cached || at - cached.at >= probeTtlMs) void runProbe(probe);
          }
        }
      }
      const previous = results.get(stepCheck.stepId);
      if (previous && previous.status === outcome.status && previous.reason === outcome.reason) continue;
      const result: StepResult = { stepId: stepCheck.stepId, check: stepCheck.check, origin: stepCheck.origin, at, ...outcome };
      results.set(stepCheck.stepId, result);
      resultEmitter.fire(result);
    }
    if (waitingForEngine && !pollingLease) pollingLease = options.engine.holdPolling();
    if (!waitingForEngine && pollingLease) {
      pollingLease.dispose();
      pollingLease = undefined;
    }
    if (waitingForProbes && !retryTimer) {
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        evaluateAll();
      }, probeTtlMs);
    }
  };

  const subscription = options.engine.onSnapshot(evaluateAll);
  evaluateAll();

  return {
    // biome-ignore lint/style/noNonNullAssertion: evaluateAll() ran above and set a result for every check
    results: () => checks.map((c) => results.get(c.stepId)!),
    result: (stepId) => results.get(stepId),
    onResult: resultEmitter.event,
    async checkNow(stepId) {
      const selected = checks.filter((c) => stepId === undefined || c.stepId === stepId);
      const snapshot = await options.engine.refresh();
      if (snapshot.reachable) {
        const probes = new Map(selected.flatMap((c) => probesByStep.get(c.stepId) ?? []).map((p) => [p.key, p]));
        for (const key of probes.keys()) probeResults.delete(key);
        await Promise.all([...probes.values()].map(runProbe));
      }
      evaluateAll();
      // biome-ignore lint/style/noNonNullAssertion: evaluateAll() just set a result for every check
      return selected.map((c) => results.get(c.stepId)!);
    },
    commandRan(record) {
      keepCommand(commands, record);
      evaluateAll();
      // A docker command may have changed the engine's state: read it now rather than wait for the events stream.
      // Other commands (cd, curl, ...) cannot, and in a class every typed command would otherwise cost a full read.
      if (runsDocker(record.command)) void options.engine.refresh();
    },
    confirm(stepId, value = true) {
      if (value) confirmed.add(stepId);
      else confirmed.delete(stepId);
      evaluateAll();
    },
    dispose() {
      disposed = true;
      subscription.dispose();
      pollingLease?.dispose();
      if (retryTimer) clearTimeout(retryTimer);
      resultEmitter.dispose();
    },
  };
}

function probesOf(check: CheckSpec): Probe[] {
  switch (check.kind) {
    case 'exec':
    case 'dns':
      return [probeFor(check as ExecCheck | DnsCheck)];
    case 'all':
    case 'any':
      return check.checks.flatMap(probesOf);
    case 'not':
      return probesOf(check.check);
    default:
      return [];
  }
}

function usesEngineState(check: CheckSpec): boolean {
  switch (check.kind) {
    case 'all':
    case 'any':
      return check.checks.some(usesEngineState);
    case 'not':
      return usesEngineState(check.check);
    default:
      return engineKinds.has(check.kind);
  }
}
