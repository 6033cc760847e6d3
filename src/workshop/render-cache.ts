// Rendered decks kept on disk, so that starting labdeck again on an unchanged deck skips the render (issue #12):
// the cache's one door to the disk. An entry is the whole rendered Deck, keyed by a hash of everything that decides
// it: the assembled markdown, its source map, the deck options, and the renderer (labdeck's package.json, the
// lockfiles found: the versions of remark, parse5, highlight.js..., and the deck engine's own code).
//
// Decisions:
// - Where: `$XDG_CACHE_HOME/labdeck/render`, else `~/.cache/labdeck/render` (see renderCacheDir): per user, never in
//   a folder labdeck serves or exports. Folders created 0700, entries written 0600; a folder owned by someone else,
//   or that others may read or write, is not used at all (an entry there could have been planted: its HTML would be
//   served as the deck's).
// - Size: at most `maxBytes` (32 MiB, about 60 decks the size of container.training's half-day swarm deck); after
//   each write the least recently used entries (mtime, refreshed on every hit) go first.
// - Failure: the cache only ever saves time. An unreadable, corrupt or foreign entry is a miss (it is rendered
//   again and overwritten); a folder that cannot be created or written disables writing. Nothing here throws.
// - Off: `LABDECK_CACHE=off` (or `0`, `false`); `LABDECK_CACHE=DIR` puts it elsewhere.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AssembledSource, Deck, DeckOptions } from '../deck/index.ts';

/** Everything renderMarkdownDeck is given. */
export interface RenderInput {
  readonly markdown: string;
  readonly options: Partial<DeckOptions>;
  readonly map: AssembledSource['map'];
}

export interface RenderCache {
  /** The deck rendered earlier from the same input by the same renderer; undefined when there is none usable. */
  get(input: RenderInput): Deck | undefined;
  /** Remembers a rendered deck; failures to write are ignored. */
  set(input: RenderInput, deck: Deck): void;
}

/** 32 MiB: container.training's half-day swarm deck (276 slides) takes about 0.5 MiB. */
export const defaultMaxBytes = 32 * 1024 * 1024;

/** Stays in the file names: entries of an incompatible layout are never read. */
const entryFormat = 1;

/** The cache's key for an input rendered by the renderer `fingerprint` names (pure). */
export function renderCacheKey(input: RenderInput, fingerprint: string): string {
  return createHash('sha256')
    .update(JSON.stringify([entryFormat, fingerprint, input.options, input.map, input.markdown]))
    .digest('hex');
}

/**
 * Where the cache lives, from the environment given (cli.ts passes its own): undefined when it is turned off.
 * `home` is the user's home folder (os.homedir()).
 */
export function renderCacheDir(env: Readonly<Record<string, string | undefined>>, home: string): string | undefined {
  const setting = env.LABDECK_CACHE?.trim();
  if (setting !== undefined && setting !== '') {
    if (/^(off|0|false|no)$/i.test(setting)) return undefined;
    return setting;
  }
  const xdg = env.XDG_CACHE_HOME?.trim();
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and is ignored.
  const base = xdg?.startsWith('/') ? xdg : home === '' ? undefined : join(home, '.cache');
  return base === undefined ? undefined : join(base, 'labdeck', 'render');
}

export interface RenderCacheOptions {
  readonly maxBytes?: number;
  /** Names the renderer; by default a hash of labdeck's package.json, lockfile and deck engine code. */
  readonly fingerprint?: string;
}

/** The cache in `dir` (created on first write), or one that remembers nothing when `dir` is undefined. */
export function openRenderCache(dir: string | undefined, options: RenderCacheOptions = {}): RenderCache {
  if (dir === undefined) return { get: () => undefined, set: () => {} };
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  let fingerprint = options.fingerprint;
  const keyOf = (input: RenderInput) => renderCacheKey(input, (fingerprint ??= rendererFingerprint()));
  const entryPath = (key: string) => join(dir, `${key}.v${entryFormat}.json`);

  return {
    get(input) {
      const key = keyOf(input);
      const path = entryPath(key);
      try {
        if (!privateFolder(dir)) return undefined;
        const entry: unknown = JSON.parse(readFileSync(path, 'utf8'));
        const deck = deckOf(entry, key);
        if (deck) {
          const now = new Date();
          utimesSync(path, now, now); // most recently used: pruned last
        }
        return deck;
      } catch {
        return undefined; // missing, unreadable or not JSON: rendered again
      }
    },
    set(input, deck) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!privateFolder(dir)) return;
        const key = keyOf(input);
        const temporary = join(dir, `${key}.${process.pid}.tmp`);
        writeFileSync(temporary, JSON.stringify({ key, deck }), { mode: 0o600 });
        renameSync(temporary, entryPath(key)); // readers see the whole entry or none
        prune(dir, maxBytes);
      } catch {
        // A full disk or a read-only folder: the deck was rendered, only the next start is slower.
      }
    },
  };
}

