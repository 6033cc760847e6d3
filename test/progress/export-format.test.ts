// The progress exports' formats: CSV cells that a spreadsheet reads as text and a terminal prints as text, and JSON
// whose invisible and control characters are escapes (lossless: JSON.parse gives back exactly what was stored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, csvText, terminalSafeJson } from '../../src/progress/export-format.ts';

test('CSV cells: a leading = + - @ tab or CR gets a quote, as OWASP advises against formula injection', () => {
  assert.equal(csvCell('=1+1'), "'=1+1");
  assert.equal(csvCell('+41 22'), "'+41 22");
  assert.equal(csvCell('-2+3'), "'-2+3");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('\t=1'), "'\t=1");
  assert.equal(csvCell('Ada = Bo'), 'Ada = Bo', 'only a leading sign matters');
  assert.equal(csvCell('\x1b[0m=1+1'), "'=1+1", 'checked after the controls are gone');
});

test('CSV cells: RFC 4180 quoting; terminal controls and bidi overrides removed', () => {
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('\x1b[2J\x1b[HEve'), 'Eve');
  assert.equal(csvCell('\u202Eevil\u009b2J'), 'evil');
  assert.equal(csvCell(''), '');
  assert.equal(
    csvText([
      ['a', 'b'],
      ['=1', 'x,y'],
    ]),
    'a,b\n\'=1,"x,y"\n',
  );
});

test('JSON for a terminal: controls, C1, bidi and zero-width characters are \\u escapes; the data is unchanged', () => {
  const value = { name: '\x1b[31m\u009b\u202E\u2066\u200B\u2028Eve\x7f', list: ['ok'] };
  const text = terminalSafeJson(value);
  assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u);
  assert.match(text, /\\u009b/);
  assert.deepEqual(JSON.parse(text), value);
  assert.equal(terminalSafeJson({ a: 1 }), '{\n  "a": 1\n}\n', 'pretty, with a final newline');
});
