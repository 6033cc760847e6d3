// Seat ready benchmark: an attendee joins → their terminal is a shell prompt whose `docker info` answers, with a
// warm pool (environment `warm: N`) against cold starts (a sandbox made at the join), same attendees, same run, on the
// 3-node test swarm (test/support/multi-node-swarm.ts: three engines on this machine in network namespaces, node1
// the manager labdeck talks to, the others reached through their `labdeck.engine` labels): the sandboxes spread
// over the three nodes, and a terminal reaches its seat at its node's address. Run as root, under
// `flock /tmp/labdeck-heavy.lock` when others use the machine (only one such swarm can exist on it).
//
// - Each attendee joins at their own moment, spread over `spreadMs` (the class arriving), as `labdeck serve` does it:
//   the provider's `up` starts at the join, and their terminal (the launcher script, then ssh into the sandbox, a
//   PTY here as node-pty gives the server) starts with it. Timed from the join to the answer of `docker info` typed at
//   the first prompt.
// - Memory per idle seat: the ready seats before anyone joined, as their nodes see them (the cgroup of each sandbox:
//   its sshd, dockerd and containerd, and what the images loaded left in the page cache), `docker stats`' way
//   (usage minus inactive files: what the kernel would not reclaim first) and resident memory alone.
// - How many attendees: LABDECK_BENCH_SEATS (default 20); when fewer seats get ready (the nodes' memory, the machine's
//   time), both runs measure the attendees that fit, and the figures say so.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import type { SwarmEnvironmentConfig } from '../src/config/environment.ts';
import { connectEngine } from '../src/engine/docker.ts';
import { ensureBusyboxImage } from '../src/engine/images.ts';
import { ensureSandboxImage, SANDBOX_IMAGE } from '../src/engine/sandbox-image.ts';
import { SANDBOX_CLASS_LABEL, SANDBOX_SEAT_LABEL } from '../src/engine/sandbox-spec.ts';
import { sandboxTasks } from '../src/engine/sandboxes.ts';
import { labelNode, listClassNodes, NODE_ENGINE_LABEL } from '../src/engine/swarm-nodes.ts';
import { createNodeImages } from '../src/environments/class-nodes.ts';
import type { AttendeeRef, EnvironmentProvider } from '../src/environments/provider.ts';
import { createSwarmProvider } from '../src/environments/swarm-provider.ts';
import { substituteCommand } from '../src/terminal/command-template.ts';
import { createMultiNodeSwarm, type MultiNodeSwarm } from '../test/support/multi-node-swarm.ts';

const attendeeCount = Number(process.env.LABDECK_BENCH_SEATS ?? 20);
const spreadMs = 10_000;
const seatTimeoutMs = 240_000;
const config: SwarmEnvironmentConfig = {
  provider: 'swarm',
  memoryBytes: 768 * 1024 ** 2,
  nanoCpus: 1e9,
  images: ['labdeck/busybox:latest'],
  location: { file: 'bench', line: 1 },
};

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

interface Timings {
  /** The join → the environment says how to enter it (the provider's `ready`). */
  readonly entered: number;
  /** The join → the shell's prompt. */
  readonly prompt: number;
  /** The join → `docker info` answered: seat ready. */
  readonly answer: number;
}

