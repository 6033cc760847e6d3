// Deck engine benchmark (issue: foundation and deck engine): the fixture deck swarm-halfday.yml rendered cold,
// warm and after a one-chapter edit, against remark.js 0.14.1 building the same slides in Chromium.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadWorkshop } from '../src/config/workshop.ts';
import { assembleDeckSource } from '../src/deck/manifest.ts';
import { diskFiles, excludedClasses } from '../src/workshop/load-deck.ts';
import { timeRemarkJs } from './remark-in-chromium.ts';

const manifest = fileURLToPath(new URL('../test/fixtures/container-training/swarm-halfday.yml', import.meta.url));
const child = fileURLToPath(new URL('./deck-render.ts', import.meta.url));

interface DeckRun {
  bytes: number;
  slides: number;
  importMs: number;
  coldMs: number;
  warmUncachedMs: number;
  warmCachedMs: number;
  oneChapterEditMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function benchDeck(): Promise<string> {
  const runs: DeckRun[] = [];
  for (let i = 0; i < 5; i++) {
    const output = execFileSync(process.execPath, ['--import', 'tsx', child, manifest], { encoding: 'utf8' });
    runs.push(JSON.parse(output.trim().split('\n').pop()!) as DeckRun);
  }
  const pick = (key: keyof DeckRun) => median(runs.map((run) => run[key]));

  const workshop = loadWorkshop(manifest);
  const { markdown } = assembleDeckSource(workshop, diskFiles);
  const remark = await timeRemarkJs(markdown, excludedClasses(workshop, {}));
  const remarkMs = median(remark.map((timing) => timing.createMs));

  const row = (what: string, value: number, goal: string) =>
    `| ${what} | ${ms(value)} | ${goal} | ${goal === '' ? '' : Number(goal.replace(/[^\d.]/g, '')) > value ? 'met' : 'not met'} |`;
  return [
    `Deck: \`swarm-halfday.yml\` assembled (${(pick('bytes') / 1024).toFixed(0)} KiB of markdown, ${runs[0]!.slides} slides`,
    `with its exclude list). labdeck: median of 5 fresh processes (\`bench/deck-render.ts\`); remark.js: median of`,
    `${remark.length} fresh pages timing \`remark.create()\` in the same Chromium (it shows ${remark[0]!.slides} slides).`,
    '',
    '| measure | time | goal | |',
    '|---|---|---|---|',
    row('labdeck cold: decode + lex + model + render, first call in a new process (imports excluded)', pick('coldMs'), '< 150 ms'),
    row('labdeck warm, every slide rendered again (JIT warm, empty cache)', pick('warmUncachedMs'), ''),
    row('labdeck warm as `serve` re-renders an unchanged deck (per-slide cache)', pick('warmCachedMs'), '< 30 ms'),
    row('labdeck after a one-line edit in one chapter (only touched slides render)', pick('oneChapterEditMs'), '< 10 ms'),
    row('labdeck module imports (process start, for reference)', pick('importMs'), ''),
    row('remark.js 0.14.1 `remark.create()` on the same markdown in Chromium', remarkMs, ''),
  ].join('\n');
}
