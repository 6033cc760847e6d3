// `labdeck serve` run inside the test's process (runLabdeck, the compiled command), for browser tests: it prints its
// URLs on stdout, which are read with a deadline, and stops as Ctrl-C stops it. (served-cli.ts runs it as a child
// process instead, for tests that kill it.)
import { runLabdeck, type CliRun } from '../cli/run-cli.ts';
import { within } from './wait.ts';

export interface ServedInProcess {
  /** The deck page: http://127.0.0.1:PORT/ */
  readonly url: string;
  /** The instructor's link (with its token), when serve printed one. */
  readonly instructorUrl: string | undefined;
  /** Stops the server (as Ctrl-C does) and waits for the command to end. */
  stop(): Promise<CliRun>;
}

/** `labdeck serve ARGS --port 0` in `cwd`; resolves once it printed its deck URL (and the instructor's, if `instructor`). */
export async function serveInProcess(args: readonly string[], options: { readonly cwd?: string; readonly instructor?: boolean } = {}): Promise<ServedInProcess> {
  let output = '';
  let stopServer: () => void = () => {};
  let url: string | undefined;
  let instructorUrl: string | undefined;
  let served: Promise<CliRun> = Promise.resolve({ code: 0, stdout: '', stderr: '' });
  const started = new Promise<void>((resolve, reject) => {
    served = runLabdeck(['serve', ...args, '--port', '0'], {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdout: (chunk) => {
        output += chunk;
        url ??= /serving \d+ slides at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
        instructorUrl ??= /instructor[^\n]*?(http:\/\/\S+\?token=\S+)/.exec(output)?.[1];
        if (url && (instructorUrl || !options.instructor)) resolve();
      },
      stderr: () => {},
      untilStopped: () => new Promise<void>((stop) => (stopServer = stop)),
    });
    served.then((run) => reject(new Error(`serve ended early: ${run.code} ${run.stderr}`)), reject);
  });
  await within(started, 30_000, () => `serve's URLs; it printed: ${JSON.stringify(output)}`);
  return {
    url: url ?? '',
    instructorUrl,
    stop: () => {
      stopServer();
      return served;
    },
  };
}
