// The server's copy of a terminal's screen (@xterm/headless + serialize addon), so a reconnecting viewer is
// repainted exactly: colours, cursor, alternate screen (vi, top) and scrollback.
//
// Viewers do not wait for the mirror (session.ts), so it may lag: output is parsed in batches, when enough has
// accumulated, after a short quiet time, or at once when a snapshot is wanted. A batch with more plain lines than the
// buffer can hold (`cat` of a large file, `yes`) is cut down first: lines that would scroll out of the scrollback are
// skipped, which keeps the server's cost of a flood well below the browser's (see skippableRange).
import type headless from '@xterm/headless';
import { xterm } from './headless-xterm.ts';
import { elementAt } from '../errors.ts';
import type { Event } from '../event.ts';

/** Output is parsed once this much has accumulated... */
const BATCH_CHARS = 512 * 1024;
/** ...or once no output came for this long. */
const QUIET_MS = 25;
/** Skipping fewer characters is not worth a second write. */
const MIN_SKIP_CHARS = 16 * 1024;

/** The parts of xterm's core read to decide whether lines may be skipped (not public API: checked at run time). */
interface CoreState {
  readonly buffer?: { readonly scrollTop?: number; readonly scrollBottom?: number };
  readonly _inputHandler?: { readonly _parser?: { readonly currentState?: number } };
}

export class ScreenMirror {
  private readonly terminal: headless.Terminal;
  private readonly serializer = new (xterm().serialize.SerializeAddon)();
  /** Output not yet handed to xterm, and the callbacks to run once it is on the mirror's screen. */
  private backlog: string[] = [];
  private backlogChars = 0;
  private backlogCallbacks: (() => void)[] = [];
  private quietTimer: NodeJS.Timeout | undefined;
  /** A batch is being parsed; the next waits for it (the skip decision needs the state the previous one left). */
  private parsing = false;
  /** A snapshot is waiting: parse what is there now. */
  private urgent = false;
  private disposed = false;

  constructor(
    cols: number,
    rows: number,
    private readonly scrollback: number,
  ) {
    // logLevel off: output xterm.js cannot parse is the program's business, not something for the server's log (the
    // default printed a 40-line dump per bad sequence: one `cat` of a binary file flooded it).
    this.terminal = new (xterm().headless.Terminal)({ cols, rows, scrollback, allowProposedApi: true, logLevel: 'off' });
    this.terminal.loadAddon(this.serializer);
  }

  get onTitleChange(): Event<string> {
    return this.terminal.onTitleChange;
  }

  /** Whether everything written so far is on the mirror's screen (a snapshot now is up to date). */
  get caughtUp(): boolean {
    return !this.parsing && this.backlogCallbacks.length === 0;
  }

  /** `parsed` runs once this data (and everything before it) is on the mirror's screen. */
  write(data: string, parsed: () => void): void {
    this.backlog.push(data);
    this.backlogChars += data.length;
    this.backlogCallbacks.push(parsed);
    this.schedule();
  }

  /** Runs `callback` once everything written so far is on the mirror's screen, catching up at once. */
  afterParsed(callback: () => void): void {
    this.urgent = true;
    this.write('', callback);
  }

  resize(cols: number, rows: number): void {
    this.terminal.resize(cols, rows);
  }

  /** Escape sequences that rebuild the screen on a reset terminal of the same size. */
  serialize(): string {
    return this.serializer.serialize({ scrollback: this.scrollback });
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.quietTimer);
    this.serializer.dispose();
    this.terminal.dispose();
  }

  private schedule(): void {
    if (this.parsing || this.backlogCallbacks.length === 0) return;
    if (this.urgent || this.backlogChars >= BATCH_CHARS) {
      this.parseBacklog();
      return;
    }
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.parseBacklog(), QUIET_MS);
  }

  private parseBacklog(): void {
    clearTimeout(this.quietTimer);
    if (this.disposed || this.parsing) return;
    const text = this.backlog.length === 1 ? elementAt(this.backlog, 0) : this.backlog.join('');
    const callbacks = this.backlogCallbacks;
    this.backlog = [];
    this.backlogChars = 0;
    this.backlogCallbacks = [];
    this.urgent = false;
    this.parsing = true;
    const done = () => {
      this.parsing = false;
      for (const callback of callbacks) callback();
      if (!this.disposed) this.schedule();
    };
    const skip = skippableRange(text, this.scrollback + 2 * this.terminal.rows);
    if (!skip) return this.terminal.write(text, done);
    this.terminal.write(text.slice(0, skip.from), () => {
      if (this.disposed) return;
      this.terminal.write(text.slice(this.mayScrollAway(skip.tailLines) ? skip.to : skip.from), done);
    });
  }

  /**
   * Whether plain lines written now, followed by `tailLines` line feeds, would leave no trace in the buffer: the
   * parser is between sequences, the scroll region is the whole screen (every line feed at the bottom scrolls), and
   * the line feeds push every line there is now out of the screen and the scrollback. xterm's state is not in its
   * public API; if these fields ever move, nothing is skipped.
   */
  private mayScrollAway(tailLines: number): boolean {
    const core = (this.terminal as unknown as { _core?: CoreState })._core;
    const rows = this.terminal.rows;
    return (
      core?._inputHandler?._parser?.currentState === 0 && core.buffer?.scrollTop === 0 && core.buffer.scrollBottom === rows - 1 && tailLines >= this.scrollback + 2 * rows
    );
  }
}

/** Printable text, CR, LF, tab and backspace: characters that change nothing but the cells of the cursor's lines. */
function isPlain(code: number): boolean {
  return (code >= 0x20 && code !== 0x7f && (code < 0x80 || code > 0x9f)) || code === 0x0d || code === 0x0a || code === 0x09 || code === 0x08;
}

/**
 * The plain lines of `text` that at least `keepLines` later line feeds would scroll out of any buffer: the range
 * [from, to) starts and ends right after a CR LF (cursor in column 0 either way), holds only plain characters, and is
 * followed by `tailLines` ≥ keepLines line feeds. Undefined when there is nothing worth skipping.
 */
export function skippableRange(text: string, keepLines: number): { from: number; to: number; tailLines: number } | undefined {
  if (text.length < MIN_SKIP_CHARS) return undefined;
  // Walk back over the line feeds: a cut right after the one at `newline` leaves `tailLines` line feeds after it.
  let tailLines = 0;
  let newline = text.lastIndexOf('\n');
  while (newline > 0 && (tailLines < keepLines || text.charCodeAt(newline - 1) !== 0x0d)) {
    tailLines++;
    newline = text.lastIndexOf('\n', newline - 1);
  }
  if (newline <= 0) return undefined;
  const to = newline + 1;
  let start = to;
  while (start > 0 && isPlain(text.charCodeAt(start - 1))) start--;
  // After the last non-plain character (or the first line, which may end a sequence begun in the previous batch).
  const firstBreak = text.indexOf('\r\n', start === 0 ? 0 : start);
  if (firstBreak === -1) return undefined;
  const from = firstBreak + 2;
  return to - from >= MIN_SKIP_CHARS ? { from, to, tailLines } : undefined;
}
