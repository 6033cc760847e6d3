// A control client: asks a server the same question at a steady pace over one keep-alive connection and records how
// long each whole answer took, so a test can say whether the server stayed responsive while something else hit it.
import { Agent, request } from 'node:http';

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
  /** Stops after the request in flight, if any. */
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

export function startLatencyProbe(options: LatencyProbeOptions): LatencyProbe {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: LatencySample[] = [];
  const started = performance.now();
  let stopped = false;
  const ask = (): Promise<LatencySample> =>
    new Promise((resolve) => {
      const begin = performance.now();
      const at = begin - started;
      let settled = false;
      const settle = (result: number | string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ at, ms: performance.now() - begin, result });
      };
      const call = request(options.url, { agent, headers: options.headers }, (response) => {
        response.on('data', () => {});
        response.on('end', () => settle(response.statusCode ?? 0));
        response.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
      });
      const timer = setTimeout(() => {
        settle('timeout');
        call.destroy();
      }, options.timeoutMs);
      call.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
      call.end();
    });
  const loop = (async () => {
    while (!stopped) {
      const begin = performance.now();
      samples.push(await ask());
      const wait = options.intervalMs - (performance.now() - begin);
      if (wait > 0 && !stopped) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
      agent.destroy();
    },
  };
}

/** max, p99 and p50 of the samples' latencies, in ms (0 for none). */
export function latencySummary(samples: readonly LatencySample[]): { readonly count: number; readonly max: number; readonly p99: number; readonly p50: number } {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  const at = (fraction: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]! : 0);
  return { count: sorted.length, max: sorted[sorted.length - 1] ?? 0, p99: at(0.99), p50: at(0.5) };
}
