// Visual conformance benchmark (issue #13): every slide of the fixture deck (`swarm-halfday.yml`, with
// container.training's own workshop.css and pictures) screenshot in labdeck (`labdeck serve` on a copy of the deck's
// folder, the page's plain view) and in remark.js 0.14.1 (container.training's fork, on markmaker's page, the same
// workshop.css, the same local fonts), same Chromium, 1210×681, device scale 1; pixels compared per slide. The figure
// is the share of slides within 1% of pixels different (goal ≥ 95%: a benchmark figure, not a test threshold).
// Writes the five worst slides side by side (labdeck | remark.js | diff) to docs/images/conformance/ and its own
// section of docs/conformance.md (between markers: the rest of that file is written by hand); returns the section of
// docs/benchmarks.md. The harness is in test/conformance/ (visual-pages.ts, pixels.ts, local-fonts.ts), proven by
// test/conformance/visual.test.ts.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { loadWorkshop } from '../src/config/workshop.ts';
import { assembleDeckSource } from '../src/deck/index.ts';
import { diskFiles, excludedClasses } from '../src/workshop/load-deck.ts';
import { launchChromium } from '../test/support/browser.ts';
import { comparePngs, sideBySide } from '../test/conformance/pixels.ts';
import { openLabdeckSide, openRemarkSide, slideViewport } from '../test/conformance/visual-pages.ts';

const fixtureDir = fileURLToPath(new URL('../test/fixtures/container-training/', import.meta.url));
const manifestName = 'swarm-halfday.yml';
const imagesDir = fileURLToPath(new URL('../docs/images/conformance/', import.meta.url));
const conformanceDoc = fileURLToPath(new URL('../docs/conformance.md', import.meta.url));
/** A slide within this share of differing pixels counts as looking the same (the issue's measure). */
const sameLook = 0.01;
const goal = 0.95;
const worstShown = 5;
const sectionStart = '<!-- visual comparison: written by `npm run bench -- visual` (bench/visual.ts); edit that, not this section -->';
const sectionEnd = '<!-- visual comparison: end -->';

interface SlideResult {
  readonly position: number;
  readonly heading: string;
  /** 0…1; 1 when one side has no such slide. */
  readonly share: number;
  readonly labdeck?: Buffer;
  readonly remark?: Buffer;
}

const percent = (share: number, digits = 1) => `${(share * 100).toFixed(digits)}%`;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 60);

export async function benchVisual(): Promise<string> {
  if (!existsSync(join(fixtureDir, 'workshop.css'))) throw new Error(`${fixtureDir}workshop.css is missing: the comparison needs the deck's own stylesheet`);
  const deckDir = await mkdtemp(join(tmpdir(), 'labdeck-visual-'));
  const browser = await launchChromium();
  try {
    // A copy, as a user's checkout: labdeck serve writes nothing there, but a test fixture must stay as it is.
    await cp(fixtureDir, deckDir, { recursive: true });
    const workshop = loadWorkshop(join(deckDir, manifestName));
    const markdown = assembleDeckSource(workshop, diskFiles).markdown;
    const labdeck = await openLabdeckSide(browser, deckDir, manifestName);
    const remark = await openRemarkSide(browser, { markdown, excludedClasses: excludedClasses(workshop), deckDir });
    const started = performance.now();
    const results: SlideResult[] = [];
    try {
      const count = Math.max(labdeck.slideCount, remark.slideCount);
      for (let position = 1; position <= count; position++) {
        const ours = position <= labdeck.slideCount ? await labdeck.screenshot(position) : undefined;
        const theirs = position <= remark.slideCount ? await remark.screenshot(position) : undefined;
        const heading = theirs ? await remark.heading() : await labdeck.heading();
        const share = ours && theirs ? comparePngs(ours, theirs).share : 1;
        results.push({ position, heading, share, ...(ours ? { labdeck: ours } : {}), ...(theirs ? { remark: theirs } : {}) });
      }
      const seconds = (performance.now() - started) / 1000;
      const report = {
        chromium: browser.version(),
        labdeckSlides: labdeck.slideCount,
        remarkSlides: remark.slideCount,
        labdeckFonts: await labdeck.loadedFonts(),
        remarkFonts: await remark.loadedFonts(),
        labdeckOutside: [...labdeck.outsideRequests],
        remarkOutside: [...remark.outsideRequests],
        seconds,
      };
      const worst = [...results].sort((a, b) => b.share - a.share).slice(0, worstShown);
      await writeWorstPictures(worst);
      await writeConformanceSection(conformanceSection(results, worst, report));
      return benchmarksSection(results, report);
    } finally {
      await labdeck.close();
      await remark.close();
    }
  } finally {
    await browser.close();
    await rm(deckDir, { recursive: true, force: true });
  }
}

/** A side's picture of a slide, or a black one where that side has no such slide. */
function panel(shot: Buffer | undefined): PNG {
  if (shot) return PNG.sync.read(shot);
  const blank = new PNG({ width: slideViewport.width, height: slideViewport.height });
  for (let i = 3; i < blank.data.length; i += 4) blank.data[i] = 255;
  return blank;
}

async function writeWorstPictures(worst: readonly SlideResult[]): Promise<void> {
  await mkdir(imagesDir, { recursive: true });
  for (const old of await readdir(imagesDir)) if (/^worst-\d+\.png$/.test(old)) await rm(join(imagesDir, old));
  for (const [index, result] of worst.entries()) {
    const ours = panel(result.labdeck);
    const theirs = panel(result.remark);
    const diff = result.labdeck && result.remark ? comparePngs(result.labdeck, result.remark).diff : panel(undefined);
    await writeFile(join(imagesDir, `worst-${index + 1}.png`), sideBySide([ours, theirs, diff]));
  }
}

