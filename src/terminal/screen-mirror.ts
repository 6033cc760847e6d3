// The server's copy of a terminal's screen (@xterm/headless + serialize addon), so a reconnecting viewer is
// repainted exactly: colours, cursor, alternate screen (vi, top) and scrollback.
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import type { Event } from './event.ts';

export class ScreenMirror {
  private readonly terminal: headless.Terminal;
  private readonly serializer = new serialize.SerializeAddon();

  constructor(cols: number, rows: number, private readonly scrollback: number) {
    this.terminal = new headless.Terminal({ cols, rows, scrollback, allowProposedApi: true });
    this.terminal.loadAddon(this.serializer);
  }

  get onTitleChange(): Event<string> {
    return this.terminal.onTitleChange;
  }

  /** Parsing is asynchronous; `parsed` runs once this data (and everything before it) is on the mirror's screen. */
  write(data: string, parsed: () => void): void {
    this.terminal.write(data, parsed);
  }

  resize(cols: number, rows: number): void {
    this.terminal.resize(cols, rows);
  }

  /** Escape sequences that rebuild the screen on a reset terminal of the same size. */
  serialize(): string {
    return this.serializer.serialize({ scrollback: this.scrollback });
  }

  dispose(): void {
    this.serializer.dispose();
    this.terminal.dispose();
  }
}
