import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRenderer, renderContent, renderSlides, slideNumberText } from '../../src/deck/render.ts';
import type { ContentNode, LinkTable, ModelSlide, RenderOptions } from '../../src/deck/types.ts';
import { assertGolden } from '../support/golden.ts';

const casesDir = join(import.meta.dirname, 'render-cases');
const options: RenderOptions = { highlightSpans: true, highlightLanguage: '', slideNumberFormat: '%current%/%total%' };

/**
 * Golden cases are written in a reduced remark.js syntax, read here so the renderer is tested on its own:
 * `---` separates slides, `???` starts notes, `[id]: url "title"` lines are deck-wide link definitions, and
 * `.a.b[ ... ]` (balanced brackets, `\.` escapes) is a content class, block when its text holds a newline.
 */
function contentOf(text: string): ContentNode[] {
  const nodes: ContentNode[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const match = /^(\\)?((?:\.[a-zA-Z_-][\w-]*)+)\[/.exec(text.slice(i));
    if (match && (i === 0 || text[i - 1] !== '\\' || match[1])) {
      if (match[1]) {
        plain += match[0].slice(1);
        i += match[0].length;
        continue;
      }
      let depth = 1;
      let end = i + match[0].length;
      while (depth > 0 && end < text.length) {
        depth += text[end] === '[' ? 1 : text[end] === ']' ? -1 : 0;
        end++;
      }
      const inner = text.slice(i + match[0].length, end - 1);
      if (plain) nodes.push(plain);
      plain = '';
      nodes.push({ classes: match[2]!.slice(1).split('.'), block: inner.includes('\n'), content: contentOf(inner) });
      i = end;
      continue;
    }
    plain += text[i];
    i++;
  }
  if (plain) nodes.push(plain);
  return nodes;
}

function readCase(source: string): { slides: ModelSlide[]; links: LinkTable } {
  const links: LinkTable = {};
  const withoutDefinitions = source.replace(/^\[([^\]]+)\]: *(\S+)(?: +"([^"]*)")? *\n/gm, (_, id, href, title) => {
    links[String(id).toLowerCase()] = title === undefined ? { href } : { href, title };
    return '';
  });
  const slides = withoutDefinitions.split(/\n---\n/).map((text, index): ModelSlide => {
    const [body, notes] = text.split(/\n\?\?\?\n/);
    const content = contentOf(body!);
    return {
      position: index + 1,
      number: index + 1,
      name: undefined,
      classes: [],
      properties: {},
      content,
      ownContent: content,
      notes: notes === undefined ? [] : contentOf(notes),
      continued: false,
      line: 1,
    };
  });
  return { slides, links };
}

function renderCase(source: string): string {
  const { slides, links } = readCase(source);
  return renderSlides(slides, links, options)
    .map((slide) => `<!-- slide ${slide.numberText} -->\n${slide.html}\n<!-- notes -->\n${slide.notesHtml}\n`)
    .join('');
}

for (const file of readdirSync(casesDir)
  .filter((name) => name.endsWith('.md'))
  .sort()) {
  test(`golden: ${file}`, () => {
    const actual = renderCase(readFileSync(join(casesDir, file), 'utf8'));
    // UPDATE=1 rewrites the goldens that differ and fails, listing them: review, then run again without it.
    assertGolden(actual, join(casesDir, file.replace(/\.md$/, '.html')), process.env.UPDATE === '1');
  });
}

test('renderContent follows convertMarkdown: inline unwrap, empty paragraphs, trailing newline', () => {
  assert.equal(
    renderContent(['before ', { classes: ['whatever'], block: false, content: ['some _fancy_ content'] }, ' after'], {}),
    '<p>before <span class="whatever">some <em>fancy</em> content</span> after</p>',
  );
  assert.equal(renderContent([{ classes: ['a'], block: true, content: ['\nx\n'] }], {}), '<div class="a"><p>x</p>\n</div>');
  // marked: '<p>a</p>\n<p> </p>\n\n<p>b</p>\n', then remark.js removes the empty paragraph and one trailing newline.
  assert.equal(renderContent(['a\n\n<p> </p>\n\nb'], {}), '<p>a</p>\n\n\n<p>b</p>');
  assert.equal(renderContent(['*x*'], {}, true), '<em>x</em>');
  assert.equal(renderContent(['  \n\n  # Title'], {}), '<h1 id="title">Title</h1>');
});

