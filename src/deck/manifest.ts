// Assembles the markdown of a whole workshop from its manifest, the way container.training's markmaker.py does, so
// that a deck written for it shows the same slides: entries joined by `---`, `.debug[file]` footers, the generated
// table of contents, an interstitial + title slide before every H1, and the @@PLACEHOLDER@@ substitutions.
// Every assembled line keeps where it came from (chapter file:line, or the manifest line that generated it), so that
// errors found later in the pipeline can still name the file a person must edit.
// Pure: files are read through the `DeckFiles` reader the caller passes.
import { elementAt, LabdeckError, type SourceLocation } from '../errors.ts';
import type { SourceMap, SourceSegment } from './source-map.ts';

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

/** What assembly needs from a workshop manifest (config/workshop.ts's Workshop is one). */
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

/** What assembly takes from outside the manifest and the files (workshop/ finds it; the CLI passes its overrides). */
export interface AssemblyContext {
  /**
   * What each `.debug[...]` footer links to, as markmaker.py's makelink(): this prefix and the file's path as the
   * manifest names it (`<remote>/tree/<branch>/<folder>/` in a git checkout, `file://<folder>/` outside one).
   * Undefined: footers name the file without a link.
   */
  readonly sourceLinkPrefix?: string | undefined;
}

/** Reads text files; paths are the manifest's folder joined with the relative path (see `resolvePath`). */
export interface DeckFiles {
  read(path: string): string | undefined;
}

export interface AssembledSource {
  readonly markdown: string;
  readonly map: SourceMap;
  /** What assembly did as markmaker does but the author most likely did not mean (lint shows them). */
  readonly warnings: readonly AssemblyWarning[];
}

export interface AssemblyWarning {
  readonly location: SourceLocation;
  readonly message: string;
}

