// The one error handler, and the 404 that ends the route list.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { redactTokens } from '../text/request-target.ts';

export const notFound: RequestHandler = (_request, response) => {
  response.status(404).type('text/plain').send('Not found\n');
};

export function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) return next(error);
    const status = statusOf(error);
    // The whole line: an error's own message may quote the URL too.
    if (status >= 500) log(redactTokens(`${request.method} ${request.originalUrl}: ${error instanceof Error ? error.stack : String(error)}`));
    response
      .status(status)
      .type('text/plain')
      .send(status >= 500 ? 'Internal error\n' : `${messageOf(error)}\n`);
  };
}

/** Errors from express's own middleware (bad JSON, aborted requests) carry an HTTP status. */
function statusOf(error: unknown): number {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
