// remark.js 0.14.1 lexer + parser rules, one test each (remark.js: https://github.com/gnab/remark,
// src/remark/lexer.js and parser.js; docs/conformance.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAsTextarea, findUnbalancedContentClasses, parseSource } from '../../src/deck/split.ts';
import { LabdeckError } from '../../src/errors.ts';

const contents = (source: string) => parseSource(source).slides.map((slide) => slide.content);
const only = (source: string) => {
  const { slides } = parseSource(source);
  assert.equal(slides.length, 1);
  return slides[0]!;
};

// §1 textarea preprocessing

test('textarea: character references decoded once, NBSP becomes the text &nbsp;', () => {
  assert.equal(decodeAsTextarea('a &lt; b &amp;amp; &copy; x\u00a0y'), 'a < b &amp; © x&nbsp;y');
});

test('textarea: legacy references without ";" decode, CRLF and CR become LF, lines are kept', () => {
  const source = '&copy2024 &amp x &notit;\r\nb\rc\n';
  const decoded = decodeAsTextarea(source);
  assert.equal(decoded, '©2024 & x ¬it;\nb\nc\n');
  assert.equal(decoded.split('\n').length, source.split(/\r\n?|\n/).length);
});

test('textarea: remark unescapes &quot; after the HTML parser, so &amp;quot; ends up as a quote', () => {
  assert.equal(decodeAsTextarea('say &amp;quot;hi&amp;quot; &amp;lt;'), 'say "hi" &lt;');
});

// §2.1 slide separator

test('---: alone on a line, no blank lines needed, both newlines consumed', () => {
  assert.deepEqual(contents('A\n---\nB'), [['A'], ['B']]);
});

test('---: leading or trailing whitespace or a 4th dash is not a separator', () => {
  assert.deepEqual(contents('A\n---  \nB\n ---\nC\n----\nD'), [['A\n---  \nB\n ---\nC\n----\nD']]);
});

test('---: at the start, twice in a row or at the end gives empty slides', () => {
  assert.deepEqual(contents('---\nA\n---\n---\nB\n---'), [[''], ['A'], [''], ['B'], ['']]);
});

test('---: a raw CRLF source does not split (only textarea decoding normalises newlines)', () => {
  assert.equal(parseSource('a\r\n---\r\nb').slides.length, 1);
  assert.equal(parseSource(decodeAsTextarea('a\r\n---\r\nb')).slides.length, 2);
});

test('---: fenced code (``` and ~~~) protects it (§11 lexer case 2)', () => {
  assert.deepEqual(contents('```\n---\n```'), [['```\n---\n```']]);
  assert.deepEqual(contents('A\n~~~~ yaml\n---\n~~~~\nB'), [['A\n~~~~ yaml\n---\n~~~~\nB']]);
});

test('---: a 4-space indented line after any newline is lexer code and protects it', () => {
  assert.deepEqual(contents('a\n    ---\nb'), [['a\n    ---\nb']]);
});

test('---: a content class protects it (§11 lexer case 3)', () => {
  assert.deepEqual(contents('.class[\n---\n]'), [[{ classes: ['class'], block: true, content: ['\n---\n'] }]]);
});

test('---: raw HTML does not protect it', () => {
  assert.deepEqual(contents('<div>\n---\n</div>'), [['<div>'], ['</div>']]);
});

test('^ matches right after a token: inline code or a content class followed by a separator splits', () => {
  assert.deepEqual(contents('a `b`--\nc'), [['a `b`'], ['c']]);
  assert.deepEqual(contents('.red[x]---\nc'), [[{ classes: ['red'], block: false, content: ['x'] }], ['c']]);
});

test('a fence closes on the first fence string after any whitespace, and keeps its trailing newlines', () => {
  assert.deepEqual(contents('```\ncode```\n---\nB'), [['```\ncode```\n'], ['B']]);
});

test('an unmatched backtick pairs with the next one, even across slides (0.14.1)', () => {
  assert.deepEqual(contents('it`s\n---\nB\n---\nit`s'), [['it`s\n---\nB\n---\nit`s']]);
});

test('adjacent text pieces (text, code, inline code) merge into one string', () => {
  assert.deepEqual(contents('a `b` c\n    code\n~~~\nx\n~~~\nd'), [['a `b` c\n    code\n~~~\nx\n~~~\nd']]);
});

// §2.2 incremental separator

test('--: consumes both newlines in 0.14.1 (§11 lexer case 1 is develop behaviour)', () => {
  const { slides } = parseSource('\n--\n');
  assert.deepEqual(
    slides.map((slide) => slide.content),
    [[''], ['']],
  );
  assert.deepEqual(contents('A\n--\nB'), [['A'], ['B']]);
});

