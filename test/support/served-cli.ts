// `labdeck serve` as a child process, the way a user runs it: a crash shows as the process exiting (with its stderr),
// not as the test runner dying. Its URLs are read from stdout with a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../cli/run-cli.ts';
import { testEnvironment } from '../terminal/terminal-client.ts';

export interface ServedUrls {
  /** e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  readonly port: number;
  readonly instructorToken: string;
  /** The read-only projector's token (printed when the workshop has terminals: the workshop must have some). */
  readonly watcherToken: string;
  /** The class code (`--classroom` only). */
  readonly classCode: string | undefined;
}

export interface ServedCli extends ServedUrls {
  readonly process: ChildProcess;
  /** How the process ended, once it has: the test asserts it never does while it is being used. */
  exited(): { readonly code: number | null; readonly signal: NodeJS.Signals | null } | undefined;
  /** The end of what the server logged (stderr): a crash's stack trace is there. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL if it has not stopped within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The most of stderr kept: enough for a stack trace and the lines before it. */
const stderrKept = 16_000;

export interface ServeOptions {
  readonly cwd: string;
  readonly startTimeoutMs: number;
  /** The labdeck command to start (default: this checkout's bin/labdeck.js); e.g. an installed package's. */
  readonly bin?: string;
  /** Whether the workshop has terminals, so that the projector's URL is printed and waited for (default true). */
  readonly terminals?: boolean;
}

export async function startServedCli(args: readonly string[], options: ServeOptions): Promise<ServedCli> {
  const bin = options.bin ?? join(repoRoot, 'bin/labdeck.js');
  // Its terminals' shells get a home of their own: the machine's rc files (a pyenv init, say) are not what is tested,
  // and a shell killed with the server while it ran one can leave a lock that stalls every later shell.
  const env = { ...process.env, HOME: testEnvironment().HOME };
  const child = spawn(process.execPath, [bin, 'serve', ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + String(chunk)).slice(-stderrKept);
  });
  const served = {
    process: child,
    exited: () => exit,
    stderrTail: () => stderr,
    async stop(graceMs = 5000) {
      if (exit) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
  const urls = await new Promise<ServedUrls>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no URLs printed within ${options.startTimeoutMs} ms`), options.startTimeoutMs);
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`labdeck serve ${args.join(' ')}: ${why}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
      const parsed = parseServeOutput(stdout, args.includes('--classroom'), options.terminals ?? true);
      if (parsed) {
        clearTimeout(timer);
        resolve(parsed);
      }
    });
  }).catch(async (error: unknown) => {
    await served.stop();
    throw error;
  });
  return { ...urls, ...served };
}

/** The URLs `serve` prints, once every line expected has arrived (the watcher's only with terminals). */
function parseServeOutput(stdout: string, classroom: boolean, terminals: boolean): ServedUrls | undefined {
  const url = /serving \d+ slides at (http:\/\/\S+\/) /.exec(stdout)?.[1];
  const instructorToken = /instructor \(leads, keep private\): \S+\?token=(\S+)/.exec(stdout)?.[1];
  const watcherToken = /\(projector\): \S+\?token=(\S+)/.exec(stdout)?.[1];
  const classCode = /class (\S+): attendees join at/.exec(stdout)?.[1];
  if (!url || !instructorToken || (terminals && !watcherToken)) return undefined;
  if (classroom && !(classCode && /dashboard \(instructor\)/.test(stdout))) return undefined;
  return { url, port: Number(new URL(url).port), instructorToken, watcherToken: watcherToken ?? '', classCode };
}