test('marked decides looseness item by item, and two blank lines end a list', () => {
  assert.equal(
    renderContent(['- a\n- b\n\n- c\n- d\n\n\n- e'], {}),
    '<ul>\n<li>a</li>\n<li>\n<p>b</p>\n</li>\n<li>\n<p>c</p>\n</li>\n<li>d</li>\n</ul>\n<ul>\n<li>e</li>\n</ul>',
  );
});

test("a class's HTML is spliced into its parent's markdown, so code swallowing it shows marked's references", () => {
  // `.lab[` closed early by the `]` of `echo "]"`: the parent's fence then holds the class's closing tags.
  const lab = { classes: ['lab'], block: true, content: ['\n\n- step:\n  ```bash\n  echo "'] };
  assert.equal(
    renderContent([lab, '\n  ```\n'], {}),
    '<div class="lab"><ul>\n<li>step:\n<pre><code class="bash">echo &amp;quot;&lt;/li>\n&lt;/ul>\n&lt;/div>\n</code></pre>\n' + '</li></ul></div>',
  );
});

test('a block class inside a paragraph splits it as the browser does', () => {
  const html = renderContent(['Some text ', { classes: ['red'], block: true, content: ['with\nnewline'] }, ' end'], {});
  assert.equal(html, '<p>Some text </p><div class="red"><p>with\nnewline</p>\n</div> end');
});

test('sanitizing removes scripts, handlers and javascript: URLs but keeps classes and heading ids', () => {
  const { slides, links } = readCase(readFileSync(join(casesDir, 'sanitize.md'), 'utf8'));
  const [slide] = renderSlides(slides, links, options);
  assert.doesNotMatch(slide!.html, /<script|alert\(1\)<\/script>/);
  assert.doesNotMatch(slide!.html, /onerror|onclick/);
  assert.doesNotMatch(slide!.html, /javascript:/);
  assert.match(slide!.html, /<div class="exercise">/);
  assert.match(slide!.html, /<h2 id="safe-heading-">/);
  assert.match(slide!.html, /<p><img src="x.png" alt="pic"><\/p>/);
});

test('slide number text replaces each placeholder once; total is the last slide number', () => {
  assert.equal(slideNumberText('%current%/%total% (%current%)', 3, 40), '3/40 (%current%)');
  assert.equal(slideNumberText('$& %current%', 1, 2), '$& 1');
  const { slides, links } = readCase('a\n---\nb\n---\nc');
  const numbered = slides.map((slide, i) => ({ ...slide, number: [1, 1, 2][i]! }));
  assert.deepEqual(
    renderSlides(numbered, links, { ...options, slideNumberFormat: 'p. %current% of %total%' }).map((s) => s.numberText),
    ['p. 1 of 2', 'p. 1 of 2', 'p. 2 of 2'],
  );
});

test('highlightLanguage applies to code without a class; highlightSpans can be off', () => {
  const { slides, links } = readCase('```\necho `x`\n```\n\n`inline`');
  const [slide] = renderSlides(slides, links, { ...options, highlightSpans: false, highlightLanguage: 'bash' });
  assert.match(slide!.html, /<code class="bash hljs remark-code"><div class="remark-code-line"><span class="hljs-built_in">echo<\/span> `x`<\/div><\/code>/);
  assert.match(slide!.html, /<code class="bash remark-inline-code">inline<\/code>/);
});

