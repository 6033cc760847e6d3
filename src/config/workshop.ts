// Loads and validates a workshop manifest (workshop.yml) into one frozen, typed Workshop. Every mistake a person can
// make in it is reported as `file:line: what is wrong`, using the positions of the YAML nodes.
//
// Keys read from container.training manifests (markmaker.py):
//   title              deck title; may be multi-line (`title: |`): newlines become <br/> in @@TITLE@@ (required)
//   chat, gitrepo, slides, html, slidenumberprefix
//                      values of @@CHAT@@, @@GITREPO@@, @@SLIDES@@, @@HTML@@ (default: `<manifest name>.html`),
//                      @@SLIDENUMBERPREFIX@@ (default: empty)
//   zip                value of @@ZIP@@ (default: `slides` + `slides.zip`)
//   exclude            list of slide classes whose slides are dropped
//   content / chapters synonyms: list of chapter paths (relative to the manifest's folder) or multi-line markdown
//                      fragments; a nested list at the top level is a part of the table of contents
// labdeck's own keys:
//   handsOn            content classes that mark hands-on blocks (default [exercise, lab])
//   ratio              slide ratio, '16:9' (default) or '4:3'
//   generated          what markmaker would generate: `true` (default) / `false` for all of it, or a mapping with any
//                      of the booleans `toc` (@@TOC@@), `titleSlides`, `interstitials`, `debugFooters` (default true)
//   terminals          named terminals and what they run, grace time, local shells on a network: validated by
//                      terminals.ts into `terminals` (also kept as written in `reserved`)
//   classroom          a class: data folder, attendees' environments, stuck threshold: validated by
//                      classroom.ts into `classroom` (also kept as written in `reserved`)
//   record             recording each attendee's class (on by default), typed input, retention: validated by
//                      record.ts into `record`
//   stylesheet         a CSS file (path relative to the manifest's folder) or a list of them, applied to the slides as
//                      remark.js applies the page's stylesheet (deck/deck-style.ts scopes it to the slides); absent:
//                      the manifest folder's `workshop.css` when there is one (container.training's); `[]`: none
//   checks             reserved for the check features: kept as written (with its location)
// Any other key is an error.
import { readFileSync, existsSync } from 'node:fs';
import { LabdeckError, type SourceLocation } from '../errors.ts';
import {
  allGeneratedSlides,
  chapterEntries,
  dirnameOf,
  pageTitle,
  resolvePath,
  type ChapterEntry,
  type ContentEntry,
  type DeckManifest,
  type GeneratedSlides,
} from '../deck/manifest.ts';
import { nodeIndex, parseTerminalsConfig, type TerminalsConfig } from './terminals.ts';
import { noClassroom, parseClassroomConfig, type ClassroomConfig } from './classroom.ts';
import { defaultRecordConfig, parseRecordConfig, type RecordConfig } from './record.ts';
import { defaultHandsOnClasses } from '../protocol.ts';
import { isMap, isScalar, isSeq, parseYaml, Scalar, type Pair, type Positioned, type YamlNode as Node } from './yaml-source.ts';

export type SlideRatio = '16:9' | '4:3';

export const reservedKeys = ['terminals', 'classroom', 'checks'] as const;
export type ReservedKey = (typeof reservedKeys)[number];

/** A setting of a feature not configured here yet: its plain value and where it was written. */
export interface ReservedSetting {
  readonly value: unknown;
  readonly location: SourceLocation;
}

export interface Workshop extends DeckManifest {
  /** The title with newlines as spaces, for the HTML `<title>`. */
  readonly pageTitle: string;
  readonly zip: string | undefined;
  readonly html: string;
  readonly slidenumberprefix: string;
  readonly exclude: readonly string[];
  readonly handsOn: readonly string[];
  readonly ratio: SlideRatio;
  readonly reserved: Readonly<Partial<Record<ReservedKey, ReservedSetting>>>;
  /** The embedded terminals; undefined when the workshop has none. */
  readonly terminals: TerminalsConfig | undefined;
  /** Whether the workshop runs as a class, and how (disabled when the key is absent). */
  readonly classroom: ClassroomConfig;
  /** Whether and how `serve` records each attendee's class (on, without typed input, when the key is absent). */
  readonly record: RecordConfig;
  /** The `stylesheet` key as written; undefined when absent (then `workshop.css` applies if it exists: deckStylesheets). */
  readonly stylesheets: readonly StylesheetEntry[] | undefined;
}

/** A deck stylesheet: its path relative to the manifest's folder, and where the manifest names it. */
export interface StylesheetEntry {
  readonly path: string;
  readonly location: SourceLocation;
}

/** container.training's page loads this file beside the manifest: a manifest without a `stylesheet` key gets it too. */
export const defaultStylesheet = 'workshop.css';

const stringKeys = ['title', 'chat', 'gitrepo', 'slides', 'zip', 'html', 'slidenumberprefix'] as const;
const knownKeys = new Set<string>([...stringKeys, 'exclude', 'content', 'chapters', 'handsOn', 'ratio', 'generated', 'record', 'stylesheet', ...reservedKeys]);
const generatedKeys = Object.keys(allGeneratedSlides) as (keyof GeneratedSlides)[];
const className = /^[-\w]+$/;