test('--: marks the next slide continued "true", all others "false"', () => {
  const { slides } = parseSource('A\n--\nB\n---\nC');
  assert.deepEqual(
    slides.map((slide) => slide.properties.continued),
    ['false', 'true', 'false'],
  );
});

test('--: trailing space means text', () => {
  assert.deepEqual(contents('A\n-- \nB'), [['A\n-- \nB']]);
});

// §2.3 notes

test('???: what follows, up to the next separator, is the notes', () => {
  const { slides } = parseSource('A\n???\nnote *x*\n---\nB');
  assert.deepEqual(
    slides.map((slide) => [slide.content, slide.notes]),
    [
      [['A'], ['note *x*']],
      [['B'], null],
    ],
  );
});

test('???: a second one resets the notes; ???? is text', () => {
  assert.deepEqual(only('A\n???\nn1\n???\nn2\n????').notes, ['n2\n????']);
});

test('???: inside a content class it is text; a content class inside notes stays a class', () => {
  assert.deepEqual(only('.x[\n???\n]').notes, null);
  assert.deepEqual(only('A\n???\n.red[x]').notes, [{ classes: ['red'], block: false, content: ['x'] }]);
});

// §2.4 exclude

test('exclude: true (any case) drops the slide at parse time (§11 parser case 7)', () => {
  assert.deepEqual(contents('1\n---\nexclude: true\n2\n---\n3'), [['1'], ['3']]);
  assert.deepEqual(contents('exclude: True\nA\n---\nB'), [['B']]);
});

// §2.5 defs and macros

test('link definitions leave the slide and go to one global, lower-cased table', () => {
  const deck = parseSource('A [x][Foo]\n---\n[Foo]: http://a.b "T"\n[bar]: <http://c>\nB');
  assert.deepEqual(
    deck.slides.map((slide) => slide.content),
    [['A [x][Foo]'], ['B']],
  );
  assert.deepEqual(deck.links, { foo: { href: 'http://a.b', title: 'T' }, bar: { href: 'http://c' } });
});

test('a "[NOTE]: text" line is not a definition (no quoted title)', () => {
  assert.deepEqual(parseSource('[NOTE]: Note that you need\nx').links, {});
});

test('the built-in hello macro expands to "hello!"', () => {
  assert.deepEqual(only('say ![:hello a, b](x) now').content, ['say hello! now']);
});

test('an unknown macro fails with the line to fix', () => {
  assert.throws(
    () => parseSource('a\n\nb ![:nope x]'),
    (error: unknown) => error instanceof LabdeckError && error.location?.line === 3 && /nope/.test(error.message),
  );
  assert.throws(() => parseSource('![:nope]', (line) => ({ file: 'intro.md', line: line + 10 })), /^LabdeckError: intro\.md:11: /);
});

// §3.1 properties

test('properties: leading key: value lines, the newline after the last one stays (§11 parser case 6)', () => {
  const slide = only('name: a\nclass:b\n1');
  assert.deepEqual(slide.content, ['\n1']);
  assert.equal(slide.properties.name, 'a');
  assert.equal(slide.properties.class, 'b');
});

test('properties: blank lines between them are allowed, an indented line stops them', () => {
  const slide = only('\n\nname: a\n\nclass: b\n  c: d\n1');
  assert.deepEqual(slide.properties, { continued: 'false', name: 'a', class: 'b' });
  assert.deepEqual(slide.content, ['\n  c: d\n1']);
});

test('properties: any first "word:" line is swallowed (Note:, URLs)', () => {
  assert.deepEqual(only('Note: this is text\nx').properties.Note, 'this is text');
  assert.deepEqual(only('http://x.com/a_b_c\nhi').content, ['\nhi']);
});

test('properties: "name : a" (space before the colon) is text', () => {
  assert.deepEqual(only('name : a\n1').content, ['name : a\n1']);
});

test('properties: the value stops at "$", which stays in the content', () => {
  const slide = only('name: a$b');
  assert.equal(slide.properties.name, 'a');
  assert.deepEqual(slide.content, ['$b']);
});

test('properties: the HTML comment form is taken anywhere in the first text chunk', () => {
  const slide = only('# T\n\npara\n<!-- class: foo -->\nmore');
  assert.equal(slide.properties.class, 'foo');
  assert.deepEqual(slide.content, ['# T\n\npara\nmore']);
});

