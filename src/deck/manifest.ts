// Assembles the markdown of a whole workshop from its manifest, the way container.training's markmaker.py does, so
// that a deck written for it shows the same slides: entries joined by `---`, `.debug[file]` footers, the generated
// table of contents, an interstitial + title slide before every H1, and the @@PLACEHOLDER@@ substitutions.
// Every assembled line keeps where it came from (chapter file:line, or the manifest line that generated it), so that
// errors found later in the pipeline can still name the file a person must edit.
// Pure: files are read through the `DeckFiles` reader the caller passes.
import { LabdeckError } from '../errors.ts';
import type { SourceMap, SourceSegment } from './source-map.ts';
import type { SourceLocation } from './types.ts';

/** A chapter file, its path relative to the manifest's folder as written in the manifest. */
export interface ChapterEntry {
  readonly kind: 'chapter';
  readonly path: string;
  readonly location: SourceLocation;
}

/** A multi-line string of the manifest used as markdown itself. `location` is the line of its first text line. */
export interface FragmentEntry {
  readonly kind: 'fragment';
  readonly markdown: string;
  readonly location: SourceLocation;
}

/** A nested list: at the top level, a part of the table of contents; deeper, just flattened. */
export interface GroupEntry {
  readonly kind: 'group';
  readonly entries: readonly ContentEntry[];
  readonly location: SourceLocation;
}

export type ContentEntry = ChapterEntry | FragmentEntry | GroupEntry;

/** Which of markmaker's generated pieces to produce (all true reproduces container.training). */
export interface GeneratedSlides {
  /** Replace `@@TOC@@` with the table of contents (false: replace it with nothing). */
  readonly toc: boolean;
  /** The `class: title` slide with its `.nav[` links before every H1. */
  readonly titleSlides: boolean;
  /** The `class: pic` interstitial slide before every H1. */
  readonly interstitials: boolean;
  /** The `.debug[...]` footers naming where each slide came from (chapters and generated slides alike). */
  readonly debugFooters: boolean;
}

export const allGeneratedSlides: GeneratedSlides = Object.freeze({
  toc: true,
  titleSlides: true,
  interstitials: true,
  debugFooters: true,
});

/** What assembly needs from a workshop manifest (config.ts's Workshop is one). */
export interface DeckManifest {
  /** Path of the manifest as the user named it; chapter paths are resolved against its folder. */
  readonly file: string;
  readonly title: string;
  /** Placeholder values; an absent one leaves its `@@X@@` visible, so the author sees what to set. */
  readonly chat?: string | undefined;
  readonly gitrepo?: string | undefined;
  readonly slides?: string | undefined;
  readonly zip?: string | undefined;
  readonly html?: string | undefined;
  readonly slidenumberprefix?: string | undefined;
  readonly content: readonly ContentEntry[];
  readonly generated: GeneratedSlides;
}

/** Reads text files; paths are the manifest's folder joined with the relative path (see `resolvePath`). */
export interface DeckFiles {
  read(path: string): string | undefined;
}

export interface AssembledSource {
  readonly markdown: string;
  readonly map: SourceMap;
}

/** Used when the manifest's folder has no interstitials.txt; served by the http module. */
export const defaultInterstitialUrl = '/_labdeck/interstitial.svg';

/** markmaker.py's anchor(): `toc-` + title lower-cased, spaces to `-`, then only ASCII letters and `-` kept. */
export function titleAnchor(title: string): string {
  return 'toc-' + title.toLowerCase().replaceAll(' ', '-').replace(/[^a-zA-Z-]/g, '');
}

/** The deck's HTML `<title>`: markmaker substitutes the title with its newlines turned into spaces there. */
export function pageTitle(title: string): string {
  return title.replaceAll('\n', ' ').trim();
}

// ---------------------------------------------------------------------------------------------------------------
// Paths (POSIX-style, without node:path so that deck/ stays free of platform modules).

export function dirnameOf(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return '.';
  return slash === 0 ? '/' : path.slice(0, slash);
}

