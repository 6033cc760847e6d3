// Finds what a person most likely got wrong in a deck, all at once, each with the file:line to fix.
// Pure: file existence is asked through the `files` reader given.
import { findContentClassesAcrossSlides, findUnbalancedContentClasses } from './split.ts';
import { locate, type SourceMap } from './source-map.ts';
import { chapterEntries, dirnameOf, resolvePath, type AssemblyWarning, type DeckManifest } from './manifest.ts';
import { handsOnBlocks, parseHandsOnBlock } from './steps.ts';
import type { ModelSlide } from './types.ts';
import { elementAt, type SourceLocation } from '../errors.ts';

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly location: SourceLocation;
  readonly message: string;
}

export interface LintInput {
  /** The assembled markdown as remark.js reads it (after decodeAsTextarea when the deck uses it) and its map. */
  readonly markdown: string;
  readonly map: SourceMap;
  /** The shown slides, built from `markdown`. */
  readonly model: readonly ModelSlide[];
  readonly handsOnClasses: readonly string[];
  /** The manifest the deck was assembled from, to check all of its chapter files (optional for single files). */
  readonly manifest?: DeckManifest;
  readonly files: { exists(path: string): boolean };
  /** The warnings of assembling `markdown` from the manifest (AssembledSource.warnings). */
  readonly assemblyWarnings?: readonly AssemblyWarning[];
}

/** Properties remark.js 0.14.1 gives a meaning to; any other first-line `key:` is most likely swallowed text. */
const knownProperties = new Set([
  'name',
  'class',
  'layout',
  'template',
  'count',
  'exclude',
  'continued',
  'background-image',
  'background-color',
  'background-size',
  'background-position',
  'highlight-style',
]);

export function formatDiagnostic(diagnostic: Diagnostic): string {
  return `${diagnostic.location.file}:${diagnostic.location.line}: ${diagnostic.message}`;
}

export function lintDeck(input: LintInput): Diagnostic[] {
  const lines = input.markdown.split('\n');
  const at = (line: number) => locate(input.map, line);
  const diagnostics = [
    ...missingChapterFiles(input),
    ...(input.assemblyWarnings ?? []).map((warning) => ({ severity: 'warning' as const, ...warning })),
    ...unbalancedContentClasses(input.markdown, lines, at),
    ...contentClassesAcrossSlides(input.markdown, at),
    ...missingImages(lines, input, at),
    ...missingRecordings(lines, input, at),
    ...swallowedProperties(lines, input, at),
    ...duplicateNames(input.model, at),
    ...unknownAnchors(lines, input.model, at),
    ...handsOnWithoutSteps(lines, input, at),
  ];
  return diagnostics.sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line);
}

function missingChapterFiles(input: LintInput): Diagnostic[] {
  const manifest = input.manifest;
  if (!manifest) return [];
  const dir = dirnameOf(manifest.file);
  return chapterEntries(manifest.content)
    .filter((entry) => !input.files.exists(resolvePath(dir, entry.path)))
    .map((entry) => ({ severity: 'error' as const, location: entry.location, message: `chapter file not found: ${entry.path}` }));
}

function unbalancedContentClasses(markdown: string, lines: string[], at: (line: number) => SourceLocation): Diagnostic[] {
  return findUnbalancedContentClasses(markdown).map((unclosed) => {
    const stray = strayOpeningBracket(lines, unclosed.line);
    const strayAt = stray === undefined ? undefined : at(stray);
    const hint = strayAt ? `; remark.js counts brackets even inside code: the "[" at ${strayAt.file}:${strayAt.line} is likely the stray one` : '';
    const name = `.${unclosed.classes.join('.')}[`;
    return { severity: 'error', location: at(unclosed.line), message: `"${name}" is never closed by a matching "]"${hint}` };
  });
}

function contentClassesAcrossSlides(markdown: string, at: (line: number) => SourceLocation): Diagnostic[] {
  return findContentClassesAcrossSlides(markdown).map((found) => {
    const opened = at(found.line);
    const ends = at(found.separatorLine);
    const where = ends.file === opened.file ? `line ${ends.line}` : `${ends.file}:${ends.line}`;
    const name = `.${found.classes.join('.')}[`;
    return {
      severity: 'warning',
      location: opened,
      message: `"${name}" opened here is not closed before the slide ends at ${where}: remark.js shows the slides up to its "]" inside it`,
    };
  });
}