/** Whether `dir` is a folder only this user can read and write: else another user could plant entries (or read them). */
function privateFolder(dir: string): boolean {
  const stats = statSync(dir);
  return stats.isDirectory() && (process.getuid === undefined || stats.uid === process.getuid()) && (stats.mode & 0o077) === 0;
}

/** The deck of a parsed entry when it is one, for this key; undefined otherwise. */
function deckOf(entry: unknown, key: string): Deck | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { key: entryKey, deck } = entry as { key?: unknown; deck?: Partial<Deck> };
  if (entryKey !== key || typeof deck !== 'object' || deck === null) return undefined;
  if (!Array.isArray(deck.slides) || !Array.isArray(deck.steps) || typeof deck.links !== 'object' || deck.links === null) return undefined;
  // JSON drops `name: undefined`: put it back, so that a cached deck is the very deck rendered.
  return { slides: deck.slides.map((slide) => ({ ...slide, name: slide.name })), steps: deck.steps, links: deck.links };
}

/** Least recently used entries out until the folder holds at most `maxBytes`; leftovers of interrupted writes too. */
function prune(dir: string, maxBytes: number): void {
  const entries: { path: string; size: number; used: number }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      const stats = statSync(path);
      if (name.endsWith('.tmp')) {
        if (Date.now() - stats.mtimeMs > 10 * 60_000) unlinkSync(path);
      } else if (name.endsWith('.json')) {
        entries.push({ path, size: stats.size, used: stats.mtimeMs });
      }
    } catch {
      // removed meanwhile by another labdeck
    }
  }
  let total = entries.reduce((sum, entry) => sum + entry.size, 0);
  for (const entry of entries.sort((a, b) => a.used - b.used)) {
    if (total <= maxBytes) break;
    try {
      unlinkSync(entry.path);
    } catch {
      // already gone
    }
    total -= entry.size;
  }
}

/**
 * A hash of what decides how labdeck renders: its package.json (version, dependency ranges), the lockfiles beside it
 * (exact versions of remark, micromark, parse5, highlight.js...) and the deck engine's code — the files of deck/
 * and what they import outside it when labdeck runs from source, else the (bundled) module this code is part of.
 */
export function rendererFingerprint(): string {
  const hash = createHash('sha256');
  const here = fileURLToPath(import.meta.url);
  const root = packageRoot(dirname(here));
  // npm writes node_modules/.package-lock.json wherever it installs, also where a published package has no lockfile.
  for (const file of ['package.json', 'package-lock.json', 'node_modules/.package-lock.json']) {
    const path = root === undefined ? undefined : join(root, file);
    if (path !== undefined && existsSync(path)) hash.update(`${file}\0`).update(readFileSync(path));
  }
  // From source: the deck engine and the modules it imports outside deck/. Bundled: the bundle.
  const sourceDir = join(dirname(here), '..');
  const deckDir = join(sourceDir, 'deck');
  const code = existsSync(deckDir)
    ? [
        ...readdirSync(deckDir)
          .sort()
          .map((name) => join('deck', name)),
        'errors.ts',
        'event.ts',
        'protocol.ts',
        'text/escape-regexp.ts',
      ].map((file) => join(sourceDir, file))
    : compiledFiles(root, here);
  for (const path of code) {
    try {
      hash.update(`${relative(sourceDir, path)}\0`).update(readFileSync(path));
    } catch {
      hash.update(`${relative(sourceDir, path)}: unreadable`);
    }
  }
  return hash.digest('hex');
}

/**
 * Compiled, the deck engine is in one of the chunks of dist/ (scripts/build-server.mjs), not necessarily the one this
 * code is in: every file of dist/ counts (about 0.5 MB, hashed in a few milliseconds).
 */
function compiledFiles(root: string | undefined, here: string): string[] {
  if (root === undefined) return [here];
  const dist = join(root, 'dist');
  try {
    return readdirSync(dist, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.js'))
      .sort()
      .map((name) => join(dist, name));
  } catch {
    return [here];
  }
}

/** The nearest folder above `from` holding labdeck's own package.json. */
function packageRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    try {
      if (existsSync(path) && (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name === 'labdeck') return dir;
    } catch {
      // not JSON: keep looking
    }
    if (dirname(dir) === dir) return undefined;
  }
}
