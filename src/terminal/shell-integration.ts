// Which terminal commands run bash, and how to start that bash with shell integration (bash-integration.ts): bash
// here (`bash -l`), in a container (`docker exec -it CONTAINER bash`, `docker container exec ...`), or as the
// remote command of ssh (`ssh -t HOST bash -l`). Pure: argv in, argv out. Any other command, or an option these
// parsers do not know, leaves the command as it is: a terminal without a command log, never a changed command.
import { basename } from 'node:path';
import { elementAt } from '../errors.ts';
import { integratedBash, isPlainBash, type BashTransport } from './bash-integration.ts';

export interface ShellIntegrationLaunch {
  /** The command to spawn instead. */
  readonly argv: readonly string[];
  /** Every OSC 633 sequence the integrated bash prints ends with it. */
  readonly nonce: string;
}

/**
 * A terminal's argv → the argv to spawn with shell integration, or undefined for none. withShellIntegration is the
 * default; a launcher that reaches the final command later (environments/launcher.ts) wraps its bash words itself.
 */
export type ShellIntegrationHook = (argv: readonly string[]) => ShellIntegrationLaunch | undefined;

/** `argv` with bash started with shell integration, or undefined when argv does not run a plain bash. */
export function withShellIntegration(argv: readonly string[], nonce?: string): ShellIntegrationLaunch | undefined {
  const program = argv[0] === undefined ? '' : basename(argv[0]);
  if (isPlainBash(argv)) return launch([], argv, 'argv', nonce);
  if (program === 'docker') return dockerExec(argv, nonce);
  if (program === 'ssh') return ssh(argv, nonce);
  return undefined;
}

function launch(prefix: readonly string[], bash: readonly string[], transport: BashTransport, nonce: string | undefined): ShellIntegrationLaunch | undefined {
  const integrated = integratedBash(bash, transport, nonce);
  return integrated && { argv: [...prefix, ...integrated.command], nonce: integrated.nonce };
}

interface OptionGrammar {
  /** Short letters taking a value (`-u root`, `-uroot`, `-itu root`). */
  readonly shortWithValue: string;
  readonly shortFlags: string;
  readonly longWithValue?: readonly string[];
  readonly longFlags?: readonly string[];
}

interface ParsedOptions {
  /** The options seen: a letter or a long name → its values (flags get 'true'). */
  readonly seen: Map<string, string[]>;
  /** Index of the first word that is not an option. */
  readonly next: number;
  /** `--` ended the options. */
  readonly terminated: boolean;
}

/** Reads options from argv[start]; undefined on an unknown option (the command is left alone). */
function parseOptions(argv: readonly string[], start: number, grammar: OptionGrammar): ParsedOptions | undefined {
  const seen = new Map<string, string[]>();
  const add = (name: string, value: string) => seen.set(name, [...(seen.get(name) ?? []), value]);
  let index = start;
  while (index < argv.length) {
    const word = elementAt(argv, index);
    if (word === '--') return { seen, next: index + 1, terminated: true };
    if (!word.startsWith('-') || word === '-') break;
    index++;
    if (word.startsWith('--')) {
      const [name, value] = word.slice(2).split(/=(.*)/s) as [string, string | undefined];
      if (grammar.longWithValue?.includes(name)) {
        const taken = value ?? argv[index++];
        if (taken === undefined) return undefined;
        add(name, taken);
      } else if (grammar.longFlags?.includes(name)) add(name, value ?? 'true');
      else return undefined;
      continue;
    }
    for (let at = 1; at < word.length; at++) {
      const letter = elementAt(word, at);
      if (grammar.shortFlags.includes(letter)) add(letter, 'true');
      else if (grammar.shortWithValue.includes(letter)) {
        const taken = at + 1 < word.length ? word.slice(at + 1) : argv[index++];
        if (taken === undefined) return undefined;
        add(letter, taken);
        break;
      } else return undefined;
    }
  }
  return { seen, next: index, terminated: false };
}

const isSet = (options: ParsedOptions, ...names: string[]): boolean => names.some((name) => options.seen.get(name)?.some((value) => value !== 'false'));

const DOCKER_GLOBAL: OptionGrammar = {
  shortWithValue: 'cHl',
  shortFlags: 'D',
  longWithValue: ['config', 'context', 'host', 'log-level', 'tlscacert', 'tlscert', 'tlskey'],
  longFlags: ['debug', 'tls', 'tlsverify'],
};
const DOCKER_EXEC: OptionGrammar = {
  shortWithValue: 'euw',
  shortFlags: 'dit',
  longWithValue: ['env', 'env-file', 'user', 'workdir', 'detach-keys'],
  longFlags: ['detach', 'interactive', 'tty', 'privileged'],
};

/** `docker [global options] [container] exec [options] CONTAINER bash [-l]`, interactive and not detached. */
function dockerExec(argv: readonly string[], nonce: string | undefined): ShellIntegrationLaunch | undefined {
  const global = parseOptions(argv, 1, DOCKER_GLOBAL);
  if (!global) return undefined;
  let index = global.next;
  if (argv[index] === 'container') index++;
  if (argv[index] !== 'exec') return undefined;
  const exec = parseOptions(argv, index + 1, DOCKER_EXEC);
  if (!exec || exec.next >= argv.length) return undefined;
  if (!isSet(exec, 'i', 'interactive') || isSet(exec, 'd', 'detach')) return undefined;
  const container = exec.next;
  // The integrated bash is interactive: it needs a terminal even where the template forgot -t.
  const prefix = isSet(exec, 't', 'tty') ? argv.slice(0, container + 1) : [...argv.slice(0, index + 1), '-t', ...argv.slice(index + 1, container + 1)];
  return launch(prefix, argv.slice(container + 1), 'argv', nonce);
}

const SSH: OptionGrammar = { shortWithValue: 'BbcDEeFIiJLlmOoPpQRSWw', shortFlags: '46AaCfGgKkMNnqsTtVvXxYy' };
/** Options under which ssh runs no interactive remote command (or none at all). */
const SSH_NOT_A_SHELL = ['N', 'f', 's', 'T', 'G', 'V', 'W', 'O', 'Q'];

/** `ssh [options] HOST [options] bash [-l]`: the remote command, joined by ssh, is a plain bash. */
function ssh(argv: readonly string[], nonce: string | undefined): ShellIntegrationLaunch | undefined {
  const before = parseOptions(argv, 1, SSH);
  if (!before || before.next >= argv.length) return undefined;
  const host = before.next;
  // Like OpenSSH, read options after the host too, unless `--` ended them.
  const after = before.terminated ? { seen: new Map<string, string[]>(), next: host + 1, terminated: true } : parseOptions(argv, host + 1, SSH);
  if (!after) return undefined;
  if (SSH_NOT_A_SHELL.some((option) => isSet(before, option) || isSet(after, option))) return undefined;
  // ssh joins the command's words with spaces and the remote login shell splits them again.
  const remote = argv.slice(after.next).join(' ').trim().split(/\s+/);
  if (!remote.every((word) => /^[A-Za-z0-9_./-]+$/.test(word))) return undefined;
  const options = argv.slice(0, after.next);
  // The integrated bash is interactive: it needs a terminal, which ssh allocates for a remote command only with -t.
  const prefix = isSet(before, 't') || isSet(after, 't') ? options : [elementAt(argv, 0), '-t', ...options.slice(1)];
  return launch(prefix, remote, 'ssh', nonce);
}
