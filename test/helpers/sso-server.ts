/**
 * An authorization server of the common kind, written from RFC 6749 and not from the lab's mocks, for the
 * custom-profile tests: authorize answers 303 to its own login page at a relative URL; the login form posts to
 * a URL that answers 307 (the browser must post again, body and all); a good login sets a session cookie and
 * 303s to a consent page, which needs that cookie; approving there redirects to the callback. Codes are single
 * use (§4.1.2), redirect_uri must be a registered one (RFC 8252 §7.3: any port on the loopback) and the very
 * same at the token endpoint (§4.1.3). Discovery documents (RFC 8414, OpenID Discovery) on request.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SsoServerOptions {
  clientId: string;
  clientSecret: string;
  /** Where the client may be sent back. */
  redirectUris: string[];
  /** username → password. */
  users: Record<string, string>;
  /** How the token endpoint authenticates the client (RFC 6749 §2.3.1); the other way is refused. */
  clientAuth?: 'client_secret_post' | 'client_secret_basic';
  /** Which discovery documents the server publishes. */
  discovery?: Array<'oauth-authorization-server' | 'openid-configuration'>;
  /** authorize sends the browser round a redirect loop instead of to the login page. */
  loop?: boolean;
  /** The status of the redirect back to the callback (302 unless a test wants another). */
  backStatus?: number;
}

export interface TokenRequest {
  authorization: string | undefined;
  body: Record<string, string>;
}

export interface SsoServer {
  url: string;
  tokenRequests: TokenRequest[];
  /** Access tokens issued, in order. */
  issued: string[];
  /** Paths the browser requested (method and path), in order. */
  seen: string[];
  close(): Promise<void>;
}

interface Pending {
  redirectUri: string;
  state: string;
}

const random = (prefix: string): string => `${prefix}${randomBytes(12).toString('hex')}`;
const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(request: string, error?: string): string {
  return `<!doctype html><html><head><title>Sign in</title></head><body>
${error === undefined ? '' : `<p class="error">${escape(error)}</p>`}
<form method="post" action="signin">
  <input type="hidden" name="request" value="${escape(request)}">
  <label>Username <input name="username" autocomplete="username"></label>
  <label>Password <input type="password" name="password"></label>
  <button type="submit">Sign in</button>
</form></body></html>`;
}

function consentPage(request: string): string {
  return `<!doctype html><html><head><title>Authorize</title></head><body>
<p>Allow the app to read your profile?</p>
<form method="post" action="/consent">
  <input type="hidden" name="request" value="${escape(request)}">
  <button type="submit" name="decision" value="deny">Deny</button>
  <button type="submit" name="decision" value="allow">Allow</button>
</form></body></html>`;
}

// RFC 8252 §7.3: a loopback redirect URI matches whatever port the client listens on; all else must be identical.
function registered(uri: string, list: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  const portless = url.hostname === '127.0.0.1' ? `${url.protocol}//${url.hostname}${url.pathname}${url.search}` : uri;
  return list.includes(uri) || list.includes(portless);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  return new URLSearchParams(raw);
}

