// Streaming extraction of OSC 633 (shell integration) sequences from PTY output. Chunks may split a sequence
// anywhere; every 633 sequence, valid or forged, is removed from the text viewers and the mirror receive.

const INTRODUCER = '\x1b]633;';
/** An unterminated sequence longer than this is not ours: drop it rather than hold output back forever. */
const MAX_SEQUENCE_CHARS = 16 * 1024;

export interface Osc633Sequence {
  /** The fields after `633;`, split on `;`, with `\xNN` and `\\` escapes decoded. */
  readonly fields: readonly string[];
}

export interface Osc633Chunk {
  /** The chunk's text with 633 sequences removed (and a possibly incomplete tail held back). */
  readonly text: string;
  readonly sequences: readonly Osc633Sequence[];
}

export class Osc633Parser {
  /** Held back: either a tail that may be the start of the introducer, or an unterminated sequence. */
  private pending = '';

  push(chunk: string): Osc633Chunk {
    let input = this.pending + chunk;
    this.pending = '';
    let text = '';
    const sequences: Osc633Sequence[] = [];
    for (;;) {
      const start = input.indexOf(INTRODUCER);
      if (start === -1) {
        const keep = partialIntroducerLength(input);
        text += input.slice(0, input.length - keep);
        this.pending = input.slice(input.length - keep);
        break;
      }
      text += input.slice(0, start);
      const body = input.slice(start + INTRODUCER.length);
      const end = findTerminator(body);
      if (end === undefined) {
        // Unterminated: wait for more output, unless it is too long to be a real sequence.
        if (body.length <= MAX_SEQUENCE_CHARS) this.pending = input.slice(start);
        break;
      }
      sequences.push({ fields: body.slice(0, end.index).split(';').map(unescapeField) });
      input = body.slice(end.index + end.length);
    }
    return { text, sequences };
  }

  /** Releases what is held back (at the end of the stream): a partial introducer is just text. */
  flush(): string {
    const rest = this.pending.startsWith(INTRODUCER) ? '' : this.pending;
    this.pending = '';
    return rest;
  }
}

function findTerminator(body: string): { index: number; length: number } | undefined {
  const bel = body.indexOf('\x07');
  const st = body.indexOf('\x1b\\');
  if (bel === -1 && st === -1) return undefined;
  if (st === -1 || (bel !== -1 && bel < st)) return { index: bel, length: 1 };
  return { index: st, length: 2 };
}

/** How many characters at the end of `text` could begin the introducer (held until the next chunk decides). */
function partialIntroducerLength(text: string): number {
  for (let length = Math.min(INTRODUCER.length - 1, text.length); length > 0; length--) {
    if (INTRODUCER.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}

function unescapeField(field: string): string {
  return field.replace(/\\(?:x([0-9a-fA-F]{2})|\\)/g, (_match, hex: string | undefined) => (hex === undefined ? '\\' : String.fromCharCode(parseInt(hex, 16))));
}