/** `base` joined with a relative `path`, `.` and `..` folded; an absolute `path` is returned as it is. */
export function resolvePath(base: string, path: string): string {
  if (path.startsWith('/')) return path;
  const absolute = base.startsWith('/');
  const parts: string[] = [];
  for (const part of `${base}/${path}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part === '..' && absolute) continue;
    else parts.push(part);
  }
  const joined = parts.join('/');
  return absolute ? `/${joined}` : joined || '.';
}

// ---------------------------------------------------------------------------------------------------------------
// Text whose every line remembers its origin. Lines are what `text.split('\n')` gives, so concatenating two texts
// merges the last line of the first with the first line of the second, exactly as string concatenation does.

interface LineOrigin {
  readonly file: string;
  readonly line: number;
  /** Generated lines all point at one manifest line; source lines count up from theirs. */
  readonly generated: boolean;
}

interface TrackedText {
  readonly text: string;
  readonly origins: readonly LineOrigin[];
}

function fromSource(text: string, file: string, firstLine: number): TrackedText {
  const count = countNewlines(text, text.length) + 1;
  return { text, origins: Array.from({ length: count }, (_, i) => ({ file, line: firstLine + i, generated: false })) };
}

function generatedText(text: string, at: SourceLocation): TrackedText {
  const origin: LineOrigin = { file: at.file, line: at.line, generated: true };
  return { text, origins: new Array(countNewlines(text, text.length) + 1).fill(origin) };
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function concat(...parts: TrackedText[]): TrackedText {
  let text = '';
  const origins: LineOrigin[] = [];
  for (const part of parts) {
    if (origins.length === 0) origins.push(...part.origins);
    else {
      // The merged line keeps the origin of the left side, unless only the right side has text on it.
      const leftEmpty = text.length === 0 || text.endsWith('\n');
      const rightFirstLine = part.text.split('\n', 1)[0]!;
      if (leftEmpty && rightFirstLine !== '') origins[origins.length - 1] = part.origins[0]!;
      origins.push(...part.origins.slice(1));
    }
    text += part.text;
  }
  return { text, origins };
}

function slice(source: TrackedText, start: number, end = source.text.length): TrackedText {
  const firstLine = countNewlines(source.text, start);
  const lastLine = firstLine + countNewlines(source.text.slice(start, end), end - start);
  return { text: source.text.slice(start, end), origins: source.origins.slice(firstLine, lastLine + 1) };
}

function originAt(source: TrackedText, index: number): SourceLocation {
  const origin = source.origins[countNewlines(source.text, index)]!;
  return { file: origin.file, line: origin.line };
}

/** Replaces every occurrence of `needle` (left to right, not overlapping, as Python's str.replace does). */
function replaceAll(source: TrackedText, needle: string, replacement: (at: number) => TrackedText): TrackedText {
  const parts: TrackedText[] = [];
  let from = 0;
  for (let at = source.text.indexOf(needle); at >= 0; at = source.text.indexOf(needle, from)) {
    parts.push(slice(source, from, at), replacement(at));
    from = at + needle.length;
  }
  if (parts.length === 0) return source;
  parts.push(slice(source, from));
  return concat(...parts);
}

function toSourceMap(origins: readonly LineOrigin[]): SourceMap {
  const segments: SourceSegment[] = [];
  let previous: LineOrigin | undefined;
  origins.forEach((origin, i) => {
    const continues =
      previous && !previous.generated && !origin.generated && previous.file === origin.file && origin.line === previous.line + 1;
    if (!continues) segments.push({ startLine: i + 1, file: origin.file, fileLine: origin.line });
    previous = origin;
  });
  return { segments };
}

// ---------------------------------------------------------------------------------------------------------------
// markmaker.py, step by step.

/** Titles of one content entry: a flat list for a file or fragment, nested lists for groups (empty ones dropped). */
type TitleTree = readonly (TitleTree | EntryTitle)[];

interface EntryTitle {
  readonly title: string;
  /** The manifest line of the entry it was found in: where its generated slides point. */
  readonly entry: SourceLocation;
}

interface Processed {
  readonly text: TrackedText;
  readonly titles: TitleTree;
}

const separator = '\n---\n';

export function assembleDeckSource(manifest: DeckManifest, files: DeckFiles): AssembledSource {
  const manifestDir = dirnameOf(manifest.file);
  const contentAt: SourceLocation = manifest.content[0]?.location ?? { file: manifest.file, line: 1 };
  const processed = processGroup(manifest.content, contentAt, manifest, files);
  const titles = processed.titles;
  const flat = flattenTitles(titles);

  let markdown = replaceAll(processed.text, '@@TOC@@', () =>
    generatedText(manifest.generated.toc ? generateToc(titles, manifest.generated.debugFooters) : '', contentAt),
  );

  if (manifest.generated.titleSlides || manifest.generated.interstitials) {
    const images = interstitialImages(files.read(resolvePath(manifestDir, 'interstitials.txt')));
    const partOf = partNumbers(titles);
    const names = flat.map((t) => t.title);
    flat.forEach((entry, i) => {
      const image = images[i % images.length]!;
      const index = names.indexOf(entry.title); // markmaker looks the title up by value: duplicates share neighbours
      const slides = generatedTitleSlides(entry.title, image, {
        previous: titleAnchor(names[index - 1] ?? ''),
        next: titleAnchor(names[index + 1] ?? ''),
        toc: `toc-part-${partOf.get(entry.title)}`,
      }, manifest.generated);
      markdown = insertBeforeTitle(markdown, entry.title, generatedText(slides, entry.entry));
    });
  }

  markdown = expandFileReferences(markdown, manifest, files);
  markdown = replaceAll(markdown, '@@TITLE@@', (at) => generatedText(manifest.title.replaceAll('\n', '<br/>'), originAt(markdown, at)));
  const values: [string, string | undefined][] = [
    ['@@CHAT@@', manifest.chat],
    ['@@GITREPO@@', manifest.gitrepo],
    ['@@SLIDES@@', manifest.slides],
    ['@@ZIP@@', manifest.zip],
    ['@@HTML@@', manifest.html],
    ['@@SLIDENUMBERPREFIX@@', manifest.slidenumberprefix],
  ];
  for (const [placeholder, value] of values) {
    if (value === undefined) continue;
    const current = markdown;
    markdown = replaceAll(current, placeholder, (at) => generatedText(value, originAt(current, at)));
  }
  return { markdown: markdown.text, map: toSourceMap(markdown.origins) };
}

function processGroup(entries: readonly ContentEntry[], at: SourceLocation, manifest: DeckManifest, files: DeckFiles): Processed {
  const parts = entries.map((entry) => processEntry(entry, manifest, files));
  const joined: TrackedText[] = [];
  parts.forEach((part, i) => {
    if (i > 0) joined.push(generatedText(separator, entries[i]!.location));
    joined.push(part.text);
  });
  return {
    text: joined.length > 0 ? concat(...joined) : generatedText('', at),
    titles: parts.map((part) => part.titles).filter((titles) => titles.length > 0),
  };
}

function processEntry(entry: ContentEntry, manifest: DeckManifest, files: DeckFiles): Processed {
  switch (entry.kind) {
    case 'group':
      return processGroup(entry.entries, entry.location, manifest, files);
    case 'fragment':
      return processMarkdown(
        fromSource(entry.markdown, manifest.file, entry.location.line),
        baseName(manifest.file),
        entry.location,
        manifest,
      );
    case 'chapter': {
      const path = resolvePath(dirnameOf(manifest.file), entry.path);
      const text = files.read(path);
      if (text === undefined) throw new LabdeckError(`chapter file not found: ${entry.path} (looked for ${path})`, entry.location);
      return processMarkdown(fromSource(normalizeNewlines(text), path, 1), entry.path, entry.location, manifest);
    }
  }
}

/** markmaker's processcontent() for one piece of markdown: collect its H1 titles, add the `.debug[` footers. */
function processMarkdown(source: TrackedText, footerName: string, entry: SourceLocation, manifest: DeckManifest): Processed {
  const titles = [...source.text.matchAll(/^# (.*)/gm)].map((match) => ({ title: match[1]!, entry }));
  if (!manifest.generated.debugFooters) return { text: source, titles };
  const footer = `.debug[${footerName}]`;
  const lines = source.text.split('\n');
  const parts: TrackedText[] = [];
  let from = 0;
  let lineStart = 0;
  let previousMatch = -2;
  lines.forEach((line, i) => {
    // Python's replace("\n---\n", …) needs a newline on both sides, and matches do not overlap.
    if (line === '---' && i > 0 && i < lines.length - 1 && previousMatch !== i - 1) {
      parts.push(slice(source, from, lineStart - 1), generatedText(`\n${footer}`, source.origins[i]!));
      from = lineStart - 1;
      previousMatch = i;
    }
    lineStart += line.length + 1;
  });
  parts.push(slice(source, from));
  parts.push(generatedText(`\n${footer}`, source.origins[source.origins.length - 1]!));
  return { text: concat(...parts), titles };
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function flattenTitles(tree: TitleTree): EntryTitle[] {
  return tree.flatMap((item) => (isTitle(item) ? [item] : flattenTitles(item)));
}

function isTitle(item: TitleTree | EntryTitle): item is EntryTitle {
  return !Array.isArray(item);
}

/** Part number of every title (markmaker keeps the last one for a duplicated title). */
function partNumbers(tree: TitleTree): Map<string, number> {
  const parts = new Map<string, number>();
  const offset = tree.length === 1 ? 0 : 1;
  tree.forEach((part, i) => {
    for (const entry of isTitle(part) ? [part] : flattenTitles(part)) parts.set(entry.title, i + offset);
  });
  return parts;
}

/** markmaker's gentoc(): one slide per part (numbered from 1, or 0 and "Table of contents" when there is one). */
function generateToc(tree: TitleTree, debugFooters: boolean): string {
  const offset = tree.length === 1 ? 0 : 1;
  return tree
    .map((part, i) => {
      const number = i + offset;
      const label = number === 0 ? 'Table of contents' : `Part ${number}`;
      const items = isTitle(part) ? [tocLine(part)] : part.map(tocItems);
      const footer = debugFooters ? '.debug[(auto-generated TOC)]' : '';
      return `name: toc-part-${number}\n\n## ${label}\n\n${items.map((item) => `${item}\n\n`).join('')}${footer}`;
    })
    .join(separator);
}

