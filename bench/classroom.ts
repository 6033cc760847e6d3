// Classroom benchmark (issue 6): 50 and then 100 simulated attendees against the real `labdeck serve --classroom`
// (a child process, a temp copy of the sample workshop, its `local` bash terminals). Each attendee joins over HTTP,
// opens a follow-me socket and a terminal whose shell prints steady output, acked per the flow-control protocol; the
// instructor has the leading follow socket and one dashboard socket. Measured at each size, with the output flowing:
// - follow latency: the instructor's `goto` sent → the `position` received by each attendee, over `followMoves` moves;
// - dashboard latency: a change → the first dashboard message that carries it. Changes: an attendee joining (a probe
//   attendee without terminal), an attendee's page moving (its `at` report), a command finishing in an attendee's
//   terminal (shell integration, OSC 633); a kind the dashboard does not show is reported as such;
// - CPU over the measured period (server process; shells; the bench's own clients; the whole machine) from /proc, and
//   memory: server RSS idle and loaded, shells' PSS.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  joinClass,
  openDashboard,
  openFollow,
  openTerminal,
  showsAttendeeAt,
  type DashboardSocket,
  type FollowSocket,
  type TerminalSocket,
} from './classroom-clients.ts';
import { cpuSeconds, descendants, machineTicks, pssBytes, rssBytes, startClassroomServer, type ClassroomServer } from './classroom-server.ts';

const sizes = [50, 100];
const followMoves = 20;
const dashboardProbes = 10;
const warmupMs = 2000;
const idleWindowMs = 3000;
/** Beyond this (of the 4-minute budget), a larger class is not started. */
const suiteBudgetMs = 120_000;
const followTimeoutMs = 5000;
const dashboardTimeoutMs = 3000;
const terminalReadyTimeoutMs = 20_000;
const connectBatch = 10;
/**
 * Steady output without a fork per line (so that the shells' CPU stays the shells', not `date`'s and `sleep`'s): a
 * line every 0.2 s, `read -t` on a pipe nobody writes to as the sleep. In the background, so that the prompt stays
 * free for the command probes.
 */
