// `labdeck pdf`: the deck printed to PDF by Chromium, one slide per page at the deck's ratio, exactly as the print
// view (`?print`) lays it out. The deck is served on a private loopback port for the time of the printing, so the
// slides' images and labdeck's styles load as they do in the browser.
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { loadDeck } from '../workshop/load-deck.ts';
import { loadDeckLook } from '../workshop/deck-look.ts';
import { fontFileFolders } from '../workshop/font-faces.ts';
import { LabdeckError } from '../errors.ts';
import { toDeckJson } from '../deck/deck-json.ts';
import { startServer } from '../http/server.ts';
import { deckSelectionOptions, listOption, stringOption, UsageError, workshopPathArg, type Command } from './command.ts';

export const pdfCommand: Command = {
  synopsis: 'pdf [workshop.yml] --out deck.pdf [--notes] [--exclude a,b] [--only a,b]',
  options: {
    out: { type: 'string', valueName: 'FILE', description: 'the PDF file to write' },
    notes: { type: 'boolean', description: 'print the presenter notes under each slide' },
    ...deckSelectionOptions,
  },
  async run(args, context) {
    const outOption = stringOption(args, 'out');
    if (!outOption) throw new UsageError('--out FILE is required');
    const browser = context.browserPath;
    if (!browser || !existsSync(browser)) {
      throw new LabdeckError(`Chromium not found at ${browser ?? '(none)'}: install it (apt-get install chromium) or set LABDECK_CHROMIUM`);
    }
    const { chromium } = await importChromiumDriver();
    const manifest = workshopPathArg(args, context.cwd);
    const out = resolve(context.cwd, outOption);
    const { workshop, deck } = await loadDeck(manifest, { exclude: listOption(args, 'exclude'), only: listOption(args, 'only') }, undefined, context.repository);
    const deckJson = toDeckJson(deck, { version: 1, title: workshop.pageTitle, ratio: workshop.ratio, error: null, look: loadDeckLook(workshop).json });
    const server = await startServer(
      {
        deck: { current: () => deckJson, onChange: () => ({ dispose() {} }) },
        workshopDir: dirname(manifest),
        assetsDir: context.assetsDir,
        fontFolders: fontFileFolders(),
        log: (line) => context.stderr(`${line}\n`),
      },
      { port: 0, host: '127.0.0.1' },
    );
    const chrome = await chromium.launch({ executablePath: browser, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await chrome.newPage();
      await page.goto(`${server.url}?print${args.values.notes === true ? '&notes' : ''}`, { waitUntil: 'load' });
      await page.waitForSelector('html[data-labdeck-ready]');
      await waitForDiagrams(page);
      await page.evaluate(() => document.fonts.ready);
      await page.pdf({ path: out, preferCSSPageSize: true, printBackground: true });
    } finally {
      await chrome.close();
      await server.close();
    }
    context.stdout(`wrote ${out} (${deck.slides.length} slides, one per page)\n`);
    return 0;
  },
};

/**
 * How long the slides' mermaid diagrams may take to be drawn (src/client/diagrams.ts says when they are). Measured:
 * 30 flowcharts drawn 5.3 s after the print view was ready (mermaid's load included), on 2 cores at load average 5.6:
 * a minute leaves room for about 300.
 */
const diagramsDeadlineMs = 60_000;

/** Diagrams are drawn after the page is ready: printing before would print their text. */
async function waitForDiagrams(page: Page): Promise<void> {
  const done = ['none', 'ready', 'failed'].map((state) => `html[data-labdeck-diagrams="${state}"]`).join(', ');
  try {
    await page.waitForSelector(done, { state: 'attached', timeout: diagramsDeadlineMs });
  } catch {
    const left = await page.locator('pre.mermaid[data-labdeck-diagram="queued"]').count();
    throw new LabdeckError(`the slides' mermaid diagrams were not drawn within ${diagramsDeadlineMs / 1000} s (${left} still waiting): no PDF written`);
  }
  if ((await page.getAttribute('html', 'data-labdeck-diagrams')) === 'failed') {
    throw new LabdeckError(
      'the slides have mermaid diagrams, but mermaid could not be loaded in the page (is the mermaid package installed beside labdeck?): no PDF written',
    );
  }
}

/**
 * playwright-core is an optional peer dependency: only this command needs it, and it is large. Loaded here, so that
 * every other command starts without it, and its absence is one clear line.
 */
async function importChromiumDriver(): Promise<typeof import('playwright-core')> {
  try {
    return await import('playwright-core');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new LabdeckError(
      'labdeck pdf drives Chromium through the playwright-core package, which is not installed: `npm install playwright-core` beside labdeck (with npx: `npx -p labdeck -p playwright-core labdeck pdf ...`)',
    );
  }
}
