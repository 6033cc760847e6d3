// Seeking through keyframes in a real Chromium: a timeline with more than a keyframe's worth of output (colours, a
// resize, the alternate screen, scrolling) is served with keyframes, and a seek that lands on one, just after one, at
// the end and back to the start shows exactly the screen that writing every output from the start gives, and, at the
// end, its scrollback too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import headless from '@xterm/headless';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { repoRoot } from '../cli/run-cli.ts';
import { loadDeck } from '../../src/workshop/load-deck.ts';
import { LiveDeck } from '../../src/workshop/live-deck.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { createAccess } from '../../src/classroom/access.ts';
import { keyframeEveryChars, keyframesOf } from '../../src/record/keyframes.ts';
import { replayScrollback, type Timeline, type TimelineEvent } from '../../src/protocol.ts';

const cols = 100;
const rows = 30;
let scratch: string;
let browser: Browser;
let server: RunningServer;
let liveDeck: LiveDeck;
let timeline: Timeline;
/** The output events, in order, and the index of the first keyframe's last one. */
let outputs: Extract<TimelineEvent, { kind: 'output' | 'resize' }>[];
let firstKeyframeEvents: number;

/** About 2.5 keyframes' worth of output: coloured numbered lines, a resize, a full-screen program, a prompt. */
function buildTimeline(): Timeline {
  const events: TimelineEvent[] = [];
  let t = 0;
  let line = 0;
  const chunk = (): string => {
    let text = '';
    for (let i = 0; i < 20; i++, line++) text += `\u001b[3${line % 8}mline ${line}\u001b[0m ${'x'.repeat(60 + (line % 17))} \u001b[1mend\u001b[0m\r\n`;
    return text;
  };
  for (let chunks = 1; totalChars(events) < keyframeEveryChars * 2.5; chunks++) {
    events.push({ t: (t += 100), kind: 'output', terminal: 'shell', data: chunk() });
    if (chunks === 300) events.push({ t: (t += 100), kind: 'resize', terminal: 'shell', cols: 90, rows: 28 });
    if (chunks % 400 === 0) {
      events.push({ t: (t += 100), kind: 'output', terminal: 'shell', data: '\u001b[?1049h\u001b[H\u001b[2J\u001b[7m full screen \u001b[0m\u001b[5;10Hin the middle' });
      events.push({ t: (t += 100), kind: 'output', terminal: 'shell', data: '\u001b[?1049l' });
    }
  }
  events.push({ t: (t += 100), kind: 'output', terminal: 'shell', data: '\u001b[32muser@host\u001b[0m:~$ ' });
  return { attendee: 'local', startedAt: new Date(0).toISOString(), durationMs: t, terminals: [{ name: 'shell', cols, rows }], events, inputRecorded: false };
}

function totalChars(events: readonly TimelineEvent[]): number {
  return events.reduce((sum, event) => sum + (event.kind === 'output' ? event.data.length : 0), 0);
}

/** The screen after writing the first `count` output and resize events from the start, as the page's rows read. */
async function screenAfter(count: number): Promise<string[]> {
  return rowsAfter(count, 'screen');
}

/** The rows after writing the first `count` events: the screen, or the top of the scrollback (scrolled to the top). */
async function rowsAfter(count: number, where: 'screen' | 'top'): Promise<string[]> {
  const terminal = new headless.Terminal({ cols, rows, scrollback: replayScrollback, allowProposedApi: true, logLevel: 'off' });
  try {
    for (const event of outputs.slice(0, count)) {
      if (event.kind === 'resize') terminal.resize(event.cols, event.rows);
      else await new Promise<void>((resolve) => terminal.write(event.data, resolve));
    }
    const buffer = terminal.buffer.active;
    // Trailing spaces trimmed, as the DOM rows are read (a prompt's own space included).
    const first = where === 'screen' ? buffer.viewportY : 0;
    return Array.from({ length: terminal.rows }, (_, row) => (buffer.getLine(first + row)?.translateToString(true) ?? '').trimEnd());
  } finally {
    terminal.dispose();
  }
}

before(async () => {
  const launching = launchChromium();
  assertClientBundle();
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-e2e-keyframes-'));
  const withoutMarkers = buildTimeline();
  outputs = withoutMarkers.events.filter((event) => event.kind === 'output' || event.kind === 'resize');
  firstKeyframeEvents = (await keyframesOf(withoutMarkers))[0]?.events ?? 0;
  assert.ok(firstKeyframeEvents > 0, 'the timeline has a keyframe before its end');
  // Markers (commands) at the moment of the first keyframe and five events after it: clicking one seeks exactly there.
  const at = (count: number): TimelineEvent => ({ t: outputs[count - 1]!.t, kind: 'command', terminal: 'shell', command: `at-${count}`, exitCode: 0 });
  timeline = { ...withoutMarkers, events: [...withoutMarkers.events, at(firstKeyframeEvents), at(firstKeyframeEvents + 5)].sort((a, b) => a.t - b.t) };
  const manifest = join(repoRoot, 'workshop.yml');
  const log = () => {};
  liveDeck = await LiveDeck.start({ load: async () => ({ deck: (await loadDeck(manifest)).deck, title: 'Keyframes', ratio: '16:9', files: [manifest] }), log });
  server = await startServer(
    {
      deck: liveDeck,
      workshopDir: scratch,
      assetsDir: join(repoRoot, 'public'),
      log,
      access: createAccess({ openToLocalAttendee: true }),
      timelines: { timelineOf: async () => timeline },
    },
    { port: 0, host: '127.0.0.1' },
  );
  browser = await launching;
});

