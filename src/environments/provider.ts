// An environment provider decides, per attendee, what their terminals run and which engine their checks watch.
//   local     everyone shares this machine and its engine (self-paced, a single learner): today's behaviour
//   external  an attendees file maps each attendee to a shell command and a Docker endpoint (prepared VMs)
//   swarm     a sandbox per attendee, a Docker Swarm service with its own Docker engine inside
import type { TerminalSpec } from '../config/terminals.ts';
import type { Disposable } from '../event.ts';
import type { EngineAddress } from '../engine/engine-address.ts';
import type { CommandTemplate } from '../terminal/command-template.ts';
import type { ShellIntegrationHook } from '../terminal/shell-integration.ts';
import type { WarmPool } from './warm-pool.ts';

export interface AttendeeRef {
  /** Stable, safe in names and paths (`a-…`). */
  readonly id: string;
  /** What people call them (attendee-provided text). */
  readonly name: string;
}

export type EnvironmentState = 'shared' | 'absent' | 'preparing' | 'ready' | 'failed';

export interface EnvironmentStatus {
  readonly attendee: AttendeeRef;
  readonly state: EnvironmentState;
  /** Where it runs or why it is not ready (one line). */
  readonly detail: string;
}

export interface EnvironmentProvider {
  readonly kind: 'local' | 'external' | 'swarm';
  /** True when terminals are shells on this machine (refused on a network address unless the workshop allows it). */
  readonly localShells: boolean;
  /** Terminal name → the command template each attendee's terminal runs, from the workshop's `terminals:`. */
  terminalCommands(terminals: readonly TerminalSpec[]): Record<string, CommandTemplate>;
  /** How many nodes each attendee's cluster has (`swarm` with `nodes` above 1): the pane opens terminals on them. */
  readonly nodes?: number;
  /** How terminals of this environment get shell integration (default: the terminal manager's own recognition). */
  readonly shellIntegration?: ShellIntegrationHook;
  /** The engine an attendee's checks watch; undefined: the local engine, shared by everyone. */
  engineOf(attendee: string): EngineAddress | undefined;
  /** Sandboxes made before anyone joins, for whoever joins next (`swarm` only). */
  readonly seats?: WarmPool;
  /** Makes the attendee's environment ready; calls for the same attendee while one runs share it. */
  up(attendee: AttendeeRef): Promise<void>;
  /** Removes the attendee's environment (nothing left behind); true when there was one. */
  down(attendee: AttendeeRef): Promise<boolean>;
  /** Removes it and makes a fresh one. */
  reset(attendee: AttendeeRef): Promise<void>;
  status(attendees: readonly AttendeeRef[]): Promise<EnvironmentStatus[]>;
  /**
   * Keeps the class's environments where they are reached while a server runs (a sandbox the swarm moved to another
   * node is found again, its terminals and checks follow), until disposed.
   */
  follow?(): Disposable;
}

/** Everyone on this machine: the terminals run as the workshop says, the checks watch the local engine. */
export function createLocalProvider(): EnvironmentProvider {
  return {
    kind: 'local',
    localShells: true,
    terminalCommands: (terminals) => Object.fromEntries(terminals.map((terminal) => [terminal.name, terminal.command])),
    engineOf: () => undefined,
    up: async () => {},
    down: async () => false,
    reset: async () => {},
    status: async (attendees) => attendees.map((attendee) => ({ attendee, state: 'shared' as const, detail: 'this machine and its engine' })),
  };
}
