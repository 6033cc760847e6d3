// Keeps the served deck current while authoring: watches the files a deck was built from, reloads it when one
// changes, and tells listeners the new version. A reload that fails keeps the last good slides and carries the
// error instead, until a later edit fixes it.
import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Deck } from '../deck/index.ts';
import { toDeckJson } from '../deck/deck-json.ts';
import { Emitter } from '../event.ts';
import type { DeckJson, DeckLookJson } from '../protocol.ts';

/** A deck as LiveDeck serves and watches it: the rendered deck, what its page shows, and every file it came from. */
export interface WatchedDeck {
  readonly deck: Deck;
  /** The title on one line. */
  readonly title: string;
  readonly ratio: string;
  /** Its stylesheet and fonts (workshop/deck-look.ts). */
  readonly look?: DeckLookJson;
  /** Every file the deck was built from: the manifest, the chapters, interstitials.txt, stylesheets (need not exist). */
  readonly files: readonly string[];
}

export interface LiveDeckOptions {
  /** Loads the whole deck again; the deck engine memoises rendering per slide, so this is cheap after an edit. */
  readonly load: () => Promise<WatchedDeck>;
  readonly log: (line: string) => void;
  /** Editors write a file in several steps: wait this long after the last change before reloading. */
  readonly settleMs?: number;
}

export class LiveDeck {
  readonly #options: LiveDeckOptions;
  readonly #changeEmitter = new Emitter<number>();
  readonly #watchers = new Map<string, FSWatcher>();
  #watchedFiles = new Set<string>();
  #state: DeckJson;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> | undefined;
  #reloadAgain = false;

  /** Loads the deck once (its errors are the caller's: a deck broken at start is not served) and starts watching. */
  static async start(options: LiveDeckOptions): Promise<LiveDeck> {
    return new LiveDeck(options, await options.load());
  }

  private constructor(options: LiveDeckOptions, first: WatchedDeck) {
    this.#options = options;
    this.#state = toDeckJson(first.deck, { version: 1, title: first.title, ratio: first.ratio, error: null, ...(first.look ? { look: first.look } : {}) });
    this.#watch(first.files);
  }

  current(): DeckJson {
    return this.#state;
  }

  /** Fires with the new version after every reload attempt. */
  readonly onChange = this.#changeEmitter.event;

  /** Reloads now; concurrent calls are folded into one more reload after the running one. */
  reload(): Promise<void> {
    if (this.#reloading) {
      this.#reloadAgain = true;
      return this.#reloading;
    }
    this.#reloading = this.#reloadOnce().finally(() => {
      this.#reloading = undefined;
      if (this.#reloadAgain) {
        this.#reloadAgain = false;
        void this.reload();
      }
    });
    return this.#reloading;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    this.#changeEmitter.dispose();
  }

  async #reloadOnce(): Promise<void> {
    const version = this.#state.version + 1;
    try {
      const loaded = await this.#options.load();
      this.#state = toDeckJson(loaded.deck, { version, title: loaded.title, ratio: loaded.ratio, error: null, ...(loaded.look ? { look: loaded.look } : {}) });
      this.#watch(loaded.files);
      this.#options.log(`deck reloaded (${loaded.deck.slides.length} slides)`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#state = { ...this.#state, version, error: message };
      this.#options.log(`deck not reloaded: ${message}`);
    }
    this.#changeEmitter.fire(version);
  }

  /**
   * Watches folders rather than files: editors save by writing a new file and renaming it over the old one, which
   * a watch on the old file would never see.
   */
  #watch(files: readonly string[]): void {
    this.#watchedFiles = new Set(files.map((file) => resolve(file)));
    const folders = new Set([...this.#watchedFiles].map((file) => dirname(file)));
    for (const [folder, watcher] of this.#watchers) {
      if (!folders.has(folder)) {
        watcher.close();
        this.#watchers.delete(folder);
      }
    }
    for (const folder of folders) {
      if (this.#watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, (_event, name) => {
          if (name && this.#watchedFiles.has(resolve(folder, name.toString()))) this.#schedule();
        });
        watcher.on('error', (error) => this.#options.log(`not watching ${folder} any more: ${error.message}`));
        this.#watchers.set(folder, watcher);
      } catch (error) {
        this.#options.log(`cannot watch ${folder}: ${(error as Error).message}`);
      }
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.reload(), this.#options.settleMs ?? 60);
  }
}
