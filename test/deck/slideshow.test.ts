// remark.js 0.14.1 createSlides + container.training's fork, one test per rule
// (remark.js: https://github.com/gnab/remark, src/remark/models/; the fork: https://github.com/jpetazzo/container.training).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSlideshow } from '../../src/deck/slideshow.ts';
import { decodeAsTextarea, parseSource } from '../../src/deck/split.ts';
import type { SlideshowOptions } from '../../src/deck/types.ts';

const defaults: SlideshowOptions = { excludedClasses: [], countIncrementalSlides: true };
const model = (source: string, options: Partial<SlideshowOptions> = {}) => buildSlideshow(parseSource(source), { ...defaults, ...options });
const contents = (source: string, options: Partial<SlideshowOptions> = {}) => model(source, options).map((slide) => slide.content);

// §3.3 template resolution

test('layout: true slides are not shown; their content starts every following slide (§11 case 9)', () => {
  assert.deepEqual(contents('layout: true\na\n---\nb'), [['\na', 'b']]);
});

test('template: an earlier named slide is merged in (§11 case 9)', () => {
  assert.deepEqual(contents('name: a\na\n---\ntemplate: a\nb'), [['\na'], ['\na', '\nb']]);
});

test('template: a forward reference is silently ignored', () => {
  const source = 'template: y\nA\n---\nname: y\nY\n---\ntemplate: y\nZ';
  assert.deepEqual(contents(source), [['\nA'], ['\nY'], ['\nY', '\nZ']]);
});

test('layout: false cancels the layout for this slide and the following ones', () => {
  assert.deepEqual(contents('layout: true\nL\n---\nA\n---\nlayout: false\nB\n---\nC'), [['\nL', 'A'], ['\nB'], ['C']]);
});

test('a new layout replaces the previous one without inheriting from it', () => {
  assert.deepEqual(contents('layout: true\nL1\n---\nlayout: true\nL2\n---\nA'), [['\nL2', 'A']]);
});

test('priority: template: beats layout: false, which then does not cancel the layout', () => {
  const source = 'name: x\nlayout: true\nX\n---\nlayout: true\nL\n---\ntemplate: x\nlayout: false\nA\n---\nB';
  assert.deepEqual(contents(source), [
    ['\nX', '\nA'],
    ['\nL', 'B'],
  ]);
});

test('priority: a continued slide builds on the previous shown slide, never on the layout again', () => {
  assert.deepEqual(contents('layout: true\nL\n---\nA\n--\nB'), [
    ['\nL', 'A'],
    ['\nL', 'A', 'B'],
  ]);
});

test('a -- right after a layout has nothing to continue and gets no layout either', () => {
  assert.deepEqual(contents('layout: true\nL\n--\nB'), [['B']]);
});

// §3.4 inheritance

test('class is concatenated "template, own" and split on commas and spaces (§11 case 10)', () => {
  const [slide] = model('class: a\nlayout: true\nx\n---\nclass: b c\ny');
  assert.equal(slide!.properties.class, 'a, b c');
  assert.deepEqual(slide!.classes, ['a', 'b', 'c']);
});

test('name, layout and count are not inherited; other properties are, own values winning', () => {
  const source = 'name: t\ncount: false\nbackground-image: url(a.png)\nkey: t\nT\n---\ntemplate: t\nkey: own\nA';
  const [, slide] = model(source);
  assert.deepEqual(slide!.properties, {
    continued: 'false',
    template: 't',
    key: 'own',
    'background-image': 'url(a.png)',
  });
  assert.equal(slide!.name, undefined);
});

test('{{content}} in a template is replaced by String(own content): commas and [object Object]', () => {
  const [slide] = model('layout: true\n<div class="w">\n{{content}}\n</div>\n---\n# A\n.red[x] y');
  assert.deepEqual(slide!.content, ['\n<div class="w">\n# A\n,[object Object], y\n</div>']);
});

test('{{content}} inside a template content class wraps the own text', () => {
  const [slide] = model('layout: true\n.wrap[\n{{content}}\n]\n---\n# A\nbody');
  assert.deepEqual(slide!.content, ['\n', { classes: ['wrap'], block: true, content: ['\n# A\nbody\n'] }]);
});

test('an increment after a {{content}} layout appends after the wrapper', () => {
  const [, second] = model('layout: true\n.wrap[\n{{content}}\n]\n---\nA\n--\nB');
  assert.deepEqual(second!.content, ['\n', { classes: ['wrap'], block: true, content: ['\nA\n'] }, 'B']);
});

test('notes: template notes + "\\n\\n" + own notes, coerced like JavaScript strings', () => {
  const [slide] = model('layout: true\nL\n???\nlayout notes\n---\nA\n???\nown .b[y]');
  assert.deepEqual(slide!.notes, ['layout notes\n\nown ,[object Object]']);
});

test('notes: increments repeat the previous notes, even when they have none', () => {
  const slides = model('A\n???\nnA\n--\nB\n???\nnB\n--\nC');
  assert.deepEqual(
    slides.map((slide) => slide.notes),
    [['nA'], ['nA\n\nnB'], ['nA\n\nnB\n\n']],
  );
});

// §2.2 increments