export async function startSsoServer(opts: SsoServerOptions): Promise<SsoServer> {
  const pending = new Map<string, Pending>();
  const sessions = new Map<string, string>(); // session id → username
  const codes = new Map<string, { redirectUri: string; username: string }>();
  const tokenRequests: TokenRequest[] = [];
  const issued: string[] = [];
  const seen: string[] = [];
  let url = '';

  const json = (res: ServerResponse, status: number, body: unknown): void =>
    void res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body));
  const html = (res: ServerResponse, status: number, body: string): void =>
    void res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  const redirect = (res: ServerResponse, status: number, location: string, extra: Record<string, string> = {}): void =>
    void res.writeHead(status, { location, ...extra }).end();
  const sessionOf = (req: IncomingMessage): string | undefined => {
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return sid === undefined ? undefined : sessions.get(sid);
  };

  function authorize(res: ServerResponse, q: URLSearchParams, req: IncomingMessage): void {
    const redirectUri = q.get('redirect_uri') ?? '';
    // §4.1.2.1: a bad client or redirect_uri is told to the person, never redirected to.
    if (q.get('client_id') !== opts.clientId || !registered(redirectUri, opts.redirectUris))
      return html(res, 400, '<p>Unknown client or redirect_uri</p>');
    if (opts.loop) return redirect(res, 302, 'loop/a');
    const request = random('req_');
    pending.set(request, { redirectUri, state: q.get('state') ?? '' });
    const next = sessionOf(req) === undefined ? 'login' : 'consent';
    redirect(res, 303, `${next}?request=${request}`);
  }

  async function session(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const request = form.get('request') ?? '';
    if (!pending.has(request)) return html(res, 400, '<p>Unknown request</p>');
    const username = form.get('username') ?? '';
    const password = opts.users[username];
    if (password === undefined || password !== form.get('password'))
      return html(res, 401, loginPage(request, 'Wrong username or password'));
    const sid = random('sid_');
    sessions.set(sid, username);
    redirect(res, 303, `/consent?request=${request}`, { 'set-cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Lax` });
  }

  async function consent(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const request = pending.get(form.get('request') ?? '');
    const username = sessionOf(req);
    if (request === undefined || username === undefined) return html(res, 403, '<p>No session</p>');
    pending.delete(form.get('request') ?? '');
    const back = new URL(request.redirectUri);
    if (form.get('decision') === 'allow') {
      const code = random('code_');
      codes.set(code, { redirectUri: request.redirectUri, username });
      back.searchParams.set('code', code);
    } else back.searchParams.set('error', 'access_denied');
    back.searchParams.set('state', request.state);
    redirect(res, opts.backStatus ?? 302, back.href);
  }

  // RFC 6749 §2.3.1: the Basic credentials are form-urlencoded before base64.
  function clientOf(req: IncomingMessage, form: URLSearchParams): { id: string; secret: string; way: string } {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (basic === undefined)
      return { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '', way: 'client_secret_post' };
    const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent);
    return { id, secret, way: 'client_secret_basic' };
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    tokenRequests.push({ authorization: req.headers.authorization, body: Object.fromEntries(form) });
    const client = clientOf(req, form);
    const way = opts.clientAuth ?? 'client_secret_post';
    if (client.way !== way || client.id !== opts.clientId || client.secret !== opts.clientSecret)
      return json(res, 401, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'authorization_code') return json(res, 400, { error: 'unsupported_grant_type' });
    const code = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    if (code === undefined || code.redirectUri !== form.get('redirect_uri'))
      return json(res, 400, { error: 'invalid_grant' });
    const access = random('sso_at_');
    issued.push(access);
    // §5.1: token_type is case-insensitive; an OpenID server adds id_token, and any server may add its own fields.
    json(res, 200, {
      access_token: access,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: random('sso_rt_'),
      id_token: `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ sub: code.username })).toString('base64url')}.`,
      scope: 'openid profile email',
      x_tenant: 'acme',
    });
  }

  function userinfo(req: IncomingMessage, res: ServerResponse): void {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !issued.includes(bearer)) return json(res, 401, { error: 'invalid_token' });
    json(res, 200, { sub: 'u-1001', preferred_username: 'ada', name: 'Ada Lovelace', email: 'ada@acme.example' });
  }

  function metadata(res: ServerResponse, kind: 'oauth-authorization-server' | 'openid-configuration'): void {
    if (!(opts.discovery ?? []).includes(kind)) return json(res, 404, { error: 'not_found' });
    json(res, 200, {
      issuer: url,
      authorization_endpoint: `${url}/authorize`,
      token_endpoint: `${url}/token`,
      userinfo_endpoint: `${url}/userinfo`,
      response_types_supported: ['code'],
      token_endpoint_auth_methods_supported: [opts.clientAuth ?? 'client_secret_post'],
    });
  }

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method ?? ''} ${u.pathname}`;
    seen.push(route);
    const fail = (): void => void res.writeHead(400).end();
    if (route === 'GET /authorize') return authorize(res, u.searchParams, req);
    if (route === 'GET /login') return html(res, 200, loginPage(u.searchParams.get('request') ?? ''));
    // The form posts here; 307 keeps the method and the body (RFC 9110 §15.4.8).
    if (route === 'POST /signin') return redirect(res, 307, 'session');
    if (route === 'POST /session') return void session(req, res).catch(fail);
    if (route === 'GET /consent') {
      if (sessionOf(req) === undefined) return redirect(res, 303, `login?request=${u.searchParams.get('request')}`);
      return html(res, 200, consentPage(u.searchParams.get('request') ?? ''));
    }
    if (route === 'POST /consent') return void consent(req, res).catch(fail);
    if (route === 'GET /loop/a') return redirect(res, 302, 'b');
    if (route === 'GET /loop/b') return redirect(res, 302, '/loop/a');
    if (route === 'POST /token') return void token(req, res).catch(fail);
    if (route === 'GET /userinfo') return userinfo(req, res);
    if (route === 'GET /.well-known/oauth-authorization-server') return metadata(res, 'oauth-authorization-server');
    if (route === 'GET /.well-known/openid-configuration') return metadata(res, 'openid-configuration');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenRequests,
    issued,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