function tocItems(tree: TitleTree | EntryTitle): string {
  return isTitle(tree) ? tocLine(tree) : tree.map(tocItems).join('\n\n');
}

function tocLine(entry: EntryTitle): string {
  return `- [${entry.title}](#${titleAnchor(entry.title)})`;
}

function interstitialImages(list: string | undefined): string[] {
  const urls = (list ?? '').split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return urls.length > 0 ? urls : [defaultInterstitialUrl];
}

interface TitleLinks {
  readonly previous: string;
  readonly next: string;
  readonly toc: string;
}

function generatedTitleSlides(title: string, image: string, links: TitleLinks, generated: GeneratedSlides): string {
  const interstitial = `\n---\n\nclass: pic\n\n.interstitial[![Image separating from the next module](${image})]\n`;
  const titleSlide =
    `\n---\n\nname: ${titleAnchor(title)}\nclass: title\n\n ${title}\n\n.nav[\n[Previous section](#${links.previous})\n|\n` +
    `[Back to table of contents](#${links.toc})\n|\n[Next section](#${links.next})\n]\n\n` +
    (generated.debugFooters ? '.debug[(automatically generated title slide)]\n' : '');
  return (generated.interstitials ? interstitial : '') + (generated.titleSlides ? titleSlide : '');
}

