// Exercise checks benchmark (issue: exercise validation): how fast a state change reaches a page, and how much the
// engine is asked, against a Killercoda-style verify script run in the same process on the same engine.
//
// - labdeck: the real server (port 0) with its one engine watch; WebSocket clients of `/_labdeck/results`.
//   Latency = from the start of `service update --replicas` (dockerode) to the step's new status arriving on a
//   client. The step checks `replicas: 2` and the service goes 1 ↔ 2, so every change flips it.
// - verify script: each watcher asks `docker service inspect` (one API call through dockerode; the CLI adds a
//   `/_ping`) for each check every `verifyIntervalMs`, as a page polling a verify script would.
// - Calls per minute: the same activity (one scale change every 3 s) during a fixed window, with 1 and 100 watchers;
//   labdeck's calls per state change are that window's calls divided by its changes (their events included).
import { startCheckedWorkshop, type CheckedWorkshop } from '../test/support/checked-workshop.ts';
import { ResultsClient } from '../test/support/results-client.ts';

const changes = 50;
const verifyIntervalMs = 1000;
const activityWindowMs = 15_000;
const activityEveryMs = 3000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export async function benchChecks(): Promise<string> {
  const lab = await startCheckedWorkshop({ serviceCheck: ['replicas: 2'] });
  const clients: ResultsClient[] = [];
  try {
    await lab.createService(1);
    const [stepId] = lab.stepIds;
    const page = await ResultsClient.open(lab.server.url);
    clients.push(page);
    await page.until(stepId, (r) => r.status === 'failed');

    // Latency through labdeck: one change at a time, the next once the previous result arrived.
    const labdeckLatency: number[] = [];
    for (let i = 0; i < changes; i++) {
      const replicas = i % 2 === 0 ? 2 : 1;
      const expected = replicas === 2 ? 'passed' : 'failed';
      const started = performance.now();
      let arrived = 0;
      page.onMessage = (message, at) => {
        if (!arrived && message.type === 'result' && message.result.stepId === stepId && message.result.status === expected) arrived = at;
      };
      await lab.scaleService(replicas);
      await page.waitFor(() => (arrived ? true : undefined), 10_000);
      labdeckLatency.push(arrived - started);
      await sleep(100);
    }
    page.onMessage = undefined;

    // Latency through a verify script polling `service inspect` on its own clock (changes land at any phase of it).
    const verifyLatency: number[] = [];
    const poller = startVerifyPoller(lab);
    for (let i = 0; i < changes; i++) {
      const replicas = i % 2 === 0 ? 2 : 1;
      const started = performance.now();
      await lab.scaleService(replicas);
      verifyLatency.push((await poller.seen(replicas)) - started);
      await sleep(100 + Math.random() * verifyIntervalMs);
    }
    poller.stop();

    // Engine API calls per minute under the same activity, 1 and 100 watchers.
    const labdeckCalls = new Map<number, Activity>();
    const verifyCalls = new Map<number, Activity>();
    for (const watchers of [1, 100]) {
      while (clients.length < watchers) clients.push(await ResultsClient.open(lab.server.url));
      labdeckCalls.set(watchers, await duringActivity(lab, () => lab.checks.watch.apiCalls));
      let calls = 0;
      const stop = startVerifyWatchers(lab, watchers, () => calls++);
      verifyCalls.set(watchers, await duringActivity(lab, () => calls));
      stop();
    }

    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const goal = (value: number) => (value < 500 ? 'met' : 'not met');
    return [
      `Engine: the local dockerd (single-node swarm). A step checks \`replicas: 2\` on a service scaled 1 ↔ 2 through the`,
      `API, ${changes} changes each way of watching. labdeck: the real server, the result read from its WebSocket`,
      `(events → 30 ms debounce → a read of the changed parts only → evaluation → fan-out). Verify script: \`docker service inspect\``,
      `per check every ${verifyIntervalMs / 1000} s per watcher (Killercoda style), in the same process.`,
      '',
      '| latency from `service update --replicas` to the result | p50 | p95 | goal p95 < 500 ms |',
      '|---|---|---|---|',
      `| labdeck (events + shared snapshot, WebSocket push) | ${ms(percentile(labdeckLatency, 50))} | ${ms(percentile(labdeckLatency, 95))} | ${goal(percentile(labdeckLatency, 95))} |`,
      `| verify script polling every ${verifyIntervalMs / 1000} s | ${ms(percentile(verifyLatency, 50))} | ${ms(percentile(verifyLatency, 95))} | ${goal(percentile(verifyLatency, 95))} |`,
      '',
      `Engine API calls per minute, one scale change every ${activityEveryMs / 1000} s during ${activityWindowMs / 1000} s (labdeck counts every`,
      'request of its engine watch, the events stream included; the verify script one request per inspect):',
      '',
      '| watchers | labdeck | labdeck per state change | verify script |',
      '|---|---|---|---|',
      ...[1, 100].map((w) => `| ${w} | ${labdeckCalls.get(w)!.perMinute} | ${labdeckCalls.get(w)!.perChange.toFixed(1)} | ${verifyCalls.get(w)!.perMinute} |`),
    ].join('\n');
  } finally {
    for (const client of clients) client.close();
    await lab.close();
  }
}

/** A verify script's view: inspect every interval; `seen(n)` resolves with the time a poll first saw n replicas. */
function startVerifyPoller(lab: CheckedWorkshop): { seen(replicas: number): Promise<number>; stop(): void } {
  let waiting: { replicas: number; resolve: (at: number) => void } | undefined;
  const timer = setInterval(() => {
    void lab.docker
      .getService(lab.service)
      .inspect()
      .then((service: { Spec: { Mode: { Replicated?: { Replicas?: number } } } }) => {
        if (waiting && service.Spec.Mode.Replicated?.Replicas === waiting.replicas) {
          waiting.resolve(performance.now());
          waiting = undefined;
        }
      });
  }, verifyIntervalMs);
  return {
    seen: (replicas) =>
      new Promise((resolve) => {
        waiting = { replicas, resolve };
      }),
    stop: () => clearInterval(timer),
  };
}

/** `watchers` pollers, each inspecting the service every interval (staggered, as pages opened at different times). */
function startVerifyWatchers(lab: CheckedWorkshop, watchers: number, counted: () => void): () => void {
  const timers: NodeJS.Timeout[] = [];
  for (let i = 0; i < watchers; i++) {
    const poll = (): void => {
      counted();
      lab.docker
        .getService(lab.service)
        .inspect()
        .catch(() => {});
    };
    timers.push(
      setTimeout(
        () => {
          poll();
          timers.push(setInterval(poll, verifyIntervalMs));
        },
        (i * verifyIntervalMs) / watchers,
      ),
    );
  }
  return () => {
    for (const timer of timers) {
      clearTimeout(timer);
      clearInterval(timer);
    }
  };
}

interface Activity {
  readonly perMinute: number;
  readonly perChange: number;
}

/** Calls of `counter` while the service is scaled every few seconds during the window: per minute, per change. */
async function duringActivity(lab: CheckedWorkshop, counter: () => number): Promise<Activity> {
  const before = counter();
  const started = performance.now();
  let changes = 0;
  for (; performance.now() - started < activityWindowMs; changes++) {
    await lab.scaleService(changes % 2 === 0 ? 2 : 1);
    await sleep(activityEveryMs);
  }
  const calls = counter() - before;
  return { perMinute: Math.round((calls * 60_000) / (performance.now() - started)), perChange: calls / changes };
}
