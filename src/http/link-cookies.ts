// A class server's cookies: the token a person's link or the join form gave them, kept HttpOnly and SameSite=Strict,
// so that the page's own requests (its styles, scripts, data, sockets), which carry no `?token=`, are let in too.
import type { Response } from 'express';
import { instructorCookie, tokenCookie, type Access } from '../classroom/access.ts';

/** A class lasts days at most; a month lets a learner come back to the recording of their progress. */
const cookieMaxAgeMs = 30 * 24 * 3600 * 1000;

/** Keeps `token` in the browser; the instructor's also in the cookie that the projector's link cannot replace. */
export function setTokenCookies(response: Response, access: Access, token: string): void {
  const options = { httpOnly: true, sameSite: 'strict', path: '/', maxAge: cookieMaxAgeMs } as const;
  response.cookie(tokenCookie, token, options);
  if (access.identify(token)?.role === 'instructor') response.cookie(instructorCookie, token, options);
}