/** A file that exists but cannot be used as deck text; `reason` completes "<path> ...". Thrown by `DeckFiles`. */
export class UnusableFile extends LabdeckError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} ${reason}`);
    this.name = 'UnusableFile';
  }
}

/** `files.read(path)`, an UnusableFile told as `explain(reason)` (which names the place that refers to the file). */
function readReferenced(files: DeckFiles, path: string, explain: (reason: string) => LabdeckError): string | undefined {
  try {
    return files.read(path);
  } catch (error) {
    if (error instanceof UnusableFile) throw explain(error.reason);
    throw error;
  }
}

/** Used when the manifest's folder has no interstitials.txt; served by the http module. */
export const defaultInterstitialUrl = '/_labdeck/interstitial.svg';

/** markmaker.py's anchor(): `toc-` + title lower-cased, spaces to `-`, then only ASCII letters and `-` kept. */
export function titleAnchor(title: string): string {
  return (
    'toc-' +
    title
      .toLowerCase()
      .replaceAll(' ', '-')
      .replace(/[^a-zA-Z-]/g, '')
  );
}

/** The deck's HTML `<title>`: markmaker substitutes the title with its newlines turned into spaces there. */
export function pageTitle(title: string): string {
  return title.replaceAll('\n', ' ').trim();
}

// ---------------------------------------------------------------------------------------------------------------
/** The chapter entries of a content tree, groups walked, in manifest order: the one walk of the tree besides assembly. */
export function chapterEntries(entries: readonly ContentEntry[]): ChapterEntry[] {
  return entries.flatMap((entry) => {
    if (entry.kind === 'group') return chapterEntries(entry.entries);
    return entry.kind === 'chapter' ? [entry] : [];
  });
}

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
  const count = lineCount(text);
  return { text, origins: Array.from({ length: count }, (_, i) => ({ file, line: firstLine + i, generated: false })) };
}

function generatedText(text: string, at: SourceLocation): TrackedText {
  const origin: LineOrigin = { file: at.file, line: at.line, generated: true };
  return { text, origins: new Array(lineCount(text)).fill(origin) };
}

function lineCount(text: string): number {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

// Where each line of a text starts, found once per text: locating an offset is then a binary search. Scanning from
// the start of the text for every slice made assembly quadratic in the size of the deck.
const lineStartsOf = new WeakMap<TrackedText, number[]>();

function lineStarts(source: TrackedText): number[] {
  let starts = lineStartsOf.get(source);
  if (!starts) {
    starts = [0];
    for (let i = source.text.indexOf('\n'); i >= 0; i = source.text.indexOf('\n', i + 1)) starts.push(i + 1);
    lineStartsOf.set(source, starts);
  }
  return starts;
}

/** The 0-based line holding offset `index` (a newline belongs to the line it ends): the newlines before `index`. */
function lineOf(source: TrackedText, index: number): number {
  const starts = lineStarts(source);
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (elementAt(starts, middle) <= index) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The texts one after the other; the copying is linear in the total size, however many parts there are. */
function concat(parts: readonly TrackedText[]): TrackedText {
  const texts: string[] = [];
  const origins: LineOrigin[] = [];
  let lastLineEmpty = true;
  for (const part of parts) {
    let from = 0;
    if (origins.length > 0) {
      // The merged line keeps the origin of the left side, unless only the right side has text on it.
      const rightFirstLineEmpty = part.text === '' || part.text.startsWith('\n');
      if (lastLineEmpty && !rightFirstLineEmpty) origins[origins.length - 1] = elementAt(part.origins, 0);
      from = 1;
    }
    for (let i = from; i < part.origins.length; i++) origins.push(elementAt(part.origins, i));
    texts.push(part.text);
    const lastNewline = part.text.lastIndexOf('\n');
    lastLineEmpty = lastNewline >= 0 ? lastNewline === part.text.length - 1 : lastLineEmpty && part.text === '';
  }
  return { text: texts.join(''), origins };
}

function slice(source: TrackedText, start: number, end = source.text.length): TrackedText {
  return { text: source.text.slice(start, end), origins: source.origins.slice(lineOf(source, start), lineOf(source, end) + 1) };
}

function originAt(source: TrackedText, index: number): SourceLocation {
  const origin = elementAt(source.origins, lineOf(source, index));
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
  return concat(parts);
}

function toSourceMap(origins: readonly LineOrigin[]): SourceMap {
  const segments: SourceSegment[] = [];
  let previous: LineOrigin | undefined;
  origins.forEach((origin, i) => {
    const continues = previous && !previous.generated && !origin.generated && previous.file === origin.file && origin.line === previous.line + 1;
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

export function assembleDeckSource(manifest: DeckManifest, files: DeckFiles, context: AssemblyContext = {}): AssembledSource {
  const manifestDir = dirnameOf(manifest.file);
  const contentAt: SourceLocation = manifest.content[0]?.location ?? { file: manifest.file, line: 1 };
  const processed = processGroup(manifest.content, contentAt, { manifest, files, context });
  const titles = processed.titles;
  const flat = flattenTitles(titles);

  let markdown = replaceAll(processed.text, '@@TOC@@', () =>
    generatedText(manifest.generated.toc ? generateToc(titles, manifest.generated.debugFooters) : '', contentAt),
  );

  if (manifest.generated.titleSlides || manifest.generated.interstitials) {
    const images = interstitialImages(files.read(resolvePath(manifestDir, 'interstitials.txt')));
    const partOf = partNumbers(titles);
    const names = flat.map((t) => t.title);
    const firstIndex = new Map<string, number>();
    names.forEach((name, i) => {
      if (!firstIndex.has(name)) firstIndex.set(name, i);
    });
    const insertions = flat.map((entry, i) => {
      const image = elementAt(images, i % images.length); // never empty: a default stands in for no list
      const index = firstIndex.get(entry.title) ?? i; // markmaker looks the title up by value: duplicates share neighbours
      const slides = generatedTitleSlides(
        entry.title,
        image,
        {
          previous: titleAnchor(names[index - 1] ?? ''),
          next: titleAnchor(names[index + 1] ?? ''),
          toc: `toc-part-${partOf.get(entry.title)}`,
        },
        manifest.generated,
      );
      return { title: entry.title, slides: generatedText(slides, entry.entry) };
    });
    markdown = insertBeforeTitles(markdown, insertions);
  }

  const warnings: AssemblyWarning[] = [];
  markdown = expandFileReferences(markdown, manifest, files, warnings);
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
  return { markdown: markdown.text, map: toSourceMap(markdown.origins), warnings };
}

/** What every step of processcontent() reads. */
interface Inputs {
  readonly manifest: DeckManifest;
  readonly files: DeckFiles;
  readonly context: AssemblyContext;
}

function processGroup(entries: readonly ContentEntry[], at: SourceLocation, inputs: Inputs): Processed {
  const parts = entries.map((entry) => processEntry(entry, inputs));
  const joined: TrackedText[] = [];
  parts.forEach((part, i) => {
    if (i > 0) joined.push(generatedText(separator, elementAt(entries, i).location));
    joined.push(part.text);
  });
  return {
    text: joined.length > 0 ? concat(joined) : generatedText('', at),
    titles: parts.map((part) => part.titles).filter((titles) => titles.length > 0),
  };
}

function processEntry(entry: ContentEntry, inputs: Inputs): Processed {
  const { manifest, files } = inputs;
  switch (entry.kind) {
    case 'group':
      return processGroup(entry.entries, entry.location, inputs);
    case 'fragment':
      return processMarkdown(fromSource(entry.markdown, manifest.file, entry.location.line), baseName(manifest.file), entry.location, inputs);
    case 'chapter': {
      const path = resolvePath(dirnameOf(manifest.file), entry.path);
      const text = readReferenced(files, path, (reason) => new LabdeckError(`chapter file ${entry.path} ${reason}`, entry.location));
      if (text === undefined) throw new LabdeckError(`chapter file not found: ${entry.path} (looked for ${path})`, entry.location);
      return processMarkdown(fromSource(normalizeNewlines(text), path, 1), entry.path, entry.location, inputs);
    }
  }
}

/**
 * markmaker's processcontent() for one piece of markdown: collect its H1 titles, add the `.debug[` footers, which
 * name the file (a fragment of the manifest names the manifest) and link to it when the context says where.
 */
function processMarkdown(source: TrackedText, footerName: string, entry: SourceLocation, inputs: Inputs): Processed {
  const titles = [...source.text.matchAll(/^# (.*)/gm)].map((match) => ({ title: elementAt(match, 1), entry }));
  if (!inputs.manifest.generated.debugFooters) return { text: source, titles };
  const prefix = inputs.context.sourceLinkPrefix;
  const footer = `.debug[${prefix === undefined ? footerName : `[${footerName}](${prefix}${footerName})`}]`;
  const lines = source.text.split('\n');
  const parts: TrackedText[] = [];
  let from = 0;
  let lineStart = 0;
  let previousMatch = -2;
  lines.forEach((line, i) => {
    // Python's replace("\n---\n", …) needs a newline on both sides, and matches do not overlap.
    if (line === '---' && i > 0 && i < lines.length - 1 && previousMatch !== i - 1) {
      parts.push(slice(source, from, lineStart - 1), generatedText(`\n${footer}`, elementAt(source.origins, i)));
      from = lineStart - 1;
      previousMatch = i;
    }
    lineStart += line.length + 1;
  });
  parts.push(slice(source, from));
  parts.push(generatedText(`\n${footer}`, elementAt(source.origins, source.origins.length - 1)));
  return { text: concat(parts), titles };
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

/** Part number of every title, from 1 (markmaker keeps the last one for a duplicated title). */
function partNumbers(tree: TitleTree): Map<string, number> {
  const parts = new Map<string, number>();
  tree.forEach((part, i) => {
    for (const entry of isTitle(part) ? [part] : flattenTitles(part)) parts.set(entry.title, i + 1);
  });
  return parts;
}

/**
 * markmaker's gentoc(): one slide per part, `toc-part-N` from 1, headed "Part N", or "Table of contents" when there
 * is only one; one line per title of the part (sub-lists flattened), a blank line after each while the part has
 * fewer than 10 (markmaker's "space to breathe": from 10 on the list is tight).
 */
function generateToc(tree: TitleTree, debugFooters: boolean): string {
  return tree
    .map((part, i) => {
      const titles = isTitle(part) ? [part] : flattenTitles(part);
      const label = tree.length === 1 ? 'Table of contents' : `Part ${i + 1}`;
      const items = titles.map((entry) => `${tocLine(entry)}\n${titles.length < 10 ? '\n' : ''}`).join('');
      const footer = debugFooters ? '.debug[(auto-generated TOC)]' : '';
      return `name: toc-part-${i + 1}\n\n## ${label}\n\n${items}\n${footer}`;
    })
    .join(separator);
}

