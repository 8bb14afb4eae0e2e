/**
 * The inspector's own origin: the page and its assets (mermaid's browser bundle from node_modules, never a
 * CDN), JSON endpoints, HAR and Mermaid downloads, and server-sent events as flows change. Bad input is a
 * 400 or a 404 in JSON, never a 500.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import express, { type ErrorRequestHandler, type Response } from 'express';
import { packageRoot } from '../util/paths.js';
import type { SecretRegistry } from '../util/secrets.js';
import { hopDetail, hopRow } from './detail.js';
import { flowHar, flowMermaid } from './export.js';
import { summarize, type Flow, type FlowStore } from './flows.js';
import { clientErrorOf } from '../util/http-request.js';

export interface InspectorAppOptions {
  store: FlowStore;
  secrets: SecretRegistry;
  creatorVersion: string;
  envOfCallback: (callbackEnvironment: string) => string | undefined;
}

const WEB_DIR = join(packageRoot, 'web', 'inspector');
const ASSETS: Record<string, string> = {
  'app.js': join(WEB_DIR, 'app.js'),
  'app.css': join(WEB_DIR, 'app.css'),
  'mermaid.min.js': createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js'),
};
const ID = /^f\d{1,12}$/;

class BadInput extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

export function createInspectorApp(opts: InspectorAppOptions): express.Express {
  const { store, secrets } = opts;
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    // The page loads only from this origin; mermaid writes inline styles into its SVG.
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
    );
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-store');
    next();
  });
  app.get('/', (_req, res) => res.sendFile(join(WEB_DIR, 'index.html')));
  app.get('/assets/:file', (req, res) => {
    const file = ASSETS[String(req.params.file)];
    if (file === undefined || !Object.hasOwn(ASSETS, String(req.params.file))) throw new BadInput(404, 'no such asset');
    res.sendFile(file);
  });

  const flowOf = (id: unknown): Flow => {
    const flow = typeof id === 'string' && ID.test(id) ? store.get(id) : undefined;
    if (flow === undefined) throw new BadInput(404, `no flow "${String(id)}"`);
    return flow;
  };

  app.get('/api/flows', (req, res) => {
    const limit = intParam(req.query.limit, 1, 1000, 1000, 'limit');
    const flows = store.list().slice(0, limit);
    res.json({ total: store.size, flows: flows.map(summarize) });
  });
  app.get('/api/flows/:id', (req, res) => {
    const flow = flowOf(req.params.id);
    res.json({
      summary: summarize(flow),
      droppedHops: flow.dropped,
      hops: flow.hops.map((h, i) => hopRow(h, i + 1, secrets)),
    });
  });
  app.get('/api/flows/:id/hops/:n', (req, res) => {
    const flow = flowOf(req.params.id);
    const n = intParam(req.params.n, 1, 100_000, undefined, 'hop number');
    const hop = flow.hops[n - 1];
    if (hop === undefined) throw new BadInput(404, `flow ${flow.id} has no hop ${n}`);
    res.json(hopDetail(hop, n, secrets, opts.envOfCallback));
  });
  app.get('/api/flows/:id/har', (req, res) => {
    const flow = flowOf(req.params.id);
    res.setHeader('content-disposition', `attachment; filename="${flow.id}.har"`);
    res.type('application/json').send(JSON.stringify(flowHar(flow, secrets, opts.creatorVersion), null, 2));
  });
  app.get('/api/flows/:id/mermaid', (req, res) => {
    const flow = flowOf(req.params.id);
    if (req.query.download !== undefined) res.setHeader('content-disposition', `attachment; filename="${flow.id}.mmd"`);
    res.type('text/plain').send(flowMermaid(flow, secrets));
  });
  app.get('/api/events', (req, res) => streamEvents(store, res, () => req.socket.destroyed));

  app.use((req) => {
    throw new BadInput(404, `no route ${req.method} ${req.path}`);
  });
  app.use(errorWriter());
  return app;
}

// Server-sent events: one "flow" event (its summary) per change, one "removed" per flow merged or dropped.
function streamEvents(store: FlowStore, res: Response, closed: () => boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write(': inspector events\n\n');
  const off = store.onChange((flow, removed) => {
    if (closed()) return;
    for (const id of removed) res.write(`event: removed\ndata: ${JSON.stringify({ id })}\n\n`);
    if (store.get(flow.id)) res.write(`event: flow\ndata: ${JSON.stringify(summarize(flow))}\n\n`);
  });
  res.on('close', off);
}

function intParam(value: unknown, min: number, max: number, fallback: number | undefined, name: string): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new BadInput(400, `${name} must be a whole number from ${min} to ${max}`);
  return n;
}

function errorWriter(): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    if (res.headersSent) return void res.destroy();
    if (err instanceof BadInput) return void res.status(err.status).json({ error: err.message });
    // express's own refusals (a path that is not valid %-encoding, a file gone from disk) carry their status.
    const status = clientErrorOf(err)?.status ?? 500;
    res.status(status).json({ error: status === 500 ? 'inspector error' : 'bad request' });
  };
}
