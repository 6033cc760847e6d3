// Seat ready benchmark: an attendee joins → their terminal is a shell prompt whose `docker info` answers, with a
// warm pool (environment `warm: N`) against cold starts (a sandbox made at the join), same attendees, same run.
//
// - Each attendee joins at their own moment, spread over `spreadMs` (the class arriving), as `labdeck serve` does it:
//   the provider's `up` starts at the join, and their terminal (the launcher script, then ssh into the sandbox, a
//   PTY here as node-pty gives the server) starts with it. Timed from the join to the answer of `docker info` typed at
//   the first prompt.
// - Memory per idle seat: the ready seats before anyone joined, as the node sees them (the cgroup of each sandbox:
//   its sshd, dockerd and containerd, and what the images loaded left in the page cache), `docker stats`' way
//   (usage minus inactive files: what the kernel would not reclaim first) and resident memory alone.
// - How many attendees: LABDECK_BENCH_SEATS (default 20); a machine too small for them says so in its figures.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import type { SwarmEnvironmentConfig } from '../src/config/environment.ts';
import { connectEngine } from '../src/engine/docker.ts';
import { ensureBusyboxImage } from '../src/engine/images.ts';
import { ensureSandboxImage } from '../src/engine/sandbox-image.ts';
import { SANDBOX_CLASS_LABEL, SANDBOX_SEAT_LABEL } from '../src/engine/sandbox-spec.ts';
import type { AttendeeRef, EnvironmentProvider } from '../src/environments/provider.ts';
import { createSwarmProvider } from '../src/environments/swarm-provider.ts';
import { substituteCommand } from '../src/terminal/command-template.ts';

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

/** The node's available memory (the kernel's estimate: free, plus what it can reclaim), in bytes. */
function memAvailable(): number {
  const match = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return Number(match?.[1] ?? Number.NaN) * 1024;
}

interface SeatMemory {
  readonly workingSet: number;
  readonly resident: number;
}

/** Each idle seat's memory, from its container's cgroup (cgroup v1 and v2 names alike). */
async function idleSeatMemory(docker: ReturnType<typeof connectEngine>, classId: string): Promise<SeatMemory[]> {
  const containers = await docker.listContainers({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`, SANDBOX_SEAT_LABEL] } });
  return Promise.all(
    containers.map(async (container) => {
      const stats = (await docker.getContainer(container.Id).stats({ stream: false })) as {
        memory_stats: { usage: number; stats: Record<string, number> };
      };
      const { usage, stats: detail } = stats.memory_stats;
      const inactiveFile = detail.total_inactive_file ?? detail.inactive_file ?? 0;
      const resident = (detail.total_rss ?? detail.anon ?? 0) + (detail.total_mapped_file ?? detail.file_mapped ?? 0);
      return { workingSet: usage - inactiveFile, resident };
    }),
  );
}

export async function benchSeats(): Promise<string> {
  const docker = connectEngine({});
  await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
  await ensureSandboxImage(docker, {});
  const root = mkdtempSync(join(tmpdir(), 'labdeck-bench-seats-'));
  const attendees = (prefix: string): AttendeeRef[] => Array.from({ length: attendeeCount }, (_, i) => ({ id: `a-${prefix}${i}`, name: `${prefix}${i}` }));
  const run = async (warm: boolean) => {
    const classId = `S${warm ? 'W' : 'C'}${Date.now().toString(36).toUpperCase()}`;
    const provider = createSwarmProvider({ docker, classId, root: join(root, classId), config: { ...config, warm: warm ? attendeeCount : 0 }, log: () => {} });
    const people = attendees(warm ? 'w' : 'c');
    try {
      let fillMs = 0;
      let memory: SeatMemory[] = [];
      let nodeDrop = 0;
      if (warm) {
        const availableBefore = memAvailable();
        const started = Date.now();
        const outcome = await provider.seats?.fill(attendeeCount);
        fillMs = Date.now() - started;
        if (!outcome || outcome.ready < attendeeCount)
          throw new Error(`the pool holds ${outcome?.ready} ready seats of ${attendeeCount}: ${outcome?.failures.join('; ')}`);
        await new Promise((resolve) => setTimeout(resolve, 5000)); // idle: the engines settled after their start
        memory = await idleSeatMemory(docker, classId);
        nodeDrop = availableBefore - memAvailable();
      }
      const times = await classArrives(provider, people);
      return { times, fillMs, memory, nodeDrop };
    } finally {
      for (const attendee of people) await provider.down(attendee).catch(() => {});
      await provider.seats?.removeUnclaimed().catch(() => {});
    }
  };
  try {
    const warm = await run(true);
    const cold = await run(false);
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
    return [
      `${attendeeCount} attendees joining within ${spreadMs / 1000} s, each sandbox 1 CPU, 768 MiB, \`labdeck/busybox\` loaded. Seat ready = the join →`,
      "the attendee's terminal (launcher, then ssh into the sandbox) shows a prompt, whose `docker info` answers. Peer: the same",
      'class without a pool (each sandbox made at the join), same run. Goal: p95 ≤ 2 s from warm.',
      '',
      '| seats | seat ready p50 | p95 | slowest | sandbox entered (p50 / p95) | prompt (p50 / p95) |',
      '|---|---|---|---|---|---|',
      row(`warm pool (\`warm: ${attendeeCount}\`)`, warm.times),
      row('cold (made at the join)', cold.times),
      '',
      `Filling the pool (\`labdeck env warm ${attendeeCount}\`, 2 seats at a time) took ${seconds(warm.fillMs)}.`,
      '',
      `Memory per idle seat (the sandbox's cgroup: sshd, dockerd, containerd, and the page cache of the loaded image), over ${warm.memory.length} seats:`,
      `${mib(average(working))} on average as \`docker stats\` counts it (usage minus inactive files; max ${mib(Math.max(...working))}),`,
      `of which ${mib(average(resident))} resident (anonymous and mapped); the node's available memory (MemAvailable) fell by`,
      `${mib(warm.nodeDrop / attendeeCount)} per seat (what the seats share, such as the engine binaries' pages, counted once). Goal ≤ 250 MiB.`,
    ].join('\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
