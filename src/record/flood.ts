// Leaves out of a recording the lines of a flood (`cat` of a large file, `yes`) that nobody could see again: in a
// stretch of a terminal's output, plain lines followed by at least `keepLines` more line feeds scroll out of the
// screen and the scrollback, as the server's mirror finds (terminal/screen-mirror.ts skippableRange, same rule). The
// replayed screen is the same; the recording of a 16 MiB `cat` is kilobytes.
//
// It works on the output chunks as they came, without joining them: joining and scanning a second of flood costs
// more than the terminal itself spends on it (16 MiB: about 100 ms). Only the tail is read line by line (the lines
// kept); the rest is searched for the characters that make a line not plain with indexOf, which the engine runs at
// memory speed: ESC (every sequence), SO and SI (character sets). Other C0 controls do not change what later text
// looks like (BEL, VT and FF are a bell and line feeds). 8-bit C1 controls (U+0080–U+009F) are not looked for: no
// program sends them in a UTF-8 terminal, and finding them would mean reading every character. Pure.

/** Fewer characters than this are not worth cutting. */
const minSkipChars = 16 * 1024;
const controls = ['\u001b', '\u000e', '\u000f'];

/** A position in a list of chunks. */
interface At {
  readonly chunk: number;
  readonly offset: number;
}

/**
 * For output chunks (in order), the new text of each, or undefined when nothing is left out. A chunk that loses
 * everything becomes ''. The cut starts and ends right after a CR LF (the cursor in column 0 either way).
 */
export function cutFlood(chunks: readonly string[], keepLines: number): string[] | undefined {
  const to = cutEnd(chunks, keepLines);
  if (!to) return undefined;
  const start = plainStart(chunks, to);
  const from = crlfAfter(chunks, start, to);
  if (!from || charsBetween(chunks, from, to) < minSkipChars) return undefined;
  return chunks.map((text, index) => {
    if (index < from.chunk || index > to.chunk) return text;
    const head = index === from.chunk ? text.slice(0, from.offset) : '';
    const tail = index === to.chunk ? text.slice(to.offset) : '';
    return head + tail;
  });
}

/** Right after the line feed that has `keepLines` line feeds after it and a CR before it; undefined if none. */
function cutEnd(chunks: readonly string[], keepLines: number): At | undefined {
  let lines = 0;
  for (let chunk = chunks.length - 1; chunk >= 0; chunk--) {
    const text = chunks[chunk] ?? '';
    for (let newline = text.lastIndexOf('\n'); newline >= 0; newline = newline === 0 ? -1 : text.lastIndexOf('\n', newline - 1)) {
      if (lines >= keepLines && charBefore(chunks, { chunk, offset: newline }) === '\r') return { chunk, offset: newline + 1 };
      lines++;
    }
  }
  return undefined;
}

/** Where the plain text that ends at `to` starts: right after the last control character before it. */
function plainStart(chunks: readonly string[], to: At): At {
  for (let chunk = to.chunk; chunk >= 0; chunk--) {
    const text = chunks[chunk] ?? '';
    const limit = chunk === to.chunk ? to.offset : text.length;
    let last = -1;
    for (const control of controls) {
      const first = text.indexOf(control);
      if (first !== -1 && first < limit) last = Math.max(last, text.lastIndexOf(control, limit - 1));
    }
    if (last !== -1) return { chunk, offset: last + 1 };
  }
  return { chunk: 0, offset: 0 };
}

/** Right after the first CR LF at or after `start` (and before `to`); undefined if none. */
function crlfAfter(chunks: readonly string[], start: At, to: At): At | undefined {
  for (let chunk = start.chunk; chunk <= to.chunk; chunk++) {
    const text = chunks[chunk] ?? '';
    for (let newline = text.indexOf('\n', chunk === start.chunk ? start.offset : 0); newline !== -1; newline = text.indexOf('\n', newline + 1)) {
      const at = { chunk, offset: newline + 1 };
      if (chunk === to.chunk && at.offset > to.offset) return undefined;
      const before = charBefore(chunks, { chunk, offset: newline });
      // The CR must be inside the plain text too.
      if (before === '\r' && (chunk > start.chunk || newline > start.offset)) return at;
    }
  }
  return undefined;
}

function charBefore(chunks: readonly string[], at: At): string | undefined {
  if (at.offset > 0) return chunks[at.chunk]?.[at.offset - 1];
  for (let chunk = at.chunk - 1; chunk >= 0; chunk--) {
    const text = chunks[chunk] ?? '';
    if (text.length > 0) return text[text.length - 1];
  }
  return undefined;
}

function charsBetween(chunks: readonly string[], from: At, to: At): number {
  if (from.chunk === to.chunk) return to.offset - from.offset;
  let total = (chunks[from.chunk]?.length ?? 0) - from.offset + to.offset;
  for (let chunk = from.chunk + 1; chunk < to.chunk; chunk++) total += chunks[chunk]?.length ?? 0;
  return total;
}