after(async () => {
  await browser?.close();
  await server?.close();
  liveDeck?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

function screenOf(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelector('.labdeck-replay-xterm .xterm-rows')?.children ?? [], (row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()),
  );
}

async function waitForScreen(page: Page, expected: readonly string[], what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await screenOf(page);
    if (JSON.stringify(seen) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  assert.deepEqual(seen, expected, `${what}: not the screen written from the start within ${timeoutMs} ms`);
}

/** Drags the replayed terminal's scrollbar to its top or bottom (a wheel event scrolls three lines). */
async function dragScrollbar(page: Page, to: 'top' | 'bottom'): Promise<void> {
  await page.locator('.labdeck-replay-xterm .xterm-screen').hover();
  const slider = await page.locator('.labdeck-replay-xterm .scrollbar.vertical .slider').boundingBox();
  assert.ok(slider && slider.height > 0, `the terminal has a scrollbar: ${JSON.stringify(slider)}`);
  const x = slider.x + slider.width / 2;
  await page.mouse.move(x, slider.y + slider.height / 2);
  await page.mouse.down();
  await page.mouse.move(x, to === 'top' ? slider.y - 5000 : slider.y + 5000, { steps: 5 });
  await page.mouse.up();
}

/** PageDown (the next marker), which the scrubber then names. */
async function nextMarker(page: Page, label: string): Promise<void> {
  await page.keyboard.press('PageDown');
  const named = (await page.locator('.labdeck-replay-scrubber').getAttribute('aria-valuetext')) ?? '';
  assert.ok(named.includes(label), `the next marker is ${label}: the scrubber says ${named}`);
}

test('the timeline is served with keyframes: after each MiB of a terminal’s output, and at its end', { timeout: 30_000 }, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}replay/local`);
    const served = (await page.evaluate(() => fetch('_labdeck/timeline/local').then((response) => response.json()))) as Timeline;
    assert.deepEqual(
      (served.keyframes ?? []).map((keyframe) => [keyframe.terminal, keyframe.events]),
      [
        ['shell', firstKeyframeEvents],
        ['shell', (served.keyframes ?? [])[1]?.events],
        ['shell', outputs.length],
      ],
    );
    assert.ok((served.keyframes?.[1]?.events ?? 0) > firstKeyframeEvents);
  } finally {
    await page.close();
  }
});

test('a seek onto a keyframe, just after one, to the end and back shows the screen written from the start', { timeout: 60_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  try {
    await page.goto(`${server.url}replay/local`);
    await page.waitForSelector('html[data-labdeck-replay="ready"]', { timeout: 20_000 });
    // A command that exited 0, drawn green in the markers' drawing (read left of its middle: the second marker, a few
    // pixels right, is drawn over its right half).
    const green = await page.evaluate(
      ([at, duration]) => {
        const canvas = document.querySelector<HTMLCanvasElement>('canvas.labdeck-replay-markers')!;
        const x = Math.round((at / duration) * canvas.width) - 2;
        return Array.from(
          canvas
            .getContext('2d')!
            .getImageData(x, Math.floor(canvas.height / 2), 1, 1)
            .data.slice(0, 3),
        );
      },
      [outputs[firstKeyframeEvents - 1]!.t, timeline.durationMs] as const,
    );
    assert.deepEqual(green, [91, 209, 106], 'a command that exited 0 is drawn green');
    // The two markers, half a second apart in the timeline, overlap on screen: reached by keyboard (the next marker).
    await page.locator('.labdeck-replay-scrubber').focus();
    await nextMarker(page, `Command at-${firstKeyframeEvents} `);
    await waitForScreen(page, await screenAfter(firstKeyframeEvents), 'on the first keyframe');
    await nextMarker(page, `Command at-${firstKeyframeEvents + 5} `);
    await waitForScreen(page, await screenAfter(firstKeyframeEvents + 5), 'five events after it');
    await page.keyboard.press('End');
    await waitForScreen(page, await screenAfter(outputs.length), 'at the end');
    // The end's screen is shown first (its keyframe's screen alone), then the whole state: its 1,000 lines of
    // scrollback are there, as written from the start.
    const top = await rowsAfter(outputs.length, 'top');
    await dragScrollbar(page, 'top');
    await waitForScreen(page, top, 'the scrollbar dragged to the top at the end: the first lines of the scrollback');
    await dragScrollbar(page, 'bottom');
    await waitForScreen(page, await screenAfter(outputs.length), 'scrolled back down at the end');
    await page.keyboard.press('Home');
    await waitForScreen(page, await screenAfter(0), 'back at the start');
    await nextMarker(page, `Command at-${firstKeyframeEvents} `);
    await waitForScreen(page, await screenAfter(firstKeyframeEvents), 'back on the first keyframe');
  } finally {
    await page.close();
  }
});
