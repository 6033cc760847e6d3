// Shell integration for bash: an rc script that loads the user's own startup files, then prints OSC 633 sequences
// (prompt start/end, command line, executed, finished with exit code, cwd), each ending with a per-session nonce.
// The nonce lives in unexported shell variables only, so programs the attendee runs cannot read it.
//
// bash gets the script without any file, wherever it runs (here, in a container, on another host): the command that
// starts it carries the script in base64 and hands it over through a pipe, `bash --rcfile <(... | base64 -d)`.
// Where the nonce can be seen, then:
// - in the argv of the `bash -c` that decodes the script, which execs the interactive bash at once, and of the
//   printf of the process substitution, which exits as soon as the pipe took the script (a few KiB);
// - for `docker exec`, in the argv of the docker client on the labdeck machine for the terminal's life (users of that
//   machine, never the container) and in the engine's record of the exec (`GET /exec/{id}/json`): whoever can use that
//   engine's API. A sandbox's attendee has their own engine inside it, not this one; an `external` attendee who
//   controls their engine can read their own nonce, and could fake their own progress there anyway;
// - for ssh, in the argv of ssh on the labdeck machine, and on the remote host in the login shell's `-c` command
//   until it execs bash (sshd itself logs the command only at its DEBUG levels).
// Never in the environment: a variable such as `docker exec -e LABDECK_RC=...` would stay readable in
// /proc/<shell>/environ by every program of the session, even after the rc script unset it.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { elementAt } from '../errors.ts';

/** How the words that start bash reach it. */
export type BashTransport =
  /** As separate argv words: a local spawn, or what `docker exec CONTAINER` runs. */
  | 'argv'
  /** As one command line that the remote user's login shell (any POSIX-like shell) parses: ssh's remote command. */
  | 'ssh';

export interface IntegratedBash {
  /** The words that start bash with the integration, in place of the plain bash words. */
  readonly command: readonly string[];
  readonly nonce: string;
}

/** `bash`, `bash -l`, `/bin/bash --login`: the commands shell integration can wrap without changing their meaning. */
export function isPlainBash(words: readonly string[]): boolean {
  const [file, ...args] = words;
  return file !== undefined && basename(file) === 'bash' && args.every((arg) => arg === '-l' || arg === '--login' || arg === '-i');
}

/** A fresh per-session nonce. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Plain bash words → the words that start it with the integration, sent through `transport`; undefined when the
 * words are not plain bash (or, over ssh, name bash with characters a remote shell would interpret).
 */
export function integratedBash(words: readonly string[], transport: BashTransport, nonce: string = newNonce()): IntegratedBash | undefined {
  if (!isPlainBash(words)) return undefined;
  const bash = elementAt(words, 0); // there: isPlainBash() saw it
  if (transport === 'ssh' && !SHELL_SAFE_WORD.test(bash)) return undefined;
  // `--rcfile` is ignored by login shells, so login is emulated inside the script instead of passing -l.
  const script = Buffer.from(bashRcScript({ nonce, login: words.includes('-l') || words.includes('--login') })).toString('base64');
  const start = `exec ${singleQuoted(bash)} --rcfile <(printf %s ${script} | base64 -d) -i`;
  // Process substitution is bash's own: over ssh the login shell (sh, zsh, fish...) first starts a bash to run it.
  // `start` holds no quote there (a safe word, base64), so single quotes pass it through any shell unchanged.
  return { command: transport === 'argv' ? [bash, '-c', start] : [`exec ${bash} -c '${start}'`], nonce };
}

/** A word every POSIX-like shell reads as itself. */
const SHELL_SAFE_WORD = /^[A-Za-z0-9_./-]+$/;

function singleQuoted(text: string): string {
  return SHELL_SAFE_WORD.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function bashRcScript(options: { nonce: string; login: boolean }): string {
  const startup = options.login
    ? `if [ -r /etc/profile ]; then . /etc/profile; fi
for __labdeck_file in ~/.bash_profile ~/.bash_login ~/.profile; do
  if [ -r "$__labdeck_file" ]; then . "$__labdeck_file"; break; fi
done
unset __labdeck_file`
    : `if [ -r ~/.bashrc ]; then . ~/.bashrc; fi`;
  return `# labdeck shell integration (generated)
${startup}

__labdeck_nonce=${singleQuoted(options.nonce)}
# Every command must enter the history: PS0 reads the command line from it.
set -o history
HISTCONTROL=
HISTIGNORE=

__labdeck_escape() {
  local value=$1
  value=\${value//\\\\/\\\\x5c}
  value=\${value//;/\\\\x3b}
  value=\${value//$'\\n'/\\\\x0a}
  value=\${value//$'\\r'/\\\\x0d}
  value=\${value//$'\\t'/\\\\x09}
  value=\${value//$'\\e'/\\\\x1b}
  value=\${value//$'\\a'/\\\\x07}
  builtin printf '%s' "$value"
}

__labdeck_history_number() {
  local HISTTIMEFORMAT= line
  line=$(builtin history 1)
  line=\${line#"\${line%%[![:space:]]*}"}
  builtin printf '%s' "\${line%%[!0-9]*}"
}

# Runs in PS0's command substitution: after bash read a command line, before it runs.
__labdeck_preexec() {
  local HISTTIMEFORMAT= line number
  line=$(builtin history 1)
  line=\${line#"\${line%%[![:space:]]*}"}
  number=\${line%%[!0-9]*}
  # An empty line adds no history entry: no command ran.
  [ "$number" = "$__labdeck_last_history" ] && return
  line=\${line#"$number"}
  line=\${line:2}
  builtin printf '\\e]633;E;%s;%s\\a\\e]633;C;%s\\a' "$(__labdeck_escape "$line")" "$__labdeck_nonce" "$__labdeck_nonce"
}

__labdeck_restore_status() { return "$__labdeck_status"; }

__labdeck_precmd() {
  builtin printf '\\e]633;D;%s;%s\\a\\e]633;P;Cwd=%s;%s\\a' "$__labdeck_status" "$__labdeck_nonce" "$(__labdeck_escape "$PWD")" "$__labdeck_nonce"
  __labdeck_last_history=$(__labdeck_history_number)
  # A user's PROMPT_COMMAND may rebuild PS1: mark the prompt after it ran.
  if [[ $PS1 != *'633;A;'* ]]; then
    PS1='\\[\\e]633;A;'"$__labdeck_nonce"'\\a\\]'"$PS1"'\\[\\e]633;B;'"$__labdeck_nonce"'\\a\\]'
  fi
  return "$__labdeck_status"
}

__labdeck_user_prompt_command=\${PROMPT_COMMAND:-}
# Newlines, not semicolons, join the parts: a user's PROMPT_COMMAND often ends with ';' already.
__labdeck_newline=$'\\n'
PROMPT_COMMAND="__labdeck_status=\\$?; __labdeck_restore_status$__labdeck_newline\${__labdeck_user_prompt_command:+$__labdeck_user_prompt_command$__labdeck_newline}__labdeck_precmd"
unset __labdeck_user_prompt_command __labdeck_newline
PS0='$(__labdeck_preexec)'"\${PS0:-}"
`;
}
