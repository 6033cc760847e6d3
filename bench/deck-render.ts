// Measures labdeck's deck engine on one workshop, in a process of its own so that "cold" means cold:
// nothing imported, nothing compiled by the JIT, no cache. Prints one JSON object on stdout: wall times (ms) and,
// beside each, the CPU time of this process (user + system, ms), which a busy machine disturbs less.
// Usage: node --import tsx bench/deck-render.ts WORKSHOP.yml            (cold, warm, edits: no disk cache)
//        node --import tsx bench/deck-render.ts WORKSHOP.yml --cache DIR (the deck through the render cache in DIR)
//        node --import tsx bench/deck-render.ts WORKSHOP.yml --parser-floor (remark's parser alone on every slide)
import { performance } from 'node:perf_hooks';
import type { ContentNode } from '../src/deck/types.ts';

const manifest = process.argv[2]!;
const cacheDir = process.argv[3] === '--cache' ? process.argv[4] : undefined;
const parserFloor = process.argv[3] === '--parser-floor';

interface Timing {
  readonly ms: number;
  readonly cpuMs: number;
}

const time = (run: () => unknown): Timing => {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  run();
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  return { ms: wall, cpuMs: (used.user + used.system) / 1000 };
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const medianTiming = (timings: Timing[]): Timing => ({ ms: median(timings.map((t) => t.ms)), cpuMs: median(timings.map((t) => t.cpuMs)) });

const importCpu = process.cpuUsage();
const importStart = performance.now();
const { loadWorkshop } = await import('../src/config/workshop.ts');
const { assembleDeckSource } = await import('../src/deck/manifest.ts');
const { diskFiles, excludedClasses } = await import('../src/workshop/load-deck.ts');
const { decodeAsTextarea, parseSource } = await import('../src/deck/split.ts');
const { buildSlideshow } = await import('../src/deck/slideshow.ts');
const { createRenderer } = await import('../src/deck/render.ts');
const { defaultDeckOptions } = await import('../src/deck/index.ts');
const { renderMarkdownDeck } = await import('../src/deck/render-deck.ts');
const { openRenderCache } = await import('../src/workshop/render-cache.ts');
const importUsed = process.cpuUsage(importCpu);
const imports: Timing = { ms: performance.now() - importStart, cpuMs: (importUsed.user + importUsed.system) / 1000 };

const workshop = loadWorkshop(manifest);
const source = assembleDeckSource(workshop, diskFiles);
const options = { ...defaultDeckOptions, excludedClasses: excludedClasses(workshop, {}) };

if (parserFloor) {
  // The floor that the design card's parser sets: remark (micromark → mdast, with GFM as render.ts configures it)
  // parsing each slide's markdown once, cold, with nothing else of the render (no hast, no HTML, no sanitizing).
  // Content classes are flattened to their text: remark.js converts each class's content as a chunk of its own.
  const textOf = (nodes: readonly ContentNode[]): string => nodes.map((node) => (typeof node === 'string' ? node : textOf(node.content))).join('');
  const slideTexts = buildSlideshow(parseSource(decodeAsTextarea(source.markdown)), options).map((slide) => textOf(slide.content));
  const { remark } = await import('remark');
  const { default: remarkGfm } = await import('remark-gfm');
  const parser = remark().use(remarkGfm, { singleTilde: false });
  const parse = () => {
    for (const text of slideTexts) parser.parse(text);
  };
  const cold = time(parse);
  const warm = medianTiming(Array.from({ length: 5 }, () => time(parse)));
  console.log(JSON.stringify({ slides: slideTexts.length, cold, warm }));
  process.exit(0);
}

if (cacheDir !== undefined) {
  // As loadDeck does it: the deck from the cache, or rendered and kept there.
  const cache = openRenderCache(cacheDir);
  const input = { markdown: source.markdown, options, map: source.map };
  let hit = false;
  let slides = 0;
  const cached = time(() => {
    let deck = cache.get(input);
    hit = deck !== undefined;
    if (!deck) {
      deck = renderMarkdownDeck(input.markdown, input.options, input.map);
      cache.set(input, deck);
    }
    slides = deck.slides.length;
  });
  console.log(JSON.stringify({ hit, slides, imports, cached }));
  process.exit(0);
}

function pipeline(markdown: string, renderer: ReturnType<typeof createRenderer>) {
  const parsed = parseSource(decodeAsTextarea(markdown));
  const model = buildSlideshow(parsed, options);
  return renderer.renderSlides(model, parsed.links, options);
}

const cachedRenderer = createRenderer();
let slides = 0;
const cold = time(() => (slides = pipeline(source.markdown, cachedRenderer).length));

// Warm: JIT compiled, but every slide rendered again (a fresh renderer has an empty cache).
const warmUncached = medianTiming(Array.from({ length: 5 }, () => time(() => pipeline(source.markdown, createRenderer()))));
// Warm as `serve` runs it: the renderer remembers the previous generation of slides.
const warmCached = medianTiming(Array.from({ length: 5 }, () => time(() => pipeline(source.markdown, cachedRenderer))));

// One-chapter edit: change one line of one chapter; only the slides it touches render again.
const lines = source.markdown.split('\n');
const bulletLines = lines.map((line, i) => (line.startsWith('- ') ? i : -1)).filter((i) => i >= 0);
const edits = Array.from({ length: 5 }, (_, k) => {
  const edited = [...lines];
  const at = bulletLines[Math.floor(((k + 1) * bulletLines.length) / 7)]!;
  edited[at] = `${edited[at]} (edit ${k})`;
  const markdown = edited.join('\n');
  pipeline(source.markdown, cachedRenderer); // back to the original generation
  return time(() => pipeline(markdown, cachedRenderer));
});

console.log(
  JSON.stringify({
    bytes: Buffer.byteLength(source.markdown),
    slides,
    imports,
    cold,
    warmUncached,
    warmCached,
    oneChapterEdit: medianTiming(edits),
  }),
);
