// Recording benchmark (issue 16): what recording each attendee's class costs, against recording off, same run.
// - Terminal throughput and server CPU: `cat` of a 16 MiB text file (numbered lines, as bench/terminals.ts) through
//   a TerminalManager with a real bash PTY to an in-process viewer that acks at once (no browser: the server's cost
//   alone), recording off and on in alternation, several rounds; the CPU is the whole process's (getrusage: the
//   main thread and libuv's pool, where gzip runs). Goal: < 5 % on both.
// - Typing: 200 short commands (an echo each, with its prompt), on vs off: the ordinary case.
// - Bytes per attendee-hour: the sample workshop played by `labdeck autopilot --show-terminal` (needs the lab: run
//   `labdeck lab up` first; the engine is shared, run under flock /tmp/labdeck-heavy.lock). What autopilot's terminal
//   printed, with the times it printed it, goes through a Recorder as a terminal's output would (one write a second),
//   and the bytes on disk are counted. Autopilot types with no pauses: an hour at its pace is a pessimistic hour.
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder } from '../src/record/recorder.ts';
import { Recordings } from '../src/record/recordings.ts';
import { TerminalManager } from '../src/terminal/manager.ts';
import type { ViewerConnection } from '../src/terminal/session.ts';
import { testEnvironment } from '../test/terminal/terminal-client.ts';
import { repoRoot, runLabdeck } from '../test/cli/run-cli.ts';
import { mebibyteOfLines } from './text-block.ts';

const FILE_MIB = 16;
const ROUNDS = 7;
const TYPED_COMMANDS = 100;
const decoder = new TextDecoder();

interface Run {
  readonly ms: number;
  readonly cpuMs: number;
  readonly recordedBytes: number;
  /** What the terminal printed, chunk by chunk as the session sent it (recording off only). */
  readonly chunks: string[];
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  return total;
}

