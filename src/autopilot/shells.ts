// Where autopilot types a deck's commands. The terminal starts in the host shell (bash with shell integration: a
// command there is finished when integration reports it). Two kinds of commands enter a shell integration does not
// see, where a command is finished when the output settles on a prompt:
//   container  `docker exec -ti … sh`: a docker command met there runs below it (workshop containers have no docker
//              CLI): autopilot leaves the container first;
//   remote     `ssh HOST` with no remote command (container.training's `ssh node2`): a shell on another node, whose
//              docker commands run there, on that node's engine: they stay.
// `exit`, `logout`, `keys ^D` leave the innermost shell. Pure.
import { entersContainerShell, runsDocker } from '../checks/infer.ts';
import { splitCommands } from '../checks/shell-words.ts';

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

/** ssh's options that take a value (`-p 2222`, or attached: `-p2222`). */
const SSH_VALUE_OPTIONS = 'BbcDEeFIiJLlmOopQRSWw';
/** Options after which ssh gives no interactive shell: no command (-N), in the background (-f), not a login (-G, -V, -O, -Q, -W). */
const SSH_NO_SHELL_OPTIONS = /[NfGVOQW]/;

/**
 * The host an `ssh` command line opens an interactive shell on (no remote command, or only a shell: `ssh node2`,
 * `ssh node2 bash`), else undefined. Only a line that is that one command: what follows it (`ssh node2; hostname`)
 * would run on this side once the shell is left.
 */
export function entersRemoteShell(commandLine: string): string | undefined {
  const commands = splitCommands(commandLine);
  if (commands.length !== 1) return undefined;
  let words = commands[0] ?? [];
  while (words[0] === 'sudo' || words[0] === 'exec') words = words.slice(1);
  if (words[0] !== 'ssh') return undefined;
  let i = 1;
  for (; i < words.length; i++) {
    const word = words[i] ?? '';
    if (!word.startsWith('-') || word === '-') break;
    const letters = word.slice(1);
    for (let at = 0; at < letters.length; at++) {
      const letter = letters[at] ?? '';
      if (SSH_NO_SHELL_OPTIONS.test(letter)) return undefined;
      if (SSH_VALUE_OPTIONS.includes(letter)) {
        if (at === letters.length - 1) i++; // the value is the next word
        break;
      }
    }
  }
  const host = words[i];
  const remote = words.slice(i + 1);
  if (host === undefined) return undefined;
  if (remote.length === 0 || (remote.length === 1 && /^(\/bin\/|\/usr\/bin\/)?(ba|z)?sh$/.test(remote[0] ?? ''))) return host;
  return undefined;
}
