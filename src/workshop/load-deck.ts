// The bridge between the disk and the pure deck engine, used by the CLI and the server: manifest → assembled
// markdown (with its source map) → rendered deck, with the real file reader.
//
// Slide selection (`--exclude a,b` / `--only a,b`):
// - `exclude` adds classes to the workshop's own `exclude` list.
// - `only` shows the tracks named: the deck's *filter classes* are those used for exclusion (the workshop's exclude
//   list, the --exclude classes and the --only classes themselves); every filter class not named by --only is
//   excluded. Slides of no filter class (the common trunk) stay; so do styling classes (title, pic, ...), which
//   are never filter classes. `--only snap` on a deck excluding [self-paced, snap] shows the trunk and the snap
//   slides, still hiding self-paced ones. A slide carrying both a named class and another filter class is dropped:
//   exclusion wins, as it does in remark.js's own rule, and `--` increments keep remark.js's exclusion semantics.
import { existsSync, statSync } from 'node:fs';
import { loadWorkshop, missingChapters, missingStylesheets, readWorkshop, type Workshop } from '../config/workshop.ts';
import { loadDeckLook } from './deck-look.ts';
import {
  assembleDeckSource,
  chapterEntries,
  dirnameOf,
  findDeckDiagrams,
  lintAssembledDeck,
  loadRenderer,
  rememberRenderedDeck,
  resolvePath,
  UnusableFile,
  type AssembledSource,
  type AssemblyContext,
  type Deck,
  type DeckFiles,
  type DeckOptions,
  type Diagnostic,
  type LocatedDiagram,
} from '../deck/index.ts';
import { LabdeckError } from '../errors.ts';
import { readDeckFile, refuseNonTextFile } from './deck-file.ts';
import type { RenderCache } from './render-cache.ts';
import { sourceLinkPrefix, type RepositorySettings } from './source-links.ts';

export interface DeckSelection {
  readonly exclude?: readonly string[] | undefined;
  readonly only?: readonly string[] | undefined;
}

/** A workshop read from disk: its manifest, the markdown assembled from its chapters (with the source map), the deck. */
export interface LoadedDeck {
  readonly workshop: Workshop;
  readonly source: AssembledSource;
  readonly deck: Deck;
}

/** Text files and their existence, from the disk; what is not a text file is refused (see deck-file.ts). */
export const diskFiles: DeckFiles & { exists(path: string): boolean } = {
  read(path) {
    return readDeckFile(path);
  },
  exists(path) {
    return existsSync(path);
  },
};

/**
 * `cache` (render-cache.ts) gives back a deck rendered earlier from the same input, and keeps a new one. The renderer
 * is loaded only when the deck is rendered here: from the cache, a start imports none of it. `repository` holds the
 * REPOSITORY_URL and BRANCH overrides of the footer links (see source-links.ts).
 */
export async function loadDeck(path: string, selection: DeckSelection = {}, cache?: RenderCache, repository: RepositorySettings = {}): Promise<LoadedDeck> {
  refuseNonTextFile(path);
  const workshop = loadWorkshop(path);
  const source = await assembleWorkshop(workshop, repository);
  const input = { markdown: source.markdown, options: deckOptions(workshop, selection), map: source.map };
  let deck = cache?.get(input);
  if (deck) {
    rememberRenderedDeck(input.markdown, input.options, input.map, deck); // so that an edit renders only what changed
  } else {
    deck = (await loadRenderer()).renderMarkdownDeck(input.markdown, input.options, input.map);
    cache?.set(input, deck);
  }
  return { workshop, source, deck };
}

/**
 * A workshop's markdown as markmaker.py assembles it from the disk, footer links included: read from the git checkout
 * the manifest is in at every load, so a deck reloaded after `git switch` links to the new branch. The links are part
 * of the assembled markdown, which keys the render cache. A deck without footers reads nothing of git.
 */
export async function assembleWorkshop(workshop: Workshop, repository: RepositorySettings = {}): Promise<AssembledSource> {
  const context: AssemblyContext = workshop.generated.debugFooters ? { sourceLinkPrefix: await sourceLinkPrefix(dirnameOf(workshop.file), repository) } : {};
  return assembleDeckSource(workshop, diskFiles, context);
}

/** The classes whose slides are dropped, for the workshop and the selection (see the rules at the top). */
export function excludedClasses(workshop: Pick<Workshop, 'exclude'>, selection: DeckSelection = {}): string[] {
  const only = selection.only ?? [];
  const filterClasses = new Set([...workshop.exclude, ...(selection.exclude ?? []), ...only]);
  if (only.length === 0) return [...filterClasses];
  return [...filterClasses].filter((name) => !only.includes(name));
}

