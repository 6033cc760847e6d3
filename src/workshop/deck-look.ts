// A workshop's look, read from disk: its stylesheets (the `stylesheet:` key, or workshop.css beside the manifest)
// scoped to the slides by deck/deck-style.ts, with the fonts labdeck serves. serve, build and pdf all apply it.
import { existsSync, readFileSync } from 'node:fs';
import { defaultStylesheet, deckStylesheets, type Workshop } from '../config/workshop.ts';
import { dirnameOf, emojiFamily, resolvePath, scopeDeckStyle } from '../deck/index.ts';
import { LabdeckError, type SourceLocation } from '../errors.ts';
import { slideUiClass, type DeckLookJson } from '../protocol.ts';
import { localFontFaces } from './font-faces.ts';

export interface DeckLook {
  readonly json: DeckLookJson;
  /** The files it was made from, and workshop.css even when absent (creating it changes the look): watched. */
  readonly files: readonly string[];
  /** What of the stylesheets was not applied, and why (lint shows them). */
  readonly notices: readonly { readonly location: SourceLocation; readonly message: string }[];
}

export function loadDeckLook(workshop: Pick<Workshop, 'file' | 'stylesheets'>): DeckLook {
  const folder = dirnameOf(workshop.file);
  const sheets = deckStylesheets(workshop, existsSync).map((entry) => {
    const file = resolvePath(folder, entry.path);
    try {
      return { css: readFileSync(file, 'utf8'), path: resolvePath('.', entry.path), file };
    } catch (error) {
      throw new LabdeckError(`cannot read stylesheet ${entry.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, entry.location);
    }
  });
  // Emoji in any slide, with or without a deck stylesheet: the print machine may have no emoji font.
  const emoji = localFontFaces(emojiFamily, [{ weight: 400, style: 'normal' }]) ?? '';
  const style = sheets.length > 0 ? scopeDeckStyle(sheets, { fontFaces: localFontFaces, uiClass: slideUiClass }) : undefined;
  return {
    json: {
      fontFaces: emoji,
      stylesheet: style ? style.css : null,
      pageSize: style?.pageSize ?? null,
      files: style?.files ?? [],
    },
    files: [...new Set([...sheets.map((sheet) => sheet.file), resolvePath(folder, defaultStylesheet)])],
    notices: style?.notices ?? [],
  };
}
