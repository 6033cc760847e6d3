// Measures labdeck's deck engine on one workshop, in a process of its own so that "cold" means cold:
// nothing imported, nothing compiled by the JIT, no cache. Prints one JSON object on stdout.
// Usage: node --import tsx bench/deck-render.ts WORKSHOP.yml
import { performance } from 'node:perf_hooks';

const manifest = process.argv[2]!;
const startedAt = performance.now();
const { loadWorkshop } = await import('../src/config/workshop.ts');
const { assembleDeckSource } = await import('../src/deck/manifest.ts');
const { diskFiles, excludedClasses } = await import('../src/workshop/load-deck.ts');
const { decodeAsTextarea, parseSource } = await import('../src/deck/split.ts');
const { buildSlideshow } = await import('../src/deck/slideshow.ts');
const { createRenderer } = await import('../src/deck/render.ts');
const { defaultDeckOptions } = await import('../src/deck/index.ts');
const importMs = performance.now() - startedAt;

const workshop = loadWorkshop(manifest);
const source = assembleDeckSource(workshop, diskFiles);
const options = { ...defaultDeckOptions, excludedClasses: excludedClasses(workshop, {}) };

function pipeline(markdown: string, renderer: ReturnType<typeof createRenderer>) {
  const parsed = parseSource(decodeAsTextarea(markdown));
  const model = buildSlideshow(parsed, options);
  return renderer.renderSlides(model, parsed.links, options);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const time = (run: () => unknown) => {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
};

const cachedRenderer = createRenderer();
let slides = 0;
const coldMs = time(() => (slides = pipeline(source.markdown, cachedRenderer).length));

// Warm: JIT compiled, but every slide rendered again (a fresh renderer has an empty cache).
const warmUncached = Array.from({ length: 5 }, () => time(() => pipeline(source.markdown, createRenderer())));
// Warm as `serve` runs it: the renderer remembers the previous generation of slides.
const warmCached = Array.from({ length: 5 }, () => time(() => pipeline(source.markdown, cachedRenderer)));

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
    importMs,
    coldMs,
    warmUncachedMs: median(warmUncached),
    warmCachedMs: median(warmCached),
    oneChapterEditMs: median(edits),
  }),
);
