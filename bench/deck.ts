// Deck engine benchmark (issue #12, start-up and cold render): the fixture deck swarm-halfday.yml rendered cold,
// warm, after a one-chapter edit and through the render cache on disk, and the whole `labdeck slides --json`
// process, against remark.js 0.14.1 building the same slides in Chromium. The machine is shared: medians of fresh
// processes, and CPU time beside wall time.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWorkshop } from '../src/config/workshop.ts';
import { assembleDeckSource } from '../src/deck/manifest.ts';
import { diskFiles, excludedClasses } from '../src/workshop/load-deck.ts';
import { timeRemarkJs } from './remark-in-chromium.ts';

const manifest = fileURLToPath(new URL('../test/fixtures/container-training/swarm-halfday.yml', import.meta.url));
const child = fileURLToPath(new URL('./deck-render.ts', import.meta.url));
const processCpu = fileURLToPath(new URL('./process-cpu.mjs', import.meta.url));
const labdeck = fileURLToPath(new URL('../bin/labdeck.js', import.meta.url));
const runs = 5;

interface Timing {
  readonly ms: number;
  readonly cpuMs: number;
}

interface DeckRun {
  bytes: number;
  slides: number;
  imports: Timing;
  cold: Timing;
  warmUncached: Timing;
  warmCached: Timing;
  oneChapterEdit: Timing;
}

/** remark's parser alone on every slide: what any render through the design card's remark costs at least. */
interface ParserFloorRun {
  slides: number;
  cold: Timing;
  warm: Timing;
}

interface CacheRun {
  hit: boolean;
  slides: number;
  cached: Timing;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const medianTiming = (timings: Timing[]): Timing => ({ ms: median(timings.map((t) => t.ms)), cpuMs: median(timings.map((t) => t.cpuMs)) });
const ms = (value: number) => `${value.toFixed(1)} ms`;
const lastLine = (output: string) => output.trim().split('\n').pop()!;

function renderChild(...args: string[]): string {
  return lastLine(execFileSync(process.execPath, ['--import', 'tsx', child, manifest, ...args], { encoding: 'utf8' }));
}

/** The whole command in a fresh process, Node's start and every import included; the render cache turned off. */
function timeSlidesCommand(): Timing {
  const result = spawnSync(process.execPath, ['--import', processCpu, labdeck, 'slides', manifest, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, LABDECK_CACHE: 'off' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = result.stderr.split('\n').find((text) => text.startsWith('labdeck-bench-process '));
  if (result.status !== 0 || !line) throw new Error(`labdeck slides failed (${result.status}): ${result.stderr}`);
  return JSON.parse(line.slice('labdeck-bench-process '.length)) as Timing;
}

export async function benchDeck(): Promise<string> {
  const deckRuns = Array.from({ length: runs }, () => JSON.parse(renderChild()) as DeckRun);
  const pick = (key: 'imports' | 'cold' | 'warmUncached' | 'warmCached' | 'oneChapterEdit') => medianTiming(deckRuns.map((run) => run[key]));

  // The render cache: one process fills it, the next ones read it.
  const cacheDir = mkdtempSync(join(tmpdir(), 'labdeck-bench-cache-'));
  let cached: Timing;
  try {
    const first = JSON.parse(renderChild('--cache', cacheDir)) as CacheRun;
    if (first.hit) throw new Error('a fresh render cache had the deck already');
    const hits = Array.from({ length: runs }, () => JSON.parse(renderChild('--cache', cacheDir)) as CacheRun);
    if (!hits.every((run) => run.hit && run.slides === first.slides)) throw new Error('the render cache missed on a second start');
    cached = medianTiming(hits.map((run) => run.cached));
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }

  const command = medianTiming(Array.from({ length: runs }, timeSlidesCommand));
  const parserRuns = Array.from({ length: runs }, () => JSON.parse(renderChild('--parser-floor')) as ParserFloorRun);

  const workshop = loadWorkshop(manifest);
  const { markdown } = assembleDeckSource(workshop, diskFiles);
  const remark = await timeRemarkJs(markdown, excludedClasses(workshop, {}));
  const remarkMs = median(remark.map((timing) => timing.createMs));

  const parserFloor = medianTiming(parserRuns.map((run) => run.cold));
  const ratio = (value: number) => `${(value / remarkMs).toFixed(2)}×`;
  /** A goal on the wall time: `ms` below a bound, and/or at most a fraction of remark.js. */
  const row = (what: string, timing: Timing, goal: { belowMs?: number; ofRemark?: number; note?: string } = {}) => {
    const goals: string[] = [];
    let met = true;
    if (goal.belowMs !== undefined) {
      goals.push(`< ${goal.belowMs} ms`);
      met &&= timing.ms < goal.belowMs;
    }
    if (goal.ofRemark !== undefined) {
      goals.push(`≤ ${goal.ofRemark.toFixed(2)}× remark.js`);
      met &&= timing.ms <= goal.ofRemark * remarkMs;
    }
    const verdict = goals.length === 0 ? '' : met ? 'met' : 'not met';
    return `| ${what} | ${ms(timing.ms)} | ${ms(timing.cpuMs)} | ${ratio(timing.ms)} | ${[...goals, goal.note ?? ''].filter(Boolean).join(', ')} | ${verdict} |`;
  };
  return [
    `Deck: \`swarm-halfday.yml\` assembled (${(deckRuns[0]!.bytes / 1024).toFixed(0)} KiB of markdown, ${deckRuns[0]!.slides} slides`,
    `with its exclude list). labdeck: median of ${runs} fresh processes (\`bench/deck-render.ts\`), wall time and the`,
    `process's CPU time (user + system, all threads: the JIT and the garbage collector run beside the main thread);`,
    `remark.js: median of ${remark.length} fresh pages timing \`remark.create()\` in the same Chromium (it shows ${remark[0]!.slides} slides).`,
    '',
    '| measure | wall | CPU | vs remark.js | goal | |',
    '|---|---|---|---|---|---|',
    row('labdeck cold: decode + lex + model + render, first call in a new process (imports excluded, no cache)', pick('cold'), { belowMs: 150, ofRemark: 0.25 }),
    row('labdeck with the render cache: a second start of the same deck (fresh process, entry on disk)', cached, { note: 'near zero' }),
    row('labdeck warm, every slide rendered again (JIT warm, empty cache)', pick('warmUncached')),
    row('labdeck warm as `serve` re-renders an unchanged deck (per-slide cache)', pick('warmCached'), { belowMs: 30 }),
    row('labdeck after a one-line edit in one chapter (only touched slides render)', pick('oneChapterEdit'), { belowMs: 10 }),
    row('labdeck module imports of the render path (for reference)', pick('imports')),
    row("remark's parser alone (micromark → mdast, GFM), every slide once, cold: the floor of a render through remark", parserFloor),
    row("remark's parser alone, warm (JIT compiled)", medianTiming(parserRuns.map((run) => run.warm))),
    row('the whole `labdeck slides swarm-halfday.yml --json` process, cold (Node start, imports, render; no cache)', command, { ofRemark: 1 / 3 }),
    `| remark.js 0.14.1 \`remark.create()\` on the same markdown in Chromium | ${ms(remarkMs)} | | 1.00× | | |`,
    '',
    `The cold goals are out of reach while slides render through \`remark\` (the design card's renderer): its parser`,
    `alone, cold, takes ${ms(parserFloor.ms)}, ${(parserFloor.ms / 150).toFixed(1)}× the 150 ms goal and ${ratio(parserFloor.ms)} remark.js's whole build, before any`,
    'HTML is made. The render cache is the answer kept for a deck that starts again.',
  ].join('\n');
}