function tocLine(entry: EntryTitle): string {
  return `- [${entry.title}](#${titleAnchor(entry.title)})`;
}

function interstitialImages(list: string | undefined): string[] {
  const urls = (list ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return urls.length > 0 ? urls : [defaultInterstitialUrl];
}

interface TitleLinks {
  readonly previous: string;
  readonly next: string;
  readonly toc: string;
}

function generatedTitleSlides(title: string, image: string, links: TitleLinks, generated: GeneratedSlides): string {
  const interstitial = `\n---\n\nclass: pic\n\n.interstitial[![Image separating from the next part](${image})]\n`;
  const titleSlide =
    `\n---\n\nname: ${titleAnchor(title)}\nclass: title\n\n ${title}\n\n.nav[\n[Previous part](#${links.previous})\n|\n` +
    `[Back to table of contents](#${links.toc})\n|\n[Next part](#${links.next})\n]\n\n` +
    (generated.debugFooters ? '.debug[(automatically generated title slide)]\n' : '');
  return (generated.interstitials ? interstitial : '') + (generated.titleSlides ? titleSlide : '');
}

/**
 * markmaker's insertslide(), title after title: the generated slides go at the `\n---\n` before the first
 * `\n# Title\n`. Where markmaker would corrupt the text (title not found, or no separator before it), labdeck inserts
 * nothing, or inserts at the very start of the deck.
 * Done in one pass, as inserting into the whole text once per title made assembly quadratic. That gives the same
 * text because generated slides hold no `# ` line and start with a separator: every title and separator searched
 * for is one of the original text, and slides inserted at the same place stay in the order of their titles.
 */
function insertBeforeTitles(markdown: TrackedText, insertions: readonly { title: string; slides: TrackedText }[]): TrackedText {
  const text = markdown.text;
  const starts = lineStarts(markdown);
  const lineText = (i: number) => text.slice(starts[i], i + 1 < starts.length ? elementAt(starts, i + 1) - 1 : text.length);
  // `\n# Title\n` and `\n---\n` need a newline on both sides: neither the first nor the last line of the text.
  const titles = new Map<string, { separatorLine: number | undefined }>();
  let separatorLine: number | undefined;
  for (let i = 1; i < starts.length - 1; i++) {
    const line = lineText(i);
    if (line === '---') separatorLine = i;
    else if (line.startsWith('# ') && !titles.has(line.slice(2))) titles.set(line.slice(2), { separatorLine });
  }

  const atSeparator = new Map<number, TrackedText[]>();
  let atStart: TrackedText | undefined;
  const afterStart: TrackedText[] = [];
  const firstLine = lineText(0);
  for (const { title, slides } of insertions) {
    // Once slides were put at the start, ending with a separator, a title on the text's first line is found too.
    if (atStart && starts.length > 1 && firstLine === `# ${title}`) {
      afterStart.push(slides);
      continue;
    }
    const found = titles.get(title);
    if (!found) continue;
    if (found.separatorLine !== undefined) {
      const list = atSeparator.get(found.separatorLine) ?? [];
      list.push(slides);
      atSeparator.set(found.separatorLine, list);
    } else if (!atStart) {
      atStart = slides;
    } else {
      afterStart.push(slides);
    }
  }

  const parts: TrackedText[] = [];
  if (atStart) {
    // The first drops its leading separator and ends with one; later ones go before that separator, or, when the
    // text starts with `---\n`, just before its last newline (the separator the two make together is found last).
    const closing = generatedText(separator, originAt(atStart, 0));
    const splitAt = text.startsWith('---\n') ? separator.length - 1 : 0;
    parts.push(slice(atStart, separator.length), slice(closing, 0, splitAt), ...afterStart, slice(closing, splitAt));
  }
  let from = 0;
  for (const [line, inserted] of [...atSeparator].sort(([a], [b]) => a - b)) {
    const at = elementAt(starts, line) - 1;
    parts.push(slice(markdown, from, at), ...inserted);
    from = at;
  }
  parts.push(slice(markdown, from));
  return concat(parts);
}

/**
 * `@@INCLUDE[path]` → the text of the file, `@@LINK[path]` → a link to it in the repository. Paths are relative to
 * the manifest's folder or, failing that, its parent (container.training keeps manifests in slides/ and writes
 * `@@INCLUDE[k8s/x.yaml]` for files at the root of the repository).
 */
function expandFileReferences(markdown: TrackedText, manifest: DeckManifest, files: DeckFiles, warnings: AssemblyWarning[]): TrackedText {
  const manifestDir = dirnameOf(manifest.file);
  const include = includeReader(manifestDir, files);
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
      const found = include(path, (candidate, reason) => new LabdeckError(`@@INCLUDE[${path}]: ${candidate} ${reason}`, originAt(markdown, at)));
      if (found.text === undefined) {
        throw new LabdeckError(`@@INCLUDE[${path}]: file not found (looked for ${found.candidates.join(' and ')})`, originAt(markdown, at));
      }
      const text = normalizeNewlines(found.text);
      warnings.push(...nestedIncludeWarnings(text, { path, file: found.file, from: originAt(markdown, at) }, include, manifestDir));
      parts.push(fromSource(text, found.file, 1));
    }
    from = at + whole.length;
  }
  if (parts.length === 0) return markdown;
  parts.push(slice(markdown, from));
  return concat(parts);
}