/** The first line of code inside the unclosed block (up to the next slide) with more `[` than `]`, 1-based. */
function strayOpeningBracket(lines: string[], openingLine: number): number | undefined {
  let inFence = false;
  for (let i = openingLine; i < lines.length && !isSeparator(elementAt(lines, i)); i++) {
    const line = elementAt(lines, i);
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const inCode = inFence || line.includes('`');
    if (inCode && count(line, '[') > count(line, ']')) return i + 1;
  }
  return undefined;
}

function missingImages(lines: string[], input: LintInput, at: (line: number) => SourceLocation): Diagnostic[] {
  const manifestDir = input.manifest ? dirnameOf(input.manifest.file) : undefined;
  const diagnostics: Diagnostic[] = [];
  lines.forEach((line, i) => {
    const references = [
      ...line.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)/g),
      ...line.matchAll(/<img\b[^>]*\bsrc=["']([^"']+)["']/gi),
      ...line.matchAll(/^background-image:\s*url\(\s*["']?([^"')]+)/g),
    ].map((match) => elementAt(match, 1));
    for (const reference of references) {
      if (/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(reference)) continue; // URLs, absolute paths and anchors are served
      const location = at(i + 1);
      const path = elementAt(reference.split(/[?#]/), 0);
      // A chapter's images are relative to its folder, or to the deck's page (container.training's images/).
      const candidates = [resolvePath(dirnameOf(location.file), path)];
      if (manifestDir !== undefined && !candidates.includes(resolvePath(manifestDir, path))) candidates.push(resolvePath(manifestDir, path));
      if (!candidates.some((candidate) => input.files.exists(candidate))) {
        diagnostics.push({ severity: 'warning', location, message: `image not found: ${reference} (looked for ${candidates.join(' and ')})` });
      }
    }
  });
  return diagnostics;
}

/**
 * Recordings embedded with `.replay[demo.cast]`: the page loads them relative to itself (the workshop folder, the
 * manifest's), as the server serves them and `build` copies them.
 */
function missingRecordings(lines: string[], input: LintInput, at: (line: number) => SourceLocation): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const embeds: { readonly reference: string; readonly line: number }[] = [];
  lines.forEach((line, i) => {
    for (const match of line.matchAll(/\.replay(?:\.[-\w]+)*\[\s*([^\]\s]+)\s*\]/g)) embeds.push({ reference: elementAt(match, 1), line: i + 1 });
    // The block form: `.replay[` alone, the path on the next line.
    const path = /\.replay(?:\.[-\w]+)*\[\s*$/.test(line) ? /^\s*([^\]\s]+)\s*$/.exec(lines[i + 1] ?? '') : null;
    if (path) embeds.push({ reference: elementAt(path, 1), line: i + 2 });
  });
  for (const { reference, line } of embeds) {
    if (/^([a-z][a-z0-9+.-]*:|\/)/i.test(reference)) continue; // URLs and root paths are not files of the workshop
    const location = at(line);
    const page = input.manifest ? dirnameOf(input.manifest.file) : dirnameOf(location.file);
    const path = resolvePath(page, elementAt(reference.split(/[?#]/), 0));
    if (!input.files.exists(path)) diagnostics.push({ severity: 'warning', location, message: `recording not found: ${reference} (looked for ${path})` });
  }
  return diagnostics;
}

function swallowedProperties(lines: string[], input: LintInput, at: (line: number) => SourceLocation): Diagnostic[] {
  const variables = new Set([...input.markdown.matchAll(/\{\{\s*([-\w]+)\s*\}\}/g)].map((match) => elementAt(match, 1)));
  const diagnostics: Diagnostic[] = [];
  for (const slide of input.model) {
    // remark.js takes `key: value` lines (blank lines allowed between them) from the top of the slide.
    for (let i = slide.line - 1; i < lines.length; i++) {
      const line = elementAt(lines, i);
      if (line === '') continue;
      const property = /^([-\w]+):(.*)$/.exec(line);
      if (!property) break;
      const key = elementAt(property, 1);
      if (!knownProperties.has(key) && !variables.has(key)) {
        diagnostics.push({
          severity: 'warning',
          location: at(i + 1),
          message: `"${line.slice(0, 40)}" starts the slide, so remark.js takes it as the property "${key}" and does not show it`,
        });
      }
    }
  }
  return diagnostics;
}

function duplicateNames(model: readonly ModelSlide[], at: (line: number) => SourceLocation): Diagnostic[] {
  const first = new Map<string, ModelSlide>();
  const diagnostics: Diagnostic[] = [];
  for (const slide of model) {
    if (slide.name === undefined || slide.name === '') continue;
    const previous = first.get(slide.name);
    if (!previous) {
      first.set(slide.name, slide);
      continue;
    }
    const where = at(previous.line);
    diagnostics.push({
      severity: 'warning',
      location: at(slide.line),
      message: `slide name "${slide.name}" is already used at ${where.file}:${where.line}; links to #${slide.name} go there`,
    });
  }
  return diagnostics;
}

function unknownAnchors(lines: string[], model: readonly ModelSlide[], at: (line: number) => SourceLocation): Diagnostic[] {
  const names = new Set(model.flatMap((slide) => (slide.name ? [slide.name] : [])));
  const known = (anchor: string) => names.has(anchor) || (/^\d+$/.test(anchor) && Number(anchor) >= 1 && Number(anchor) <= model.length) || anchor === 'toc-'; // markmaker's "previous/next section" of the first and last titles
  const diagnostics: Diagnostic[] = [];
  for (const slide of model) {
    for (let i = slide.line - 1; i < lines.length && !isSeparator(elementAt(lines, i)); i++) {
      const anchors = [...elementAt(lines, i).matchAll(/\]\(#([^)\s]*)\)|href=["']#([^"']*)["']/g)].map((match) => match[1] ?? elementAt(match, 2));
      for (const anchor of anchors) {
        if (anchor === '' || known(anchor)) continue;
        const hint = anchor.startsWith('toc-part-') ? ' (generated title slides link to the table of contents: put @@TOC@@ in a chapter)' : '';
        diagnostics.push({ severity: 'warning', location: at(i + 1), message: `link to #${anchor}: no shown slide has that name or number${hint}` });
      }
    }
  }
  return dedupe(diagnostics);
}

function handsOnWithoutSteps(lines: string[], input: LintInput, at: (line: number) => SourceLocation): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const slide of input.model) {
    let searchFrom = slide.line - 1;
    for (const block of handsOnBlocks(slide.ownContent, input.handsOnClasses)) {
      const opening = findLine(lines, searchFrom, (line) => input.handsOnClasses.some((name) => line.includes(`.${name}[`)));
      const line = opening >= 0 ? opening + 1 : slide.line;
      searchFrom = opening >= 0 ? opening + 1 : searchFrom;
      if (parseHandsOnBlock(block.markdown).length > 0 || insideComment(lines, slide.line - 1, line - 1)) continue;
      diagnostics.push({ severity: 'warning', location: at(line), message: 'hands-on block without steps: write each step as a list item ("- Run this:")' });
    }
  }
  return diagnostics;
}

/** The index of the first line from `from` on that matches, or -1 (searching from 0 made lint quadratic). */
function findLine(lines: readonly string[], from: number, matches: (line: string) => boolean): number {
  for (let i = from; i < lines.length; i++) if (matches(elementAt(lines, i))) return i;
  return -1;
}

/** Whether an HTML comment opened between lines `from` and `to` (0-based) is still open on line `to`. */
function insideComment(lines: string[], from: number, to: number): boolean {
  const text = lines.slice(from, to + 1).join('\n');
  return text.lastIndexOf('<!--') > text.lastIndexOf('-->');
}

/** A slide separator line of remark.js (`---` or `--` alone on its line). */
function isSeparator(line: string): boolean {
  return line === '---' || line === '--';
}

function count(text: string, character: string): number {
  return text.split(character).length - 1;
}

/** Increments repeat the text of the slide they continue; report each place once. */
function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((diagnostic) => {
    const key = formatDiagnostic(diagnostic);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
