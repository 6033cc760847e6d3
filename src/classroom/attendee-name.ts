// An attendee's name as the class keeps and shows it: cleaned once, at the join (cleanName), so that the
// dashboard, the exports and the terminal never see controls, bidi tricks or invisible characters; counted in
// characters people see (grapheme clusters), not UTF-16 units; compared loosely (nameKey) to flag look-alikes.
// Pure.
import { stripTerminalControls } from '../text/untrusted-text.ts';

/** Long enough for any full name; short enough to fit a dashboard row. In characters people see. */
export const maxNameLength = 60;

/**
 * Characters that change the one before them or join two: needed by emoji sequences (👨‍👩‍👧, ❤️), Persian (ZWNJ),
 * Mongolian and CJK variants. Kept only where they attach to something visible.
 */
const attaching = '\\u200c\\u200d\\ufe00-\\ufe0f\\u180b-\\u180d\\u180f\\u{e0100}-\\u{e01ef}';
/** Invisible characters (zero-width space, word joiner, BOM, soft hyphen, Hangul fillers, ...) but the attaching ones. */
const invisible = new RegExp(`(?![${attaching}\\u{e0020}-\\u{e007f}])\\p{Default_Ignorable_Code_Point}`, 'gu');
/** Tag characters spell hidden text, except inside a subdivision flag (🏴 + tags + cancel tag: Scotland, Wales). */
const tags = /(\u{1f3f4}[\u{e0020}-\u{e007e}]+\u{e007f})|[\u{e0020}-\u{e007f}]/gu;
const detachedAtStart = new RegExp(`(^|\\s)[${attaching}]+`, 'gu');
const joinerBeforeSpace = /[\u200c\u200d]+(?=\s|$)/gu;
/** No script needs more than a few marks on one letter (Vietnamese: two); dozens are "Zalgo", spilling over rows. */
const markPile = /(\p{M}{4})\p{M}+/gu;

/** Printable ASCII words with single spaces: already clean (most names; the dashboard cleans on every update). */
const plainAscii = /^[!-~]+(?: [!-~]+)*$/;

/** The name an attendee typed, cleaned: see the file comment. May be empty (nothing visible was typed). */
export function cleanName(typed: string): string {
  if (plainAscii.test(typed)) return typed;
  const visible = stripTerminalControls(typed)
    .replace(invisible, '')
    .replace(tags, (_, flag: string | undefined) => flag ?? '')
    .normalize('NFC')
    .replace(markPile, '$1')
    .replace(/\s+/gu, ' ');
  return visible.replace(detachedAtStart, '$1').replace(joinerBeforeSpace, '').replace(/\s+/gu, ' ').trim();
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters as people see them: 👨‍👩‍👧 is one, though it is eight UTF-16 units. */
export function nameLength(name: string): number {
  let count = 0;
  for (const _ of graphemes.segment(name)) count++;
  return count;
}

/** The first `max` characters people see, never splitting one. */
export function truncateName(name: string, max: number): string {
  let kept = '';
  let count = 0;
  for (const { segment } of graphemes.segment(name)) {
    if (count++ === max) break;
    kept += segment;
  }
  return kept;
}

/**
 * What two names are compared by to tell whether they look the same: cleaned, compatibility forms folded (full-width
 * Ａ is A), joiners and variation selectors dropped, case ignored.
 */
export function nameKey(name: string): string {
  if (plainAscii.test(name)) return name.toLowerCase();
  return cleanName(name)
    .normalize('NFKC')
    .replace(new RegExp(`[${attaching}]`, 'gu'), '')
    .toUpperCase()
    .toLowerCase();
}
