// A control client: asks a server the same question at a steady pace over one keep-alive connection and records how
// long each whole answer took, so a test can say whether the server stayed responsive while something else hit it.
// It runs in a child process of its own (latency-probe-child.mjs): in the test's process, whatever else the test does
// (a fuzzer generating and checking thousands of exchanges) would delay the probe's own timers and reads, and count as
// the server's latency.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface LatencySample {
  /** When the request started (ms since the probe started). */
  readonly at: number;
  /** Until the whole body arrived, in ms; for a failure, until it failed. */
  readonly ms: number;
  /** The HTTP status, or what went wrong (`timeout`, `ECONNREFUSED`...). */
  readonly result: number | string;
}

export interface LatencyProbe {
  readonly samples: readonly LatencySample[];
  /** Stops after the request in flight, if any, and resolves once every sample has arrived. */
  stop(): Promise<void>;
}

export interface LatencyProbeOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Time between the starts of two requests (the next starts at once when one took longer). */
  readonly intervalMs: number;
  /** A request without a whole answer by then counts as `timeout`. */
  readonly timeoutMs: number;
}

const childScript = fileURLToPath(new URL('./latency-probe-child.mjs', import.meta.url));

export function startLatencyProbe(options: LatencyProbeOptions): LatencyProbe {
  const child = spawn(process.execPath, [childScript, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const samples: LatencySample[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => samples.push(JSON.parse(line) as LatencySample));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    samples,
    async stop() {
      child.stdin!.end();
      // The probe ends after its request in flight, which has a deadline of its own; past that, something is wrong.
      const deadline = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs + 2_000);
      await exited;
      clearTimeout(deadline);
    },
  };
}

/** max, p99 and p50 of the samples' latencies, in ms (0 for none). */
export function latencySummary(samples: readonly LatencySample[]): { readonly count: number; readonly max: number; readonly p99: number; readonly p50: number } {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  const at = (fraction: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]! : 0);
  return { count: sorted.length, max: sorted[sorted.length - 1] ?? 0, p99: at(0.99), p50: at(0.5) };
}
