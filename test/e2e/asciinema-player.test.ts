// The .cast `labdeck record export` writes plays in the real asciinema-player (npm) in Chromium, and ends on the
// screen labdeck's mirror holds for that terminal: a real PTY running bash, recorded by the Recorder, exported by
// asciicastOf, played by the player's own bundle in a page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asciicastOf, pickTerminal } from '../../src/record/asciicast.ts';
import { Recorder } from '../../src/record/recorder.ts';
import { Recordings } from '../../src/record/recordings.ts';
import { TerminalManager } from '../../src/terminal/manager.ts';
import type { Timeline } from '../../src/protocol.ts';
import { launchChromium } from '../support/browser.ts';
import { waitFor } from '../support/wait.ts';
import { repoRoot } from '../cli/run-cli.ts';
import { bytes, TerminalClient, testEnvironment } from '../terminal/terminal-client.ts';

const playerDir = join(repoRoot, 'node_modules/asciinema-player/dist/bundle');

/** A page that plays /demo.cast with the player's bundle, fast, and says when it ended. */
const page = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="/player.css"></head>
<body><div id="player"></div>
<script src="/player.js"></script>
<script>
  const player = AsciinemaPlayer.create('/demo.cast', document.getElementById('player'), { autoPlay: true, speed: 20, idleTimeLimit: 0.2 });
  player.addEventListener('ended', () => { window.castEnded = true; });
</script></body></html>`;

test("an exported .cast plays in asciinema-player in Chromium and ends on the screen of labdeck's mirror", { timeout: 90_000 }, async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-cast-'));
  const recorder = new Recorder({ folder, input: false, log: () => {} });
  const manager = new TerminalManager({ defaultCommand: 'bash', env: testEnvironment(), tap: recorder.tap });
  const owner = new TerminalClient();
  const watcher = new TerminalClient();
  t.after(async () => {
    manager.dispose();
    await recorder.close();
    owner.dispose();
    watcher.dispose();
    rmSync(folder, { recursive: true, force: true });
  });
  const connection = manager.attach({ attendee: 'dana', terminal: 'shell', role: 'owner', cols: 72, rows: 16 }, owner);
  owner.onAck = (n) => connection.ack(n);
  await owner.waitForText('$ ');
  connection.input(bytes('printf "\\033[1;32mgreen\\033[0m and plain\\n"; seq 1 40; echo "done-$((6*7))"\r'));
  await owner.waitForText('done-42\r\n');
  connection.input(bytes('printf "\\033[5;10Hmoved \\033[7minverse\\033[0m"; echo; echo last-$((7*6))\r'));
  await owner.waitForText('last-42');
  await owner.waitForQuiet(300);

  // The mirror's screen: what a watcher attaching now is painted with.
  const watching = manager.attach({ attendee: 'dana', terminal: 'shell', role: 'watcher', cols: 72, rows: 16 }, watcher);
  watcher.onAck = (n) => watching.ack(n);
  await watcher.waitForQuiet(200);
  // Trailing spaces aside: xterm keeps a space that was written (the prompt's), the player's lines do not.
  const mirror = watcher.screen().map((row) => row.trimEnd());

  recorder.flush();
  const recordings = new Recordings({ folder });
  const timeline = await waitFor<Timeline>(
    () => {
      const read = recordings.timelineNow('dana');
      return read?.events.some((event) => event.kind === 'output' && event.data.includes('last-42')) ? read : undefined;
    },
    { timeoutMs: 5000, describe: () => 'the recording on disk' },
  );
  const cast = asciicastOf(timeline, pickTerminal(timeline, 'shell'));

  const server = createServer((request, response) => {
    const files: Record<string, [string, string | Buffer]> = {
      '/': ['text/html', page],
      '/player.js': ['text/javascript', readFileSync(join(playerDir, 'asciinema-player.min.js'))],
      '/player.css': ['text/css', readFileSync(join(playerDir, 'asciinema-player.css'))],
      '/demo.cast': ['application/x-asciicast', cast],
    };
    const file = files[request.url ?? ''];
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const browser = await launchChromium();
  t.after(() => browser.close());
  const tab = await browser.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await waitFor(() => tab.evaluate(() => (window as unknown as { castEnded?: boolean }).castEnded === true), {
    timeoutMs: 30_000,
    describe: () => `the player to end; page errors: ${errors.join('; ') || 'none'}`,
  });
  // 'ended' fires when the last event is fed; the player paints it on a later animation frame, so the screen is
  // awaited (a CI run under load read it blank between the two).
  const readPlayed = () =>
    tab.evaluate(() => Array.from(document.querySelectorAll('.ap-term-text .ap-line')).map((line) => (line.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
  let played: string[] = [];
  await waitFor(
    async () => {
      played = await readPlayed();
      return played.join('\n') === mirror.join('\n');
    },
    { timeoutMs: 10_000, describe: () => `the player's screen to equal the mirror's; played:\n${played.join('\n')}\nmirror:\n${mirror.join('\n')}` },
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(played, mirror);
  assert.ok(mirror.some((row) => row.includes('moved inverse')) && mirror.some((row) => row.includes('last-42')), mirror.join('\n'));
});
