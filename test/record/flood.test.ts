// cutFlood (record/flood.ts) on chunked output: it cuts what the mirror's skippableRange cuts of the same text joined,
// whatever the chunking, and the cut text leaves a headless xterm in the same state (screen and scrollback).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import { cutFlood } from '../../src/record/flood.ts';
import { skippableRange } from '../../src/terminal/screen-mirror.ts';
import { createPrng } from '../support/prng.ts';

const keepLines = 100 + 2 * 24;

/** Lines of a flood, some coloured (SGR), cut into chunks at random places. */
function floodCase(seed: number): { text: string; chunks: string[] } {
  const random = createPrng(seed);
  const lines: string[] = [];
  const count = 200 + Math.floor(random.next() * 4000);
  for (let i = 0; i < count; i++) {
    // Colour at the start, now and then later: some floods have a long plain run, some none.
    const coloured = (i < 100 && random.next() < 0.3) || random.next() < 0.001;
    lines.push(`${coloured ? '\u001b[3' + Math.floor(random.next() * 8) + 'm' : ''}line ${i} of ${seed}${coloured && random.next() < 0.5 ? '\u001b[0m' : ''}\r\n`);
  }
  const text = lines.join('');
  const chunks: string[] = [];
  for (let at = 0; at < text.length; ) {
    const size = 1 + Math.floor(random.next() * 9000);
    chunks.push(text.slice(at, at + size));
    at += size;
  }
  return { text, chunks };
}

async function stateAfter(text: string): Promise<string> {
  const xterm = new headless.Terminal({ cols: 80, rows: 24, scrollback: 100, allowProposedApi: true, logLevel: 'off' });
  const serializer = new serialize.SerializeAddon();
  xterm.loadAddon(serializer);
  await new Promise<void>((resolve) => xterm.write(text, resolve));
  const state = serializer.serialize({ scrollback: 100 });
  xterm.dispose();
  return state;
}

test('cutFlood cuts what skippableRange cuts of the joined text, whatever the chunks, and the terminal ends the same', { timeout: 60_000 }, async () => {
  let cutSome = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const { text, chunks } = floodCase(seed);
    const cut = cutFlood(chunks, keepLines);
    const range = skippableRange(text, keepLines);
    const expected = range ? text.slice(0, range.from) + text.slice(range.to) : text;
    assert.equal(cut ? cut.join('') : text, expected, `seed ${seed}`);
    assert.equal(cut?.length ?? chunks.length, chunks.length);
    if (cut) cutSome++;
    assert.equal(await stateAfter(cut ? cut.join('') : text), await stateAfter(text), `seed ${seed}: the screen differs`);
  }
  assert.ok(cutSome >= 8, `${cutSome} of 40 floods were cut`);
});

test('a flood whose last lines change the character set (SO) is cut only after it', () => {
  const plain = Array.from({ length: 3000 }, (_, i) => `line ${i}\r\n`).join('');
  const cut = cutFlood([plain, '\u000e', plain], keepLines);
  assert.ok(cut);
  assert.equal(cut[0], plain, 'the lines before SO stay');
  assert.equal(cut[1], '\u000e');
  assert.ok((cut[2] ?? '').length < plain.length);
  assert.equal(cutFlood(['short\r\n'], keepLines), undefined);
});