test('a memoising renderer still gives the HTML of the current slides and links', () => {
  const renderer = createRenderer();
  const { slides, links } = readCase('[x]: http://one\n\nSee [x][x].\n---\nplain');
  const first = renderer.renderSlides(slides, links, options);
  const edited = [slides[0]!, { ...slides[1]!, content: ['changed'] }];
  const second = renderer.renderSlides(edited, links, options);
  assert.equal(second[0]!.html, first[0]!.html);
  assert.equal(second[1]!.html, '<p>changed</p>');
  const third = renderer.renderSlides(edited, { x: { href: 'http://two' } }, options);
  assert.match(third[0]!.html, /href="http:\/\/two"/);
});

test('the renderer converts only what changed: unchanged slides come from the cache, new links or options redo all', { timeout: 10_000 }, () => {
  // Counted through an injected converter: equal HTML strings cannot tell a cached slide from a converted one.
  const converted: string[] = [];
  const renderer = createRenderer((content, links) => {
    const text = content
      .map((node) => (typeof node === 'string' ? node : ''))
      .join('')
      .trim();
    converted.push(text);
    return `<p>${text} ${links.x?.href ?? ''}</p>`;
  });
  const { slides, links } = readCase('[x]: http://one\n\nSee [x][x].\n???\nnote\n---\nplain');
  const take = () => converted.splice(0);

  const first = renderer.renderSlides(slides, links, options);
  assert.deepEqual(take(), ['See [x][x].', 'note', 'plain', ''], 'first render: content and notes of each slide');
  assert.equal(first[0]!.html, '<p>See [x][x]. http://one</p>');

  const edited = [slides[0]!, { ...slides[1]!, content: ['changed'] }];
  const second = renderer.renderSlides(edited, links, options);
  assert.deepEqual(take(), ['changed', ''], 'only the edited slide is converted again');
  assert.equal(second[0]!.html, first[0]!.html);

  renderer.renderSlides([...edited, { ...edited[1]!, position: 3, number: 3 }], links, options);
  assert.deepEqual(take(), [], 'a slide with the same content as another is not converted twice');

  renderer.renderSlides(edited, links, { ...options, slideNumberFormat: '%current%' });
  assert.deepEqual(take(), [], 'the slide number format is not part of the HTML');

  const relinked = renderer.renderSlides(edited, { x: { href: 'http://two' } }, options);
  assert.deepEqual(take(), ['See [x][x].', 'note', 'changed', ''], 'new links: every slide again');
  assert.equal(relinked[0]!.html, '<p>See [x][x]. http://two</p>');

  renderer.renderSlides(edited, { x: { href: 'http://two' } }, { ...options, highlightLanguage: 'bash' });
  assert.equal(take().length, 4, 'new highlighting options: every slide again');
});

test('a renderer told the slides rendered earlier (the render cache) converts only what an edit changed', { timeout: 10_000 }, () => {
  const converted: string[] = [];
  const renderer = createRenderer((content) => {
    const text = content.map((node) => (typeof node === 'string' ? node : '')).join('');
    converted.push(text);
    return `<p>${text}</p>`;
  });
  const { slides, links } = readCase('one\n---\ntwo\n---\nthree');
  const earlier = [
    { html: '<p>one</p>', notesHtml: '' },
    { html: '<p>two</p>', notesHtml: '' },
    { html: '<p>three</p>', notesHtml: '' },
  ];
  renderer.remember(slides, links, options, earlier);
  const edited = [slides[0]!, { ...slides[1]!, content: ['TWO'] }, slides[2]!];
  const rendered = renderer.renderSlides(edited, links, options);
  assert.deepEqual(converted, ['TWO', ''], 'only the edited slide is converted');
  assert.deepEqual(
    rendered.map((slide) => slide.html),
    ['<p>one</p>', '<p>TWO</p>', '<p>three</p>'],
  );
  converted.length = 0;
  renderer.remember(slides, links, options, earlier.slice(1));
  const again = renderer.renderSlides(slides, links, options);
  assert.deepEqual(converted, ['two', ''], 'told a different number of slides: ignored, the last generation stays');
  assert.equal(again[1]!.html, '<p>two</p>');
});
