// Scaling benchmark (issue #11, finding 6): generated workshops of 1k to 8k slides assembled and rendered, time per
// slide for each size (flat when the deck engine is linear), then how long `serve` stops answering (pages,
// terminals) while it re-renders the largest deck after a one-line edit: its reload runs on the event loop.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadWorkshop } from '../src/config/workshop.ts';
import { assembleDeckSource } from '../src/deck/manifest.ts';
import { renderMarkdownDeck } from '../src/deck/render-deck.ts';
import { diskFiles, excludedClasses, lintWorkshop, listChapterFiles, loadDeck } from '../src/workshop/load-deck.ts';
import { LiveDeck } from '../src/workshop/live-deck.ts';

const sizes = [1000, 2000, 4000, 8000];
const slidesPerChapter = 20;
const warmUpSlides = 3000;

/** A slide as container.training writes them: a title, bullets with code spans, a code block, a hands-on block. */
function slide(deck: number, chapter: number, index: number): string {
  const title = index === 0 ? `# Chapter ${chapter} of ${deck}` : `## Section ${chapter}.${index}`;
  return [
    title,
    '',
    `- a point about \`docker service ls\` in deck ${deck}, slide ${chapter}.${index}`,
    '- another point, with **emphasis** and a [link](https://docs.docker.com/)',
    '',
    '```bash',
    `docker service create --name web${index} --replicas 3 nginx`,
    '```',
    '',
    '.exercise[',
    `- Run \`docker service ps web${index}\``,
    ']',
    '',
  ].join('\n');
}

/**
 * Writes a workshop of `slides` slides (chapters of 20, each opening with an H1) into `dir`; returns its manifest.
 * `variant` goes into every slide's text, so that no two workshops share a slide (and a render cache entry).
 */
function writeWorkshop(dir: string, slides: number, variant = slides): string {
  mkdirSync(join(dir, 'chapters'), { recursive: true });
  const chapters: string[] = [];
  for (let c = 0; c < slides / slidesPerChapter; c++) {
    const body = Array.from({ length: slidesPerChapter }, (_, s) => slide(variant, c, s)).join('\n---\n\n');
    writeFileSync(join(dir, 'chapters', `c${c}.md`), body);
    chapters.push(`- chapters/c${c}.md`);
  }
  const manifest = join(dir, 'workshop.yml');
  writeFileSync(manifest, `title: Scaling ${slides}\ncontent:\n- |\n  # Contents\n  @@TOC@@\n${chapters.join('\n')}\n`);
  return manifest;
}

interface SizeRun {
  slides: number;
  shown: number;
  assembleMs: number;
  renderMs: number;
  /** This process's CPU time (all threads) for assembling and rendering. */
  cpuMs: number;
  /** `labdeck lint` of the same workshop, whole (it assembles and lexes again, then checks every slide). */
  lintMs: number;
}

function measure(manifest: string, slides: number): SizeRun {
  const workshop = loadWorkshop(manifest);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const source = assembleDeckSource(workshop, diskFiles);
  const t1 = performance.now();
  // Every slide's text is unique to its deck size, so no slide comes from the render cache of an earlier size.
  const deck = renderMarkdownDeck(source.markdown, { excludedClasses: excludedClasses(workshop) }, source.map);
  const t2 = performance.now();
  const used = process.cpuUsage(cpu);
  const t3 = performance.now();
  lintWorkshop(manifest);
  const lintMs = performance.now() - t3;
  return { slides, shown: deck.slides.length, assembleMs: t1 - t0, renderMs: t2 - t1, cpuMs: (used.user + used.system) / 1000, lintMs };
}

/**
 * How long the event loop was blocked (longest stall, ms) in each of `edits` reloads of `serve`'s LiveDeck, each after
 * a one-line edit in a chapter.
 */
async function reloadBlocking(manifest: string, edits: number): Promise<number[]> {
  const load = async () => {
    const { workshop, deck } = await loadDeck(manifest);
    return { deck, title: workshop.pageTitle, ratio: workshop.ratio, files: [manifest, ...listChapterFiles(workshop)] };
  };
  const live = await LiveDeck.start({ load, log: () => {}, settleMs: 1_000_000 });
  try {
    const stalls: number[] = [];
    for (let edit = 0; edit < edits; edit++) {
      const chapter = join(manifest, '..', 'chapters', `c${7 + edit}.md`);
      writeFileSync(chapter, readFileSync(chapter, 'utf8').replace('another point', 'another point (edited)'));
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await live.reload();
      await new Promise((resolve) => setTimeout(resolve, 50));
      delay.disable();
      stalls.push(delay.max / 1e6);
    }
    return stalls;
  } finally {
    live.dispose();
  }
}

export async function benchScaling(): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'labdeck-bench-scaling-'));
  try {
    // The JIT needs a few thousand slides before the time per slide settles (measured: 3.6 ms of CPU per slide for
    // the first 1,000, 2.1 ms from the third 1,000 on): without this warm-up the first row would show that instead.
    measure(writeWorkshop(join(scratch, 'warm-up'), warmUpSlides, 0), warmUpSlides);
    // Each size twice, with different text (so the second run renders cold too); the faster run is shown, the
    // slower one having been slowed down by something else on the machine.
    const runs = sizes.map((slides) => {
      const [first, second] = [1, 2].map((variant) => measure(writeWorkshop(join(scratch, `d${slides}-${variant}`), slides, slides * 10 + variant), slides));
      return first!.assembleMs + first!.renderMs <= second!.assembleMs + second!.renderMs ? first! : second!;
    });
    // The last deck written is the render cache's current generation: a reload renders only the edited slide again.
    const largest = sizes[sizes.length - 1]!;
    const stalls = await reloadBlocking(join(scratch, `d${largest}-2`, 'workshop.yml'), 3);
    const perSlide = (value: number, run: SizeRun) => `${((value / run.shown) * 1000).toFixed(0)} µs`;
    return [
      `Generated workshops (chapters of ${slidesPerChapter} slides, each chapter opening with an H1, so markmaker's`,
      'generated interstitial and title slides come with each one), assembled from disk and rendered cold (no slide',
      `in the render cache), in one process after a ${warmUpSlides}-slide warm-up; each size twice with different text, the`,
      'faster run shown. Flat time per slide = linear. CPU time counts this process only, so it moves less than wall',
      'time on a loaded machine.',
      '',
      '| slides written | slides shown | assemble | assemble per slide | render | wall time per slide | CPU time per slide | lint | lint per slide |',
      '|---|---|---|---|---|---|---|---|---|',
      ...runs.map(
        (run) =>
          `| ${run.slides} | ${run.shown} | ${run.assembleMs.toFixed(0)} ms | ${perSlide(run.assembleMs, run)} | ${run.renderMs.toFixed(0)} ms | ` +
          `${perSlide(run.assembleMs + run.renderMs, run)} | ${perSlide(run.cpuMs, run)} | ${run.lintMs.toFixed(0)} ms | ${perSlide(run.lintMs, run)} |`,
      ),
      '',
      `\`serve\` reloading the ${largest}-slide deck after a one-line edit in one chapter (LiveDeck, the other slides from the`,
      `render cache) blocks the event loop, which serves every page and terminal, for ${stalls.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
      '(three edits, longest stall of each by `monitorEventLoopDelay`): the whole reload runs on it.',
    ].join('\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
