// A running server survives hostile input (issue #11): `labdeck serve` in a child process gets a few thousand random
// and mutated HTTP requests, WebSocket upgrades and terminal frames (fuzz-cases.ts), bounded in count and time, while a
// control client asks for /deck.json every 100 ms. The server must never exit, never answer 5xx, and answer the
// control client within 100 ms throughout. Replay a run with FUZZ_SEED=<seed> (printed); one case with FUZZ_CASE=<n>.
// test-runner: alone
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, getPriority, loadavg, setPriority, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { createPrng, deriveSeed, fuzzSeed } from '../support/prng.ts';
import { exchange, type ExchangeOutcome } from '../support/raw-exchange.ts';
import { startServedCli, type ServedCli } from '../support/served-cli.ts';
import { ResultsClient } from '../support/results-client.ts';
import { latencySummary, startLatencyProbe, type LatencyProbe, type LatencyProbeOptions, type LatencySample } from '../support/latency-probe.ts';
import { exchangeDeadlineMs, fuzzCase, type FuzzCase, type FuzzTarget } from './fuzz-cases.ts';
import { ServerFrameType } from '../../src/protocol.ts';

const seed = fuzzSeed(process.env.FUZZ_SEED);
const onlyCase = process.env.FUZZ_CASE === undefined || process.env.FUZZ_CASE === '' ? undefined : Number(process.env.FUZZ_CASE);

/** Per server: a few thousand exchanges in all, and the time it takes at most. */
const casesPerServer = 1500;
const fuzzTimeMs = 20_000;
/** Exchanges in flight at once. */
const concurrency = 8;
/** Exchanges run before the control client measures (a few of each kind): see where it is used. */
const warmUpCases = 48;
/** The fuzzer's scheduling priority while it fuzzes (see where it is used). */
const fuzzerNice = 10;
/**
 * What each fuzz worker waits between two exchanges: the fuzzer shares 2 cores with the server (and its PTYs), and
 * must not starve it. Measured here: 1,500 exchanges take ~12 s with it.
 */
const pauseBetweenCasesMs = 3;
/** The issue's bound on the control client's answers. */
const answerWithinMs = 100;
const controlIntervalMs = 100;

test(`a class server (serve --classroom) survives hostile input and keeps answering within ${answerWithinMs} ms (seed ${seed})`, { timeout: 120_000 }, async (t) => {
  await fuzzServer(t, { classroom: true });
});

test(`a plain loopback server (serve) survives hostile input and keeps answering within ${answerWithinMs} ms (seed ${seed})`, { timeout: 120_000 }, async (t) => {
  await fuzzServer(t, { classroom: false });
});

interface Finished {
  readonly fuzz: FuzzCase;
  readonly outcome: ExchangeOutcome;
  /** performance.now() when the exchange ended. */
  readonly endedAt: number;
}

