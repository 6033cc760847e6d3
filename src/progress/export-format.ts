// The formats of `labdeck progress`, which goes to the instructor's terminal or into a spreadsheet: attendee names
// and commands (and checks' reasons) must do neither harm there. Pure.
import { stripTerminalControls } from '../text/untrusted-text.ts';

/** A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection"). */
const formulaStart = /^[=+\-@\t\r]/;

/**
 * One CSV cell: terminal controls removed (CSV has no escapes: a name stored before the join cleaned names would
 * otherwise drive the terminal), a formula made text with a leading `'`, then RFC 4180 quoting.
 */
export function csvCell(value: string): string {
  const text = stripTerminalControls(value);
  const safe = formulaStart.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvText(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/**
 * What JSON.stringify leaves raw though a terminal acts on it or shows nothing for it: DEL and C1 controls, bidi
 * controls, zero-width characters, line and paragraph separators. (C0 controls are escaped by JSON.stringify already.)
 */
const unsafeInJson = /[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Pretty JSON with those characters as \u escapes: safe to print, and JSON.parse gives back exactly the data. */
export function terminalSafeJson(value: unknown): string {
  // They can only occur inside strings (JSON's own syntax is ASCII), where a \u escape means the same character.
  return `${JSON.stringify(value, null, 2).replace(unsafeInJson, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