test('increments glue the previous content and the new text without a newline', () => {
  assert.deepEqual(contents('- one\n--\n- two'), [['- one'], ['- one', '- two']]);
  const [, second] = model('# B\n--\nmore');
  assert.equal(second!.continued, true);
  assert.deepEqual(second!.ownContent, ['more']);
});

test('an increment after an exclude: true slide continues from the last kept slide', () => {
  assert.deepEqual(contents('A\n---\nexclude: true\nB\n--\nC'), [['A'], ['A', 'C']]);
});

// §4.1 variables

test('{{ name }} expands property values (trimmed names), in code too; unknown ones stay', () => {
  const [slide] = model('title: T\n```\n{{ title }} {{ .Values.x }}\n```\n.x[{{title}}]');
  const inline = { classes: ['x'], block: false, content: ['T'] };
  assert.deepEqual(slide!.content, ['\n```\nT {{ .Values.x }}\n```\n', inline]);
});

test('variables are never expanded in notes; {{content}} on a plain slide becomes empty', () => {
  const [slide] = model('title: T\nA {{content}}\n???\n{{title}}');
  assert.deepEqual(slide!.content, ['\nA ']);
  assert.deepEqual(slide!.notes, ['{{title}}']);
});

test('\\{{x}} renders {{x}} on its own slide, but a lone backslash once inherited (remark bug)', () => {
  const slides = model('title: T\nA \\{{title}}\n--\nB');
  assert.deepEqual(
    slides.map((slide) => slide.content),
    [['\nA {{title}}'], ['\nA \\', 'B']],
  );
});

test('an increment fills an unexpanded {{content}} of the previous slide with its own text', () => {
  assert.deepEqual(contents('A {{content}}\n--\nB'), [['A '], ['A B']]);
});

// §3.2 byName

test('byName includes layouts and class-excluded slides (whose class then excludes their users too)', () => {
  const source = 'name: l\nlayout: true\nL\n---\nlayout: false\nname: e\nclass: hidden\nE\n---\ntemplate: l\nA\n---\ntemplate: e\nB';
  assert.deepEqual(contents(source, { excludedClasses: ['hidden'] }), [['\nL', '\nA']]);
  assert.deepEqual(contents(source), [['\nE'], ['\nL', '\nA'], ['\nE', '\nB']]);
});

// §0/§4.5 the fork's excludedClasses

test('excludedClasses: checked after inheritance, on the class split on ", " only', () => {
  const source = 'class: extra-details, deep-dive\nA\n---\nclass: snap,prom\nB\n---\nclass: k\nlayout: true\nL\n---\nC';
  assert.deepEqual(contents(source, { excludedClasses: ['deep-dive', 'prom'] }), [['\nB'], ['\nL', 'C']]);
  assert.deepEqual(contents(source, { excludedClasses: ['k'] }).length, 2);
});

test('excludedClasses: an increment continues from the last kept slide', () => {
  const source = 'A\n---\nclass: extra-details\nB\n--\nC\n---\nD';
  const slides = model(source, { excludedClasses: ['extra-details'] });
  assert.deepEqual(
    slides.map((slide) => slide.content),
    [['A'], ['A', 'C'], ['D']],
  );
});

test('excludedClasses: an increment with no kept slide before it starts from nothing', () => {
  const source = 'class: extra-details\nB\n--\nC\n---\nD';
  assert.deepEqual(contents(source, { excludedClasses: ['extra-details'] }), [['C'], ['D']]);
});

// §4.2 numbering, positions

test('numbers: count: false slides do not advance the number, which is at least 1', () => {
  const slides = model('count: false\na\n---\nb\n---\ncount: false\nc\n---\nd');
  assert.deepEqual(
    slides.map((slide) => [slide.position, slide.number]),
    [
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
    ],
  );
});

test('numbers: countIncrementalSlides false gives increments count: false unless they set it (§11 case 13)', () => {
  const slides = model('a\n--\nb\n--\ncount: true\nc', { countIncrementalSlides: false });
  const counts = slides.map((slide) => [slide.properties.count, slide.number]);
  assert.deepEqual(counts, [
    [undefined, 1],
    ['false', 1],
    ['true', 2],
  ]);
});

test('each shown slide keeps the line where its own text starts', () => {
  const slides = model('layout: true\nL\n---\nA\n--\nB', {});
  assert.deepEqual(
    slides.map((slide) => slide.line),
    [4, 6],
  );
});

test('building does not change the parsed deck', () => {
  const deck = parseSource('title: T\nA {{title}}\n--\nB');
  const before = structuredClone(deck);
  buildSlideshow(deck, defaults);
  assert.deepEqual(deck, before);
});

test('swarm/netshoot.md: 24 slides; 15 carry extra-details (3 of them increments); 23 without in-person', () => {
  const path = join(import.meta.dirname, '../fixtures/container-training/swarm/netshoot.md');
  const deck = parseSource(decodeAsTextarea(readFileSync(path, 'utf8')));
  assert.equal(buildSlideshow(deck, defaults).length, 24);
  assert.equal(buildSlideshow(deck, { ...defaults, excludedClasses: ['in-person'] }).length, 23);
  const kept = buildSlideshow(deck, { ...defaults, excludedClasses: ['extra-details'] });
  assert.deepEqual(
    kept.map((slide) => slide.line),
    [28, 48, 70, 92, 109, 127, 150, 168, 384],
  );
  assert.deepEqual(
    kept.map((slide) => slide.number),
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
});