async function fuzzServer(t: TestContext, options: { classroom: boolean }): Promise<void> {
  const replay = `seed ${seed} (replay: FUZZ_SEED=${seed}${onlyCase === undefined ? '' : ` FUZZ_CASE=${onlyCase}`})`;
  t.diagnostic(`fuzz ${replay}`);
  const dir = await mkdtemp(join(tmpdir(), 'labdeck-fuzz-'));
  let served: ServedCli | undefined;
  const probes: LatencyProbe[] = [];
  const probe = (options: LatencyProbeOptions): LatencyProbe => {
    const started = startLatencyProbe(options);
    probes.push(started);
    return started;
  };
  try {
    const manifest = await writeWorkshop(dir);
    const serve = (data: string): Promise<ServedCli> =>
      startServedCli([manifest, '--port', '0', '--data', join(dir, data), ...(options.classroom ? ['--classroom'] : [])], { cwd: dir, startTimeoutMs: 30_000 });
    served = await serve('.data');
    const server = served;
    const target = targetOf(server);
    const control = controlOf(server);

    // A page's first results socket starts the engine watch, which loads the engine client then (engine/docker.ts,
    // once per server): a first use, like those of the warm-up below, not what is measured.
    const firstPage = await ResultsClient.open(server.url, { token: server.instructorToken });
    firstPage.socket.close();
    // The first answers compile code paths (JIT): not what is measured. Then the idle server, for comparison.
    const warmUp = probe({ ...control, intervalMs: 20 });
    await delay(500);
    await warmUp.stop();
    const idle = probe(control);
    await delay(1000);
    await idle.stop();

    const finished: Finished[] = [];
    const inFlight = new Map<number, FuzzCase>();
    let suspects: FuzzCase[] = [];
    server.process.once('exit', () => {
      suspects = crashSuspects([...inFlight.values()], finished, performance.now());
    });

    // The control client runs in a process of its own; the fuzzer's event loop lag and the machine's load say how busy
    // the machine was when an answer was slow.
    const ownLag = monitorEventLoopDelay({ resolution: 10 });
    ownLag.enable();
    const loadBefore = loadavg()[0]!;
    const fuzzStart = Date.now();
    const indexes = onlyCase === undefined ? Array.from({ length: casesPerServer }, (_, index) => index) : [onlyCase];
    let next = 0;
    let until = Math.min(warmUpCases, indexes.length);
    // A bug in the fuzzer itself stops every worker and fails the test (not a finding about the server).
    let fuzzerError: unknown;
    const worker = async (): Promise<void> => {
      try {
        while (next < until && Date.now() - fuzzStart < fuzzTimeMs && !server.exited()) {
          const index = indexes[next++]!;
          const fuzz = fuzzCase(createPrng(deriveSeed(seed, index)), index, target);
          inFlight.set(index, fuzz);
          const outcome = await exchange(server.port, fuzz.plan, exchangeDeadlineMs[fuzz.kind]);
          inFlight.delete(index);
          finished.push({ fuzz, outcome, endedAt: performance.now() });
          await delay(pauseBetweenCasesMs);
        }
      } catch (error) {
        fuzzerError ??= error;
        next = indexes.length;
      }
    };
    // The first exchanges of each kind compile the server's code for them (error paths, upgrades, a PTY spawn): run
    // them before the control client starts measuring, as the idle figure above is taken after a warm-up too.
    await Promise.all(Array.from({ length: concurrency }, worker));
    const underLoad = probe(control);
    until = indexes.length;
    // The fuzzer shares the 2 cores with the server it measures: it yields to it (and to the control client, a process
    // of its own), as a load generator on another machine would, so that a slow answer is the server's, not the
    // fuzzer's. Nice 10 for this thread while it fuzzes, restored after (lowering it back needs root: as another user
    // it stays, and the next server starts from this niced process: no better off than the fuzzer, as without this).
    const ownPriority = getPriority();
    setPriority(Math.max(ownPriority, fuzzerNice));
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
    } finally {
      try {
        setPriority(ownPriority);
      } catch {
        // not root: see above
      }
    }
    if (fuzzerError) throw fuzzerError;
    const fuzzMs = Date.now() - fuzzStart;
    // A crash the last exchanges caused may take a moment to end the process.
    await delay(300);
    await underLoad.stop();
    ownLag.disable();
    const context = `the test process's own event loop lagged up to ${(ownLag.max / 1e6).toFixed(0)} ms; load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;

    const problems: string[] = [];
    const exit = server.exited();
    if (exit) {
      // Which input did it? Each suspect alone against a fresh server: the first one that ends it is the culprit.
      await served.stop();
      const culprit = await findCulprit(suspects, () => serve('.data-replay'));
      problems.push(
        `the server exited during the fuzz (code ${exit.code}, signal ${exit.signal}).\n` +
          (culprit
            ? `Replayed alone against a fresh server, this input ends it too (FUZZ_CASE=${culprit.index}):\n  ${culprit.summary.slice(0, 1500)}\n`
            : `No single one of these ${suspects.length} inputs, in flight or just answered when it exited, ended a fresh server alone:\n${listCases(suspects)}\n`) +
          `Its stderr ends with:\n${server.stderrTail().slice(-3000)}`,
      );
    } else {
      const final = await askOnce(probe(control));
      if (final.result !== 200) problems.push(`after the fuzz, GET /deck.json answered ${final.result} (in ${final.ms.toFixed(0)} ms), not 200`);
    }

    const serverErrors = finished.filter((entry) => entry.outcome.statuses.some((status) => status >= 500));
    if (serverErrors.length > 0) {
      problems.push(
        `${serverErrors.length} exchange(s) got a 5xx answer, e.g.:\n${serverErrors
          .slice(0, 6)
          .map((entry) => `  [${entry.outcome.statuses.join(', ')}] ${entry.fuzz.summary.slice(0, 700)}`)
          .join('\n')}`,
      );
    }

    const underFuzz = latencySummary(underLoad.samples);
    const idleSummary = latencySummary(idle.samples);
    const describe = (summary: ReturnType<typeof latencySummary>): string =>
      `max ${summary.max.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms, p50 ${summary.p50.toFixed(1)} ms over ${summary.count} answers`;
    t.diagnostic(`control GET /deck.json idle: ${describe(idleSummary)}; during the fuzz: ${describe(underFuzz)}; ${context}`);
    const failedAnswers = underLoad.samples.filter((sample) => sample.result !== 200);
    const slowAnswers = underLoad.samples.filter((sample) => sample.ms > answerWithinMs);
    if (failedAnswers.length > 0) {
      problems.push(`${failedAnswers.length} of ${underLoad.samples.length} control requests failed: ${listSamples(failedAnswers)}`);
    }
    if (slowAnswers.length > 0 && !exit) {
      problems.push(
        `${slowAnswers.length} of ${underLoad.samples.length} control answers took longer than ${answerWithinMs} ms (during the fuzz: ${describe(underFuzz)}; ` +
          `idle before it: ${describe(idleSummary)}; ${context}). Slowest: ${listSamples([...slowAnswers].sort((a, b) => b.ms - a.ms))}`,
      );
    }

    const byKind = countBy(finished, (entry) => entry.fuzz.kind);
    const statuses = countBy(finished, (entry) => String(entry.outcome.statuses[0] ?? (entry.outcome.timedOut ? 'timeout' : (entry.outcome.error ?? 'none'))));
    const terminalsOpened = finished.filter((entry) => entry.fuzz.kind === 'terminal' && entry.outcome.binaryTypes.includes(ServerFrameType.state)).length;
    t.diagnostic(
      `${finished.length} exchanges in ${fuzzMs} ms (${JSON.stringify(byKind)}); first statuses ${JSON.stringify(statuses)}; terminals opened: ${terminalsOpened}`,
    );
    // A fuzzer that never got past the front door would prove nothing: it must have reached pages and terminals.
    if (!exit && onlyCase === undefined) {
      if ((statuses['200'] ?? 0) === 0) problems.push('no exchange got a 200: the fuzzer never reached a page');
      if (terminalsOpened === 0) problems.push('no terminal session got its state frame: the fuzzer never reached the terminals');
      if (finished.length < casesPerServer / 3) problems.push(`only ${finished.length} exchanges ran in ${fuzzTimeMs} ms (of ${casesPerServer} planned)`);
    }
    assert.equal(problems.length, 0, `${replay}\n${problems.join('\n\n')}`);
  } finally {
    // Nothing may outlive the test: a probe left polling would keep the runner (and the heavy lock) busy forever.
    await Promise.all(probes.map((running) => running.stop()));
    await served?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A throwaway workshop with one terminal. Its command is `cat`, not a shell: the fuzzer types random bytes into it,
 * and those must not be able to run commands on this machine (the server's side of a terminal is the same).
 */
async function writeWorkshop(dir: string): Promise<string> {
  await mkdir(join(dir, 'slides'));
  await writeFile(join(dir, 'slides', 'lab.md'), '# Fuzz\n\nA slide.\n\n---\n\n## Another\n\n.exercise[\n\n- Say hello:\n  ```bash\n  echo hello\n  ```\n\n]\n');
  // A short grace time: terminals are destroyed while the fuzzer opens others, and that path is exercised too.
  await writeFile(
    join(dir, 'workshop.yml'),
    'title: Fuzz\nchat: chat\ngitrepo: example.org/repo\nslides: http://example.org/\ncontent:\n- slides/lab.md\nterminals:\n  shell: cat\n  graceTime: 1s\n',
  );
  return join(dir, 'workshop.yml');
}

function targetOf(server: ServedCli): FuzzTarget {
  return {
    host: `127.0.0.1:${server.port}`,
    instructorToken: server.instructorToken,
    watcherToken: server.watcherToken,
    classCode: server.classCode,
    terminals: ['shell'],
  };
}

function controlOf(server: ServedCli): LatencyProbeOptions {
  return { url: `${server.url}deck.json`, headers: { authorization: `Bearer ${server.instructorToken}` }, intervalMs: controlIntervalMs, timeoutMs: 3000 };
}

/**
 * The inputs that may have ended the server: those in flight, and those that ended in the second before (a crash
 * closes the culprit's socket before the exit is seen), unanswered ones first. At most 24: each is replayed.
 */
function crashSuspects(inFlight: readonly FuzzCase[], finished: readonly Finished[], exitAt: number): FuzzCase[] {
  const recent = finished.filter((entry) => exitAt - entry.endedAt < 1000).reverse();
  const unanswered = recent.filter((entry) => entry.outcome.statuses.length === 0).map((entry) => entry.fuzz);
  const answered = recent.filter((entry) => entry.outcome.statuses.length > 0).map((entry) => entry.fuzz);
  return [...inFlight, ...unanswered, ...answered].slice(0, 24);
}

/** Replays each suspect (regenerated for the fresh server) alone; returns the first that ends it. */
async function findCulprit(suspects: readonly FuzzCase[], serve: () => Promise<ServedCli>): Promise<FuzzCase | undefined> {
  const server = await serve();
  try {
    for (const suspect of suspects) {
      const fuzz = fuzzCase(createPrng(deriveSeed(seed, suspect.index)), suspect.index, targetOf(server));
      await exchange(server.port, fuzz.plan, exchangeDeadlineMs[fuzz.kind]);
      await delay(200);
      if (server.exited()) return fuzz;
    }
    return undefined;
  } finally {
    await server.stop();
  }
}

/** The first answer of a probe, which then stops. */
async function askOnce(probe: LatencyProbe): Promise<LatencySample> {
  while (probe.samples.length === 0) await delay(10);
  await probe.stop();
  return probe.samples[0]!;
}

function listCases(cases: readonly FuzzCase[]): string {
  return cases.length ? cases.map((fuzz) => `  ${fuzz.summary.slice(0, 900)}`).join('\n') : '  (none)';
}

function listSamples(samples: readonly LatencySample[]): string {
  return samples
    .slice(0, 8)
    .map((sample) => `${sample.ms.toFixed(1)} ms (${sample.result}) at +${(sample.at / 1000).toFixed(2)} s`)
    .join(', ');
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
