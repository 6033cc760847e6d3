// Keeps the page's look in step with the deck after a live reload: the fonts labdeck serves, the deck's own (scoped)
// stylesheet, and labdeck's default theme, on only while the deck has no stylesheet. The server renders the first
// look into the page itself (src/http/page.ts), so the first slide is never painted in the wrong one.
import { deckStyleElementId, defaultThemeElementId, fontFacesElementId, type DeckLookJson } from '../protocol.ts';

export function applyDeckLook(look: DeckLookJson | undefined): void {
  setText(fontFacesElementId, look?.fontFaces ?? '');
  setText(deckStyleElementId, look?.stylesheet ?? '');
  const theme = document.getElementById(defaultThemeElementId);
  if (theme instanceof HTMLLinkElement) theme.disabled = (look?.stylesheet ?? null) !== null;
}

/** Only a changed text is set: setting the same one would make the browser restyle every slide for nothing. */
function setText(id: string, css: string): void {
  const element = document.getElementById(id);
  if (element && element.textContent !== css) element.textContent = css;
}
