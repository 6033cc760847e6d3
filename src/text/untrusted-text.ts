// Text from attendees (names, commands) or from checks' reasons, made safe to print on a terminal: nothing in it
// may move the cursor, clear the screen, set the window title or the clipboard, or reorder what follows it. Pure.

/**
 * Whole escape sequences, so that their parameters do not stay behind as litter ("[31m"): CSI (7- and 8-bit), the
 * string commands OSC, DCS, SOS, PM and APC up to their terminator (BEL or ST), and ESC with one final character.
 * An unterminated string command loses only its introducer: the rest stays visible as text.
 */
const escapeSequence = new RegExp(
  [
    '\\x1b\\[[0-?]*[ -/]*[@-~]',
    '\\x9b[0-?]*[ -/]*[@-~]',
    '\\x1b[\\]PX^_][^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)',
    '[\\x90\\x98\\x9d\\x9e\\x9f][^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)',
    '\\x1b[ -/]*[0-~]',
  ].join('|'),
  'g',
);
/** C0 controls but tab and newline, DEL, C1 controls. A carriage return would let a line overwrite itself. */
const control = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/** Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the implicit marks (LRM, RLM, ALM). */
export const bidiControl = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without escape sequences, control characters (tab and newline stay) and bidi controls. */
export function stripTerminalControls(text: string): string {
  return text.replace(escapeSequence, '').replace(/\r\n/g, '\n').replace(control, '').replace(bidiControl, '');
}