const outputLoop = `exec 9<> <(:); while :; do printf '%(%T)T tick %s\\n' -1 "$((i++)) the quick brown fox jumps over the lazy dog"; read -t 0.2 -u 9; done &\r`;
const outputLine = /\d\d:\d\d:\d\d tick \d+/;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: readonly number[], p: number): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(0)} ms`);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const pct = (value: number) => `${value.toFixed(0)} %`;
const machineCell = (usage: Usage) => `${pct(usage.machine)} (${usage.loadAverage.toFixed(1)})`;

interface Attendee {
  readonly name: string;
  readonly follow: FollowSocket;
  readonly terminal: TerminalSocket;
}

interface Usage {
  readonly seconds: number;
  /** Percent of one core. */
  readonly server: number;
  readonly shells: number;
  readonly benchClients: number;
  /** Percent of the whole machine (all cores), everyone's work included. */
  readonly machine: number;
  /** The 1-minute load average at the end: how many were competing for the cores. */
  readonly loadAverage: number;
  /** The bench process's event-loop delay p99: how late its clients may have read what arrived. */
  readonly benchLoopDelayP99Ms: number;
}

interface SizeFigures {
  readonly size: number;
  /** Attendees added for this size, and how long joining them until all their shells printed took. */
  readonly added: number;
  readonly setupSeconds: number;
  readonly silentTerminals: number;
  readonly usage: Usage;
  readonly serverRss: number;
  readonly shellsPss: number;
  readonly dashboardTraffic: { readonly messages: number; readonly bytes: number };
  readonly follow: Samples;
  /** Dashboard latencies: an attendee joining, an attendee's page moving, a command finishing. */
  readonly joins: Samples;
  readonly moves: Samples;
  readonly commands: Samples;
}

interface Samples {
  readonly samples: readonly number[];
  /** Changes that never arrived within the timeout. */
  readonly missed: number;
  /** False when the first change never arrived: the dashboard does not show this kind of change (yet). */
  readonly shown: boolean;
  /** How long `change()` itself took (e.g. the HTTP join), part of each sample. */
  readonly changeMs: readonly number[];
}

export async function benchClassroom(): Promise<string> {
  const suiteStarted = performance.now();
  const scratch = mkdtempSync(join(tmpdir(), 'labdeck-bench-classroom-'));
  const closers: { close(): void }[] = [];
  let server: ClassroomServer | undefined;
  try {
    server = await startClassroomServer({ manifest: copySampleWorkshop(scratch), dataDir: join(scratch, 'data'), env: shellEnvironment(scratch) });
    await sleep(1000);
    const idleUsage = await measureUsage(server.pid, () => sleep(idleWindowMs));
    const idleRss = rssBytes(server.pid);

    const leader = await openFollow(server.url, server.instructorToken, 'bench-instructor', { following: false });
    const dashboard = await openDashboard(server.url, server.instructorToken);
    closers.push(leader, dashboard);
    const attendees: Attendee[] = [];
    const figures: SizeFigures[] = [];
    const skipped: string[] = [];
    for (const size of sizes) {
      if (performance.now() - suiteStarted > suiteBudgetMs) {
        skipped.push(`${size} attendees: not measured, the suite's time budget was spent`);
        continue;
      }
      process.stderr.write(`bench classroom: ${size} attendees...\n`);
      const added = size - attendees.length;
      const setupStarted = performance.now();
      const silentTerminals = await addAttendees(server, attendees, size, closers);
      const setupSeconds = (performance.now() - setupStarted) / 1000;
      await sleep(warmupMs);

      const { url, classCode, slides } = server;
      let follow: Samples = { samples: [], missed: 0, shown: true, changeMs: [] };
      let joins = follow;
      let moves = follow;
      let commands = follow;
      const dashboardBefore = { messages: dashboard.messages, bytes: dashboard.bytes };
      const usage = await measureUsage(server.pid, async () => {
        follow = await followLatencies(leader, attendees, size, slides);
        joins = await probeDashboard(dashboard, (k) => {
          const name = `probe-${pad(size)}-${pad(k)}`;
          return { shows: (text) => text.includes(JSON.stringify(name)), change: () => joinClass(url, classCode, name).then(() => {}) };
        });
        // Attendees browse back to the title slide (the leader is never there: see followLatencies), one at a time.
        moves = await probeDashboard(dashboard, (k) => {
          const attendee = attendees[dashboardProbes + k]!;
          return { shows: (text) => showsAttendeeAt(text, attendee.name, 0), change: () => attendee.follow.reportAt(0, false) };
        });
        commands = await probeDashboard(dashboard, (k) => {
          const marker = `labdeck-mark-${pad(size)}-${pad(k)}`;
          return { shows: (text) => text.includes(marker), change: () => attendees[k]!.terminal.type(`true ${marker}\r`) };
        });
      });
      figures.push({
        size,
        added,
        setupSeconds,
        silentTerminals,
        usage,
        serverRss: rssBytes(server.pid),
        dashboardTraffic: { messages: dashboard.messages - dashboardBefore.messages, bytes: dashboard.bytes - dashboardBefore.bytes },
        shellsPss: descendants(server.pid).reduce((sum, pid) => sum + pssBytes(pid), 0),
        follow,
        joins,
        moves,
        commands,
      });
    }
    return report({ idleUsage, idleRss, figures, skipped });
  } finally {
    for (const closer of closers) closer.close();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The sample workshop (its deck, steps and checks), copied so that the class's data and nothing else lands beside it. */
function copySampleWorkshop(scratch: string): string {
  const workshop = join(scratch, 'workshop');
  for (const entry of ['workshop.yml', 'slides', 'exercises']) cpSync(join(repoRoot, entry), join(workshop, entry), { recursive: true });
  return join(workshop, 'workshop.yml');
}

/** The server's environment, inherited by its shells: a home with a plain prompt and a temp folder in the scratch folder. */
function shellEnvironment(scratch: string): Record<string, string> {
  const home = join(scratch, 'home');
  const temp = join(scratch, 'tmp');
  mkdirSync(home);
  mkdirSync(temp);
  // `local` is a login bash: ~/.bash_profile is its file.
  writeFileSync(join(home, '.bash_profile'), "PS1='$ '\n");
  const env: Record<string, string> = { HOME: home, TMPDIR: temp, PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };
  // The checks' engine, when it is not the default socket.
  if (process.env.DOCKER_HOST) env.DOCKER_HOST = process.env.DOCKER_HOST;
  return env;
}

/** Joins attendees up to `size`, each with a follow socket and a busy terminal; returns how many stayed silent. */
async function addAttendees(server: ClassroomServer, attendees: Attendee[], size: number, closers: { close(): void }[]): Promise<number> {
  let silent = 0;
  while (attendees.length < size) {
    const batch = Array.from({ length: Math.min(connectBatch, size - attendees.length) }, (_, i) => `attendee-${pad(attendees.length + i)}`);
    const joined = await Promise.all(
      batch.map(async (name) => {
        const token = await joinClass(server.url, server.classCode, name);
        const follow = await openFollow(server.url, token, `bench-${name}`, { following: true });
        closers.push(follow);
        const terminal = await openTerminal(server.url, token, 'shell');
        closers.push(terminal);
        const ready = terminal.outputMatching(outputLine, terminalReadyTimeoutMs);
        terminal.type(outputLoop);
        await ready.catch(() => silent++);
        return { name, follow, terminal };
      }),
    );
    attendees.push(...joined);
  }
  return silent;
}

/** The leader moves `followMoves` times; each move's latency is taken at every attendee, missing ones counted. */
async function followLatencies(leader: FollowSocket, attendees: readonly Attendee[], size: number, slides: number): Promise<Samples> {
  const samples: number[] = [];
  let missed = 0;
  for (let move = 0; move < followMoves; move++) {
    // A different slide from the previous move, within the deck, never the title (0: where the move probes go).
    const index = 1 + ((size + move) % Math.max(1, slides - 1));
    let arrived = 0;
    let allArrived: () => void = () => {};
    const everyone = new Promise<void>((resolve) => (allArrived = resolve));
    const sent = performance.now();
    for (const attendee of attendees) {
      attendee.follow.onSlide = (received, at) => {
        if (received !== index) return;
        samples.push(at - sent);
        attendee.follow.onSlide = () => {};
        if (++arrived === attendees.length) allArrived();
      };
    }
    leader.goto(index);
    await Promise.race([everyone, sleep(followTimeoutMs)]);
    missed += attendees.length - arrived;
    for (const attendee of attendees) attendee.follow.onSlide = () => {};
    await sleep(200 + Math.random() * 200);
  }
  return { samples, missed, shown: true, changeMs: [] };
}

/**
 * `dashboardProbes` changes, one at a time, each timed from `change()` being started to the first dashboard message
 * that `shows` it. A kind of change the dashboard does not show would cost a timeout per probe: the first miss ends it.
 */
async function probeDashboard(
  dashboard: DashboardSocket,
  probe: (k: number) => { shows: (text: string) => boolean; change: () => Promise<void> | void },
): Promise<Samples> {
  const samples: number[] = [];
  const changeMs: number[] = [];
  let missed = 0;
  for (let k = 0; k < dashboardProbes; k++) {
    const { shows, change } = probe(k);
    let arrivedAt: number | undefined;
    const seen = new Promise<void>((resolve) => {
      dashboard.onMessage = (text, at) => {
        if (arrivedAt === undefined && shows(text)) {
          arrivedAt = at;
          resolve();
        }
      };
    });
    const started = performance.now();
    await change();
    changeMs.push(performance.now() - started);
    await Promise.race([seen, sleep(dashboardTimeoutMs)]);
    dashboard.onMessage = () => {};
    if (arrivedAt === undefined) {
      missed++;
      if (k === 0) return { samples, missed, shown: false, changeMs };
    } else samples.push(arrivedAt - started);
    await sleep(200 + Math.random() * 300);
  }
  return { samples, missed, shown: true, changeMs };
}

/** CPU of the server, its shells (with what they ran), the bench's own clients and the machine while `during` runs. */
async function measureUsage(serverPid: number, during: () => Promise<unknown>): Promise<Usage> {
  const shellsAt = () => new Map(descendants(serverPid).map((pid) => [pid, cpuSeconds(pid, true)]));
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const started = performance.now();
  const server = cpuSeconds(serverPid) ?? 0;
  const shells = shellsAt();
  const bench = process.cpuUsage();
  const machine = machineTicks();
  loopDelay.enable();
  await during();
  loopDelay.disable();
  const seconds = (performance.now() - started) / 1000;
  const shellSeconds = [...shellsAt()].reduce((sum, [pid, now]) => {
    const before = shells.get(pid);
    return before === undefined || now === undefined ? sum : sum + (now - before);
  }, 0);
  const benchUsed = process.cpuUsage(bench);
  const machineNow = machineTicks();
  return {
    seconds,
    server: (((cpuSeconds(serverPid) ?? server) - server) / seconds) * 100,
    shells: (shellSeconds / seconds) * 100,
    benchClients: ((benchUsed.user + benchUsed.system) / 1e6 / seconds) * 100,
    machine: ((machineNow.busy - machine.busy) / Math.max(1, machineNow.total - machine.total)) * 100,
    loadAverage: loadavg()[0]!,
    benchLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
  };
}

function report(input: { idleUsage: Usage; idleRss: number; figures: readonly SizeFigures[]; skipped: readonly string[] }): string {
  const { idleUsage, idleRss, figures } = input;
  const p95 = (samples: Samples) => percentile(samples.samples, 95);
  const met = (samples: Samples, limitMs: number) => {
    const value = p95(samples);
    if (!samples.shown) return 'not measured';
    return samples.missed === 0 && value !== undefined && value < limitMs ? 'met' : 'not met';
  };
  const latency = (samples: Samples) =>
    samples.shown
      ? `${ms(percentile(samples.samples, 50))} / ${ms(p95(samples))} / ${ms(percentile(samples.samples, 100))}${samples.missed ? ` (${samples.missed} never arrived)` : ''}`
      : `not shown (nothing within ${dashboardTimeoutMs / 1000} s)`;
  const largest = figures.find((f) => f.size === Math.max(...sizes));
  const notShown = [
    figures.some((f) => !f.moves.shown) ? "an attendee's page moving (the `at` report of the follow channel)" : undefined,
    figures.some((f) => !f.commands.shown) ? 'a finished command (shell integration)' : undefined,
  ].filter((line) => line !== undefined);
  return [
    'The real server (`node bin/labdeck.js serve --classroom --port 0`, a child process) on a temp copy of the sample',
    'workshop (its slides, steps, checks and `shell: local` bash terminals with shell integration). Simulated attendees',
    'join with `POST /join` (the cookie token), then open a follow-me socket (a following page: it reports where it is)',
    "and a terminal; the terminal's shell prints a ~70-byte line every 0.2 s (`printf` and `read -t 0.2` in a background",
    'loop: no fork per line) and the client acks every output frame on arrival (a fast tab; flow control as in',
    'docs/protocol.md). The instructor has the leading follow socket and one dashboard socket. **All simulated clients',
    `run in the benchmark's own Node process, on the same ${cpus().length} cores as the server and the shells**: their CPU is`,
    "shown, and so is the bench's event-loop delay p99, which adds to every latency below.",
    '',
    `- Follow: the instructor's \`goto\` sent → \`position\` received, at every attendee, ${followMoves} moves 200–400 ms apart`,
    '  (samples = attendees × moves).',
    '- Dashboard: a change started → the first dashboard message that shows it (found in the message whatever its shape:',
    `  whole state or patch). ${dashboardProbes} changes of each kind per size, one at a time: a probe attendee (no terminal) joins,`,
    "  the HTTP join included; an attendee's page moves to another slide; a command (`true <marker>`) ends in a terminal.",
    '- CPU over the measured period (% of one core, /proc/<pid>/stat): the server process; its shells (bash and what',
    "  they ran); the bench's clients (process.cpuUsage); the whole machine (% of all cores, other users included).",
    '- Memory: server RSS (VmRSS) idle and loaded, per attendee = (loaded − idle) / attendees; shells as PSS (shared pages',
    '  divided among them).',
    '',
    '| attendees (measured period) | server CPU | shells CPU | bench clients CPU | machine busy (load avg) | bench loop delay p99 | server RSS | server RSS / attendee | shells PSS / attendee |',
    '|---|---|---|---|---|---|---|---|---|',
    `| 0, idle (${idleUsage.seconds.toFixed(0)} s) | ${pct(idleUsage.server)} | – | – | ${machineCell(idleUsage)} | – | ${mib(idleRss)} | – | – |`,
    ...figures.map(
      (f) =>
        `| ${f.size} (${f.usage.seconds.toFixed(0)} s) | ${pct(f.usage.server)} | ${pct(f.usage.shells)} | ${pct(f.usage.benchClients)} | ${machineCell(f.usage)} | ${ms(f.usage.benchLoopDelayP99Ms)} | ${mib(f.serverRss)} | ${mib((f.serverRss - idleRss) / f.size)} | ${mib(f.shellsPss / f.size)} |`,
    ),
    '',
    '| attendees | follow p50 / p95 / max | dashboard: attendee joins | of which `POST /join` | dashboard: page moves | dashboard: command ends | dashboard traffic | attendees added: join to all shells printing |',
    '|---|---|---|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${f.size} | ${latency(f.follow)} | ${latency(f.joins)} | ${ms(percentile(f.joins.changeMs, 50))} / ${ms(percentile(f.joins.changeMs, 100))} | ${latency(f.moves)} | ${latency(f.commands)} | ${(f.dashboardTraffic.messages / f.usage.seconds).toFixed(1)} msg/s, ${(f.dashboardTraffic.bytes / 1024 / f.usage.seconds).toFixed(1)} KiB/s | ${f.added} in ${f.setupSeconds.toFixed(1)} s${f.silentTerminals ? ` (${f.silentTerminals} shells printed nothing)` : ''} |`,
    ),
    '',
    `(Dashboard cells: p50 / p95 / max of ${dashboardProbes} changes: p95 is the slowest of them. \`POST /join\`: p50 / max.`,
    "Each dashboard figure includes the channel's coalescing delay, a design choice, not a cost.)",
    ...(largest
      ? [
          '',
          `Goals at ${largest.size} attendees: follow p95 < 250 ms: **${met(largest.follow, 250)}**; dashboard updates p95 < 1 s:`,
          `attendee joins **${met(largest.joins, 1000)}**, page moves **${met(largest.moves, 1000)}**, command ends **${met(largest.commands, 1000)}**.`,
        ]
      : []),
    ...(notShown.length ? ['', `Not on the dashboard in this run, so not measured: ${notShown.join('; ')}.`] : []),
    ...input.skipped.map((line) => `\n${line}.`),
  ].join('\n');
}

const pad = (value: number) => String(value).padStart(3, '0');
