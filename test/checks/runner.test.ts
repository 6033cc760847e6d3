// The runner on a fake engine: results follow snapshots, commands and confirmations; polling is held only while a
// check waits for convergence; probes run once per key and are cached; watchers add no engine work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineSnapshot, ProbeResult } from '../../src/checks/engine-state.ts';
import type { Probe } from '../../src/checks/probes.ts';
import { createCheckRunner, keepCommand, type StepResult } from '../../src/checks/runner.ts';
import type { SnapshotSource } from '../../src/checks/engine-state.ts';
import type { StepCheck } from '../../src/checks/spec.ts';
import { NOW, command, service, snapshot, task } from './snapshot-fixtures.ts';

function fakeEngine(initial: EngineSnapshot) {
  const listeners = new Set<(s: EngineSnapshot) => void>();
  const engine = {
    current: initial,
    leases: 0,
    refreshes: 0,
    publish(next: EngineSnapshot) {
      engine.current = next;
      for (const l of listeners) l(next);
    },
    onSnapshot(listener: (s: EngineSnapshot) => void) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    async refresh() {
      engine.refreshes++;
      return engine.current;
    },
    holdPolling() {
      engine.leases++;
      let done = false;
      return {
        dispose: () => {
          if (!done) {
            done = true;
            engine.leases--;
          }
        },
      };
    },
  };
  return engine satisfies SnapshotSource & object;
}

const origin = { how: 'specified', file: 'exercises/x.yml', line: 1 } as const;
const checks: StepCheck[] = [
  { stepId: 's1', check: { kind: 'service', name: 'debug', running: 'desired' }, origin },
  { stepId: 's2', check: { kind: 'ran', pattern: '^docker ps' }, origin },
  { stepId: 's3', check: { kind: 'manual' }, origin },
  { stepId: 's4', check: { kind: 'exec', target: { service: 'debug' }, command: 'true' }, origin },
  { stepId: 's5', check: { kind: 'exec', target: { service: 'debug' }, command: 'true' }, origin },
];

test('results follow the snapshot, the command log and confirmations; onResult fires on changes only', async () => {
  const engine = fakeEngine(snapshot({ services: [service({ name: 'debug', updatedAt: NOW })], tasks: [task('debug', 'preparing', { updatedAt: NOW })] }));
  const probes: Probe[] = [];
  const runner = createCheckRunner({
    checks,
    engine,
    now: () => NOW + 1000,
    probeTtlMs: 60_000,
    probe: async (probe): Promise<ProbeResult> => {
      probes.push(probe);
      return { ok: true, exitCode: 0, output: '', at: NOW + 1000 };
    },
  });
  const seen: StepResult[] = [];
  const subscriptions = Array.from({ length: 100 }, () => runner.onResult((r) => seen.push(r)));
  try {
    assert.equal(runner.result('s1')!.status, 'pending');
    assert.equal(engine.leases, 1, 'a converging service holds one polling lease');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(probes.length, 1, 'two checks with the same probe share one run');
    assert.equal(runner.result('s4')!.status, 'passed');

    engine.publish(snapshot({ services: [service({ name: 'debug', updatedAt: NOW })], tasks: [task('debug', 'running')] }));
    assert.equal(runner.result('s1')!.status, 'passed');
    assert.equal(engine.leases, 0, 'polling stops once nothing converges');

    const before = seen.length;
    engine.publish(engine.current);
    assert.equal(seen.length, before, 'an unchanged snapshot notifies nobody');

    const refreshes = engine.refreshes;
    runner.commandRan(command('curl -s rng:80', 0));
    assert.equal(engine.refreshes, refreshes, 'a command that runs no docker reads nothing');
    runner.commandRan(command('docker ps', 0));
    assert.equal(engine.refreshes, refreshes + 1, 'a docker command reads the engine now');
    assert.equal(runner.result('s2')!.status, 'passed');
    runner.confirm('s3');
    assert.equal(runner.result('s3')!.status, 'passed');
    assert.equal(seen.filter((r) => r.stepId === 's3').length, 100, 'each of 100 watchers got the change once');
    assert.equal(probes.length, 1, 'watchers cause no extra probes');

    const fresh = await runner.checkNow('s4');
    assert.equal(fresh[0]!.status, 'passed');
    assert.equal(probes.length, 2, "check now re-runs the step's probe");
    assert.ok(engine.refreshes >= 1);

    engine.publish({ ...engine.current, reachable: false, error: 'cannot connect to /tmp/x.sock (ECONNREFUSED)' });
    assert.equal(runner.result('s1')!.reason, 'engine unreachable: cannot connect to /tmp/x.sock (ECONNREFUSED)');
    assert.equal(runner.result('s2')!.status, 'passed', 'command evidence does not depend on the engine');
  } finally {
    for (const s of subscriptions) s.dispose();
    runner.dispose();
  }
});

test('a command log keeps the latest 1000 commands (the runner and the service that seeds new runners alike)', { timeout: 5000 }, () => {
  const log: ReturnType<typeof command>[] = [];
  for (let i = 0; i < 1001; i++) keepCommand(log, command(`echo ${i}`, 0));
  assert.equal(log.length, 1000);
  assert.equal(log[0]!.command, 'echo 1', 'the oldest is forgotten');
  assert.equal(log.at(-1)!.command, 'echo 1000');
});
