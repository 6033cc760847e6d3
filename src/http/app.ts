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
import { packageAssets, packageFiles } from './package-assets.ts';
import { fontFolders } from './font-files.ts';
import { replayRoutes } from './replay-routes.ts';

export interface AppDeps {
  readonly deck: DeckSource;
  /** Chapters reference images relative to the manifest's folder: those the deck references are served at `/`. */
  readonly workshopDir: string;
  /** The class's data folder (tokens, progress): never served, even when a slide links into it. */
  readonly dataDir?: string;
  /** labdeck's public/ folder, served at `/_labdeck/`. */
  readonly assetsDir: string;
  /** The font packages' folders of font files (workshop/font-faces.ts), served at `/_labdeck/fonts/<package>/`. */
  readonly fontFolders?: Readonly<Record<string, string>>;
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
  /** The recorded timelines of attendees (record/recordings.ts), for the replay routes. */
  readonly timelines?: TimelineSource;
  /** Recording is on (record/): attendees' slide moves go to it, and the dashboard says whether typed input is kept. */
  readonly recording?: RecordingHooks;
}

/** What the web layer tells the recorder, and shows of it. */
export interface RecordingHooks {
  readonly input: boolean;
  /** An attendee's page is on this slide (0-based), reported after each move and on connect. */
  slideMoved(attendee: string, index: number): void;
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
  if (deps.classroom && deps.access) {
    app.use(
      classroomRoutes({
        classroom: deps.classroom,
        access: deps.access,
        recording: deps.recording ? { input: deps.recording.input } : undefined,
        replays: deps.timelines !== undefined,
      }),
    );
  }
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
  const fonts = fontFolders(deps.fontFolders ?? {});
  const assets = staticFolder({ root: deps.assetsDir });
  const packages = packageFiles(packageAssets());
  const workshop = workshopFiles({ root: deps.workshopDir, deck: deps.deck, privateFolders: deps.dataDir ? [deps.dataDir] : [] });
  app.use(
    methodNotAllowed({
      router: app.router,
      folders: [
        ...fonts,
        { prefix: '/_labdeck', files: { serves: async (path) => (await packages.serves(path)) || assets.serves(path) } },
        { prefix: '', files: workshop },
      ],
    }),
  );
  for (const font of fonts) app.use(font.prefix, font.files.handler, notFound);
  app.use('/_labdeck', packages.handler, assets.handler, notFound);
  app.use(workshop.handler);
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