/** Reads and validates a manifest without looking at its chapter files. */
export function readWorkshop(path: string): Workshop {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new LabdeckError(`cannot read workshop manifest ${path}: ${(error as Error).message}`);
  }
  return parseWorkshop(text, path);
}

/** Reads and validates a manifest; chapter files must exist. */
export function loadWorkshop(path: string): Workshop {
  const workshop = readWorkshop(path);
  const missing = missingChapters(workshop, existsSync)[0];
  if (missing) throw new LabdeckError(`chapter file not found: ${missing.path}`, missing.location);
  const missingStyle = missingStylesheets(workshop, existsSync)[0];
  if (missingStyle) throw new LabdeckError(`stylesheet not found: ${missingStyle.path}`, missingStyle.location);
  return workshop;
}

/**
 * The deck's stylesheets, in order: those the `stylesheet` key names, or else the manifest folder's workshop.css when
 * `exists` says it is there (located at the manifest's first line: nothing in it names the file).
 */
export function deckStylesheets(workshop: Pick<Workshop, 'file' | 'stylesheets'>, exists: (path: string) => boolean): readonly StylesheetEntry[] {
  if (workshop.stylesheets) return workshop.stylesheets;
  const implicit = resolvePath(dirnameOf(workshop.file), defaultStylesheet);
  return exists(implicit) ? [{ path: defaultStylesheet, location: { file: workshop.file, line: 1 } }] : [];
}

/** Stylesheets the manifest names that do not exist, in manifest order. */
export function missingStylesheets(workshop: Pick<Workshop, 'file' | 'stylesheets'>, exists: (path: string) => boolean): StylesheetEntry[] {
  const dir = dirnameOf(workshop.file);
  return (workshop.stylesheets ?? []).filter((entry) => !exists(resolvePath(dir, entry.path)));
}

/** Chapter entries whose file does not exist, in manifest order. */
export function missingChapters(workshop: DeckManifest, exists: (path: string) => boolean): ChapterEntry[] {
  const dir = dirnameOf(workshop.file);
  return chapterEntries(workshop.content).filter((entry) => !exists(resolvePath(dir, entry.path)));
}