/** Starts the attendee's terminal at the join; resolves to the ms from `joinedAt` to its prompt and `docker info`'s answer. */
function seatReady(provider: EnvironmentProvider, attendee: AttendeeRef, joinedAt: number): Promise<{ prompt: number; answer: number }> {
  const [template] = Object.values(provider.terminalCommands([{ name: 'shell', command: ['bash', '-l'], localShell: true, location: { file: 'b', line: 1 } }]));
  const argv = substituteCommand(template!, { attendee: attendee.id, terminal: 'shell' });
  return new Promise((resolve, reject) => {
    const terminal = pty.spawn(argv[0]!, argv.slice(1), { cols: 120, rows: 30, env: { ...process.env, TERM: 'xterm' } as Record<string, string> });
    let output = '';
    let typed = false;
    let prompt = 0;
    const timer = setTimeout(() => {
      terminal.kill();
      reject(new Error(`${attendee.id}: no answer within ${seatTimeoutMs / 1000} s; the terminal showed:\n${output.slice(-500)}`));
    }, seatTimeoutMs);
    terminal.onData((data) => {
      output += data;
      if (!typed && /root@sandbox:[^\n]*[#$] $/.test(output)) {
        typed = true;
        prompt = Date.now() - joinedAt;
        terminal.write("docker info --format 'answer={{.ServerVersion}}'\r");
      }
      if (typed && /answer=\d/.test(output)) {
        clearTimeout(timer);
        const elapsed = Date.now() - joinedAt;
        terminal.kill(); // hangs up: ssh and the shell end (writing `exit` races the terminal's close)
        resolve({ prompt, answer: elapsed });
      }
    });
    terminal.onExit(() => {
      if (!typed) {
        clearTimeout(timer);
        reject(new Error(`${attendee.id}: the terminal ended: ${output.slice(-500)}`));
      }
    });
  });
}

/** The class arrives: attendee i joins at i × spread / n; resolves to each one's seat-ready time. */
async function classArrives(provider: EnvironmentProvider, attendees: readonly AttendeeRef[]): Promise<Timings[]> {
  return Promise.all(
    attendees.map(async (attendee, index) => {
      await new Promise((resolve) => setTimeout(resolve, (index * spreadMs) / attendees.length));
      const joinedAt = Date.now();
      let entered = Number.NaN;
      // As serve's onArrival: a failure shows in the terminal.
      provider.up(attendee).then(
        () => {
          entered = Date.now() - joinedAt;
        },
        () => {},
      );
      const { prompt, answer } = await seatReady(provider, attendee, joinedAt);
      return { entered, prompt, answer };
    }),
  );
}

/** The machine's available memory (the kernel's estimate: free, plus what it can reclaim), in bytes: the three nodes are this machine. */
function memAvailable(): number {
  const match = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return Number(match?.[1] ?? Number.NaN) * 1024;
}

interface SeatMemory {
  readonly node: string;
  readonly workingSet: number;
  readonly resident: number;
}

/** Each idle seat's memory, from its container's cgroup as its node's engine reports it (cgroup v1 and v2 names alike). */
async function idleSeatMemory(swarm: MultiNodeSwarm, classId: string): Promise<SeatMemory[]> {
  const perNode = await Promise.all(
    swarm.nodes.map(async (node) => {
      const containers = await node.docker.listContainers({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`, SANDBOX_SEAT_LABEL] } });
      return Promise.all(
        containers.map(async (container) => {
          const stats = (await node.docker.getContainer(container.Id).stats({ stream: false })) as {
            memory_stats: { usage: number; stats: Record<string, number> };
          };
          const { usage, stats: detail } = stats.memory_stats;
          const inactiveFile = detail.total_inactive_file ?? detail.inactive_file ?? 0;
          const resident = (detail.total_rss ?? detail.anon ?? 0) + (detail.total_mapped_file ?? detail.file_mapped ?? 0);
          return { node: node.hostname, workingSet: usage - inactiveFile, resident };
        }),
      );
    }),
  );
  return perNode.flat();
}

/** How many of the class's running sandboxes each node holds: `node1 7, node2 7, node3 6`. */
async function spread(swarm: MultiNodeSwarm, classId: string): Promise<string> {
  const [tasks, nodes] = await Promise.all([sandboxTasks(swarm.manager.docker, classId), listClassNodes(swarm.manager.docker)]);
  return nodes.map((node) => `${node.hostname} ${tasks.filter((task) => task.state === 'running' && task.node === node.id).length}`).join(', ');
}

export async function benchSeats(): Promise<string> {
  const machine = connectEngine({});
  await ensureBusyboxImage(machine, { name: 'labdeck/busybox:latest' });
  const sandboxImage = await ensureSandboxImage(machine, {});
  const swarm = await createMultiNodeSwarm({ nodes: 3, images: [SANDBOX_IMAGE, 'labdeck/busybox:latest'], source: machine });
  const docker = swarm.manager.docker;
  const root = mkdtempSync(join(tmpdir(), 'labdeck-bench-seats-'));
  try {
    // What an instructor does for each machine of the class: tell labdeck where its engine is.
    const listed = await listClassNodes(docker);
    for (const node of swarm.nodes.slice(1)) await labelNode(docker, listed.find((n) => n.hostname === node.hostname)?.id ?? '', { [NODE_ENGINE_LABEL]: node.host });
    // The other nodes get the sandbox image before the runs (once per class, not per seat): neither run pays for it.
    const imageStarted = Date.now();
    await createNodeImages({ docker, access: {}, log: () => {} })({ name: sandboxImage.name, id: sandboxImage.id });
    const imageMs = Date.now() - imageStarted;

    const attendees = (prefix: string, count: number): AttendeeRef[] => Array.from({ length: count }, (_, i) => ({ id: `a-${prefix}${i}`, name: `${prefix}${i}` }));
    const provider = (classId: string, warm: number) =>
      createSwarmProvider({ docker, classId, root: join(root, classId), config: { ...config, warm }, log: () => {}, startTimeoutMs: seatTimeoutMs });
    // Warm: the pool filled (`labdeck env warm N`), measured idle, then the class arrives and claims it.
    const warmClass = `SW${Date.now().toString(36).toUpperCase()}`;
    const warmProvider = provider(warmClass, attendeeCount);
    let warm: { times: Timings[]; fillMs: number; memory: SeatMemory[]; nodeDrop: number; fitted: number; failures: readonly string[]; spread: string };
    {
      const availableBefore = memAvailable();
      const started = Date.now();
      const outcome = await warmProvider.seats?.fill(attendeeCount);
      const fillMs = Date.now() - started;
      const fitted = outcome?.ready ?? 0;
      if (fitted === 0) throw new Error(`no warm seat got ready: ${outcome?.failures.join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 5000)); // idle: the engines settled after their start
      const memory = await idleSeatMemory(swarm, warmClass);
      const nodeDrop = availableBefore - memAvailable();
      const seatSpread = await spread(swarm, warmClass);
      const people = attendees('w', fitted);
      try {
        const times = await classArrives(warmProvider, people);
        warm = { times, fillMs, memory, nodeDrop, fitted, failures: outcome?.failures ?? [], spread: seatSpread };
      } finally {
        for (const attendee of people) await warmProvider.down(attendee).catch(() => {});
        await warmProvider.seats?.removeUnclaimed().catch(() => {});
      }
    }
    // Cold: as many attendees, each sandbox made at the join.
    const coldClass = `SC${Date.now().toString(36).toUpperCase()}`;
    const coldProvider = provider(coldClass, 0);
    const coldPeople = attendees('c', warm.fitted);
    let cold: { times: Timings[]; spread: string };
    try {
      const times = await classArrives(coldProvider, coldPeople);
      cold = { times, spread: await spread(swarm, coldClass) };
    } finally {
      for (const attendee of coldPeople) await coldProvider.down(attendee).catch(() => {});
    }

    const row = (name: string, times: readonly Timings[]) => {
      const answers = times.map((time) => time.answer);
      const p = (key: keyof Timings) =>
        `${seconds(
          percentile(
            times.map((time) => time[key]),
            50,
          ),
        )} / ${seconds(
          percentile(
            times.map((time) => time[key]),
            95,
          ),
        )}`;
      return `| ${name} | ${seconds(percentile(answers, 50))} | ${seconds(percentile(answers, 95))} | ${seconds(Math.max(...answers))} | ${p('entered')} | ${p('prompt')} |`;
    };
    const average = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const working = warm.memory.map((seat) => seat.workingSet);
    const resident = warm.memory.map((seat) => seat.resident);
    const byNode = swarm.nodes
      .map((node) => {
        const seats = warm.memory.filter((seat) => seat.node === node.hostname);
        return `${node.hostname} ${seats.length > 0 ? mib(average(seats.map((seat) => seat.workingSet))) : '–'}`;
      })
      .join(', ');
    const n = warm.fitted;
    return [
      'On the 3-node test swarm (test/support/multi-node-swarm.ts: three engines on this machine, each in its own network',
      'namespace; node1 the manager, node2 and node3 given the sandbox image by labdeck through their `labdeck.engine`',
      `labels, which took ${seconds(imageMs)} before the runs). ${n} attendees joining within ${spreadMs / 1000} s, each sandbox 1 CPU, 768 MiB`,
      "reserved, `labdeck/busybox` loaded. Seat ready = the join → the attendee's terminal (launcher, then ssh into the",
      "sandbox at its node's address) shows a prompt, whose `docker info` answers. Peer: the same class without a pool (each",
      'sandbox made at the join), same run. Goal: p95 ≤ 2 s from warm.',
      ...(n < attendeeCount
        ? ['', `**Only ${n} of ${attendeeCount} seats got ready on this machine** (${warm.failures.join('; ') || 'no reason given'}): both runs measured ${n} attendees.`]
        : []),
      '',
      '| seats | seat ready p50 | p95 | slowest | sandbox entered (p50 / p95) | prompt (p50 / p95) | sandboxes per node |',
      '|---|---|---|---|---|---|---|',
      `${row(`warm pool (\`warm: ${attendeeCount}\`)`, warm.times)} ${warm.spread} |`,
      `${row('cold (made at the join)', cold.times)} ${cold.spread} |`,
      '',
      `Filling the pool (\`labdeck env warm ${attendeeCount}\`, 2 seats at a time, over the three nodes) took ${seconds(warm.fillMs)}.`,
      '',
      `Memory per idle seat (the sandbox's cgroup as its node's engine reports it: sshd, dockerd, containerd, and the page cache of the loaded image), over ${warm.memory.length} seats:`,
      `${mib(average(working))} on average as \`docker stats\` counts it (usage minus inactive files; max ${mib(Math.max(...working))}; per node ${byNode}),`,
      `of which ${mib(average(resident))} resident (anonymous and mapped); the machine's available memory (MemAvailable: the three nodes are this`,
      `machine) fell by ${mib(warm.nodeDrop / n)} per seat (what the seats share, such as the engine binaries' pages, counted once). Goal ≤ 250 MiB.`,
    ].join('\n');
  } finally {
    await swarm.remove();
    rmSync(root, { recursive: true, force: true });
  }
}
