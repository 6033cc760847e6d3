// All terminals of a server, keyed by (attendee, terminal name): created by the first read-write viewer's hello,
// kept for a grace time after the last viewer left, destroyed on exit, on grace expiry and on dispose().
import type { CommandRecord, ViewerRole } from '../protocol.ts';
import { isValidTerminalName } from '../protocol.ts';
import { parseCommandTemplate, substituteCommand, type CommandTemplate } from './command-template.ts';
import { Emitter, type Disposable } from '../event.ts';
import { DEFAULT_TERMINAL_LIMITS, type TerminalLimits } from './limits.ts';
import type { ShellIntegrationHook } from './shell-integration.ts';
import { TerminalSession, type TapStart, type TerminalTap, type ViewerConnection, type ViewerSink } from './session.ts';

export interface TerminalManagerOptions {
  /** Terminal name → command template (`ssh {attendee}@node1`); see command-template.ts. */
  readonly commands?: Readonly<Record<string, string | readonly string[]>>;
  /** What terminals not named in `commands` run; `null` refuses them. Default: a local login shell, `bash -l`. */
  readonly defaultCommand?: string | readonly string[] | null;
  /** Placeholders beyond {attendee} and {terminal}, with their values per attendee (e.g. {container}). */
  readonly placeholders?: readonly string[];
  readonly valuesFor?: (attendee: string) => Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** The terminals' whole environment; the server's own when omitted. */
  readonly env?: Readonly<Record<string, string>>;
  readonly limits?: Partial<TerminalLimits>;
  /**
   * How a terminal's command gets shell integration (default: withShellIntegration, for bash here, in a container or
   * over ssh). An environment whose launcher runs the final command later wraps the command's bash words itself.
   */
  readonly shellIntegration?: ShellIntegrationHook;
  readonly log?: (line: string) => void;
  /** Records each terminal (record/recorder.ts): called as it starts; undefined from it: that one is not recorded. */
  readonly tap?: (start: TapStart) => TerminalTap | undefined;
}

export interface AttachRequest {
  /** Whose terminal. */
  readonly attendee: string;
  readonly terminal: string;
  readonly role: ViewerRole;
  readonly cols: number;
  readonly rows: number;
}

/** Why a viewer cannot attach; its message is safe to show to the client. */
export class TerminalRefusal extends Error {
  override readonly name = 'TerminalRefusal';
}

export class TerminalManager implements Disposable {
  readonly limits: TerminalLimits;
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private readonly commands: ReadonlyMap<string, CommandTemplate>;
  private readonly defaultCommand: CommandTemplate | null;
  private readonly commandEmitter = new Emitter<CommandRecord>();
  /** A command finished in any terminal (the exercise checker listens). */
  readonly onCommand = this.commandEmitter.event;
  private disposed = false;

  constructor(private readonly options: TerminalManagerOptions = {}) {
    this.limits = Object.freeze({ ...DEFAULT_TERMINAL_LIMITS, ...options.limits });
    const known = ['attendee', 'terminal', ...(options.placeholders ?? [])];
    this.commands = new Map(Object.entries(options.commands ?? {}).map(([name, text]) => [name, parseCommandTemplate(text, known)]));
    this.defaultCommand = options.defaultCommand === null ? null : parseCommandTemplate(options.defaultCommand ?? 'bash -l', known);
  }

  get(attendee: string, terminal: string): TerminalSession | undefined {
    return this.sessions.get(keyOf(attendee, terminal));
  }

  /** Running terminals, for dashboards and tests. */
  list(): TerminalSession[] {
    return [...this.sessions.values()];
  }

  /**
   * Attaches a viewer, spawning the terminal at the viewer's size if it is not running. A watcher never spawns
   * one. Throws TerminalRefusal when a name, a limit or the configuration forbids it.
   */
  attach(request: AttachRequest, sink: ViewerSink): ViewerConnection {
    if (this.disposed) throw new TerminalRefusal('the server is shutting down');
    if (!isValidTerminalName(request.attendee) || !isValidTerminalName(request.terminal)) throw new TerminalRefusal('invalid attendee or terminal name');
    const key = keyOf(request.attendee, request.terminal);
    const existing = this.sessions.get(key);
    // A terminal whose process is exiting is replaced: a reload right after `exit` gets a fresh shell.
    const session = existing?.running ? existing : this.spawn(request);
    if (session.viewerCount >= this.limits.maxViewersPerTerminal) throw new TerminalRefusal(`terminal ${key} has ${session.viewerCount} viewers already`);
    return session.attach(request.role, sink, { cols: request.cols, rows: request.rows });
  }

  /** Destroys an attendee's terminals now (removed from the class): their viewers see the terminal end. */
  closeAttendee(attendee: string): void {
    for (const [key, session] of [...this.sessions]) {
      if (session.attendee !== attendee) continue;
      this.forget(key, session);
      session.dispose();
    }
  }

  /** Destroys every terminal now. */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
    for (const session of [...this.sessions.values()]) session.dispose();
    this.sessions.clear();
    this.commandEmitter.dispose();
  }

  private spawn(request: AttachRequest): TerminalSession {
    const key = keyOf(request.attendee, request.terminal);
    if (request.role === 'watcher') throw new TerminalRefusal(`terminal ${key} is not running`);
    const template = this.commands.get(request.terminal) ?? this.defaultCommand;
    if (!template) throw new TerminalRefusal(`there is no terminal named ${request.terminal}`);
    const running = this.list().filter((session) => session.attendee === request.attendee && session.running).length;
    if (running >= this.limits.maxTerminalsPerAttendee) {
      throw new TerminalRefusal(`${request.attendee} already has ${running} terminals (the limit is ${this.limits.maxTerminalsPerAttendee})`);
    }
    const argv = substituteCommand(template, { ...this.options.valuesFor?.(request.attendee), attendee: request.attendee, terminal: request.terminal });
    const session = new TerminalSession({
      attendee: request.attendee,
      name: request.terminal,
      argv,
      ...(this.options.cwd === undefined ? {} : { cwd: this.options.cwd }),
      ...(this.options.env === undefined ? {} : { env: this.options.env }),
      cols: request.cols,
      rows: request.rows,
      limits: this.limits,
      ...(this.options.shellIntegration === undefined ? {} : { shellIntegration: this.options.shellIntegration }),
      ...(this.options.log === undefined ? {} : { log: this.options.log }),
      ...(this.options.tap === undefined ? {} : { tap: this.options.tap }),
    });
    this.sessions.set(key, session);
    session.onCommand((record) => this.commandEmitter.fire(record));
    session.onExit(() => this.forget(key, session));
    session.onViewerCountChange((count) => {
      if (count > 0) this.cancelGrace(key);
      else if (session.running) this.startGrace(key, session);
    });
    return session;
  }

  private startGrace(key: string, session: TerminalSession): void {
    this.cancelGrace(key);
    const timer = setTimeout(() => {
      this.forget(key, session);
      session.dispose();
    }, this.limits.graceMs);
    timer.unref();
    this.graceTimers.set(key, timer);
  }

  private cancelGrace(key: string): void {
    clearTimeout(this.graceTimers.get(key));
    this.graceTimers.delete(key);
  }

  private forget(key: string, session: TerminalSession): void {
    this.cancelGrace(key);
    if (this.sessions.get(key) === session) this.sessions.delete(key);
  }
}

function keyOf(attendee: string, terminal: string): string {
  return `${attendee}/${terminal}`;
}
