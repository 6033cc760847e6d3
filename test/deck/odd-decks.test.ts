// Decks that are odd rather than wrong: absurd nesting, a content class left open across slides, includes that
// include themselves, chapters that are not text. Each gets a clear `file:line` message instead of a crash or silence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWorkshop } from '../../src/config/workshop.ts';
import { assembleDeckSource, type DeckFiles } from '../../src/deck/manifest.ts';
import { decodeAsTextarea, parseSource } from '../../src/deck/split.ts';
import { buildSlideshow } from '../../src/deck/slideshow.ts';
import { formatDiagnostic, lintDeck } from '../../src/deck/lint.ts';
import { locate } from '../../src/deck/source-map.ts';
import { renderMarkdownDeck } from '../../src/deck/render-deck.ts';
import { LabdeckError } from '../../src/errors.ts';

function memory(files: Record<string, string>): DeckFiles {
  return { read: (path) => files[path] };
}

/** Lints a one-chapter workshop w/workshop.yml → w/c.md (plus `extra` files) the way `labdeck lint` does. */
function lintChapter(chapter: string, extra: Record<string, string> = {}): string[] {
  const workshop = parseWorkshop('title: T\ncontent:\n- c.md\n', 'w/workshop.yml');
  const files = { 'w/c.md': chapter, ...extra };
  const source = assembleDeckSource(workshop, memory(files));
  const markdown = decodeAsTextarea(source.markdown);
  const model = buildSlideshow(
    parseSource(markdown, (line) => locate(source.map, line)),
    { excludedClasses: [], countIncrementalSlides: true },
  );
  const exists = (path: string) => path in files;
  return lintDeck({ markdown, map: source.map, model, handsOnClasses: ['exercise'], manifest: workshop, files: { exists } }).map(formatDiagnostic);
}

test('content classes nested 3,000 deep: a deck error at the line that goes too deep, not a stack overflow', { timeout: 30_000 }, () => {
  const markdown = `# Deep\n\n${'.red[\n'.repeat(3000)}x${']'.repeat(3000)}\n`;
  assert.throws(
    () => renderMarkdownDeck(markdown),
    (error: unknown) => error instanceof LabdeckError && /^<deck>:103: content classes nested deeper than 100: "\.red\[" here opens level 101/.test(error.message),
  );
  // 100 levels are fine.
  const fine = renderMarkdownDeck(`${'.red['.repeat(100)}x${']'.repeat(100)}`);
  assert.equal(fine.slides.length, 1);
});

test('a content class left open across --- is a warning at its opening line, naming where the slide ended', { timeout: 10_000 }, () => {
  const diagnostics = lintChapter('# One\n\n.left[\n- a point\n\n---\n\n## Two\n\n- b]\n');
  assert.deepEqual(
    diagnostics.filter((line) => line.includes('not closed before the slide ends')),
    ['w/c.md:3: ".left[" opened here is not closed before the slide ends at line 6: remark.js shows the slides up to its "]" inside it'],
  );
  // Closed before the separator, or --- only inside a code block of the class: nothing to say.
  assert.deepEqual(lintChapter('# One\n\n.left[\n- a\n]\n\n---\n\n## Two\n'), []);
  assert.deepEqual(lintChapter('# One\n\n.left[\n```\n---\n```\n]\n'), []);
});

test('text that looks like an HTML-block placeholder of the renderer is shown as written, not as `undefined` or a crash', { timeout: 10_000 }, () => {
  // Private-use characters around a number: what marked-compat.ts puts where an HTML block goes. Here there is one
  // HTML block (index 0), so index 7 names none.
  const deck = renderMarkdownDeck('# A\n\n<div>html</div>\n\nodd \uE0027\uE003 text\n');
  const html = deck.slides[0]?.html ?? '';
  assert.match(html, /<div>html<\/div>/);
  assert.match(html, /<p>odd \uE0027\uE003 text<\/p>/, html);
});
