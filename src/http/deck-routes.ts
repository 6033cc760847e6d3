// The deck page and its data. Both always reflect the latest deck the source holds (the last good one, plus the
// error of a failed reload), so a page opened during a broken edit still shows slides and the error overlay.
import { Router } from 'express';
import type { DeckJson } from '../protocol.ts';
import { relativeToWorkshop } from '../deck/deck-json.ts';
import { renderDeckPage } from './page.ts';
import type { DeckSource } from '../deck/deck-source.ts';

/** `workshopDir`: the files the deck names are sent relative to it (deck/deck-json.ts). */
export function deckRoutes(source: DeckSource, workshopDir: string): Router {
  const router = Router();
  let sent: { readonly from: DeckJson; readonly deck: DeckJson } | undefined;
  const current = (): DeckJson => {
    const deck = source.current();
    if (sent?.from !== deck) sent = { from: deck, deck: relativeToWorkshop(deck, workshopDir) };
    return sent.deck;
  };
  router.get('/', (_request, response) => {
    response
      .set('cache-control', 'no-store')
      .type('html')
      .send(renderDeckPage({ deck: current(), live: true }));
  });
  router.get('/deck.json', (_request, response) => {
    response.set('cache-control', 'no-store').json(current());
  });
  return router;
}