interface IncludedFile {
  readonly candidates: readonly string[];
  /** The first candidate that exists, and its text; undefined when none does. */
  readonly file: string;
  readonly text: string | undefined;
}

type IncludeReader = (path: string, explain?: (candidate: string, reason: string) => LabdeckError) => IncludedFile;

/** Finds an `@@INCLUDE[path]` file: beside the manifest, or failing that in its parent folder. */
function includeReader(manifestDir: string, files: DeckFiles): IncludeReader {
  return (path, explain) => {
    const candidates: [string, string] = [resolvePath(manifestDir, path), resolvePath(resolvePath(manifestDir, '..'), path)];
    for (const candidate of candidates) {
      const text = explain ? readReferenced(files, candidate, (reason) => explain(candidate, reason)) : readQuietly(files, candidate);
      if (text !== undefined) return { candidates, file: candidate, text };
    }
    return { candidates, file: candidates[0], text: undefined };
  };
}

function readQuietly(files: DeckFiles, path: string): string | undefined {
  try {
    return files.read(path);
  } catch {
    return undefined;
  }
}

const includePattern = /@@INCLUDE\[([^\]\n]*)\]/g;

/**
 * markmaker expands `@@INCLUDE[...]` in one pass, so one inside an included file stays as text on the slide: a
 * warning at its line, naming the cycle it would make when it leads back to the file it is in.
 */
