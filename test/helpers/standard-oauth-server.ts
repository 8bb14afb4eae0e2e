/**
 * A small RFC 6749 authorization server that is not one of the lab's mocks, for custom-profile tests: it
 * approves at once (§4.1.2), answers urlencoded token requests (the "formQuery" format) with JSON (§5.1) and refreshes (§6). How it
 * refreshes is up to the test: the same access token again (a deterministic server), and rotation or not.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandardServerOptions {
  clientId: string;
  clientSecret: string;
  /** Refresh answers repeat the first access token. */
  sameAccessTokenOnRefresh?: boolean;
  /** Refresh answers carry a new refresh_token (and the old one stops working). */
  rotateRefreshToken?: boolean;
}

export interface StandardServer {
  url: string;
  /** Every grant_type the token endpoint was asked for, in order. */
  grants: string[];
  close(): Promise<void>;
}

const token = (prefix: string): string => `${prefix}${randomBytes(12).toString('hex')}`;

export async function startStandardServer(opts: StandardServerOptions): Promise<StandardServer> {
  const codes = new Map<string, string>(); // code → redirect_uri
  const refreshTokens = new Map<string, string>(); // refresh token → the access token it came with
  const grants: string[] = [];

  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>): void => {
    res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body));
  };

  async function onToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const p = new URLSearchParams(raw);
    grants.push(p.get('grant_type') ?? '');
    if (p.get('client_id') !== opts.clientId || p.get('client_secret') !== opts.clientSecret)
      return answer(res, 401, { error: 'invalid_client' });
    if (p.get('grant_type') === 'authorization_code') {
      const code = p.get('code') ?? '';
      if (codes.get(code) !== p.get('redirect_uri')) return answer(res, 400, { error: 'invalid_grant' });
      codes.delete(code);
      const access = token('std_at_');
      const refresh = token('std_rt_');
      refreshTokens.set(refresh, access);
      return answer(res, 200, { access_token: access, token_type: 'Bearer', expires_in: 3600, refresh_token: refresh });
    }
    if (p.get('grant_type') === 'refresh_token') {
      const old = p.get('refresh_token') ?? '';
      const first = refreshTokens.get(old);
      if (first === undefined) return answer(res, 400, { error: 'invalid_grant' });
      const access = opts.sameAccessTokenOnRefresh ? first : token('std_at_');
      const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: 3600 };
      if (opts.rotateRefreshToken) {
        refreshTokens.delete(old);
        const next = token('std_rt_');
        refreshTokens.set(next, access);
        body.refresh_token = next;
      }
      return answer(res, 200, body);
    }
    return answer(res, 400, { error: 'unsupported_grant_type' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const redirect = url.searchParams.get('redirect_uri') ?? '';
      if (url.searchParams.get('client_id') !== opts.clientId || !redirect.startsWith('http://127.0.0.1:'))
        return void res.writeHead(400).end('bad client or redirect_uri');
      const code = token('code_');
      codes.set(code, redirect);
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return void res.writeHead(302, { location: back.href }).end();
    }
    if (req.method === 'POST' && url.pathname === '/token')
      return void onToken(req, res).catch(() => res.writeHead(400).end());
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    grants,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
