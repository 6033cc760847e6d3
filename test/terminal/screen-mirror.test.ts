// The mirror parses lazily and skips the plain lines of a flood that would scroll out of its buffer: what it
// serializes must be what a terminal that parsed every byte serializes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import { ScreenMirror, skippableRange } from '../../src/terminal/screen-mirror.ts';

const cols = 60;
const rows = 20;
const scrollback = 100;

function lines(count: number, prefix: string): string {
  return Array.from({ length: count }, (_, i) => `${prefix} ${i} ${'x'.repeat(i % 90)}\r\n`).join('');
}

/** What a terminal that parses every byte shows. */
async function reference(chunks: readonly string[]): Promise<string> {
  const terminal = new headless.Terminal({ cols, rows, scrollback, allowProposedApi: true });
  const serializer = new serialize.SerializeAddon();
  terminal.loadAddon(serializer);
  for (const chunk of chunks) await new Promise<void>((resolve) => terminal.write(chunk, resolve));
  const screen = serializer.serialize({ scrollback });
  terminal.dispose();
  return screen;
}

async function mirrored(chunks: readonly string[]): Promise<string> {
  const mirror = new ScreenMirror(cols, rows, scrollback);
  let parsed = 0;
  for (const chunk of chunks) mirror.write(chunk, () => parsed++);
  assert.equal(mirror.caughtUp, false, 'parsing is lazy');
  await new Promise<void>((resolve) => mirror.afterParsed(resolve));
  assert.equal(parsed, chunks.length, 'every write callback ran, in order, before the marker');
  assert.equal(mirror.caughtUp, true);
  const screen = mirror.serialize();
  mirror.dispose();
  return screen;
}

/** 4 KiB pieces, like PTY reads: sequences and CR LF pairs get split across writes. */
function pieces(text: string): string[] {
  const result: string[] = [];
  for (let offset = 0; offset < text.length; offset += 4096) result.push(text.slice(offset, offset + 4096));
  return result;
}

test('a flood of plain lines is cut down before parsing', () => {
  const flood = `\x1b[1;31mbold red\x1b[0m\r\n${lines(20_000, 'plain')}`;
  const range = skippableRange(flood, scrollback + 2 * rows);
  assert.ok(range, 'there is something to skip');
  assert.ok(range.to - range.from > 0.9 * flood.length, `most of the flood is skipped (${range.to - range.from} of ${flood.length})`);
  assert.equal(flood.slice(range.from - 2, range.from), '\r\n');
  assert.equal(flood.slice(range.to - 2, range.to), '\r\n');
  assert.ok(range.tailLines >= scrollback + 2 * rows);
  assert.equal(skippableRange(lines(50, 'few'), scrollback + 2 * rows), undefined, 'too few lines: nothing to skip');
});

test('after a flood, the mirror shows what a terminal that parsed every byte shows', async () => {
  const text = `\x1b[32mgreen prompt\x1b[0m $ cat big\r\n${lines(30_000, 'line')}\x1b[7mreverse\x1b[0m tail\r\n${lines(3_000, 'more')}$ `;
  const chunks = pieces(text);
  assert.equal(await mirrored(chunks), await reference(chunks));
});

test('nothing is skipped where line feeds do not scroll everything away', async () => {
  // A scroll region: line feeds scroll rows 2-10 only, the rest of the screen stays.
  const region = `top line\r\n\x1b[2;10r\x1b[5;1H${lines(30_000, 'inside')}\x1b[r`;
  assert.equal(await mirrored(pieces(region)), await reference(pieces(region)));
  // An unterminated OSC swallows the lines that follow it until its BEL.
  const osc = `\x1b]0;a title that goes on${lines(30_000, 'swallowed')}\x07after\r\n${lines(10, 'shown')}`;
  assert.equal(await mirrored(pieces(osc)), await reference(pieces(osc)));
});
