// The HTTP application: the deck page and data, labdeck's assets, the workshop files the deck references. It never
// listens: server.ts does, and tests boot it on port 0.
import express from 'express';
import { deckRoutes } from './deck-routes.ts';
import type { DeckSource } from '../deck/deck-source.ts';
import { staticFolder } from './static-folder.ts';
import { workshopFiles } from './workshop-files.ts';
import { errorHandler, notFound } from './errors.ts';
import type { TerminalService } from './terminal-route.ts';
import type { Access, Identity } from '../classroom/access.ts';
import type { ResultsSource } from './results-channel.ts';
import { classroomRoutes } from './classroom-routes.ts';
import type { ClassroomSource } from '../classroom/classroom-source.ts';
import { frontDoor } from './front-door.ts';
import type { HostCheck } from './host-check.ts';
import { methodNotAllowed } from './method-not-allowed.ts';
import type { TimelineSource } from '../record/timeline-source.ts';
import { replayRoutes } from './replay-routes.ts';

export interface AppDeps {
  readonly deck: DeckSource;
  /** Chapters reference images relative to the manifest's folder: those the deck references are served at `/`. */
  readonly workshopDir: string;
  /** The class's data folder (tokens, progress): never served, even when a slide links into it. */
  readonly dataDir?: string;
  /** labdeck's public/ folder, served at `/_labdeck/`. */
  readonly assetsDir: string;
  readonly log: (line: string) => void;
  /** Who is who (instructor token, attendees): the follow-me channel is served only when given. */
  readonly access?: Access;
  /** The workshop's embedded terminals, when it has some (terminal-route.ts). */
  readonly terminals?: TerminalService;
  /** Live step results: whose results each caller sees (results-channel.ts); the channel is served only when given. */
  readonly stepResults?: (identity: Identity) => ResultsSource | undefined;
  /** A class (`serve --classroom`): /join, the deck page's door and the dashboard; needs `access`. */
  readonly classroom?: ClassroomSource;
  /** Which Host names the server answers to (host-check.ts); server.ts gives one that learns the port on listen. */
  readonly hostCheck?: HostCheck;
  /** The recordings of the class (src/record/): replays are served from them; without them every timeline is a 404. */
  readonly timelines?: TimelineSource;
}

/**
 * Slides link to other sites: a Referer would hand them the page's address, `?token=` included while a link still
 * carries it. `same-origin` would do for that; `no-referrer` also keeps a class server's own address (a name on the
 * room's network) from them, and nothing in labdeck reads a Referer.
 */
const noReferrer: express.RequestHandler = (_request, response, next) => {
  response.set('referrer-policy', 'no-referrer');
  next();
};

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // First, before anything reads a token or a path: refusals carry the header too.
  app.use(noReferrer, frontDoor(deps.hostCheck));
  if (deps.classroom && deps.access) app.use(classroomRoutes({ classroom: deps.classroom, access: deps.access }));
  app.use(deckRoutes(deps.deck, deps.workshopDir));
  app.use(
    replayRoutes({
      deck: deps.deck,
      workshopDir: deps.workshopDir,
      ...(deps.access ? { access: deps.access } : {}),
      ...(deps.timelines ? { timelines: deps.timelines } : {}),
    }),
  );
  if (deps.terminals) app.use(deps.terminals.routes);
  const assets = staticFolder({ root: deps.assetsDir });
  const workshop = workshopFiles({ root: deps.workshopDir, deck: deps.deck, privateFolders: deps.dataDir ? [deps.dataDir] : [] });
  app.use(
    methodNotAllowed({
      router: app.router,
      folders: [
        { prefix: '/_labdeck', files: assets },
        { prefix: '', files: workshop },
      ],
    }),
  );
  app.use('/_labdeck', assets.handler, notFound);
  app.use(workshop.handler);
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
