// A workshop's steps and the check each one gets: the deck, plus every `exercises/*.yml` beside the manifest, with
// the lab's offline image substitutes. What `labdeck check` and `labdeck autopilot` both start from.
import { buildCatalog, type Catalog } from '../checks/catalog.ts';
import type { Diagnostic } from '../deck/index.ts';
import { LabdeckError } from '../errors.ts';
import { listSpecFiles, readSpecFiles } from './spec-files.ts';
import type { RenderCache } from './render-cache.ts';
import { loadDeck, type DeckSelection, type LoadedDeck } from './load-deck.ts';
import { IMAGE_SUBSTITUTES } from '../lab/image-substitutes.ts';

export interface WorkshopChecks extends LoadedDeck {
  readonly catalog: Catalog;
  readonly specFiles: readonly string[];
}

export async function loadWorkshopChecks(manifest: string, selection: DeckSelection = {}, cache?: RenderCache): Promise<WorkshopChecks> {
  const loaded = await loadDeck(manifest, selection, cache);
  const specs = readSpecFiles(manifest);
  const catalog = buildCatalog(loaded.deck, specs, { imageSubstitutes: IMAGE_SUBSTITUTES });
  return { ...loaded, catalog, specFiles: specs.map((spec) => spec.file) };
}

/**
 * The problems of the workshop's spec files as `labdeck lint` diagnostics: what `check`, `autopilot` and `serve` would
 * report, found before a class. None when there is no spec file (the deck is then not rendered for nothing), nor when
 * the deck cannot be loaded: specs bind to its steps, and lint already says what keeps it from loading.
 */
export async function checkSpecDiagnostics(manifest: string, cache?: RenderCache): Promise<Diagnostic[]> {
  if (listSpecFiles(manifest).length === 0) return [];
  let catalog: Catalog;
  try {
    catalog = (await loadWorkshopChecks(manifest, {}, cache)).catalog;
  } catch (error) {
    if (error instanceof LabdeckError) return [];
    throw error;
  }
  return catalog.errors.map((error) => {
    // Every catalog error names its place (read-spec.ts, catalog.ts); the manifest stands in if one ever did not.
    const location = error.location ?? { file: manifest, line: 1 };
    const prefix = `${location.file}:${location.line}: `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return { severity: 'error', location, message };
  });
}
