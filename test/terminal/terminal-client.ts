// A test viewer: a headless xterm fed like the browser's (snapshot = reset + write), acking after each write.
import headless from '@xterm/headless';
import type { ServerMessage, TerminalState } from '../../src/protocol.ts';
import type { ViewerSink } from '../../src/terminal/session.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const homes = mkdtempSync(join(tmpdir(), 'labdeck-test-homes-'));
process.on('exit', () => rmSync(homes, { recursive: true, force: true }));

/** A quiet, fast, predictable shell environment: no user rc files, a fixed prompt. */
export function testEnvironment(): Record<string, string> {
  const home = mkdtempSync(join(homes, 'home-'));
  writeFileSync(join(home, '.bashrc'), "PS1='$ '\n");
  return { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };
}

export class TerminalClient implements ViewerSink {
  readonly messages: ServerMessage[] = [];
  readonly terminal = new headless.Terminal({ cols: 80, rows: 24, allowProposedApi: true });
  state: TerminalState | undefined;
  closedReason: string | undefined;
  /** Everything written, as text (snapshots included). */
  text = '';
  written = 0;
  /** Set to false to stop acking (a frozen tab); `ack` is then called by the test. */
  autoAck = true;
  onAck: (bytes: number) => void = () => {};
  private pendingAck = 0;

  send(message: ServerMessage): void {
    this.messages.push(message);
    if (message.type === 'state') {
      this.state = message.state;
      this.terminal.resize(message.state.cols, message.state.rows);
    } else if (message.type === 'snapshot' || message.type === 'output') {
      if (message.type === 'snapshot') this.terminal.reset();
      const data = message.data;
      this.text += new TextDecoder().decode(data);
      this.terminal.write(data, () => {
        this.written += data.byteLength;
        this.pendingAck += data.byteLength;
        if (this.autoAck) this.flushAck();
      });
    }
  }

  /** Acks what was written, at most `maxBytes` of it (a renderer slower than the program). */
  flushAck(maxBytes = Number.POSITIVE_INFINITY): void {
    const bytes = Math.min(this.pendingAck, maxBytes);
    this.pendingAck -= bytes;
    if (bytes > 0) this.onAck(bytes);
  }

  close(reason: string): void {
    this.closedReason = reason;
  }

  /** Everything sent is delivered at once (no socket in between). */
  undelivered(): number {
    return 0;
  }

  /** The visible screen, one string per row, trailing spaces trimmed. */
  screen(): string[] {
    const buffer = this.terminal.buffer.active;
    const rows: string[] = [];
    for (let y = 0; y < this.terminal.rows; y++) rows.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    return rows;
  }

  async waitForText(pattern: RegExp | string, timeoutMs = 5000): Promise<void> {
    await waitUntil(
      () => (typeof pattern === 'string' ? this.text.includes(pattern) : pattern.test(this.text)),
      timeoutMs,
      () => `output matching ${pattern}; got ${JSON.stringify(this.text.slice(-400))}`,
    );
  }

  async waitForScreen(pattern: RegExp, timeoutMs = 5000): Promise<void> {
    await waitUntil(
      () => pattern.test(this.screen().join('\n')),
      timeoutMs,
      () => `screen matching ${pattern}; got\n${this.screen().join('\n')}`,
    );
  }

  /** Waits until nothing has arrived for `quietMs` (a program finished drawing). */
  async waitForQuiet(quietMs: number, timeoutMs = 5000): Promise<void> {
    let count = -1;
    let since = Date.now();
    await waitUntil(
      () => {
        if (this.messages.length !== count) [count, since] = [this.messages.length, Date.now()];
        return Date.now() - since >= quietMs;
      },
      timeoutMs,
      () => `${quietMs} ms without output`,
    );
  }

  dispose(): void {
    this.terminal.dispose();
  }
}

export async function waitUntil(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
