// The engine goes away and comes back: results say "engine unreachable", nothing crashes, the events stream
// reconnects by itself and results recover without anyone asking. The machine's dockerd is shared, so this test runs
// a private dockerd of its own (own data/exec roots, pidfile and socket; no bridge, no iptables) and kills that one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createCheckRunner, type CheckRunner } from '../../src/checks/runner.ts';
import { connectEngine } from '../../src/engine/docker.ts';
import { runProbe } from '../../src/engine/exec.ts';
import { watchEngine, type EngineWatch } from '../../src/engine/snapshot.ts';

const dir = mkdtempSync('/tmp/ld-dockerd-');
const socket = `${dir}.sock`;
const log = join(dir, 'dockerd.log');
let dockerd: ChildProcess | undefined;
let watch: EngineWatch | undefined;
let runner: CheckRunner | undefined;

function startDockerd(): ChildProcess {
  const output = openSync(log, 'a');
  // Its own network namespace: a dockerd started with --bridge=none deletes the host's `docker0` interface, which
  // would break every container of the machine's real engine.
  const child = spawn(
    'unshare',
    [
      '--net',
      'dockerd',
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'dockerd.pid'),
      '-H',
      `unix://${socket}`,
      '--bridge=none',
      '--iptables=false',
      '--log-level=warn',
    ],
    { stdio: ['ignore', output, output] },
  );
  return child;
}

async function stopDockerd(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; dockerd log:\n${readFileSync(log, 'utf8').slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

after(async () => {
  runner?.dispose();
  watch?.dispose();
  if (dockerd) await stopDockerd(dockerd);
  rmSync(dir, { recursive: true, force: true });
  rmSync(socket, { force: true });
});

test('a killed engine makes results say "engine unreachable"; a restarted one makes them recover by themselves', async () => {
  dockerd = startDockerd();
  const docker = connectEngine({ host: `unix://${socket}` });
  watch = watchEngine(docker, { debounceMs: 50, reconnectMinMs: 100, reconnectMaxMs: 1000 });
  runner = createCheckRunner({
    checks: [
      { stepId: 'host-network', check: { kind: 'network', name: 'host' }, origin: { how: 'specified', file: 'x.yml', line: 1 } },
      { stepId: 'ran', check: { kind: 'ran', pattern: '^docker ps' }, origin: { how: 'fallback', command: 'docker ps', file: 'x.md', line: 1 } },
    ],
    engine: watch,
    probe: (probe) => runProbe(docker, probe),
  });
  const status = () => runner!.result('host-network')!;

  await waitFor('the private engine to answer', () => status().status === 'passed');
  assert.equal(status().reason, 'network `host` exists (host, local)');
  await waitFor('the events stream', () => watch!.listening);

  await stopDockerd(dockerd);
  await waitFor('the result to notice the engine is gone', () => status().status === 'error', 10_000);
  assert.match(status().reason, /^engine unreachable: /);
  assert.equal(watch.current.reachable, false);

  // Everything that needs no engine keeps working meanwhile.
  runner.commandRan({ command: 'docker ps', exitCode: 0, startedAt: Date.now(), endedAt: Date.now(), cwd: undefined, terminal: 't/1' });
  assert.equal(runner.result('ran')!.status, 'passed');
  assert.equal((await runner.checkNow('host-network'))[0]!.status, 'error');

  const callsWhileDown = watch.apiCalls;
  dockerd = startDockerd();
  await waitFor('results to recover after the restart', () => status().status === 'passed');
  assert.equal(watch.current.reachable, true);
  await waitFor('the events stream to reconnect', () => watch!.listening);
  assert.ok(watch.apiCalls > callsWhileDown);
});
