/** The marketing site's "Successful Auth" page, the seed's default success redirect. */
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { listen, type ListenOptions, type RunningServer } from '../listen.js';
import { escapeHtml, sendPage } from '../util/html-page.js';
import { PageError } from './page-error.js';
import { clientErrorOf, describeError } from '../util/http-request.js';

/** An error no route meant to throw (a bug), as the site keeps it; the answer was a 500 page. */
export interface MarketingError {
  method: string;
  path: string;
  /** As describeError words it: "TypeError: x is not a function". */
  error: string;
  at: number;
}

export interface RunningMarketing extends RunningServer {
  /** The site has no request journal; this is where a bug it met is kept. */
  readonly errors: readonly MarketingError[];
}

export function createMarketingApp(
  displayNames: ReadonlyMap<string, string>,
  errors: MarketingError[] = [],
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/auth-complete/:page', (req, res) => {
    const page = String(req.params.page);
    const name = displayNames.get(page) ?? page;
    sendPage(
      res,
      200,
      'Successful Auth',
      `<p>You are now connected to ${escapeHtml(name)}.</p><p>Return to CodeStream in your IDE.</p>`,
    );
  });
  app.use((req) => {
    throw new PageError(404, 'Not found', `<p>No page at ${escapeHtml(req.path)}.</p>`);
  });
  app.use(marketingErrorWriter(errors));
  return app;
}

export async function startMarketing(
  displayNames: ReadonlyMap<string, string>,
  opts: ListenOptions = {},
): Promise<RunningMarketing> {
  const errors: MarketingError[] = [];
  const server = await listen(createMarketingApp(displayNames, errors), opts);
  return { ...server, errors };
}

/**
 * The site's one error writer: a PageError is answered as it is; a path express cannot read (not valid
 * %-encoding) is a 400 page; anything else is a bug, kept in `errors`, and a 500 page. Never a stack trace.
 */
function marketingErrorWriter(errors: MarketingError[]): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next) => {
    const clientError = clientErrorOf(err);
    if (!(err instanceof PageError) && clientError === undefined)
      errors.push({ method: req.method, path: req.path, error: describeError(err), at: Date.now() });
    if (res.headersSent) return void res.destroy();
    if (err instanceof PageError) return sendPage(res, err.status, err.title, err.html);
    if (clientError !== undefined)
      return sendPage(res, 400, 'Bad request', '<p>The page address is not valid percent-encoding.</p>');
    sendPage(res, 500, 'Server error', '<p>The marketing site failed; the lab keeps the error.</p>');
  };
}
