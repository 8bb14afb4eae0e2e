/**
 * The headless browser against a small server of its own: redirect statuses as the Fetch standard follows them,
 * cookies kept by host across ports, and chains with auto-submitting (form_post) pages.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessBrowser } from '../../../src/agent-sim/browser.js';
import { MAX_HOPS, navigateUntil } from '../../../src/agent-sim/navigate.js';

let server: Server;
let other: Server;
let base = '';
let otherBase = '';
const received: Array<{ method: string; path: string; body: string; cookie: string | undefined }> = [];

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      received.push({ method: req.method ?? '', path: url.pathname, body, cookie: req.headers.cookie });
      const status = /^\/r(\d{3})$/.exec(url.pathname)?.[1];
      if (status !== undefined) return void res.writeHead(Number(status), { location: 'echo' }).end();
      if (url.pathname === '/set')
        return void res.writeHead(302, { location: `${otherBase}/echo`, 'set-cookie': 'sid=abc123; Path=/' }).end();
      if (url.pathname === '/formpost')
        return void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            `<body onload="document.forms[0].submit()"><form method="post" action="/r303"><input type="hidden" name="code" value="c1"></form></body>`,
          );
      if (url.pathname === '/spin') return void res.writeHead(302, { location: '/spin' }).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  other = createServer((req, res) => {
    received.push({ method: req.method ?? '', path: 'other', body: '', cookie: req.headers.cookie });
    res.writeHead(200).end('other');
  });
  base = await listen(server);
  otherBase = await listen(other);
});
afterAll(async () => {
  await Promise.all([server, other].map((s) => new Promise((resolve) => s.close(resolve))));
});

const browser = (): HeadlessBrowser =>
  new HeadlessBrowser({
    origins: new Map([
      [base, 'provider'],
      [otherBase, 'api'],
    ]),
    fetch: globalThis.fetch,
    now: Date.now,
  });

describe('HeadlessBrowser redirects', () => {
  it.each([
    [301, 'GET', ''],
    [302, 'GET', ''],
    [303, 'GET', ''],
    [307, 'POST', 'a=1&b=2'],
    [308, 'POST', 'a=1&b=2'],
  ])('follows a POST answered %i with %s', async (status, method, body) => {
    const b = browser();
    const posted = await b.open(`${base}/r${status}`, {
      method: 'POST',
      sent: { body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    });
    received.length = 0;
    const hop = await b.follow(posted);
    expect(hop.url).toBe(`${base}/echo`);
    expect(received).toEqual([{ method, path: '/echo', body, cookie: undefined }]);
  });

  it('keeps a cookie for the host and sends it to every port of it, as a browser does (RFC 6265 §8.5)', async () => {
    const b = browser();
    received.length = 0;
    await b.follow(await b.get(`${base}/set`));
    expect(received.map((r) => r.cookie)).toEqual([undefined, 'sid=abc123']);
  });
});

describe('navigateUntil', () => {
  it('submits an auto-submitting form_post page and stops at the redirect to the target', async () => {
    const b = browser();
    // A chain that starts at a redirect to the form_post page.
    const from = { ...(await b.get(`${base}/echo`)), status: 302, location: '/formpost' };
    const end = await navigateUntil(b, from, (t) => t.pathname === '/echo');
    expect(end).toMatchObject({ kind: 'arrived', hops: 2 });
    expect(end.hop).toMatchObject({ method: 'POST', status: 303, url: `${base}/r303` });
  });

  it('gives up after MAX_HOPS, naming the loop', async () => {
    const b = browser();
    const from = { ...(await b.get(`${base}/echo`)), status: 302, location: '/spin' };
    const end = await navigateUntil(b, from, () => false);
    expect(end).toMatchObject({ kind: 'too-many-hops', hops: MAX_HOPS, loop: [`${base}/spin`, `${base}/spin`] });
  });

  it('stops at a page with a form when it has no login to fill in', async () => {
    const b = browser();
    const from = { ...(await b.get(`${base}/echo`)), status: 302, location: '/echo' };
    expect(await navigateUntil(b, from, () => false)).toMatchObject({ kind: 'page', why: 'a page without a form' });
  });
});
