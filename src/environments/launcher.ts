// How a terminal reaches an attendee's environment, whatever prepares it: the terminal runs a small waiting script
// with the attendee's folder; the environment writes there, as it gets ready, the progress lines the attendee sees
// ("preparing your environment") and finally an `enter` script (`exec ssh … root@<sandbox's node> "$@"`, or the
// attendee's own command), which the terminal then execs with the terminal's own command as arguments.
//
// Files rather than memory: `labdeck env reset` runs in another process than `labdeck serve`, and both see the same
// folder. Attendee ids are safe file names (the terminal manager's placeholder alphabet).
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandTemplate } from '../terminal/command-template.ts';
import { integratedBash } from '../terminal/bash-integration.ts';
import { withShellIntegration, type ShellIntegrationHook } from '../terminal/shell-integration.ts';

/**
 * `$1` the environments folder, `$2` the attendee; the rest is the command to run inside the environment. Once in,
 * a command that ends with 255 (ssh: the connection failed or broke, its sandbox went away) is run again once the
 * environment is back: made again by the provider (a new `enter`, and a new `recreated` note when its state was
 * lost), or after a few seconds the same, to try again. Any other end is the shell's own: the terminal ends with it.
 */
const WAIT_SCRIPT = `dir="$1/$2"; shift 2
said=0
looked=0
show_progress() {
  [ -f "$dir/progress" ] || return 0
  lines=$(wc -l < "$dir/progress")
  [ "$lines" -ge "$said" ] || said=0
  if [ "$lines" -gt "$said" ]; then tail -n +"$((said + 1))" "$dir/progress" | head -n "$((lines - said))" | sed 's/$/\\r/'; said=$lines; fi
}
give_up_if_failed() {
  if [ -f "$dir/failed" ]; then printf 'Your environment could not be prepared: %s\\r\\n' "$(cat "$dir/failed")"; sleep 2; exit 1; fi
}
[ -f "$dir/enter" ] || printf 'Preparing your environment...\\r\\n'
while [ ! -f "$dir/enter" ]; do
  show_progress
  give_up_if_failed
  # A warm seat is ready within a second or so of the join: looked for every 0.1 s for 2 s, then every second.
  if [ "$looked" -lt 20 ]; then sleep 0.1; else sleep 1; fi
  looked=$((looked + 1))
done
show_progress
# \`enter\` is read once and what was read is run: the provider removes it whenever it prepares the environment again,
# so it may be gone between a look and a run (then this waits for the new one, as after a lost connection).
while :; do
  entered=$(cat "$dir/enter" 2>/dev/null); recreated=$(cat "$dir/recreated" 2>/dev/null)
  if [ -n "$entered" ]; then
    sh -c "$entered" sh "$@"
    code=$?
    [ "$code" -eq 255 ] || exit "$code"
    printf '\\r\\nThe connection to your environment was lost: reconnecting...\\r\\n'
  fi
  waited=0
  while now=$(cat "$dir/enter" 2>/dev/null); [ -z "$now" ] || { [ "$now" = "$entered" ] && [ "$waited" -lt 10 ]; }; do
    show_progress
    give_up_if_failed
    sleep 1
    waited=$((waited + 1))
  done
  show_progress
  [ "$(cat "$dir/recreated" 2>/dev/null)" = "$recreated" ] || printf 'Your environment was recreated (its machine failed, or it stopped): its state is lost.\\r\\n'
done`;

/**
 * The template a terminal runs to enter an attendee's environment and run `inner` there; on another node of their
 * cluster than node1 (`node2`…), it waits in that node's folder inside the attendee's (cluster-access.ts writes it).
 */
export function launcherTemplate(root: string, inner: CommandTemplate, node?: string): CommandTemplate {
  const folder = node === undefined || node === 'node1' ? '{attendee}' : `{attendee}/${node}`;
  return Object.freeze(['sh', '-c', WAIT_SCRIPT, 'labdeck-environment', root, folder, ...inner]);
}

/**
 * Shell integration for terminals made by launcherTemplate() whose `enter` is ssh: their inner bash words become
 * ssh's remote command line, so they are wrapped the way a bash over ssh is. Other commands as usual.
 */
export const launcherShellIntegrationOverSsh: ShellIntegrationHook = (argv) => {
  if (argv[0] !== 'sh' || argv[2] !== WAIT_SCRIPT) return withShellIntegration(argv);
  const fixed = 6; // sh -c WAIT_SCRIPT labdeck-environment root attendee
  const integrated = integratedBash(argv.slice(fixed), 'ssh');
  return integrated && { argv: [...argv.slice(0, fixed), ...integrated.command], nonce: integrated.nonce };
};

export function attendeeFolder(root: string, attendee: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/.test(attendee)) throw new Error(`unsafe attendee id ${JSON.stringify(attendee)}`);
  return join(root, attendee);
}

/** The attendee's environment is being (re)made: new terminals wait and show progress from here on. */
export function startPreparing(root: string, attendee: string): void {
  const folder = attendeeFolder(root, attendee);
  mkdirSync(folder, { recursive: true });
  for (const file of ['enter', 'failed', 'progress']) rmSync(join(folder, file), { force: true });
}

export function reportProgress(root: string, attendee: string, line: string): void {
  appendFileSync(join(attendeeFolder(root, attendee), 'progress'), `${line.replace(/[\r\n]+/g, ' ')}\n`);
}

/**
 * The environment was made again, not just found (its sandbox was recreated on another node): terminals that lost
 * it say so when they enter the new one. A new value each time, so that each terminal says it once per recreation.
 */
export function reportRecreated(root: string, attendee: string): void {
  writeFileSync(join(attendeeFolder(root, attendee), 'recreated'), `${Date.now()}\n`);
}

export function reportFailure(root: string, attendee: string, message: string): void {
  writeFileSync(join(attendeeFolder(root, attendee), 'failed'), `${message.split('\n')[0]}\n`);
}

/** Ready: terminals exec `prefix` followed by their own command (atomically, a waiting terminal never reads half). */
export function writeEnterCommand(root: string, attendee: string, prefix: readonly string[]): void {
  const folder = attendeeFolder(root, attendee);
  const script = `# written by labdeck: how this attendee's terminals enter their environment\nexec ${prefix.map(shellQuoted).join(' ')} "$@"\n`;
  writeFileSync(join(folder, 'enter.tmp'), script);
  renameSync(join(folder, 'enter.tmp'), join(folder, 'enter'));
}

/** True once the environment wrote how to enter it. */
export function isReady(root: string, attendee: string): boolean {
  return existsSync(join(attendeeFolder(root, attendee), 'enter'));
}

/** Forgets the attendee's environment (their terminals would wait again). */
export function removeAttendeeFolder(root: string, attendee: string): void {
  rmSync(attendeeFolder(root, attendee), { recursive: true, force: true });
}

function shellQuoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
