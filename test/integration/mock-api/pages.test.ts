/** The pages a person sees in real-browser mode: consent, success and error (contract §1.9, RFC 9700 §4.2 and §4.12). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import { getManual, startTestLab } from '../../helpers/lab.js';

let lab: Lab;
let api: string;
beforeAll(async () => {
  lab = await startTestLab({ consent: 'page', successPage: 'marketing' });
  api = lab.envs.get('local')?.url ?? '';
});
afterAll(() => lab.close());

/** The consent page for a real authorize request (the start route's own redirect). */
async function consentPage() {
  const code = (await (
    await fetch(`${api}/provider-auth-code?teamId=acme`, { headers: { authorization: 'Bearer cs-token-dana' } })
  ).json()) as { code: string };
  const start = await getManual(`${api}/web/provider-auth/github?code=${code.code}`);
  const authorizeUrl = new URL(start.location ?? '');
  const page = await getManual(authorizeUrl.href);
  return { authorizeUrl, page };
}

/** Nothing in the page makes the browser load or send anything to another origin (RFC 9700 §4.2). */
function expectSelfContained(res: { body: string; headers: Headers }): void {
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none';/);
  expect(res.body).toContain('<meta name="referrer" content="no-referrer">');
  expect(res.body).not.toMatch(/<(script|link|img|iframe|object|embed)\b|@import|url\(/i);
  expect(res.body).not.toMatch(/\b(src|href|action|srcset)\s*=\s*["']?([a-z]+:)?\/\//i);
}

const title = (body: string): string => /<title>([^<]*)<\/title>/.exec(body)?.[1] ?? '';

describe('/web/error', () => {
  it.each([
    [
      'access_denied',
      'provider=github',
      'Authentication failed',
      'We could not authenticate you with GitHub (error: <b>access_denied</b>).',
    ],
    [
      'RAPI-1010',
      'provider=github',
      'Authentication failed',
      'We could not authenticate you with GitHub (error: <b>RAPI-1010</b>).',
    ],
    [
      'USRC-1022',
      'provider=github&providerError=access_denied',
      'Authentication failed',
      '(error: <b>USRC-1022</b>).</p><p>Provider error: <code>access_denied</code>',
    ],
    [
      'SWEB-1004',
      'provider=no-such-provider',
      'Authentication failed',
      'We could not authenticate you (error: <b>SWEB-1004</b>).',
    ],
    ['USRC-1015', 'provider=github', 'Multiple Workspaces', 'one GitHub-connected team'],
    ['USRC-1020', '', 'Invitation conflict.', 'contact CodeStream support'],
    ['PRVD-1005', '', 'Account Not Found', 'sign up'],
    ['PRVD-1006', '', 'Invalid Credentials', 'CodeStream password'],
    ['PRVD-1009', '', 'Application Missing', 'CodeStream administrator'],
    ['PRVD-1010', 'provider=gitlab', 'No primary email found', 'Public email'],
    ['USRC-1006', '', 'Already signed up', 'sign in'],
  ])('code %s (%s) shows "%s"', async (code, extra, expectedTitle, text) => {
    const res = await getManual(`${api}/web/error?state=local!x&code=${code}${extra ? `&${extra}` : ''}`);
    expect(res.status).toBe(200);
    expect(title(res.body)).toBe(expectedTitle);
    expect(res.body).toContain(`<h1>${expectedTitle}</h1>`);
    expect(res.body).toContain(text);
    expectSelfContained(res);
  });

  // A provider's raw error becomes the code (contract §1.5 step 5), so any word can arrive, Object's own names too.
  it.each(['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty'])(
    'shows the generic page for the code %s, never a 500',
    async (code) => {
      for (const path of ['/web/error', '/no-auth/web/error']) {
        const res = await getManual(`${api}${path}?code=${code}`);
        expect({ status: res.status, title: title(res.body) }).toEqual({ status: 200, title: 'Authentication failed' });
        expect(res.body).toContain(`(error: <b>${code}</b>)`);
      }
    },
  );

  it('escapes what it echoes and never names an unknown provider', async () => {
    const res = await getManual(`${api}/no-auth/web/error?code=%3Cscript%3E&provider=%3Cb%3E`);
    expect(res.body).toContain('(error: <b>&#60;script&#62;</b>)');
    expect(res.body).not.toContain(' with ');
  });
});

describe('success pages', () => {
  it.each([
    [
      'marketing /auth-complete/github',
      () => `${lab.marketing.url}/auth-complete/github`,
      'Successful Auth',
      'You are now connected to GitHub.',
    ],
    [
      'API /web/provider-connected/github',
      () => `${api}/web/provider-connected/github`,
      'You are now connected to GitHub',
      'Return to CodeStream in your IDE.',
    ],
    [
      'API /web/signed-in',
      () => `${api}/web/signed-in`,
      'You are now signed in to New Relic',
      'Return to CodeStream in your IDE.',
    ],
  ])('%s', async (_name, url, expectedTitle, text) => {
    const res = await getManual(url());
    expect(res.status).toBe(200);
    expect(title(res.body)).toBe(expectedTitle);
    expect(res.body).toContain(text);
    expectSelfContained(res);
  });

  it('sends an unknown provider on /web/provider-connected to SWEB-1000', async () => {
    const res = await getManual(`${api}/web/provider-connected/nope`);
    expect(res).toMatchObject({ status: 302, location: '/web/error?code=SWEB-1000&provider=nope' });
  });
});

describe('consent page', () => {
  it('names the app, its client id, every scope and the redirect_uri, with Approve and Deny in a POST form', async () => {
    const { authorizeUrl, page } = await consentPage();
    expect(page.status).toBe(200);
    expect(title(page.body)).toBe('Authorize CodeStream to use your GitHub account');
    expect(page.body).toContain('<strong>CodeStream</strong>');
    expect(page.body).toContain('<code>cs-github-client</code>');
    for (const scope of ['repo', 'read:user', 'user:email', 'notifications', 'read:org'])
      expect(page.body).toContain(`<li><code>${scope}</code></li>`);
    expect(page.body).toContain(`<code>${lab.authOrigin}/provider-token/github</code>`);
    expect(page.body).toMatch(/<form method="post" action="\/login\/oauth\/authorize\/consent\?client_id=/);
    expect(page.body).toContain('<button type="submit" name="decision" value="approve">Approve</button>');
    expect(page.body).toContain('<button type="submit" name="decision" value="deny">Deny</button>');
    expect(page.body).not.toContain('autofocus'); // nothing approves on a stray Enter
    expectSelfContained(page);
    // Chromium checks form-action on every redirect after the POST: router, environment, success page.
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self' http://127.0.0.1:*;");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(authorizeUrl.pathname).toBe('/login/oauth/authorize');
  });

  it.each([
    ['approve', 'code'],
    ['deny', 'error'],
  ])('answers %s with 303 to the redirect_uri, never 307', async (decision, key) => {
    const { authorizeUrl } = await consentPage();
    const res = await getManual(`${authorizeUrl.origin}/login/oauth/authorize/consent${authorizeUrl.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `decision=${decision}`,
    });
    expect(res.status).toBe(303);
    const back = new URL(res.location ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(`${lab.authOrigin}/provider-token/github`);
    expect(back.searchParams.get('state')).toBe(authorizeUrl.searchParams.get('state'));
    expect(back.searchParams.has(key)).toBe(true);
    if (decision === 'deny') expect(back.searchParams.get('error')).toBe('access_denied');
  });
});
