// The classroom benchmark's server: the real `labdeck serve --classroom` as a child process (its URLs and tokens read
// from its stdout, as an instructor reads them), and what /proc says about it and its shells: CPU time and memory.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { statFields } from '../test/support/processes.ts';

const labdeckBin = fileURLToPath(new URL('../bin/labdeck.js', import.meta.url));
const startTimeoutMs = 60_000;
const stopTimeoutMs = 5_000;

export interface ClassroomServer {
  readonly pid: number;
  /** Ends with `/`. */
  readonly url: string;
  readonly instructorToken: string;
  readonly classCode: string;
  readonly slides: number;
  /** SIGTERM (the server closes its terminals), SIGKILL if it lingers, then any shell left behind, by pid. */
  stop(): Promise<void>;
}

export async function startClassroomServer(options: { manifest: string; dataDir: string; env: Record<string, string> }): Promise<ClassroomServer> {
  const child = spawn(process.execPath, [labdeckBin, 'serve', options.manifest, '--classroom', '--port', '0', '--data', options.dataDir], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  // Kept bounded: a class logs per connection, and only the end matters when start-up fails.
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  try {
    const announced = await new Promise<{ url: string; instructorToken: string; classCode: string; slides: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server announced no class within ${startTimeoutMs / 1000} s; stderr: ${stderr}`)), startTimeoutMs);
      const look = (): void => {
        const parsed = parseAnnouncement(stdout);
        if (parsed) {
          clearTimeout(timer);
          resolve(parsed);
        }
      };
      child.stdout.on('data', look);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code ?? signal}) before announcing the class; stderr: ${stderr}`));
      });
    });
    return { pid: child.pid!, ...announced, stop: () => stopServer(child) };
  } catch (error) {
    await stopServer(child);
    throw error;
  }
}

/** The lines `serve --classroom` prints (src/commands/serve.ts); undefined until all of them arrived. */
export function parseAnnouncement(stdout: string): { url: string; instructorToken: string; classCode: string; slides: number } | undefined {
  const serving = /serving (\d+) slides at (http:\/\/\S+\/)/.exec(stdout);
  const instructor = /instructor[^\n]*\?token=([\w-]+)/.exec(stdout);
  const join = /join\?code=([A-Z0-9]+)/.exec(stdout);
  if (!serving || !instructor || !join) return undefined;
  return { slides: Number(serving[1]), url: serving[2]!, instructorToken: instructor[1]!, classCode: join[1]! };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  // Collected before the server goes: once it is gone its shells are re-parented and can no longer be found by it.
  const leftovers = descendants(pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
  await exited;
  clearTimeout(timer);
  for (const leftover of leftovers) {
    try {
      process.kill(leftover, 'SIGKILL');
    } catch {
      // already gone: the server closed it
    }
  }
}

// ---- /proc ----

const clockTicksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds of a process: its own (utime + stime) and, with `children`, that of the children it has waited for
 * (cutime + cstime: the commands a shell ran).
 */
export function cpuSeconds(pid: number, children = false): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  // After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
  const ticks = Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0);
  return ticks / clockTicksPerSecond;
}

function parentOf(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

/** Every process below `root` (its shells, their subshells), found through the ppid of each process. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Resident set size in bytes (VmRSS), or VmHWM, the peak. */
export function rssBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** Proportional set size in bytes: shared pages (bash's text, libc) divided among the processes sharing them. */
export function pssBytes(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine (/proc/stat), for what else competed for the cores. */
export function machineTicks(): { busy: number; total: number } {
  const values = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}
