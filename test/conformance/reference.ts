// The reference side of the conformance suite: the real remark.js 0.14.1, patched at load time into the
// container.training fork, run in Chromium exactly the way container.training pages run it.
//
// Nothing of remark.js is committed: the bundle comes from the npm tarball of backslide@3.0.0, which ships a
// byte-identical copy of the official 0.14.1 build; it is verified by md5 before use. Results are cached on disk,
// keyed by a hash of what decides them (see referenceCacheKey), so reruns do not need a browser at all.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, launchChromium } from '../support/browser.ts';

const run = promisify(execFile);

const repoRoot = resolve(import.meta.dirname, '../..');
export const referenceCacheDir = join(repoRoot, '.cache/remark-ref');
const resultsDir = join(referenceCacheDir, 'results');
const tarballName = 'backslide-3.0.0.tgz';
const bundleInTarball = 'package/starter/template/remark.min.js';
const bundlePath = join(referenceCacheDir, 'remark-0.14.1.min.js');

/** md5 of the official remark.js 0.14.1 build (= remark-latest.min.js), see the spec §0. */
export const REMARK_0_14_1_MD5 = '4fa8ea6ea94f06fd72d7ea551daa468d';

/**
 * 0.14.1 pushes every non-layout slide in `createSlides`. The fork checks `excludedClasses` against the class
 * *after* inheritance (so a `--` continuation inherits its template's class), splits it on ", " only, does not push
 * an excluded slide (so a following `--` continues from the last kept slide) but still registers it in byName.
 */
const slidePushAnchor = '"true"!==e.properties.layout&&(n.push(l),e.properties.name&&(n.byName[e.properties.name]=l))';
const slidePushPatched = '"true"!==e.properties.layout&&(__labdeckForkExcludes(l,t)||n.push(l),e.properties.name&&(n.byName[e.properties.name]=l))';
const forkExclusionHelper = `function __labdeckForkExcludes(slide, options) {
  var excluded = options.excludedClasses || [];
  return (slide.properties['class'] || '').split(', ').some(function (c) { return excluded.indexOf(c) !== -1; });
}
`;
/** The fork (like 0.15+, gnab/remark#390) marks `--` slides with `remark-slide-incremental`; 0.14.1 does not. */
const slideElementAnchor = 'e.element.className="remark-slide",';
const slideElementPatched = 'e.element.className="remark-slide"+("true"===e.slide.properties.continued?" remark-slide-incremental":""),';

function replaceExactlyOnce(text: string, anchor: string, replacement: string): string {
  const first = text.indexOf(anchor);
  if (first === -1 || text.indexOf(anchor, first + 1) !== -1) {
    throw new Error(`remark.js fork patch: anchor ${first === -1 ? 'not found' : 'found more than once'} in the bundle: ${anchor}`);
  }
  return text.slice(0, first) + replacement + text.slice(first + anchor.length);
}

/** Turns the official 0.14.1 bundle into the container.training fork. Throws if the bundle is not the expected one. */
export function patchIntoFork(bundle: string): string {
  const patched = replaceExactlyOnce(replaceExactlyOnce(bundle, slidePushAnchor, slidePushPatched), slideElementAnchor, slideElementPatched);
  return forkExclusionHelper + patched;
}

export function md5(text: string | Buffer): string {
  return createHash('md5').update(text).digest('hex');
}

/** Writes through a temporary name so that concurrent test processes never see half a file. */
async function writeAtomically(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

const PACK_ATTEMPTS = 3;

/**
 * `npm pack backslide@3.0.0` into `work`, tried again after a pause: the registry sometimes drops a connection
 * (EIDLETIMEOUT, ECONNRESET), and one dropped connection must not fail a whole test run.
 */
async function packFromRegistry(work: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run('npm', ['pack', 'backslide@3.0.0', '--pack-destination', work], { cwd: work });
      return;
    } catch (error) {
      if (attempt === PACK_ATTEMPTS) throw error;
      await new Promise((resume) => setTimeout(resume, 5_000 * attempt));
    }
  }
}

