// A class replayed: `GET /_labdeck/timeline/<attendee>` (their Timeline as JSON, from the recordings, with the
// keyframes recorded for seeking: record/keyframes.ts servedKeyframes) and `GET /replay/<attendee>` (the page that plays it). The instructor may open anyone's, an attendee
// only their own (the self-paced learner of a loopback server is the attendee `local`), nobody else any: 401 without
// a valid token, 403 for someone else's. `GET /replay` takes an attendee to their own ("Replay my session").
import { Router, type Request, type Response } from 'express';
import { replayPagePath, timelinePath } from '../protocol.ts';
import type { Access, Identity } from '../classroom/access.ts';
import type { DeckSource } from '../deck/deck-source.ts';
import { relativeToWorkshop } from '../deck/deck-json.ts';
import { servedKeyframes } from '../record/keyframes.ts';
import type { TimelineSource } from '../record/timeline-source.ts';
import { renderDeniedPage } from './classroom-pages.ts';
import { setTokenCookies } from './link-cookies.ts';
import { renderReplayPage } from './replay-page.ts';

export interface ReplayRoutesOptions {
  /** Without it nobody is anyone: every replay is refused. */
  readonly access?: Access;
  /** The recordings: absent when the server keeps none (every timeline is then a 404 that says so). */
  readonly timelines?: TimelineSource;
  readonly deck: DeckSource;
  readonly workshopDir: string;
}

export type ReplayDecision = { readonly allowed: true } | { readonly allowed: false; readonly status: 401 | 403; readonly reason: string };

/** Who may replay `attendee`'s class: pure, so that every route and channel asks the same question. */
export function replayAccess(identity: Identity | undefined, hasToken: boolean, attendee: string): ReplayDecision {
  if (!identity) {
    const reason = hasToken
      ? 'This link or sign-in is not valid for this class (any more).'
      : 'A replay is for the instructor and for the attendee it recorded: open it with your link.';
    return { allowed: false, status: 401, reason };
  }
  if (identity.role === 'instructor') return { allowed: true };
  if (identity.role === 'attendee' && identity.attendee === attendee) return { allowed: true };
  const reason = identity.role === 'attendee' ? 'You can replay only your own session.' : 'The projector link cannot open replays.';
  return { allowed: false, status: 403, reason };
}

export function replayRoutes(options: ReplayRoutesOptions): Router {
  const router = Router();
  const decide = (request: Request, attendee: string): ReplayDecision =>
    options.access
      ? replayAccess(options.access.identifyInstructorFirst(request), options.access.tokenOf(request) !== undefined, attendee)
      : replayAccess(undefined, false, attendee);

  router.get(`${timelinePath}/:attendee`, async (request, response, next) => {
    const attendee = request.params.attendee as string;
    const decision = decide(request, attendee);
    response.set('cache-control', 'no-store');
    if (!decision.allowed) return void response.status(decision.status).json({ error: decision.reason, status: decision.status });
    if (!options.timelines) return void response.status(404).json({ error: 'This server keeps no recordings.', status: 404 });
    try {
      const timeline = await options.timelines.timelineOf(attendee);
      if (!timeline) return void response.status(404).json({ error: `Nothing was recorded for ${attendee} (yet).`, status: 404 });
      response.json({ ...timeline, keyframes: await servedKeyframes(timeline) });
    } catch (error) {
      next(error);
    }
  });

  router.get(replayPagePath, (request, response) => {
    const identity = options.access?.identifyRequest(request);
    if (identity?.role === 'attendee') return response.redirect(303, `${replayPagePath}/${encodeURIComponent(identity.attendee)}`);
    if (identity?.role === 'instructor') return void response.status(404).type('text/plain').send('Open an attendee’s replay from the dashboard.\n');
    const decision = replayAccess(identity, options.access?.tokenOf(request) !== undefined, '');
    if (!decision.allowed) page(response, decision.status, renderDeniedPage(decision.status, decision.reason));
  });

  router.get(`${replayPagePath}/:attendee`, (request, response) => {
    const attendee = request.params.attendee as string;
    const decision = decide(request, attendee);
    if (!decision.allowed) return page(response, decision.status, renderDeniedPage(decision.status, decision.reason));
    // Allowed without a token of its own (`?token=`, a bearer): by its cookie, which the timeline's preload carries too.
    const preloadTimeline = request.query.token === undefined && request.headers.authorization === undefined;
    // Opened by a link: its token becomes the cookie, without which a class server lets none of the page's files in.
    const linkToken = request.query.token;
    if (options.access && typeof linkToken === 'string' && linkToken !== '') setTokenCookies(response, options.access, linkToken);
    page(response, 200, renderReplayPage({ attendee, deck: relativeToWorkshop(options.deck.current(), options.workshopDir) }, { preloadTimeline }));
  });
  return router;
}

function page(response: Response, status: number, html: string): void {
  response.status(status).set('cache-control', 'no-store').type('html').send(html);
}