/** Parses and validates manifest text (pure: chapter files are not checked). `file` names it in errors. */
export function parseWorkshop(text: string, file: string): Workshop {
  const source = parseYaml(text, file);
  const at = source.locate;
  const fail = (message: string, node?: Positioned): never => source.fail(message, node);

  const syntaxError = source.syntaxErrors[0];
  if (syntaxError) throw new LabdeckError(syntaxError.message, syntaxError.location);
  const root = source.root;
  if (!isMap(root)) return fail('a workshop manifest must be a mapping of keys (title:, content:, ...)', root);

  const pairs = new Map<string, Pair<unknown, unknown>>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || !knownKeys.has(key)) {
      return fail(`unknown key ${key === undefined ? '' : `"${key}" `}(known: ${[...knownKeys].join(', ')})`, pair.key as Node);
    }
    pairs.set(key, pair);
  }
  const valueNode = (key: string): Node | null | undefined => pairs.get(key)?.value as Node | null | undefined;
  // biome-ignore lint/style/noNonNullAssertion: only called for keys `pairs` holds (after pairs.has(), or for a value in it)
  const keyNode = (key: string): Node => pairs.get(key)!.key as Node;

  const stringValue = (key: string): string | undefined => {
    if (!pairs.has(key)) return undefined;
    const node = valueNode(key);
    if (!isScalar(node) || typeof node.value !== 'string') return fail(`"${key}" must be a string`, node ?? keyNode(key));
    return node.value;
  };
  const stringList = (key: string): string[] | undefined => {
    if (!pairs.has(key)) return undefined;
    const node = valueNode(key);
    if (isScalar(node) && node.value === null) return [];
    if (!isSeq(node)) return fail(`"${key}" must be a list of class names`, node ?? keyNode(key));
    return node.items.map((item) => {
      if (!isScalar(item) || typeof item.value !== 'string' || !className.test(item.value)) {
        return fail(`"${key}" entries must be class names (letters, digits, - and _)`, item as Node);
      }
      return item.value;
    });
  };

  const title = stringValue('title');
  if (title === undefined) return fail('missing "title"', root);
  const strings = Object.fromEntries(stringKeys.map((key) => [key, stringValue(key)])) as Record<(typeof stringKeys)[number], string | undefined>;

  if (pairs.has('content') && pairs.has('chapters')) fail('"content" and "chapters" are synonyms: use only one', keyNode('chapters'));
  const contentKey = pairs.has('content') ? 'content' : pairs.has('chapters') ? 'chapters' : undefined;
  if (!contentKey) return fail('missing "content" (the list of chapters)', root);
  const contentNode = valueNode(contentKey);
  if (!isSeq(contentNode)) return fail(`"${contentKey}" must be a list of chapter files`, contentNode ?? keyNode(contentKey));

  const contentEntry = (node: unknown): ContentEntry => {
    if (isSeq(node)) return { kind: 'group', entries: node.items.map(contentEntry), location: at(node) };
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
      return fail('a content entry must be a chapter path, a multi-line markdown fragment or a list', node as Node);
    }
    if (!node.value.includes('\n')) return { kind: 'chapter', path: node.value, location: at(node) };
    // The text of a block scalar starts on the line after its `|` / `>` indicator.
    const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
    const location = at(node);
    return { kind: 'fragment', markdown: node.value, location: { file, line: location.line + (block ? 1 : 0) } };
  };
  const content = contentNode.items.map(contentEntry);

  const ratioNode = valueNode('ratio');
  const ratio = stringValue('ratio') ?? '16:9';
  if (ratio !== '16:9' && ratio !== '4:3') fail(`"ratio" must be '16:9' or '4:3', not '${ratio}'`, ratioNode);

  const reserved: Partial<Record<ReservedKey, ReservedSetting>> = {};
  for (const key of reservedKeys) {
    const node = valueNode(key);
    if (pairs.has(key)) reserved[key] = { value: (node as Node | null)?.toJSON() ?? null, location: at(node ?? keyNode(key)) };
  }

  const handsOn = stringList('handsOn') ?? defaultHandsOnClasses;
  if (handsOn.length === 0) fail('"handsOn" must name at least one class', valueNode('handsOn'));

  const terminals = pairs.has('terminals') ? parseTerminalsConfig(valueNode('terminals'), keyNode('terminals'), at) : undefined;
  const classroom = pairs.has('classroom') ? parseClassroomConfig(valueNode('classroom'), keyNode('classroom'), at, dirnameOf(file)) : noClassroom;
  // A terminal on another node needs a class whose attendees have that node (a cluster each: config/environment.ts).
  const nodes = classroom.environment.provider === 'swarm' ? (classroom.environment.nodes ?? 1) : 1;
  for (const terminal of terminals?.terminals ?? []) {
    if (terminal.node === undefined || nodeIndex(terminal.node) <= nodes) continue;
    throw new LabdeckError(
      `terminal "${terminal.name}": ${terminal.node} is not a node of this class (classroom.environment gives each attendee ${nodes === 1 ? 'node1 only' : `node1…node${nodes}`})`,
      terminal.nodeLocation ?? terminal.location,
    );
  }

  return deepFreeze({
    file,
    title,
    pageTitle: pageTitle(title),
    chat: strings.chat,
    gitrepo: strings.gitrepo,
    slides: strings.slides,
    zip: strings.zip ?? (strings.slides === undefined ? undefined : defaultZip(strings.slides)),
    html: strings.html ?? `${file.slice(file.lastIndexOf('/') + 1)}.html`,
    slidenumberprefix: strings.slidenumberprefix ?? '',
    exclude: stringList('exclude') ?? [],
    content,
    handsOn,
    ratio: ratio as SlideRatio,
    generated: parseGenerated(valueNode('generated'), pairs.has('generated'), fail),
    reserved,
    terminals,
    classroom,
    record: pairs.has('record') ? parseRecordConfig(valueNode('record'), keyNode('record'), at) : defaultRecordConfig,
    stylesheets: pairs.has('stylesheet') ? parseStylesheets(valueNode('stylesheet') ?? keyNode('stylesheet'), at, fail) : undefined,
  });
}

function parseStylesheets(node: Node | null, at: (node: Positioned) => SourceLocation, fail: (message: string, node?: Node | null) => never): StylesheetEntry[] {
  const entry = (item: unknown): StylesheetEntry => {
    if (!isScalar(item) || typeof item.value !== 'string' || item.value.trim() === '') return fail('"stylesheet" entries must be paths of CSS files', item as Node);
    return { path: item.value, location: at(item) };
  };
  if (isSeq(node)) return node.items.map(entry);
  if (isScalar(node) && typeof node.value === 'string') return [entry(node)];
  return fail('"stylesheet" must be a path of a CSS file or a list of them', node);
}

function defaultZip(slides: string): string {
  return slides.endsWith('/') ? `${slides}slides.zip` : `${slides}/slides.zip`;
}

function parseGenerated(node: Node | null | undefined, present: boolean, fail: (message: string, node?: Node | null) => never): GeneratedSlides {
  if (!present) return allGeneratedSlides;
  if (isScalar(node) && typeof node.value === 'boolean') {
    const all = node.value;
    return Object.fromEntries(generatedKeys.map((key) => [key, all])) as unknown as GeneratedSlides;
  }
  if (!isMap(node)) return fail(`"generated" must be true, false or a mapping of ${generatedKeys.join(', ')}`, node);
  const settings: Record<string, boolean> = { ...allGeneratedSlides };
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!(generatedKeys as string[]).includes(key)) fail(`unknown key "${key}" in "generated" (known: ${generatedKeys.join(', ')})`, pair.key as Node);
    const value = pair.value;
    if (!isScalar(value) || typeof value.value !== 'boolean') fail(`"generated.${key}" must be true or false`, (value ?? pair.key) as Node);
    settings[key] = (value as Scalar<boolean>).value;
  }
  return settings as unknown as GeneratedSlides;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
