// Where autopilot types a deck's commands. The terminal starts in the host shell (bash with shell integration: a
// command there is finished when integration reports it). Two kinds of commands enter a shell integration does not
// see, where a command is finished when the output settles on a prompt:
//   container  `docker exec -ti … sh`: a docker command met there runs below it (workshop containers have no docker
//              CLI): autopilot leaves the container first;
//   remote     `ssh HOST` with no remote command (container.training's `ssh node2`): a shell on another node, whose
//              docker commands run there, on that node's engine: they stay.
// `exit`, `logout`, `keys ^D` leave the innermost shell. Pure.
import { entersContainerShell, entersRemoteShell, runsDocker } from '../checks/infer.ts';

// Where the check catalog needs it too (a step typed on another node): with the other command-line readings.
export { entersRemoteShell };

export type ShellKind = 'container' | 'remote';

export type ShellMove =
  /** The command enters a shell of that kind (typed where autopilot is). */
  | { readonly kind: 'enter'; readonly shell: ShellKind }
  /** The command belongs below the current shell: leave it first, then ask again. */
  | { readonly kind: 'leave-first' }
  /** The command (`exit`, `logout`) leaves the current shell. */
  | { readonly kind: 'leave' }
  /** Typed where autopilot is. */
  | { readonly kind: 'stay' };

/** What typing `command` does, `current` being the innermost shell entered (undefined: the host shell). */
export function shellMove(current: ShellKind | undefined, command: string): ShellMove {
  if (current === 'container' && runsDocker(command)) return { kind: 'leave-first' };
  if (current !== undefined && /^\s*(exit|logout)\b/.test(command)) return { kind: 'leave' };
  if (current === 'container') return { kind: 'stay' };
  if (entersContainerShell(command)) return { kind: 'enter', shell: 'container' };
  if (entersRemoteShell(command) !== undefined) return { kind: 'enter', shell: 'remote' };
  return { kind: 'stay' };
}
