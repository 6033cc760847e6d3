// The `keys` directive of container.training's autotest names keystrokes the way tmux's send-keys does: `^C`,
// `^D`, `Enter`, `Escape`, or plain text. This turns them into the bytes a terminal receives. Pure.
import { elementAt } from '../errors.ts';

const named: Readonly<Record<string, string>> = {
  enter: '\r',
  return: '\r',
  escape: '\x1b',
  esc: '\x1b',
  tab: '\t',
  space: ' ',
  bspace: '\x7f',
  backspace: '\x7f',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
};

/** `^C` → "\x03", `C-d` → "\x04", `Enter` → "\r"; several keys separated by spaces; anything else as typed. */
export function keysToBytes(argument: string): string {
  const words = argument.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '';
  const keys = words.map(keyToBytes);
  if (keys.every((key) => key !== undefined)) return keys.join('');
  return argument.trim(); // not a key sequence: plain text
}

function keyToBytes(word: string): string | undefined {
  const control = /^(?:\^|C-)([A-Za-z@[\\\]^_])$/.exec(word);
  if (control) return String.fromCharCode(elementAt(control, 1).toUpperCase().charCodeAt(0) & 0x1f);
  return named[word.toLowerCase()];
}

/** Whether the keys end an interactive shell (Ctrl-D, or typing `exit`): the attendee is back on the host. */
export function leavesShell(argument: string): boolean {
  return keysToBytes(argument) === '\x04' || /^exit\b/.test(argument.trim());
}
