// A workshop's steps and the check each one gets: the deck, plus every `exercises/*.yml` beside the manifest, with
// the lab's offline image substitutes. What `labdeck check` and `labdeck autopilot` both start from.
import { buildCatalog, type Catalog } from '../checks/catalog.ts';
import { readSpecFiles } from './spec-files.ts';
import { loadDeck, type DeckSelection, type LoadedDeck } from './load-deck.ts';
import { IMAGE_SUBSTITUTES } from '../lab/lab.ts';

export interface WorkshopChecks extends LoadedDeck {
  readonly catalog: Catalog;
  readonly specFiles: readonly string[];
}

export function loadWorkshopChecks(manifest: string, selection: DeckSelection = {}): WorkshopChecks {
  const loaded = loadDeck(manifest, selection);
  const specs = readSpecFiles(manifest);
  const catalog = buildCatalog(loaded.deck, specs, { imageSubstitutes: IMAGE_SUBSTITUTES });
  return { ...loaded, catalog, specFiles: specs.map((spec) => spec.file) };
}
