// The token cookie: a `?token=` link's token becomes an HttpOnly, SameSite=Strict cookie on the deck page, so that
// the page can take the token out of its address bar (src/client/link-token.ts: that page may be projected to the
// room) and still be who it is after a reload, or in the window the presenter clones from it.
import type { RequestHandler, Response } from 'express';
import { tokenCookie, type Access } from './access.ts';

/** A class lasts days at most; a month lets a learner come back to the recording of their progress. */
const cookieMaxAgeMs = 30 * 24 * 3600 * 1000;

export function setTokenCookie(response: Response, token: string): void {
  response.cookie(tokenCookie, token, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: cookieMaxAgeMs });
}

/** The deck page's door outside a class (a class has its own, classroom-routes.ts): a valid link token is kept. */
export function linkTokenCookie(access: Access): RequestHandler {
  return (request, response, next) => {
    const token = request.method === 'GET' && request.path === '/' ? request.query.token : undefined;
    if (typeof token === 'string' && access.identify(token)) setTokenCookie(response, token);
    next();
  };
}
