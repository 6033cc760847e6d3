// A real terminal session driven by a program: bash with shell integration through the TerminalManager (a local
// bash by default, or the command an attendee's terminal runs in their environment), an in-process viewer that reads
// (and acknowledges) everything the terminal prints, and typing as an attendee does. In the terminal's own shell, a
// command is finished when shell integration reports it (with its exit code); in a shell entered from it (a
// container's, `ssh node2`) there is no integration, so a command is finished when the output settles on a prompt.
import type { CommandRecord } from '../protocol.ts';
import type { ViewerConnection } from '../terminal/session.ts';
import { TerminalManager } from '../terminal/manager.ts';
import type { CommandTemplate } from '../terminal/command-template.ts';
import type { ShellIntegrationHook } from '../terminal/shell-integration.ts';
import type { Disposable } from '../event.ts';

export interface TerminalDriverOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Everything the terminal prints, as it comes (to show the session live). */
  readonly onOutput?: (text: string) => void;
  /** What the terminal runs ({attendee} is `attendee`); default: a local `bash`. */
  readonly command?: CommandTemplate;
  /** How that command gets shell integration (an environment provider's); default: the terminal manager's own. */
  readonly shellIntegration?: ShellIntegrationHook;
  /** Whose terminal it is (default `autopilot`): an environment's attendee id. */
  readonly attendee?: string;
}