/**
 * markmaker's insertslide(): the generated slides go at the `\n---\n` before the first `\n# Title\n`.
 * Where markmaker would corrupt the text (title not found, or no separator before it), labdeck inserts nothing,
 * or inserts at the very start of the deck.
 */
function insertBeforeTitle(markdown: TrackedText, title: string, slides: TrackedText): TrackedText {
  const titleAt = markdown.text.indexOf(`\n# ${title}\n`);
  if (titleAt < 0) return markdown;
  const slideAt = markdown.text.lastIndexOf(separator, titleAt);
  if (slideAt < 0) {
    // Drop the leading separator of the generated text and end it with one instead.
    return concat(slice(slides, separator.length), generatedText(separator, originAt(slides, 0)), markdown);
  }
  return concat(slice(markdown, 0, slideAt), slides, slice(markdown, slideAt));
}

/**
 * `@@INCLUDE[path]` → the text of the file, `@@LINK[path]` → a link to it in the repository. Paths are relative to
 * the manifest's folder or, failing that, its parent (container.training keeps manifests in slides/ and writes
 * `@@INCLUDE[k8s/x.yaml]` for files at the root of the repository).
 */
function expandFileReferences(markdown: TrackedText, manifest: DeckManifest, files: DeckFiles): TrackedText {
  const manifestDir = dirnameOf(manifest.file);
  const pattern = /@@(INCLUDE|LINK)\[([^\]\n]*)\]/g;
  const parts: TrackedText[] = [];
  let from = 0;
  for (const match of markdown.text.matchAll(pattern)) {
    const [whole, kind, path] = match as unknown as [string, 'INCLUDE' | 'LINK', string];
    const at = match.index;
    parts.push(slice(markdown, from, at));
    if (kind === 'LINK') {
      parts.push(generatedText(`[${path}](${repositoryUrl(manifest.gitrepo, path)})`, originAt(markdown, at)));
    } else {
      const candidates = [resolvePath(manifestDir, path), resolvePath(resolvePath(manifestDir, '..'), path)];
      const found = candidates.map((candidate) => ({ candidate, text: files.read(candidate) })).find((c) => c.text !== undefined);
      if (!found) throw new LabdeckError(`@@INCLUDE[${path}]: file not found (looked for ${candidates.join(' and ')})`, originAt(markdown, at));
      parts.push(fromSource(normalizeNewlines(found.text!), found.candidate, 1));
    }
    from = at + whole.length;
  }
  if (parts.length === 0) return markdown;
  parts.push(slice(markdown, from));
  return concat(...parts);
}

function repositoryUrl(gitrepo: string | undefined, path: string): string {
  if (!gitrepo) return path;
  const base = /^[a-z]+:\/\//i.test(gitrepo) ? gitrepo : `https://${gitrepo}`;
  return `${base.replace(/\/$/, '')}/tree/main/${path}`;
}