interface RunReport {
  readonly chromium: string;
  readonly labdeckSlides: number;
  readonly remarkSlides: number;
  readonly labdeckFonts: readonly string[];
  readonly remarkFonts: readonly string[];
  readonly labdeckOutside: readonly string[];
  readonly remarkOutside: readonly string[];
  readonly seconds: number;
}

function figure(results: readonly SlideResult[]): { within: number; share: number } {
  const within = results.filter((result) => result.share <= sameLook).length;
  return { within, share: results.length > 0 ? within / results.length : 0 };
}

function distribution(results: readonly SlideResult[]): string[] {
  const bands: [string, (share: number) => boolean][] = [
    ['identical (0 pixels)', (share) => share === 0],
    ['≤ 0.1%', (share) => share > 0 && share <= 0.001],
    ['0.1% – 1%', (share) => share > 0.001 && share <= sameLook],
    ['1% – 5%', (share) => share > sameLook && share <= 0.05],
    ['5% – 20%', (share) => share > 0.05 && share <= 0.2],
    ['> 20%', (share) => share > 0.2],
  ];
  return ['| pixels different | slides |', '|---|---|', ...bands.map(([label, inBand]) => `| ${label} | ${results.filter((r) => inBand(r.share)).length} |`)];
}

const listed = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'none');

function conformanceSection(results: readonly SlideResult[], worst: readonly SlideResult[], report: RunReport): string {
  const { within, share } = figure(results);
  const measured = new Date().toISOString().slice(0, 10);
  return [
    sectionStart,
    '## Visual comparison with remark.js',
    '',
    `Every slide of \`${manifestName}\` (with container.training's own \`workshop.css\` and pictures) as a person sees it`,
    'in labdeck and in remark.js, compared pixel by pixel. labdeck: `labdeck serve` on a copy of the deck folder, its',
    'page opened with `?plain` (the slides alone: no terminal pane, badges or buttons). remark.js: 0.14.1 patched into',
    "container.training's fork (as above), on the page markmaker.py builds (`workshop.css` linked beside it), the",
    "stylesheet's Google Fonts `@import`s answered with the same faces from the `@fontsource` packages",
    "(`test/conformance/local-fonts.ts`). Both in the same Chromium, at 1210×681 (the stylesheet's page size), device",
    'scale 1; nothing leaves the machine (requests to another origin are refused and counted). A slide is "within 1%"',
    'when pixelmatch (threshold 0.1, anti-aliased pixels ignored) finds at most 1% of its pixels different.',
    'Run: `npm run bench -- visual` (it rewrites this section and the pictures); the harness is proven able to fail',
    'by `test/conformance/visual.test.ts`.',
    '',
    `**${within} of ${results.length} slides within 1% (${percent(share)})**; goal ≥ ${percent(goal, 0)}: ${share >= goal ? 'met' : 'not met'}.`,
    '',
    ...distribution(results),
    '',
    `- Slides: labdeck ${report.labdeckSlides}, remark.js ${report.remarkSlides}.`,
    `- Fonts loaded: labdeck ${listed(report.labdeckFonts)}; remark.js ${listed(report.remarkFonts)}.`,
    `- Requests to another origin (refused): labdeck ${report.labdeckOutside.length}, remark.js ${report.remarkOutside.length}.`,
    `- Chromium ${report.chromium}; ${report.seconds.toFixed(0)} s for ${results.length} slides × 2 screenshots. Measured on ${measured}.`,
    '',
    '### The five slides that differ most',
    'Each picture: labdeck | remark.js | the differing pixels in red (at half size).',
    '',
    ...worst.flatMap((result, index) => [
      `${index + 1}. Slide ${result.position}${result.heading ? `, "${cell(result.heading)}"` : ' (no heading)'}: ${percent(result.share, 2)} of pixels different.`,
      `   ![Slide ${result.position} in labdeck, in remark.js, and their difference](images/conformance/worst-${index + 1}.png)`,
    ]),
    sectionEnd,
  ].join('\n');
}

function benchmarksSection(results: readonly SlideResult[], report: RunReport): string {
  const { within, share } = figure(results);
  return [
    `Deck: \`${manifestName}\` with its own \`workshop.css\`, every slide screenshot in labdeck (\`serve\`, \`?plain\`) and in`,
    "remark.js 0.14.1 (markmaker's page, same stylesheet, same local fonts), same Chromium at 1210×681, pixels compared",
    'per slide (pixelmatch, threshold 0.1). Details and the worst slides: [conformance.md](conformance.md#visual-comparison-with-remarkjs).',
    '',
    '| measure | value | goal | |',
    '|---|---|---|---|',
    `| slides within 1% of pixels different | ${within}/${results.length} (${percent(share)}) | ≥ ${percent(goal, 0)} | ${share >= goal ? 'met' : 'not met'} |`,
    `| slides (labdeck / remark.js) | ${report.labdeckSlides} / ${report.remarkSlides} | equal | ${report.labdeckSlides === report.remarkSlides ? 'met' : 'not met'} |`,
    `| requests to another origin (labdeck / remark.js) | ${report.labdeckOutside.length} / ${report.remarkOutside.length} | 0 | ${report.labdeckOutside.length === 0 ? 'met' : 'not met'} |`,
  ].join('\n');
}

/** Replaces this benchmark's section of docs/conformance.md, or adds it at the end. */
async function writeConformanceSection(section: string): Promise<void> {
  const text = await readFile(conformanceDoc, 'utf8');
  const start = text.indexOf(sectionStart);
  const end = text.indexOf(sectionEnd);
  const updated = start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + sectionEnd.length) : `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(conformanceDoc, updated);
}