function deckOptions(workshop: Workshop, selection: DeckSelection): Partial<DeckOptions> {
  return {
    excludedClasses: excludedClasses(workshop, selection),
    handsOnClasses: workshop.handsOn,
    decodeAsTextarea: true,
    // container.training's page sets slideNumberFormat to "@@SLIDENUMBERPREFIX@@%current%/%total%".
    slideNumberFormat: `${workshop.slidenumberprefix}%current%/%total%`,
  };
}

/** The chapter files of a workshop (resolved paths), for the live-reload watcher. */
export function listChapterFiles(workshop: Workshop): string[] {
  const dir = dirnameOf(workshop.file);
  return [...new Set(chapterEntries(workshop.content).map((entry) => resolvePath(dir, entry.path)))];
}

/**
 * Every diagnostic of a workshop at once. Only a manifest that cannot be read or parsed throws (LabdeckError);
 * missing chapter files are diagnostics, and the rest of the deck is still checked.
 */
export function lintWorkshop(path: string, selection: DeckSelection = {}): Diagnostic[] {
  return readWorkshopForLint(path, selection).diagnostics;
}

/** What lint reads of a workshop: lintWorkshop's diagnostics, and the diagrams mermaid checks (diagram-syntax.ts). */
export function readWorkshopForLint(path: string, selection: DeckSelection = {}): { diagnostics: Diagnostic[]; diagrams: LocatedDiagram[] } {
  refuseNonTextFile(path);
  const workshop = readWorkshop(path);
  const missing = new Set(missingChapters(workshop, existsSync).map((entry) => resolvePath(dirnameOf(path), entry.path)));
  const unusable = unusableChapters(workshop);
  // Missing and unusable chapters read as empty so that the rest of the deck is still assembled and checked.
  const files: DeckFiles = { read: (file) => (missing.has(file) || unusable.has(file) ? '' : diskFiles.read(file)) };
  const source = assembleDeckSource(workshop, files);
  const isFile = (file: string) => existsSync(file) && statSync(file).isFile();
  const diagnostics = lintAssembledDeck(
    source,
    // An unusable chapter was reported as such: not as "not found" too.
    { manifest: workshop, files: { exists: (file) => unusable.has(file) || isFile(file) } },
    deckOptions(workshop, selection),
  );
  return {
    diagnostics: [...unusable.values(), ...diagnostics, ...stylesheetDiagnostics(workshop, isFile)].sort(byLocation),
    diagrams: findDeckDiagrams(source, deckOptions(workshop, selection)),
  };
}

/** Stylesheets the manifest names that are missing (errors), and what of the others is not applied (warnings). */
function stylesheetDiagnostics(workshop: Workshop, isFile: (file: string) => boolean): Diagnostic[] {
  const missing = missingStylesheets(workshop, isFile);
  const errors = missing.map((entry): Diagnostic => ({ severity: 'error', location: entry.location, message: `stylesheet not found: ${entry.path}` }));
  const present = workshop.stylesheets?.filter((entry) => !missing.includes(entry));
  try {
    return [...errors, ...loadDeckLook({ file: workshop.file, stylesheets: present }).notices.map((notice): Diagnostic => ({ severity: 'warning', ...notice }))];
  } catch (error) {
    if (!(error instanceof LabdeckError)) throw error;
    const location = error.location ?? { file: workshop.file, line: 1 };
    return [...errors, { severity: 'error', location, message: error.message.replace(`${location.file}:${location.line}: `, '') }];
  }
}

/** Diagnostics in reading order: by file, then line. */
export function byLocation(a: Diagnostic, b: Diagnostic): number {
  return a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line;
}

/** Chapter files that exist but cannot be used (a folder, a device, unreadable, huge, not UTF-8), as errors. */
function unusableChapters(workshop: Workshop): Map<string, Diagnostic> {
  const unusable = new Map<string, Diagnostic>();
  for (const entry of chapterEntries(workshop.content)) {
    const file = resolvePath(dirnameOf(workshop.file), entry.path);
    if (unusable.has(file)) continue;
    try {
      diskFiles.read(file);
    } catch (error) {
      if (!(error instanceof LabdeckError)) throw error;
      const location = error.location ?? entry.location;
      const message = error instanceof UnusableFile ? `chapter file ${entry.path} ${error.reason}` : error.message.slice(`${location.file}:${location.line}: `.length);
      unusable.set(file, { severity: 'error', location, message });
    }
  }
  return unusable;
}
