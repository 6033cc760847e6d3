// Turns authenticated OSC 633 sequences into CommandRecords. Every sequence labdeck's bash integration prints ends
// with the session's nonce; anything else (a program printing a forged E, a D with no E before it) is ignored.
import type { CommandRecord } from '../protocol.ts';
import { Emitter } from '../event.ts';
import type { Osc633Sequence } from './osc633-parser.ts';

/** Finished commands kept per terminal; older ones are dropped so a long class cannot grow memory without bound. */
const MAX_RECORDS = 1000;

interface RunningCommand {
  readonly command: string;
  readonly cwd: string | undefined;
  startedAt: number | undefined;
}

export class CommandLog {
  private readonly finished: CommandRecord[] = [];
  private cwd: string | undefined;
  /** Announced by E, started by C, finished by D. */
  private current: RunningCommand | undefined;
  private readonly commandEmitter = new Emitter<CommandRecord>();
  /** Fires when a command finishes, with its exit code. */
  readonly onCommand = this.commandEmitter.event;

  constructor(
    private readonly terminal: string,
    private readonly nonce: string,
    private readonly now: () => number = Date.now,
  ) {}

  get records(): readonly CommandRecord[] {
    return this.finished;
  }

  /** Returns whether the sequence carried the nonce (false = forged or foreign, and ignored). */
  accept(sequence: Osc633Sequence): boolean {
    const fields = sequence.fields;
    if (fields.length < 2 || fields[fields.length - 1] !== this.nonce) return false;
    const [kind, ...params] = fields.slice(0, -1);
    switch (kind) {
      case 'E':
        if (params[0]) this.current = { command: params[0], cwd: this.cwd, startedAt: undefined };
        else this.current = undefined;
        break;
      case 'C':
        if (this.current) this.current.startedAt = this.now();
        break;
      case 'D':
        this.finish(params[0]);
        break;
      case 'P':
        if (params[0]?.startsWith('Cwd=')) this.cwd = params[0].slice('Cwd='.length);
        break;
      // A and B (prompt start/end) carry nothing the log needs.
    }
    return true;
  }

  private finish(exitText: string | undefined): void {
    const running = this.current;
    this.current = undefined;
    if (!running || running.startedAt === undefined) return;
    const exitCode = exitText !== undefined && /^\d+$/.test(exitText) ? Number(exitText) : undefined;
    const record: CommandRecord = {
      command: running.command,
      exitCode,
      startedAt: running.startedAt,
      endedAt: this.now(),
      cwd: running.cwd,
      terminal: this.terminal,
    };
    this.finished.push(record);
    if (this.finished.length > MAX_RECORDS) this.finished.shift();
    this.commandEmitter.fire(record);
  }

  dispose(): void {
    this.commandEmitter.dispose();
  }
}
