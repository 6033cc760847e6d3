// mermaid diagrams found in a deck's markdown as the page's mermaid reads them (for lint), and in rendered HTML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containsDiagram, findDiagrams } from '../../src/deck/diagrams.ts';

test('findDiagrams: each <pre class="mermaid"> block, its text as mermaid gets it and the line where that starts', { timeout: 5_000 }, () => {
  const markdown = [
    '# Diagrams', //                                   1
    '',
    '<pre class="mermaid">', //                        3
    '', //                                             4: skipped, as mermaid trims
    '    graph LR', //                                 5: line 1 of the diagram
    '      A[Tom &amp; Jerry] --> B', //                6
    '</pre>',
    '',
    "<pre class='big mermaid'>sequenceDiagram", //     9: the text starts on the tag's line
    '  Alice->>Bob: hi</pre>',
  ].join('\n');
  assert.deepEqual(findDiagrams(markdown), [
    { line: 5, text: 'graph LR\n  A[Tom & Jerry] --> B' },
    { line: 9, text: 'sequenceDiagram\n  Alice->>Bob: hi' },
  ]);
});

test('findDiagrams: a block shown as code or hidden in a comment is no diagram', { timeout: 5_000 }, () => {
  const markdown = [
    '```html',
    '<pre class="mermaid">graph LR</pre>',
    '```',
    '<!--',
    '<pre class="mermaid">graph TD</pre>',
    '-->',
    '<pre class="mermaidish">x</pre>',
    '<pre class="mermaid">pie</pre>',
  ].join('\n');
  assert.deepEqual(findDiagrams(markdown), [{ line: 8, text: 'pie' }]);
});

test('findDiagrams: a separator line inside a diagram ends it there, as it ends the slide in remark.js', { timeout: 5_000 }, () => {
  const markdown = ['<pre class="mermaid">', '---', 'title: Front matter', '---', 'graph LR', '</pre>', '', '<pre class="mermaid">pie', '???', '"a": 1</pre>'].join('\n');
  assert.deepEqual(findDiagrams(markdown), [
    { line: 1, text: '', cut: { line: 2, separator: '---' } },
    { line: 8, text: 'pie', cut: { line: 9, separator: '???' } },
  ]);
});

test('containsDiagram: rendered slide HTML with a mermaid block, not a mere mention', { timeout: 5_000 }, () => {
  assert.equal(containsDiagram('<h1>x</h1>\n<pre class="mermaid">graph LR\n</pre>'), true);
  assert.equal(containsDiagram('<pre class="diagram mermaid wide">graph LR</pre>'), true);
  assert.equal(containsDiagram('<p>mermaid draws <code>pre class="mermaid"</code></p>'), false);
  assert.equal(containsDiagram('<pre class="mermaid-like">x</pre>'), false);
});
