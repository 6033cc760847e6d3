// The HTTP application: the deck page and data, labdeck's assets, the workshop's files. It never listens:
// server.ts does, and tests boot it on port 0.
import express from 'express';
import { deckRoutes, type DeckSource } from './deck-routes.ts';
import { staticFolder } from './static-folder.ts';
import { errorHandler, notFound } from './errors.ts';

export interface AppDeps {
  readonly deck: DeckSource;
  /** Chapters reference images relative to the manifest's folder: that folder is served at `/`. */
  readonly workshopDir: string;
  /** labdeck's public/ folder, served at `/_labdeck/`. */
  readonly assetsDir: string;
  readonly log: (line: string) => void;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(deckRoutes(deps.deck));
  app.use('/_labdeck', staticFolder({ root: deps.assetsDir }), notFound);
  app.use(staticFolder({ root: deps.workshopDir }));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
