/** The marketing site's "Successful Auth" page, the seed's default success redirect. */
import express from 'express';
import { listen, type ListenOptions, type RunningServer } from '../listen.js';
import { escapeHtml, sendPage } from '../util/html-page.js';

export function createMarketingApp(displayNames: ReadonlyMap<string, string>): express.Express {
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
  app.use((req, res) => sendPage(res, 404, 'Not found', `<p>No page at ${escapeHtml(req.path)}.</p>`));
  return app;
}

export function startMarketing(
  displayNames: ReadonlyMap<string, string>,
  opts: ListenOptions = {},
): Promise<RunningServer> {
  return listen(createMarketingApp(displayNames), opts);
}