function nestedIncludeWarnings(
  text: string,
  included: { path: string; file: string; from: SourceLocation },
  include: IncludeReader,
  manifestDir: string,
): AssemblyWarning[] {
  const shown = (file: string) => (file.startsWith(`${manifestDir}/`) ? file.slice(manifestDir.length + 1) : file);
  const warnings: AssemblyWarning[] = [];
  for (const match of text.matchAll(includePattern)) {
    const line = lineCount(text.slice(0, match.index));
    const cycle = includeCycle(included, elementAt(match, 1), include);
    warnings.push({
      location: { file: included.file, line },
      message:
        `${match[0]} stays as text: ${included.path} is itself included (${shown(included.from.file)}:${included.from.line}), ` +
        `and included files are not expanded again${cycle ? `; it would be a cycle: ${cycle.join(' → ')}` : ''}`,
    });
  }
  return warnings;
}

/** The include paths, as written, from `start` through `next` back to `start`, if the includes lead back there. */
function includeCycle(start: { path: string; file: string }, next: string, include: IncludeReader): string[] | undefined {
  const visited = new Set<string>();
  const walk = (path: string, trail: string[]): string[] | undefined => {
    const found = include(path);
    if (found.text === undefined) return undefined;
    if (found.file === start.file) return [...trail, path];
    if (visited.has(found.file) || visited.size >= 100) return undefined; // a cycle elsewhere, or a silly include tree
    visited.add(found.file);
    for (const match of found.text.matchAll(includePattern)) {
      const cycle = walk(elementAt(match, 1), [...trail, path]);
      if (cycle) return cycle;
    }
    return undefined;
  };
  return walk(next, [start.path]);
}

function repositoryUrl(gitrepo: string | undefined, path: string): string {
  if (!gitrepo) return path;
  const base = /^[a-z]+:\/\//i.test(gitrepo) ? gitrepo : `https://${gitrepo}`;
  return `${base.replace(/\/$/, '')}/tree/main/${path}`;
}