test('properties: a key line after content is text; later duplicates win', () => {
  assert.deepEqual(only('# T\nclass: x').properties, { continued: 'false' });
  assert.equal(only('<!-- name: a -->\nname: b\nx').properties.name, 'b');
});

test('properties: only the first content chunk is searched (none when the slide opens with a class)', () => {
  const slide = only('.x[y]\nname: a\n<!-- class: c -->');
  assert.deepEqual(slide.properties, { continued: 'false' });
});

// §1.3 cleanInput

test('the source is de-indented by its smallest indentation (§11 parser case 8)', () => {
  assert.deepEqual(contents('      1\n      ---\n          2\n      ---\n      3'), [['1'], ['    2\n'], ['3']]);
  assert.deepEqual(contents('\tA\n\t---\n\t\tB'), [['A'], ['\tB']]);
});

// §5 content classes

test('content classes: before/inside/after, block when the bracket text has a newline (§11 parser case 5)', () => {
  const inBetween = { classes: ['class'], block: true, content: ['\nx\n'] };
  assert.deepEqual(only('1 .class[\nx\n] 2').content, ['1 ', inBetween, ' 2']);
  assert.deepEqual(only('a .red[b] c').content, ['a ', { classes: ['red'], block: false, content: ['b'] }, ' c']);
});

test('content classes: several names, nesting, a dot after any character, no digit first', () => {
  assert.deepEqual(only('next.a.b-c[.d[x] y]').content, [
    'next',
    { classes: ['a', 'b-c'], block: false, content: [{ classes: ['d'], block: false, content: ['x'] }, ' y'] },
  ]);
  assert.deepEqual(only('.1a[x]').content, ['.1a[x]']);
});

test('content classes: a backslash escapes them and their text is not lexed (§11 lexer case 4)', () => {
  assert.deepEqual(only('\\.class[content]').content, ['.class[content]']);
  assert.deepEqual(contents('\\.x[\n---\n]'), [['.x[\n---\n]']]);
});

test('content classes: every bracket counts, inside code too', () => {
  const slide = only('.lab[\n```bash\necho "]"\n```\n]');
  assert.deepEqual(slide.content, [{ classes: ['lab'], block: true, content: ['\n```bash\necho "'] }, '"\n```\n]']);
});

test('content classes: a bracket closing far away swallows separators; one never closing stays text', () => {
  assert.deepEqual(contents('.x[a\n---\n]b'), [[{ classes: ['x'], block: true, content: ['a\n---\n'] }, 'b']]);
  assert.deepEqual(contents('a .x[b\n---\nc'), [['a .x[b'], ['c']]);
});

test('content classes: not recognised on a 4-space line after a newline (lexer code, 0.14.1)', () => {
  assert.deepEqual(only('- item\n    - nested .red[x]').content, ['- item\n    - nested .red[x]']);
});

test('findUnbalancedContentClasses points at classes whose bracket never closes', () => {
  const source = '  a\n  b .x.y[ oops\n  ```\n  .z[\n  ```\n  \\.e[';
  assert.deepEqual(findUnbalancedContentClasses(source), [{ line: 2, column: 5, classes: ['x', 'y'] }]);
  assert.deepEqual(findUnbalancedContentClasses('.a[ .b[x] ]'), []);
});

// Where each slide comes from

test('each slide records the 1-based line where its text starts', () => {
  const { slides } = parseSource('A\n\n---\nexclude: true\nB\n--\n\nC\n???\nn\n---\nD\n---');
  assert.deepEqual(
    slides.map((slide) => slide.line),
    [1, 7, 12, 13],
  );
});

// Real decks

const fixtures = join(import.meta.dirname, '../fixtures/container-training');

test('every container.training fixture chapter parses', () => {
  const chapters = ['shared', 'swarm', 'k8s'].flatMap((dir) => readdirSync(join(fixtures, dir)).map((file) => join(fixtures, dir, file)));
  assert.ok(chapters.length > 20);
  for (const chapter of chapters) {
    const { slides } = parseSource(decodeAsTextarea(readFileSync(chapter, 'utf8')));
    assert.ok(slides.length > 0, chapter);
  }
});

test('swarm/netshoot.md has 24 slides: 21 "---" and 2 "--", none inside code or classes', () => {
  const { slides } = parseSource(decodeAsTextarea(readFileSync(join(fixtures, 'swarm/netshoot.md'), 'utf8')));
  assert.equal(slides.length, 24);
  assert.deepEqual(
    slides.slice(0, 4).map((slide) => [slide.line, slide.properties.continued]),
    [
      [1, 'false'],
      [16, 'true'],
      [22, 'true'],
      [28, 'false'],
    ],
  );
});