/** Runs `commands` (each ends by printing `marker`) in a fresh terminal; times it from the first command on. */
async function terminalRun(recording: boolean, commands: readonly string[], marker: string): Promise<Run> {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-bench-recording-'));
  const recorder = recording ? new Recorder({ folder, input: false, log: (line) => process.stderr.write(`${line}\n`) }) : undefined;
  const manager = new TerminalManager({ defaultCommand: 'bash', env: testEnvironment(), ...(recorder ? { tap: recorder.tap } : {}) });
  let tail = '';
  const chunks: string[] = [];
  let measuring = false;
  // The snapshot arrives during attach(), before the connection is there to ack it.
  let connection: ViewerConnection | undefined;
  let unacked = 0;
  let waiting: { text: string; resolve: () => void } | undefined;
  connection = manager.attach(
    { attendee: 'bench', terminal: 'shell', role: 'owner', cols: 120, rows: 40 },
    {
      send: (message) => {
        if (message.type !== 'output' && message.type !== 'snapshot') return;
        const text = decoder.decode(message.data);
        if (!recording && measuring) chunks.push(text);
        tail = (tail + text).slice(-4096);
        // Acked once the session has counted it as sent (right after send() returns), as a viewer's write callback would.
        const bytes = message.data.byteLength;
        queueMicrotask(() => {
          if (connection) connection.ack(bytes);
          else unacked += bytes;
        });
        if (waiting && tail.includes(waiting.text)) {
          tail = '';
          waiting.resolve();
        }
      },
      undelivered: () => 0,
      close: () => {},
    },
  );
  const live = connection;
  queueMicrotask(() => unacked > 0 && live.ack(unacked));
  const until = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${text}" within 60 s`)), 60_000);
      waiting = {
        text,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      if (tail.includes(text)) waiting.resolve();
    });
  try {
    live.input(new TextEncoder().encode('PS1="$ "; echo ready-$((6*7))\r'));
    await until('ready-42');
    measuring = true;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const command of commands) {
      live.input(new TextEncoder().encode(`${command}\r`));
      await until(marker);
    }
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    await recorder?.close();
    return { ms, cpuMs: (used.user + used.system) / 1000, recordedBytes: recording ? folderBytes(folder) : 0, chunks };
  } finally {
    live.dispose();
    manager.dispose();
    await recorder?.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const percent = (on: number, off: number): string => `${on >= off ? '+' : ''}${(((on - off) / off) * 100).toFixed(1)} %`;

/**
 * The recorder's own CPU for what a run printed, without the terminal around it: the chunks fed to a Recorder, written
 * as many times as the run lasted seconds, compressed and closed. Steadier than on − off on a shared machine.
 */
export async function recorderAlone(run: Run): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-bench-alone-'));
  try {
    const cpu = process.cpuUsage();
    const recorder = new Recorder({ folder, input: false, log: () => {}, flushMs: 3_600_000 });
    const tap = recorder.tap({ attendee: 'bench', name: 'shell', cols: 120, rows: 40, scrollback: 1000 });
    const perFlush = Math.max(1, Math.ceil(run.chunks.length / Math.max(1, run.ms / 1000)));
    run.chunks.forEach((chunk, index) => {
      tap?.output(chunk);
      if ((index + 1) % perFlush === 0) recorder.flush();
    });
    await recorder.close();
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export async function alternate(commands: readonly string[], marker: string): Promise<{ off: Run[]; on: Run[] }> {
  const off: Run[] = [];
  const on: Run[] = [];
  // Warm-up (bash, the page cache, V8), not counted.
  await terminalRun(true, commands, marker);
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating, so that a change in the machine's load falls on both.
    off.push(await terminalRun(false, commands, marker));
    on.push(await terminalRun(true, commands, marker));
  }
  return { off, on };
}

/** Autopilot's terminal output with its times, recorded as a terminal's: bytes on disk and the play's duration. */
export async function autopilotBytes(): Promise<{ bytes: number; seconds: number; steps: string } | { problem: string }> {
  const chunks: { at: number; text: string }[] = [];
  const started = Date.now();
  const run = await runLabdeck(['autopilot', join(repoRoot, 'workshop.yml'), '--show-terminal', '--check-timeout', '90'], {
    stdout: (text) => chunks.push({ at: Date.now(), text }),
    untilStopped: () => new Promise<void>(() => {}),
  });
  const seconds = (Date.now() - started) / 1000;
  const steps = /autopilot: (\d+\/\d+ steps passed)/.exec(run.stderr)?.[1] ?? `exit ${run.code}`;
  if (chunks.length === 0) return { problem: `autopilot printed nothing (exit ${run.code}): ${run.stderr.split('\n').slice(-3).join(' ')}` };
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-bench-autopilot-'));
  try {
    let now = chunks[0]?.at ?? 0;
    const recorder = new Recorder({ folder, input: false, log: () => {}, now: () => now, flushMs: 3_600_000 });
    const tap = recorder.tap({ attendee: 'autopilot', name: 'autopilot', cols: 120, rows: 40, scrollback: 1000 });
    let second = Math.floor(now / 1000);
    for (const chunk of chunks) {
      // One write a second, as the server does.
      if (Math.floor(chunk.at / 1000) !== second) {
        recorder.flush();
        second = Math.floor(chunk.at / 1000);
      }
      now = chunk.at;
      tap?.output(chunk.text);
    }
    await recorder.close();
    const timeline = new Recordings({ folder }).timelineNow('autopilot');
    if (!timeline) return { problem: 'the recording could not be read back' };
    return { bytes: folderBytes(folder), seconds, steps };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export async function benchRecording(): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'labdeck-bench-cat-'));
  const file = join(scratch, 'flood.txt');
  writeFileSync(file, mebibyteOfLines().repeat(FILE_MIB));
  const alone = async (runs: { off: Run[] }) => {
    const spent: number[] = [];
    for (const run of runs.off) spent.push(await recorderAlone(run));
    return `${median(spent).toFixed(1)} ms, ${((median(spent) / median(runs.off.map((run) => run.cpuMs))) * 100).toFixed(1)} % of the server's CPU with recording off`;
  };
  try {
    const flood = await alternate([`cat ${file}; echo cat-$((6*7))`], 'cat-42');
    // The flood's output, kept for the recorder alone, is let go before the typing rounds: 16 MiB per run held in the
    // heap made every collection during them dearer, and the rounds with recording on, which allocate more, paid
    // most of it (+28 % of CPU in two runs; 0.8-1.05 in alternations without it).
    const floodAlone = await alone(flood);
    for (const run of flood.off) run.chunks.length = 0;
    const typing = await alternate(
      Array.from({ length: TYPED_COMMANDS }, (_, i) => `echo typed-${i}-$((6*7))`),
      '-42\r\n',
    );
    const autopilot = await autopilotBytes().catch((error: unknown) => ({ problem: (error as Error).message }));
    // On vs off: the median of each round's pair (run one after the other), steadier than two medians on a shared machine.
    const row = (what: string, runs: { off: Run[]; on: Run[] }, unit: (run: Run) => number, format: (value: number) => string) => {
      const pairs = runs.on.map((run, index) => unit(run) / unit(runs.off[index] ?? run));
      return `| ${what} | ${format(median(runs.off.map(unit)))} | ${format(median(runs.on.map(unit)))} | ${percent(median(pairs), 1)} |`;
    };
    const mibPerSecond = (run: Run) => FILE_MIB / (run.ms / 1000);
    const typingAlone = await alone(typing);
    const lines = [
      `Medians of ${ROUNDS} rounds, recording off and on in alternation in one process (in-process viewer acking at once,`,
      'real bash PTY; CPU = the whole server process: main thread and the zlib pool). "On vs off" is the median of the',
      "rounds' on/off ratios.",
      '',
      '| | recording off | recording on | on vs off |',
      '|---|---|---|---|',
      row(`\`cat\` of ${FILE_MIB} MiB: throughput`, flood, mibPerSecond, (v) => `${v.toFixed(1)} MiB/s`),
      row(
        `\`cat\` of ${FILE_MIB} MiB: server CPU`,
        flood,
        (run) => run.cpuMs,
        (v) => `${v.toFixed(0)} ms`,
      ),
      row(
        `${TYPED_COMMANDS} typed commands: time`,
        typing,
        (run) => run.ms,
        (v) => `${v.toFixed(0)} ms`,
      ),
      row(
        `${TYPED_COMMANDS} typed commands: server CPU`,
        typing,
        (run) => run.cpuMs,
        (v) => `${v.toFixed(0)} ms`,
      ),
      '',
      `The recorder alone, fed what the terminal printed in the runs with recording off (medians): the ${FILE_MIB} MiB \`cat\`:`,
      `${floodAlone}; ${TYPED_COMMANDS} typed commands: ${typingAlone}.`,
      '',
      `Recorded on disk: the ${FILE_MIB} MiB \`cat\`: ${(median(flood.on.map((run) => run.recordedBytes)) / 1024).toFixed(1)} KiB (a flood keeps only the lines`,
      `that stay on the screen and in the scrollback); ${TYPED_COMMANDS} typed commands: ${(median(typing.on.map((run) => run.recordedBytes)) / 1024).toFixed(1)} KiB.`,
      '',
    ];
    if ('problem' in autopilot) lines.push(`Bytes per attendee-hour (sample workshop by autopilot): **not measured**: ${autopilot.problem}`);
    else {
      const perHour = (autopilot.bytes / autopilot.seconds) * 3600;
      lines.push(
        `Bytes per attendee-hour: the sample workshop played by autopilot (${autopilot.steps}) took ${autopilot.seconds.toFixed(0)} s and recorded`,
        `${(autopilot.bytes / 1024).toFixed(1)} KiB: ${(perHour / 2 ** 20).toFixed(2)} MiB per hour at autopilot's pace, which types without pauses (goal: ≤ 2 MB).`,
      );
    }
    return lines.join('\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