const ATTENDEE = 'autopilot';
const TERMINAL = 'autopilot';
/** The end of a shell prompt (`/ # `, `$ `, `root@debug:/# `), once escape sequences are removed. */
const PROMPT_END = /[#$>] $/;
const SETTLE_MS = 250;
/**
 * How long an interrupted command (after its timeout, or by the deck's `key ^C`) may take to give the prompt back: bash
 * at once; a program that cleans up on SIGINT (`docker service create` rolling back) takes seconds.
 */
export const INTERRUPTED_MS = 5_000;

export class TerminalDriver implements Disposable {
  private readonly manager: TerminalManager;
  private readonly connection: ViewerConnection;
  private readonly decoder = new TextDecoder();
  private readonly records: CommandRecord[] = [];
  private readonly waiters = new Set<() => void>();
  private output = '';
  private lastOutputAt = Date.now();
  private exited = false;
  /** Fires for every command shell integration reports (the check runner's evidence). */
  readonly onCommand: TerminalManager['onCommand'];

  constructor(options: TerminalDriverOptions = {}) {
    this.manager = new TerminalManager({
      defaultCommand: options.command ?? ['bash'],
      ...(options.shellIntegration === undefined ? {} : { shellIntegration: options.shellIntegration }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    this.onCommand = this.manager.onCommand;
    this.manager.onCommand((record) => {
      this.records.push(record);
      this.notify();
    });
    this.connection = this.manager.attach(
      { attendee: options.attendee ?? ATTENDEE, terminal: TERMINAL, role: 'owner', cols: 120, rows: 40 },
      {
        send: (message) => {
          if (message.type === 'output') {
            const text = this.decoder.decode(message.data, { stream: true });
            this.output = (this.output + text).slice(-200_000);
            this.lastOutputAt = Date.now();
            this.connection.ack(message.data.byteLength);
            options.onOutput?.(text);
            this.notify();
          } else if (message.type === 'exit') {
            this.exited = true;
            this.notify();
          }
        },
        close: () => {
          this.exited = true;
          this.notify();
        },
        undelivered: () => 0,
      },
    );
  }

  /** Waits for bash to be ready: a first command goes through shell integration (true), or time is up (false). */
  async ready(timeoutMs = 15_000): Promise<boolean> {
    return (await this.runOnHost('true', timeoutMs)) !== undefined;
  }

  /** Types a line (and Enter), as an attendee would. */
  type(line: string): void {
    this.send(`${line}\r`);
  }

  send(bytes: string): void {
    this.connection.input(new TextEncoder().encode(bytes));
  }

  /** Types a command in the host shell and resolves with its record once it finished (or undefined on timeout). */
  async runOnHost(command: string, timeoutMs: number, interruptAfterMs?: number): Promise<CommandRecord | undefined> {
    const seen = this.records.length;
    this.type(command);
    const interrupt = interruptAfterMs === undefined ? undefined : setTimeout(() => this.send('\x03'), interruptAfterMs);
    try {
      const found = await this.until(() => this.records.slice(seen).find((r) => r.exitCode !== undefined), timeoutMs);
      // Given up on (a service that never converges): Ctrl-C, so that the next command is typed in the shell, not
      // into this one. Still a timeout for the caller.
      if (!found) {
        this.send('\x03');
        await this.until(() => this.records.slice(seen).find((r) => r.exitCode !== undefined), INTERRUPTED_MS);
      }
      return found;
    } finally {
      clearTimeout(interrupt);
    }
  }

  /**
   * Types a command where no shell integration reports it (inside a container, over ssh) and resolves once the output
   * settled on a prompt: true, or false on timeout (the command then gets Ctrl-C).
   */
  async runInContainer(command: string, timeoutMs: number, interruptAfterMs?: number): Promise<boolean> {
    const mark = this.output.length;
    this.type(command);
    const interrupt = interruptAfterMs === undefined ? undefined : setTimeout(() => this.send('\x03'), interruptAfterMs);
    try {
      const settled = (await this.until(() => this.settledOnPrompt(mark) || undefined, timeoutMs)) === true;
      // Given up on, as runOnHost does: Ctrl-C, so that the next command is typed at the prompt, not into this one.
      if (!settled) {
        const interrupted = this.output.length;
        this.send('\x03');
        await this.until(() => this.settledOnPrompt(interrupted) || undefined, INTERRUPTED_MS);
      }
      return settled;
    } finally {
      clearTimeout(interrupt);
    }
  }

  /**
   * Resolves once the output settled on a prompt: one printed after `since` (an outputLength taken before a key that
   * leaves a shell), else the latest line's.
   */
  async waitForPrompt(timeoutMs: number, since?: number): Promise<boolean> {
    const mark = since ?? Math.max(0, this.output.lastIndexOf('\n'));
    return (await this.until(() => this.settledOnPrompt(mark) || undefined, timeoutMs)) === true;
  }

  /** Resolves once `text` appears in the output printed since `since` (the `wait` directive). */
  async waitForText(text: string, since: number, timeoutMs: number): Promise<boolean> {
    return (await this.until(() => plain(this.output.slice(since)).includes(text) || undefined, timeoutMs)) === true;
  }

  /**
   * The `wait` directive after a host command that may still run: resolves `seen` once `text` appears in the output
   * printed since `since`, `ended` once the command typed after `records` records finished without printing it (its
   * output is complete), or `timeout`.
   */
  async waitForTextWhileRunning(text: string, since: number, records: number, timeoutMs: number): Promise<'seen' | 'ended' | 'timeout'> {
    const outcome = await this.until((): 'seen' | 'ended' | undefined => {
      if (plain(this.output.slice(since)).includes(text)) return 'seen';
      const ended = this.records.slice(records).some((r) => r.exitCode !== undefined);
      return ended && Date.now() - this.lastOutputAt >= SETTLE_MS ? 'ended' : undefined;
    }, timeoutMs);
    return outcome ?? 'timeout';
  }

  /** How much output there is so far: a mark for waitForText. */
  get outputLength(): number {
    return this.output.length;
  }

  /** Everything the terminal printed (its latest 200 KB), without escape sequences: what a `copy` directive reads. */
  screenText(): string {
    return plain(this.output);
  }

  /** The last lines the terminal printed, without escape sequences: what explains a failure. */
  tail(lines = 5): string {
    return plain(this.output)
      .split('\n')
      .map((line) => line.trimEnd())
      .filter(Boolean)
      .slice(-lines)
      .join('\n');
  }

  /** The record of the latest host command, e.g. `docker exec` once its container shell was left. */
  latestRecord(): CommandRecord | undefined {
    return this.records[this.records.length - 1];
  }

  get recordCount(): number {
    return this.records.length;
  }

  /** Waits for a host command record after `seen` records (a `docker exec` ending when its shell is left). */
  async waitForRecord(seen: number, timeoutMs: number): Promise<CommandRecord | undefined> {
    return this.until(() => this.records.slice(seen).find((r) => r.exitCode !== undefined), timeoutMs);
  }

  dispose(): void {
    this.connection.dispose();
    this.manager.dispose();
    this.notify();
  }

  private settledOnPrompt(mark: number): boolean {
    const since = plain(this.output.slice(mark));
    return Date.now() - this.lastOutputAt >= SETTLE_MS && since.includes('\n') && PROMPT_END.test(since);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Re-tests `condition` on every change (and every SETTLE_MS, for quiet-time conditions) until it holds or time is up. */
  private until<T>(condition: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const check = (): void => {
        const value = condition();
        if (value !== undefined || this.exited) finish(value);
      };
      const ticker = setInterval(check, SETTLE_MS / 2);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (value: T | undefined): void => {
        clearInterval(ticker);
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      this.waiters.add(check);
      check();
    });
  }
}

/** Terminal output without escape sequences and carriage returns. */
function plain(text: string): string {
  return text
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[()][A-Za-z0-9]/g, '')
    .replace(/\x1b[=>]/g, '')
    .replace(/\r/g, '');
}
