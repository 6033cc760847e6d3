// Takes the README's pictures of the presentation: the slideshow, the presenter view, and an attendee following
// the instructor. Run: node --import tsx scripts/presentation-screenshots.ts (after npm run build).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser.ts';
import { runLabdeck } from '../test/cli/run-cli.ts';

const imagesDir = fileURLToPath(new URL('../docs/images/', import.meta.url));
mkdirSync(imagesDir, { recursive: true });

let stop!: () => void;
let output = '';
const served = runLabdeck(['serve', '--port', '0'], {
  stdout: (text) => (output += text),
  stderr: () => {},
  untilStopped: () => new Promise<void>((resolve) => (stop = resolve)),
});
while (!/instructor[^\n]*\?token=/.test(output)) await new Promise((resolve) => setTimeout(resolve, 50));
const deckUrl = /serving \d+ slides at (\S+)/.exec(output)![1]!;
const instructorUrl = /instructor[^\n]*?(http:\/\/\S+)/.exec(output)![1]!;

const browser = await launchChromium();
const open = async (url: string): Promise<Page> => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  await page.goto(url);
  await page.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
  return page;
};
const waitForSlide = (page: Page, n: number) => page.waitForFunction((expected) => document.documentElement.dataset.labdeckSlide === String(expected), n);

try {
  // Before any instructor leads: an attendee page would follow the instructor to their slide.
  const slideshow = await open(`${deckUrl}#toc-part-0`);
  await slideshow.screenshot({ path: `${imagesDir}slideshow.png` });
  const instructor = await open(`${instructorUrl}#p12`);
  await instructor.waitForSelector('.labdeck-follow[data-state="leading"]');
  await instructor.screenshot({ path: `${imagesDir}presenter-view.png` });
  const attendee = await open(deckUrl);
  await waitForSlide(attendee, 12);
  await attendee.screenshot({ path: `${imagesDir}attendee-following.png` });
} finally {
  await browser.close();
  stop();
  await served;
}
process.stdout.write(`wrote presenter-view.png, attendee-following.png, slideshow.png to ${imagesDir}\n`);
