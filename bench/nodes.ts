// A class across several nodes: the 3-node test swarm (test/support/multi-node-swarm.ts: three extra engines on this
// machine, in network namespaces), three attendees whose sandboxes the swarm spreads over them. Run as root, under
// `flock /tmp/labdeck-heavy.lock` when others use the machine.
//
// - Check latency across nodes: a state change in a sandbox on another node than the manager (a network made, then
//   removed, 10 times each) → its check's result, as the attendee's badge gets it (the checks' engine watch over ssh,
//   the runner). p50/p95. Goal: < 500 ms, as on one node.
// - Memory per idle seat: each sandbox with its idle inner engine and sshd, as its node sees it (the container's
//   memory less its page cache, as `docker stats` counts it). Goal ≤ 250 MiB.
// - Recovery after a node is killed: its engine stopped → the affected attendee's terminal has a working shell
//   again, in the sandbox the swarm recreated on another node (labdeck following by itself).
import * as pty from 'node-pty';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckRunner } from '../src/checks/runner.ts';
import { connectEngine } from '../src/engine/docker.ts';
import { connectEngineAt } from '../src/engine/engine-address.ts';
import { ensureBusyboxImage } from '../src/engine/images.ts';
import { ensureSandboxImage, SANDBOX_IMAGE } from '../src/engine/sandbox-image.ts';
import { SANDBOX_ATTENDEE_LABEL } from '../src/engine/sandbox-spec.ts';
import { listSandboxes } from '../src/engine/sandboxes.ts';
import { watchEngine } from '../src/engine/snapshot.ts';
import { labelNode, listClassNodes, NODE_ENGINE_LABEL } from '../src/engine/swarm-nodes.ts';
import { createSwarmProvider } from '../src/environments/swarm-provider.ts';
import { substituteCommand } from '../src/terminal/command-template.ts';
import { createMultiNodeSwarm } from '../test/support/multi-node-swarm.ts';
import { waitFor } from '../test/support/wait.ts';

const changes = 10;
const memory = 512 * 1024 ** 2;

const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? NaN;

