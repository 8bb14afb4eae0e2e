/**
 * The mock API's one error writer (contract §1): routes throw, this writes. A CsError is 403 {code, message,
 * ...info}; an ApiHttpError its own status and body; a browser route's failure a 302 to /web/error. Express's
 * own client errors are bad input (RAPI-1012), never a 500. Anything else is a bug: the journal keeps it and
 * the answer is the internal error, SWEB-1000.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { ApiHttpError, CsError, WebErrorRedirect } from './cs-errors.js';
import { BROWSER_ROUTE, redirectToError } from './http.js';
import { noteUnexpected } from './journal.js';
import { clientErrorOf } from '../util/http-request.js';

export function apiErrorWriter(): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next) => {
    if (res.headersSent) {
      // Too late for an answer: the journal keeps why the answer broke off.
      noteUnexpected(res, err);
      return void res.destroy();
    }
    if (err instanceof CsError) return void res.status(403).json(err.toJSON());
    if (err instanceof ApiHttpError) return void res.status(err.status).json(err.body);
    if (err instanceof WebErrorRedirect) {
      if (err.unexpected !== undefined) noteUnexpected(res, err.unexpected);
      return redirectToError(res, err.params);
    }
    const clientError = clientErrorOf(err);
    if (clientError?.type === 'entity.parse.failed')
      return void res
        .status(403)
        .json({ code: 'RAPI-1012', message: 'invalid parameter', info: 'body is not valid JSON' });
    // A browser route (the start and callback routes, the pages) answers a browser: with the error page (contract §1).
    if (clientError !== undefined && req.method === 'GET' && BROWSER_ROUTE.test(req.path))
      return redirectToError(res, [['code', 'RAPI-1012']]);
    if (clientError !== undefined)
      return void res.status(403).json({ code: 'RAPI-1012', message: 'invalid parameter', info: clientError.message });
    noteUnexpected(res, err);
    res.status(500).json({ code: 'SWEB-1000' });
  };
}
