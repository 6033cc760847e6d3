// The live checks of a set of steps against the local engine: one engine watch (snapshot + events), the probe runner
// for exec/dns checks, and the check runner tying them together. `labdeck check` and `labdeck autopilot` both use it.
import type { EngineClient } from '../engine/services.ts';
import { createCheckRunner, type CheckRunner } from '../checks/runner.ts';
import type { StepCheck } from '../checks/spec.ts';
import { connectEngine } from '../engine/docker.ts';
import { runProbe } from '../engine/exec.ts';
import { watchEngine, type EngineWatch } from '../engine/snapshot.ts';
import type { Disposable } from '../event.ts';

export interface CheckSession extends Disposable {
  readonly docker: EngineClient;
  readonly engine: EngineWatch;
  readonly runner: CheckRunner;
}

export function startWorkshopChecks(checks: readonly StepCheck[], docker: EngineClient = connectEngine()): CheckSession {
  const engine = watchEngine(docker);
  // ab and friends inside a probe take a few seconds; the default 10 s leaves room for a loaded machine.
  const runner = createCheckRunner({ checks, engine, probe: (probe) => runProbe(docker, probe, { timeoutMs: 20_000 }) });
  return {
    docker,
    engine,
    runner,
    dispose() {
      runner.dispose();
      engine.dispose();
    },
  };
}