export async function benchNodes(): Promise<string> {
  const machine = connectEngine({});
  await ensureBusyboxImage(machine, { name: 'labdeck/busybox:latest' });
  await ensureSandboxImage(machine, { log: () => {} });
  const swarm = await createMultiNodeSwarm({ nodes: 3, images: [SANDBOX_IMAGE, 'labdeck/busybox:latest'], source: machine });
  const root = mkdtempSync(join(tmpdir(), 'labdeck-bench-nodes-'));
  const classId = 'BNODES';
  try {
    const manager = swarm.manager.docker;
    const nodes = await listClassNodes(manager);
    for (const node of swarm.nodes.slice(1)) {
      const id = nodes.find((n) => n.hostname === node.hostname)?.id ?? '';
      await labelNode(manager, id, { [NODE_ENGINE_LABEL]: node.host });
    }
    const provider = createSwarmProvider({
      docker: manager,
      classId,
      root,
      log: () => {},
      config: { provider: 'swarm', memoryBytes: memory, nanoCpus: 1e9, images: ['labdeck/busybox:latest'], location: { file: 'bench', line: 1 } },
      concurrency: 3,
      followIntervalMs: 1000,
    });
    const attendees = ['a-one', 'a-two', 'a-three'].map((id) => ({ id, name: id }));
    await Promise.all(attendees.map((attendee) => provider.up(attendee)));
    const hostnames = new Map((await listClassNodes(manager)).map((n) => [n.id, n.hostname]));
    const placed = new Map((await listSandboxes(manager, classId)).map((s) => [s.attendee, hostnames.get(s.node ?? '') ?? '?']));
    const remote = attendees.find((attendee) => placed.get(attendee.id) !== 'node1') ?? attendees[0];
    if (!remote) throw new Error('no sandbox');

    // Check latency across nodes.
    const address = provider.engineOf(remote.id);
    if (!address) throw new Error('no engine address');
    const inner = connectEngineAt(address);
    const watch = watchEngine(inner);
    const runner = createCheckRunner({
      checks: [{ stepId: 'net', check: { kind: 'network', name: 'bench-net' }, origin: { how: 'specified', file: 'bench', line: 1 } }],
      engine: watch,
      probe: async () => ({ ok: true, exitCode: 0, output: '', at: Date.now() }),
    });
    const latencies: number[] = [];
    try {
      await waitFor(() => runner.result('net')?.status === 'failed', { timeoutMs: 30_000, describe: () => JSON.stringify(runner.result('net')) });
      for (let i = 0; i < changes; i++) {
        for (const [change, expected] of [
          [() => inner.createNetwork({ Name: 'bench-net' }), 'passed'],
          [() => inner.getNetwork('bench-net').remove(), 'failed'],
        ] as const) {
          const started = performance.now();
          await change();
          await waitFor(() => runner.result('net')?.status === expected, { timeoutMs: 10_000, intervalMs: 2, describe: () => JSON.stringify(runner.result('net')) });
          latencies.push(performance.now() - started);
        }
      }
    } finally {
      runner.dispose();
      watch.dispose();
    }

    // Memory per idle seat, after the engines settled.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const seats: { attendee: string; node: string; bytes: number; withCache: number }[] = [];
    for (const node of swarm.nodes) {
      const containers = await node.docker.listContainers({ filters: { label: [`${SANDBOX_ATTENDEE_LABEL}`] } });
      for (const container of containers) {
        const stats = (await node.docker.getContainer(container.Id).stats({ stream: false })) as { memory_stats?: { usage?: number; stats?: { cache?: number } } };
        const withCache = stats.memory_stats?.usage ?? 0;
        const bytes = withCache - (stats.memory_stats?.stats?.cache ?? 0);
        seats.push({ attendee: container.Labels[SANDBOX_ATTENDEE_LABEL] ?? '?', node: node.hostname, bytes, withCache });
      }
    }

    // Recovery after a node is killed: the remote attendee's terminal, in their sandbox, then its node stops.
    const [shell] = Object.values(provider.terminalCommands([{ name: 'shell', command: ['bash', '-l'], localShell: true, location: { file: 'bench', line: 1 } }]));
    if (!shell) throw new Error('no terminal command');
    const argv = substituteCommand(shell, { attendee: remote.id, terminal: 'shell' });
    const following = provider.follow?.();
    const terminal = pty.spawn(argv[0] ?? 'sh', argv.slice(1), { cols: 120, rows: 30, env: { ...process.env, TERM: 'xterm' } as Record<string, string> });
    let output = '';
    terminal.onData((data) => {
      output += data;
    });
    let recoveryMs = NaN;
    try {
      terminal.write('echo ready-$((1+1))\r');
      await waitFor(() => output.includes('ready-2'), { timeoutMs: 30_000, describe: () => output });
      const victim = swarm.nodes.find((node) => node.hostname === placed.get(remote.id));
      if (!victim) throw new Error('no node');
      const killed = performance.now();
      await swarm.stopNode(victim);
      await waitFor(() => output.includes('was recreated'), { timeoutMs: 180_000, intervalMs: 100, describe: () => output.slice(-1000) });
      // Typed until a shell answers: the first keys may reach the terminal while ssh logs in.
      for (let i = 0; !output.includes('back-4'); i++) {
        terminal.write('echo back-$((2+2))\r');
        await waitFor(() => output.includes('back-4'), { timeoutMs: 2000, intervalMs: 50, describe: () => output.slice(-500) }).catch(() => {
          if (i > 30) throw new Error(`no shell after the recreation: ${output.slice(-500)}`);
        });
      }
      recoveryMs = performance.now() - killed;
    } finally {
      terminal.kill();
      following?.dispose();
    }

    const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
    const mean = (pick: (seat: (typeof seats)[number]) => number) => seats.reduce((sum, seat) => sum + pick(seat), 0) / Math.max(1, seats.length);
    return [
      `Three engines on this machine joined as a swarm (test/support/multi-node-swarm.ts; manager node1, heartbeat 2 s), three attendees`,
      `(sandboxes of ${mib(memory)} reserved, spread: ${[...placed].map(([attendee, node]) => `${attendee} on ${node}`).join(', ')}).`,
      '',
      '| figure | value | goal |',
      '|---|---|---|',
      `| check latency across nodes (${remote.id} on ${placed.get(remote.id)}: network made/removed → its result), p50 / p95 of ${latencies.length} | ${percentile(latencies, 0.5).toFixed(0)} ms / ${percentile(latencies, 0.95).toFixed(0)} ms | < 500 ms |`,
      `| memory per idle seat (sandbox, inner engine and sshd, as its node counts it less page cache), mean of ${seats.length} (${seats.map((seat) => mib(seat.bytes)).join(', ')}) | ${mib(mean((seat) => seat.bytes))} (${mib(mean((seat) => seat.withCache))} with its page cache) | ≤ 250 MiB |`,
      `| recovery after a node is killed (its engine stopped → the affected attendee's shell answers in the recreated sandbox) | ${(recoveryMs / 1000).toFixed(1)} s | |`,
      '',
      'The recovery is mostly the swarm noticing the node down (a few heartbeats) and the new sandbox booting its engine;',
      'labdeck asks the swarm where sandboxes run every 1 s here (2 s by default).',
    ].join('\n');
  } finally {
    await swarm.remove();
    rmSync(root, { recursive: true, force: true });
  }
}
