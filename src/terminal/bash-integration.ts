// Shell integration for bash: an rcfile that loads the user's own startup files, then prints OSC 633 sequences
// (prompt start/end, command line, executed, finished with exit code, cwd), each ending with a per-session nonce.
// The nonce lives in unexported shell variables only, so programs the attendee runs cannot read it, and the rcfile
// deletes itself once read.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface BashIntegration {
  /** argv that starts bash with the integration. */
  readonly argv: readonly string[];
  readonly nonce: string;
  /** Removes the rcfile if bash has not already done it (e.g. it never started). */
  dispose(): void;
}

/** `bash`, `bash -l`, `/bin/bash --login`: the templates shell integration can wrap without changing their meaning. */
export function isPlainBash(argv: readonly string[]): boolean {
  const [file, ...args] = argv;
  return file !== undefined && basename(file) === 'bash' && args.every((arg) => arg === '-l' || arg === '--login' || arg === '-i');
}

/** `parentDirectory`: where the private rcfile directory is made (default: the OS temp dir). */
export function createBashIntegration(argv: readonly string[], parentDirectory: string = tmpdir()): BashIntegration {
  const login = argv.includes('-l') || argv.includes('--login');
  const nonce = randomBytes(16).toString('hex');
  const directory = mkdtempSync(join(parentDirectory, 'labdeck-bash-'));
  const rcfile = join(directory, 'rc.bash');
  writeFileSync(rcfile, bashRcfile({ nonce, login, rcfile: directory }), { mode: 0o600 });
  return {
    // `--rcfile` is ignored by login shells, so login is emulated inside the rcfile instead of passing -l.
    argv: [argv[0]!, '--rcfile', rcfile, '-i'],
    nonce,
    dispose: () => rmSync(directory, { recursive: true, force: true }),
  };
}

function singleQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function bashRcfile(options: { nonce: string; login: boolean; rcfile: string }): string {
  const startup = options.login
    ? `if [ -r /etc/profile ]; then . /etc/profile; fi
for __labdeck_file in ~/.bash_profile ~/.bash_login ~/.profile; do
  if [ -r "$__labdeck_file" ]; then . "$__labdeck_file"; break; fi
done
unset __labdeck_file`
    : `if [ -r ~/.bashrc ]; then . ~/.bashrc; fi`;
  return `# labdeck shell integration (generated, deletes itself once read)
command rm -rf -- ${singleQuoted(options.rcfile)}
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
