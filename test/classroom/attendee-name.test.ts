// What attendees type as their name, cleaned at the join: no terminal controls, no bidi tricks, no invisible
// characters that make a name look like another; one form (NFC) and single spaces; lengths in characters people see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanName, nameKey, nameLength, truncateName } from '../../src/classroom/attendee-name.ts';
import { stripTerminalControls } from '../../src/text/untrusted-text.ts';

test('terminal controls: whole escape sequences go (CSI, OSC, two-character, 8-bit C1), then any stray control', () => {
  assert.equal(stripTerminalControls('\x1b[31mEve\x1b[0m'), 'Eve');
  assert.equal(stripTerminalControls('\x1b[2J\x1b[1;1HEve'), 'Eve', 'clear screen, cursor home');
  assert.equal(stripTerminalControls('\x1b]0;owned\x07Eve'), 'Eve', 'window title, BEL-terminated');
  assert.equal(stripTerminalControls('\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\'), 'click', 'hyperlink, ST-terminated');
  assert.equal(stripTerminalControls('\x1bPq#0;2;0;0;0\x1b\\Eve'), 'Eve', 'DCS (sixel)');
  assert.equal(stripTerminalControls('\x1bcEve\x1b7'), 'Eve', 'reset, save cursor');
  assert.equal(stripTerminalControls('\u009b31mEve\u009d0;t\u009c'), 'Eve', '8-bit CSI and OSC');
  assert.equal(stripTerminalControls('E\x00v\x08e\x7f\u0085\x1b'), 'Eve', 'NUL, backspace, DEL, NEL, a lone ESC');
  assert.equal(stripTerminalControls('Eve\rAdmin'), 'EveAdmin', 'a carriage return would overwrite what came before');
  assert.equal(stripTerminalControls('abc\u202Egnp.exe\u202C \u2066x\u2069 \u200E\u200F\u061C'), 'abcgnp.exe x ', 'bidi embeddings, overrides, isolates, marks');
  assert.equal(stripTerminalControls('line 1\r\nline 2\tend'), 'line 1\nline 2\tend', 'newlines and tabs are text');
  assert.equal(stripTerminalControls('Zoë <b>&amp;</b> 👍'), 'Zoë <b>&amp;</b> 👍', "markup is the renderer's business");
});

test('cleanName: controls and bidi removed, NFC, whitespace collapsed', () => {
  assert.equal(cleanName('Ada'), 'Ada');
  assert.equal(cleanName('  Ada \t Lovelace\n'), 'Ada Lovelace');
  assert.equal(cleanName('Ada\u00a0\u3000\u2028Lovelace'), 'Ada Lovelace', 'every kind of space is one space');
  assert.equal(cleanName('\x1b[31mEve\x1b[0m \u009b2JX'), 'Eve X');
  assert.equal(cleanName('abc\u202Egnp.exe'), 'abcgnp.exe');
  assert.equal(cleanName('Zoe\u0308'), 'Zo\u00eb', 'NFC: a decomposed ë is composed');
  assert.equal(cleanName('<script>alert(1)</script>'), '<script>alert(1)</script>', "markup stays text: escaping is the page's job");
});

test('cleanName: invisible characters go, joiners stay only where they join something', () => {
  assert.equal(cleanName('A\u200Bda\u2060'), 'Ada', 'zero-width space, word joiner');
  assert.equal(cleanName('\uFEFFAda\u00AD'), 'Ada', 'BOM, soft hyphen');
  assert.equal(cleanName('\u3164'), '', 'a Hangul filler looks like nothing');
  assert.equal(cleanName('\u200DAda\u200D'), 'Ada', 'a joiner at either end joins nothing');
  assert.equal(cleanName('Ada \u200C\u200C Bo'), 'Ada Bo', 'nor next to a space');
  assert.equal(cleanName('Ada\u{E0041}\u{E0042}'), 'Ada', 'tag characters outside a flag hide text');
  assert.equal(cleanName('\uFE0FAda'), 'Ada', 'a variation selector with nothing to vary');
  const kept = ['👨‍👩‍👧', '❤️', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', 'Ada 👍🏽', 'می‌خواهم', 'क्षत्रिय'];
  for (const name of kept) assert.equal(cleanName(name), name, `${name} is kept whole (emoji sequences, Persian ZWNJ, Devanagari)`);
});

test('cleanName: a pile of combining marks is cut to a few per character', () => {
  const zalgo = `a${'\u0363'.repeat(40)}b`;
  assert.equal(cleanName(zalgo), `a${'\u0363'.repeat(4)}b`);
  assert.equal(cleanName('Vi\u1EC7t'), 'Vi\u1EC7t');
});

test('lengths count characters people see (grapheme clusters), and truncation never splits one', () => {
  assert.equal(nameLength('Ada'), 3);
  assert.equal(nameLength('👨‍👩‍👧'), 1, 'a family is one character, eight UTF-16 units');
  assert.equal(nameLength('🏴󠁧󠁢󠁳󠁣󠁴󠁿'), 1);
  assert.equal(nameLength('Zoe\u0308'), 3);
  assert.equal(nameLength(''), 0);
  assert.equal(truncateName('👍🏽'.repeat(70), 60), '👍🏽'.repeat(60));
  assert.equal(truncateName('Ada', 60), 'Ada');
});

test('nameKey: names that look the same compare the same (case, width, joiners, variation selectors)', () => {
  const ada = nameKey('Ada');
  for (const same of ['ada', 'ADA', 'A\u200Dda', 'Ａｄａ', ' Ada ']) assert.equal(nameKey(same), ada, JSON.stringify(same));
  assert.notEqual(nameKey('Ada'), nameKey('Bob'));
  assert.notEqual(nameKey('Ada L'), nameKey('Ada'));
  assert.equal(nameKey('❤️ Ada'), nameKey('❤ Ada'));
});
