// Classroom routes: `/join` (a name and the class code give an attendee a personal token, kept in an HttpOnly,
// SameSite=Strict cookie), the deck page's door (a token in the URL becomes the cookie; an unknown token gets a
// clear 401 page; nobody at all is sent to /join), the instructor dashboard page, and the gate every other route
// of a class server is behind (mounted first, so the deck, its data, terminals.json and every file are covered):
// nobody without a valid token gets further than /join. Pages are refused with a page, data with JSON.
import express, { Router, type Request, type Response } from 'express';
import { joinQrSvg } from '../classroom/qr.ts';
import { instructorCookie, tokenCookie, type Access } from '../classroom/access.ts';
import type { ClassroomSource } from '../classroom/classroom-source.ts';
import { renderDashboardPage, renderDeniedPage, renderJoinPage } from './classroom-pages.ts';
import { setTokenCookies } from './link-cookies.ts';
import { cleanName, maxNameLength, nameLength, truncateName } from '../classroom/attendee-name.ts';

export interface ClassroomRoutesOptions {
  readonly classroom: ClassroomSource;
  readonly access: Access;
  /** Recording is on (record/): the dashboard says so, and whether typed input is recorded. Absent: off. */
  readonly recording?: { readonly input: boolean } | undefined;
  /** The server serves replays (it keeps recordings): the dashboard links each attendee to theirs. */
  readonly replays?: boolean;
}

export const dashboardPagePath = '/_labdeck/dashboard';
/**
 * The join form's largest body. Sixty characters people see take at most about 5 KB as a form: the longest common
 * ones (a subdivision flag, 🏴 and six tags) are 28 UTF-8 bytes, 84 percent-encoded. A longer body gets the form
 * again (413), never a bare error.
 */
const joinFormLimit = '8kb';

export function classroomRoutes(options: ClassroomRoutesOptions): Router {
  const { access, classroom } = options;
  const router = Router();
  const setCookie = (response: Response, token: string): void => setTokenCookies(response, access, token);
  const deny = (response: Response, status: 401 | 403, reason: string, request?: Request): void => {
    if (status === 401) for (const name of [tokenCookie, instructorCookie]) response.clearCookie(name, { path: '/' });
    response.status(status).set('cache-control', 'no-store');
    if (request && wantsJson(request)) response.json({ error: reason, status });
    else response.type('html').send(renderDeniedPage(status, reason));
  };
  // The join QR code is drawn once per URL the dashboard is opened at.
  const qrCodes = new Map<string, Promise<string>>();
  const page = (response: Response, html: string): void => {
    response.set('cache-control', 'no-store').type('html').send(html);
  };

  router.get('/', (request, response, next) => {
    const token = access.tokenOf(request);
    const identity = access.identifyRequest(request);
    if (token && !identity) return deny(response, 401, 'This link or sign-in is not valid for this class (any more).');
    if (!identity) return response.redirect(303, '/join');
    if (token && typeof request.query.token === 'string') setCookie(response, token);
    next();
  });

  router.get('/join', (request, response) => {
    if (access.identifyRequest(request)?.role === 'attendee' && access.tokenOf(request)) return response.redirect(303, '/');
    page(response, renderJoinPage({ code: typeof request.query.code === 'string' ? request.query.code.slice(0, 16) : '' }));
  });

  const joinForm = express.urlencoded({ extended: false, limit: joinFormLimit });
  /** Every refusal of the form is the form again, with what to change. */
  const joinAgain = (request: Request, response: Response, status: 400 | 403 | 413 | 415, problem: string, code = '', name = ''): void => {
    response.status(status).set('cache-control', 'no-store');
    if (wantsJson(request)) response.json({ error: problem, status });
    else response.type('html').send(renderJoinPage({ code, name, problem }));
  };
  const tooLong = `Your name: at most ${maxNameLength} characters.`;

  router.post(
    '/join',
    (request: Request, response, next) => {
      // Anything but the form (JSON, multipart, nothing) would otherwise read as an empty form: "not the code".
      if (!request.is('application/x-www-form-urlencoded')) {
        return joinAgain(request, response, 415, 'Send the join form: the class code and your name, as a web form (application/x-www-form-urlencoded).');
      }
      joinForm(request, response, (error?: unknown) => {
        if ((error as { type?: unknown } | undefined)?.type === 'entity.too.large') return joinAgain(request, response, 413, tooLong);
        next(error);
      });
    },
    (request: Request, response) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const code = typeof body.code === 'string' ? body.code.trim().toUpperCase().slice(0, 16) : '';
      const name = typeof body.name === 'string' ? cleanName(body.name) : '';
      const shownName = truncateName(name, maxNameLength);
      if (code !== classroom.classCode) {
        return joinAgain(request, response, 403, 'That is not the code of this class: check it with your instructor.', code, shownName);
      }
      const length = nameLength(name);
      if (length === 0) return joinAgain(request, response, 400, 'Your name: at least one visible character.', code);
      if (length > maxNameLength) return joinAgain(request, response, 400, tooLong, code, shownName);
      setCookie(response, classroom.join(name));
      response.redirect(303, '/');
    },
  );

  router.get(dashboardPagePath, async (request, response) => {
    const token = access.tokenOf(request);
    const identity = access.identifyInstructorFirst(request);
    if (!identity)
      return deny(
        response,
        401,
        token ? 'This link or sign-in is not valid for this class (any more).' : 'The dashboard is for the instructor: open it with the instructor link.',
      );
    if (identity.role !== 'instructor') return deny(response, 403, 'The dashboard is for the instructor only.');
    if (typeof request.query.token === 'string' && token) setCookie(response, token);
    // Attendees reach the server the way the instructor does (the URL the dashboard was opened at), not by the
    // address it is bound to (0.0.0.0 names no machine).
    const joinUrl = `${request.protocol}://${request.get('host') ?? 'localhost'}/join?code=${encodeURIComponent(classroom.classCode)}`;
    let qrCode = qrCodes.get(joinUrl);
    if (!qrCode) {
      qrCode = joinQrSvg(joinUrl);
      qrCodes.set(joinUrl, qrCode);
    }
    page(
      response,
      renderDashboardPage({ classCode: classroom.classCode, joinUrl, joinQrSvg: await qrCode, recording: options.recording, replays: options.replays ?? false }),
    );
  });

  router.use((request, response, next) => {
    const admission = access.admit(request);
    if (!admission.admitted) return deny(response, admission.status, admission.reason, request);
    next();
  });
  return router;
}

/** Data requests (deck.json, terminals.json, fetch() asking for JSON) are refused in JSON; the rest with a page. */
function wantsJson(request: Request): boolean {
  return request.path.endsWith('.json') || request.accepts(['html', 'json']) === 'json';
}
