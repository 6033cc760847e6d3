// The one mapping from the deck engine's slides to the wire format: `labdeck slides --json`, `/deck.json` and the
// static export all go through here, so they never disagree.
import { dirname, isAbsolute, relative, sep } from 'node:path';
import type { Deck } from './index.ts';
import { escapeRegExp } from '../text/escape-regexp.ts';
import type { RenderedSlide } from './types.ts';
import type { DeckJson, DeckLookJson, SlideJson } from '../protocol.ts';

export function toSlideJson(slide: RenderedSlide): SlideJson {
  return {
    index: slide.position,
    number: slide.number,
    name: slide.name ?? null,
    classes: slide.classes,
    notes: slide.notesHtml,
    html: slide.html,
    numberText: slide.numberText,
    continued: slide.continued,
    source: { file: slide.source.file, line: slide.source.line },
  };
}

export interface DeckJsonMeta {
  readonly version: number;
  readonly title: string;
  readonly ratio: string;
  readonly error: string | null;
  readonly look?: DeckLookJson;
}

export function toDeckJson(deck: Deck, { look, ...meta }: DeckJsonMeta): DeckJson {
  return { ...meta, slides: deck.slides.map(toSlideJson), steps: deck.steps, ...(look ? { look } : {}) };
}

/**
 * The deck as it leaves this machine (/deck.json, the deck page, a static export, `labdeck slides --json`): files are
 * named relative to the workshop folder, so attendees learn nothing of the author's disk (home folder, user name).
 */
export function relativeToWorkshop(deck: DeckJson, workshopDir: string): DeckJson {
  return {
    ...deck,
    slides: deck.slides.map((slide) => slideRelativeToWorkshop(slide, workshopDir)),
    steps: deck.steps.map((step) => ({ ...step, source: { file: fileName(step.source.file, workshopDir), line: step.source.line } })),
    error: deck.error === null ? null : pathsRelativeIn(deck.error, workshopDir),
  };
}

export function slideRelativeToWorkshop(slide: SlideJson, workshopDir: string): SlideJson {
  return { ...slide, source: { file: fileName(slide.source.file, workshopDir), line: slide.source.line } };
}

/** Generated slides carry a name that is not a path (`<deck>`): it stays. */
function fileName(file: string, workshopDir: string): string {
  return isAbsolute(file) ? relative(workshopDir, file).split(sep).join('/') : file;
}

/**
 * An error is free text (`/…/workshop.yml:4: chapter file not found: x.md (looked for /…/x.md)`): the paths in it
 * under the workshop folder or one of its parents (the home folder) become relative; the disk's root is not a parent
 * here, so system paths (`/usr/…`) and URLs stay as they are.
 */
function pathsRelativeIn(text: string, workshopDir: string): string {
  let result = text;
  // The workshop folder first, then its parents: the deepest folder a path is under names it.
  for (let folder = workshopDir, up = ''; dirname(folder) !== folder; folder = dirname(folder), up += '../') {
    const escaped = escapeRegExp(folder);
    // Only a whole path: not the end of another (`https://host/a/b`), not the start of a longer name (`/a/bc`).
    result = result.replace(new RegExp(`(?<![\\w.~:/-])${escaped}(?:/|(?![\\w.~-]))`, 'g'), (match) =>
      match.length > folder.length ? up : up === '' ? '.' : up.slice(0, -1),
    );
  }
  return result;
}