/** Fetches (once) and verifies the official remark.js 0.14.1 bundle; returns its text. */
export async function loadOfficialBundle(): Promise<string> {
  await mkdir(referenceCacheDir, { recursive: true });
  if (!existsSync(bundlePath)) {
    const work = await mkdtemp(join(referenceCacheDir, 'fetch-'));
    try {
      const tarball = join(referenceCacheDir, tarballName);
      if (!existsSync(tarball)) {
        await packFromRegistry(work);
        await rename(join(work, tarballName), tarball);
      }
      await run('tar', ['-xzf', tarball, '-C', work, bundleInTarball]);
      await rename(join(work, bundleInTarball), bundlePath);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const bytes = await readFile(bundlePath);
  const actual = md5(bytes);
  if (actual !== REMARK_0_14_1_MD5) {
    throw new Error(`${bundlePath}: md5 ${actual} is not remark.js 0.14.1 (${REMARK_0_14_1_MD5}); delete ${referenceCacheDir} and rerun`);
  }
  return bytes.toString('utf8');
}

/** One shown slide, as read from the DOM remark.js built. */
export interface ReferenceSlide {
  /** 1-based position among shown slides. */
  readonly position: number;
  /** From `id="slide-<name>"` of .remark-slide-content. */
  readonly name: string | undefined;
  /** Classes of .remark-slide-content without remark-slide-content and hljs-default. */
  readonly classes: string[];
  /** innerHTML of .remark-slide-content without the .remark-slide-number element. */
  readonly html: string;
  readonly numberText: string;
  /** innerHTML of .remark-slide-notes. */
  readonly notesHtml: string;
  /** The slide element carries remark-slide-incremental (a `--` slide). */
  readonly continued: boolean;
}

export interface ReferenceOptions {
  readonly excludedClasses: readonly string[];
}

/** 'fork' is what container.training runs (and what labdeck is compared with); 'official' proves the patch. */
export type RemarkVariant = 'fork' | 'official';

/** container.training's `remark.create` options (slide number prefix left out). */
function remarkOptions(options: ReferenceOptions) {
  return {
    ratio: '16:9',
    highlightSpans: true,
    slideNumberFormat: '%current%/%total%',
    excludedClasses: [...options.excludedClasses],
  };
}

// Runs in the page (as a string, so the TS transpiler cannot inject helpers into it).
const extractSlides = `(() => {
  if (window.__remarkError) throw new Error(window.__remarkError);
  const containers = document.querySelectorAll('.remark-slides-area > .remark-slide-container');
  return Array.from(containers, (container, index) => {
    const content = container.querySelector('.remark-slide-content');
    const number = content.querySelector(':scope > .remark-slide-number');
    const copy = content.cloneNode(true);
    copy.querySelectorAll(':scope > .remark-slide-number').forEach((element) => element.remove());
    return {
      position: index + 1,
      name: content.id.startsWith('slide-') ? content.id.slice('slide-'.length) : null,
      classes: Array.from(content.classList).filter((c) => c !== 'remark-slide-content' && c !== 'hljs-default'),
      html: copy.innerHTML,
      numberText: number ? number.textContent : '',
      notesHtml: container.querySelector('.remark-slide-notes').innerHTML,
      continued: container.querySelector('.remark-slide').classList.contains('remark-slide-incremental'),
    };
  });
})()`;

type RawSlide = Omit<ReferenceSlide, 'name'> & { name: string | null };

/** As container.training's markmaker.py does: the markdown pasted raw into the page's textarea. */
function deckPage(markdown: string, options: ReferenceOptions, variant: RemarkVariant): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>reference</title></head>
<body>
<textarea id="source">${markdown}</textarea>
<script src="/remark-${variant}.js"></script>
<script>
try { remark.create(${JSON.stringify(remarkOptions(options))}); }
catch (error) { window.__remarkError = String(error && error.stack || error); }
</script>
</body></html>`;
}

interface PooledPage {
  readonly page: Page;
  /** Uncaught errors of the document currently loaded. */
  readonly errors: string[];
}

function newPooledPage(page: Page): PooledPage {
  const pooled: PooledPage = { page, errors: [] };
  page.on('pageerror', (error) => pooled.errors.push(error.message));
  return pooled;
}

/** This file: the fork patch, the page, the options given to remark.js and the extraction are all written here. */
const harnessPath = import.meta.filename;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The cache key of a reference result: a hash of everything that decides it, so that no edit can leave a stale
 * result behind (no version to remember to bump): the bytes of the bundle the page runs (after patching, for the
 * fork), the source of this harness (patch, page, remark.js options, extraction), the browser that runs it (its
 * version: an upgrade may lay out or serialize otherwise), and the job (deck markdown, excluded classes, variant).
 * Normalisation (normalize.ts) runs on the results after the cache and is not part of it.
 */
export function referenceCacheKey(inputs: { bundle: string; harnessSource: string; browserVersion: string; job: RenderJob }): string {
  const { bundle, harnessSource, browserVersion, job } = inputs;
  const variant = job.variant ?? 'fork';
  return sha256(JSON.stringify([sha256(bundle), sha256(harnessSource), browserVersion, variant, remarkOptions(job.options), job.markdown]));
}

/** What `chromium --version` says (e.g. "Chromium 156.0.8078.114 built on Debian…"): the browser the results come from. */
export async function chromiumVersion(): Promise<string> {
  return (await run(chromiumPath, ['--version'])).stdout.trim();
}

export interface RenderJob {
  readonly markdown: string;
  readonly options: ReferenceOptions;
  /** Default 'fork'. */
  readonly variant?: RemarkVariant;
}

/**
 * The reference renderer. `start()` verifies the bundle; the browser is launched only on the first cache miss.
 * `dispose()` closes the browser and the page server.
 */
export class RemarkReference {
  readonly #bundles: Record<RemarkVariant, string>;
  readonly #harnessSource: string;
  readonly #browserVersion: string;
  readonly #pages = new Map<string, string>();
  #server: Promise<Server> | undefined;
  #browser: Promise<{ browser: Browser; context: BrowserContext }> | undefined;
  /** Pages between two renders. Navigating to a new document gives each deck a fresh JS realm and DOM. */
  readonly #idlePages: PooledPage[] = [];
  #nextPage = 0;
  /** Renders actually done in the browser (the rest came from the cache). */
  browserRenders = 0;

  private constructor(bundles: Record<RemarkVariant, string>, harnessSource: string, browserVersion: string) {
    this.#bundles = bundles;
    this.#harnessSource = harnessSource;
    this.#browserVersion = browserVersion;
  }

  static async start(): Promise<RemarkReference> {
    const [official, harnessSource, browserVersion] = await Promise.all([loadOfficialBundle(), readFile(harnessPath, 'utf8'), chromiumVersion()]);
    return new RemarkReference({ fork: patchIntoFork(official), official }, harnessSource, browserVersion);
  }

  /** Where the result of a job is (or will be) cached. */
  cachePath(job: RenderJob): string {
    const bundle = this.#bundles[job.variant ?? 'fork'];
    return join(resultsDir, `${referenceCacheKey({ bundle, harnessSource: this.#harnessSource, browserVersion: this.#browserVersion, job })}.json`);
  }

  async render(markdown: string, options: ReferenceOptions = { excludedClasses: [] }, variant: RemarkVariant = 'fork'): Promise<ReferenceSlide[]> {
    const job = { markdown, options, variant };
    const cached = this.cachePath(job);
    let raw: RawSlide[];
    if (existsSync(cached)) {
      raw = JSON.parse(await readFile(cached, 'utf8')) as RawSlide[];
    } else {
      raw = await this.#renderInBrowser(job);
      await mkdir(resultsDir, { recursive: true });
      await writeAtomically(cached, JSON.stringify(raw));
    }
    return raw.map(({ name, ...slide }) => ({ ...slide, name: name ?? undefined }));
  }

  /** Renders many decks, a few pages at a time (the machine has two cores). Results keep the jobs' order. */
  async renderAll(jobs: readonly RenderJob[], concurrency = 2): Promise<ReferenceSlide[][]> {
    const results: ReferenceSlide[][] = new Array(jobs.length);
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const index = next++;
        const job = jobs[index];
        if (job) results[index] = await this.render(job.markdown, job.options, job.variant);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
    return results;
  }

  async #renderInBrowser(job: Required<RenderJob>): Promise<RawSlide[]> {
    const [server, { context }] = await Promise.all([this.#startServer(), this.#startBrowser()]);
    const id = String(this.#nextPage++);
    this.#pages.set(id, deckPage(job.markdown, job.options, job.variant));
    const pooled = this.#idlePages.pop() ?? newPooledPage(await context.newPage());
    pooled.errors.length = 0;
    try {
      const { port } = server.address() as AddressInfo;
      // remark.create runs synchronously in a parser-blocking script: the slides exist at DOMContentLoaded, and the
      // deck's images (404 here) are not waited for.
      await pooled.page.goto(`http://127.0.0.1:${port}/deck/${id}`, { waitUntil: 'domcontentloaded' });
      const raw = (await pooled.page.evaluate(extractSlides)) as RawSlide[];
      if (pooled.errors.length > 0) throw new Error(`remark.js page error: ${pooled.errors.join('; ')}`);
      this.browserRenders++;
      return raw;
    } finally {
      this.#pages.delete(id);
      this.#idlePages.push(pooled);
    }
  }

  #startServer(): Promise<Server> {
    this.#server ??= new Promise((resolveServer, reject) => {
      const server = createServer((request, response) => {
        const bundle = request.url?.match(/^\/remark-(fork|official)\.js$/)?.[1] as RemarkVariant | undefined;
        if (bundle !== undefined) {
          // Cacheable, so that Chromium parses (and code-caches) the 665 kB bundle once per run, not once per deck.
          response.writeHead(200, {
            'content-type': 'text/javascript; charset=utf-8',
            'cache-control': 'public, max-age=3600',
          });
          response.end(this.#bundles[bundle]);
          return;
        }
        const page = this.#pages.get((request.url ?? '').replace(/^\/deck\//, ''));
        if (request.url?.startsWith('/deck/') && page !== undefined) {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
          response.end(page);
          return;
        }
        response.writeHead(404).end();
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolveServer(server));
    });
    return this.#server;
  }

  #startBrowser(): Promise<{ browser: Browser; context: BrowserContext }> {
    this.#browser ??= launchChromium().then(async (browser) => ({
      browser,
      context: await browser.newContext({ viewport: { width: 1210, height: 681 } }),
    }));
    return this.#browser;
  }

  async dispose(): Promise<void> {
    const browser = this.#browser;
    const server = this.#server;
    this.#browser = undefined;
    this.#server = undefined;
    this.#idlePages.length = 0;
    if (browser) await (await browser).browser.close();
    if (server) {
      const listening = await server;
      await new Promise<void>((done) => listening.close(() => done()));
    }
  }
}
