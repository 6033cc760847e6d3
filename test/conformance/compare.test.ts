import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSlideLists, describeDifferences, summary, type ComparableSlide } from './compare.ts';

const slide = (overrides: Partial<ComparableSlide> = {}): ComparableSlide => ({
  name: undefined,
  classes: [],
  numberText: '1/1',
  continued: false,
  html: '<h1 id="a">A</h1>\n<p>text</p>',
  notesHtml: '',
  ...overrides,
});

test('equal lists after normalisation', () => {
  const result = compareSlideLists([slide()], [slide({ html: '<h1 id="a">A</h1><p>text</p>\n' })]);
  assert.equal(result.equal, 1);
  assert.equal(summary(result), '1/1 (100.0%)');
});

test('each plain field is compared', () => {
  const expected = slide({ name: 'intro', classes: ['title', 'pic'], numberText: '2/3', continued: true, notesHtml: '<p>n</p>' });
  const cases: Array<[Partial<ComparableSlide>, string]> = [
    [{ name: undefined }, 'name'],
    [{ classes: ['title'] }, 'classes'],
    [{ numberText: '2/4' }, 'numberText'],
    [{ continued: false }, 'continued'],
    [{ notesHtml: '<p>m</p>' }, 'notesHtml'],
  ];
  for (const [change, field] of cases) {
    const result = compareSlideLists([expected], [{ ...expected, ...change }]);
    assert.deepEqual(
      result.slides[0]?.differences.map((d) => d.field),
      [field],
    );
  }
  assert.equal(compareSlideLists([expected], [{ ...expected, classes: ['title', 'pic', 'title'] }]).equal, 1);
});

test('content differences name the first differing path and both texts', () => {
  const expected = slide({ html: '<div class="exercise"><ul><li>one</li><li>two <code class="remark-inline-code">x</code></li></ul></div>' });
  const actual = slide({ html: '<div class="exercise"><ul><li>one</li><li>two <code class="remark-inline-code">y</code></li></ul></div>' });
  const [difference] = compareSlideLists([expected], [actual]).slides[0]?.differences ?? [];
  assert.ok(difference, 'one difference');
  assert.equal(difference.field, 'html');
  assert.equal(difference.path, 'div.exercise[1] > ul[1] > li[2] > code.remark-inline-code[1] > #text[1]');
  assert.equal(difference.expected, 'x');
  assert.equal(difference.actual, 'y');
});

test('a missing slide is one unequal slide and the count mismatch is reported', () => {
  const result = compareSlideLists([slide(), slide({ numberText: '2/2' })], [slide()]);
  assert.equal(result.total, 2);
  assert.equal(result.equal, 1);
  assert.equal(summary(result), '1/2 (50.0%)');
  const report = describeDifferences(result);
  assert.match(report, /slide count: remark\.js 2, labdeck 1/);
  assert.match(report, /slide 2:\n  slide\n    remark\.js: present\n    labdeck:   \(missing\)/);
});
