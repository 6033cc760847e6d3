// The deck page and its data. Both always reflect the latest deck the source holds (the last good one, plus the
// error of a failed reload), so a page opened during a broken edit still shows slides and the error overlay.
import { Router } from 'express';
import type { DeckJson } from '../protocol.ts';
import { renderDeckPage } from './page.ts';

export interface DeckSource {
  current(): DeckJson;
  /** Calls `listener` with the new version after every reload attempt; returns the unsubscribe function. */
  onChange(listener: (version: number) => void): () => void;
}

export function deckRoutes(source: DeckSource): Router {
  const router = Router();
  router.get('/', (_request, response) => {
    response.set('cache-control', 'no-store').type('html').send(renderDeckPage({ deck: source.current(), live: true }));
  });
  router.get('/deck.json', (_request, response) => {
    response.set('cache-control', 'no-store').json(source.current());
  });
  return router;
}
