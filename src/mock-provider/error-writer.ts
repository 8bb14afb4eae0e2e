/**
 * The mock provider's one error writer (house style §4.3): routes throw, this writes. A typed error is
 * answered as it describes itself; express's own client errors are bad input (400); anything else is a bug,
 * kept in the request's journal entry and answered with RFC 6749's server_error, never dropped.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { escapeHtml, sendPage } from '../util/html-page.js';
import { sendAnswer } from './answer.js';
import type { ProviderContext } from './context.js';
import { OAuthError, ProviderHttpError } from './errors.js';
import { journalEntryOf } from './journal.js';
import { clientErrorOf, describeError } from '../util/http-request.js';

export function providerErrorWriter(ctx: ProviderContext): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next) => {
    if (res.headersSent) {
      // Too late for an answer: the journal keeps why the answer broke off.
      noteUnexpected(res, err);
      return void res.destroy();
    }
    if (err instanceof ProviderHttpError) return writeAnswer(req, res, err);
    // Errors that may not be redirected get a page, never a Location (RFC 6749 §4.1.2.1).
    if (err instanceof OAuthError)
      return sendPage(
        res,
        err.status,
        `${ctx.profile.displayName}: ${err.error}`,
        `<p>${escapeHtml(err.description)}</p>`,
      );
    const clientError = clientErrorOf(err);
    if (clientError !== undefined)
      return void res
        .status(clientError.status)
        .json({ error: 'invalid_request', error_description: clientError.message });
    noteUnexpected(res, err);
    res.status(500).json({ error: 'server_error', error_description: 'the mock provider failed' });
  };
}

function writeAnswer(req: Request, res: Response, err: ProviderHttpError): void {
  res.set(err.headers);
  const answer = err.answer;
  switch (answer.kind) {
    case 'json':
      return void res.status(err.status).json(answer.body);
    case 'text':
      return void res.status(err.status).type('text').send(answer.body);
    case 'form':
      return void res
        .status(err.status)
        .type('application/x-www-form-urlencoded')
        .send(new URLSearchParams(answer.fields).toString());
    case 'token':
      return sendAnswer(answer.token, req, res, err.status, answer.body);
    case 'page':
      return sendPage(res, err.status, answer.title, answer.html);
    case 'redirect':
      return res.redirect(err.status, answer.location);
  }
}

function noteUnexpected(res: Response, err: unknown): void {
  const entry = journalEntryOf(res);
  if (entry) entry.error = describeError(err);
}
