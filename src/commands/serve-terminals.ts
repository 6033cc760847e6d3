// `labdeck serve`'s terminals: the workshop's `terminals:` settings → one TerminalManager behind the terminal channel,
// run where each attendee's environment is (environments/), refusing local shells on a network address unless the
// workshop allows them.
import type { Workshop } from '../config/workshop.ts';
import { localShellsRefusedOn } from '../config/terminals.ts';
import { nodeTerminals } from '../config/node-terminals.ts';
import type { EnvironmentProvider } from '../environments/provider.ts';
import { LabdeckError } from '../errors.ts';
import { isLoopback, type Access } from '../classroom/access.ts';
import { createTerminalService, type TerminalService } from '../http/terminal-route.ts';
import { TerminalManager, type TerminalManagerOptions } from '../terminal/manager.ts';

export interface ServeTerminalsOptions {
  readonly host: string;
  readonly access: Access;
  readonly log: (line: string) => void;
  /** The terminals' environment (tests pin it); the server's own when omitted. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where each attendee's terminals run (a sandbox, a prepared VM); this machine when omitted. */
  readonly environment?: EnvironmentProvider;
  /** Records each terminal (serve-recording.ts); absent: not recorded. */
  readonly tap?: TerminalManagerOptions['tap'];
  /** The server keeps recordings and serves their replays (record: on). */
  readonly replays?: boolean;
}

/** Undefined when the workshop has no terminals. Throws `file:line: ...` for a local shell served on the network. */
export function serveTerminals(workshop: Workshop, options: ServeTerminalsOptions): TerminalService | undefined {
  const config = workshop.terminals;
  if (!config) return undefined;
  // Terminals that run in attendees' own environments are no shells on this machine.
  const refused = options.environment?.localShells === false ? [] : localShellsRefusedOn(config, !isLoopback(options.host));
  if (refused[0]) {
    throw new LabdeckError(
      `terminal "${refused[0].name}" is a shell on this machine, and --host ${options.host} would give it to everyone who can reach ` +
        'the server: serve on 127.0.0.1, run the terminals in containers or over ssh, or add `allowLocalShellOnNetwork: true` under `terminals:`',
      refused[0].location,
    );
  }
  // A class of clusters: a terminal on each other node, opened from the pane (only the attendee's own: the launcher
  // enters the nodes of the attendee the terminal belongs to).
  const onNodes = nodeTerminals(config, options.environment?.nodes ?? 1);
  const terminals = [...config.terminals, ...onNodes.flatMap((terminal) => terminal.spec ?? [])];
  const manager = new TerminalManager({
    commands: options.environment?.terminalCommands(terminals) ?? Object.fromEntries(terminals.map((terminal) => [terminal.name, terminal.command])),
    // Only the terminals the workshop names exist.
    defaultCommand: null,
    limits: { graceMs: config.graceMs },
    ...(options.environment?.shellIntegration ? { shellIntegration: options.environment.shellIntegration } : {}),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.tap === undefined ? {} : { tap: options.tap }),
    log: options.log,
  });
  return createTerminalService({
    manager,
    access: options.access,
    terminals: config.terminals.map((terminal) => terminal.name),
    nodes: onNodes.map(({ node, terminal }) => ({ node, terminal })),
    handsOn: workshop.handsOn,
    replays: options.replays ?? false,
    log: options.log,
  });
}
