/**
 * The lab's fetch (src/util/loopback-fetch.ts, issue 14) answers a loopback hop as fetch would: status, every
 * header (each Set-Cookie apart), the body through each reader once, redirects followed by the Fetch standard's
 * rules or left alone with redirect: 'manual', aborts and network failures as fetch rejects them.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackFetch } from '../../../src/util/loopback-fetch.js';

let server: Server;
let base: string;
const seen: Array<{ method: string; url: string; type: string | undefined; body: string }> = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => resolve(text));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', type: req.headers['content-type'], body });
      if (req.url === '/see-other') return void res.writeHead(303, { location: '/landed' }).end();
      if (req.url === '/temporary') return void res.writeHead(307, { location: '/landed' }).end();
      if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/hang') return;
      if (req.url === '/empty') return void res.writeHead(204).end();
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

describe('loopbackFetch', () => {
  it('answers status, headers and the body, and a body reads once', async () => {
    const res = await loopbackFetch(`${base}/x?y=1`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.url).toBe(`${base}/x?y=1`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(await res.json()).toEqual({ method: 'GET', url: '/x?y=1', body: '' });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
  });

  it('sends a body with the content type fetch would give it', async () => {
    seen.length = 0;
    await (await loopbackFetch(`${base}/form`, { method: 'POST', body: new URLSearchParams({ a: 'b c' }) })).text();
    await (await loopbackFetch(`${base}/text`, { method: 'PUT', body: 'hi' })).text();
    const json = { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"t":1}' };
    await (await loopbackFetch(`${base}/json`, json)).text();
    expect(seen.map((r) => [r.method, r.type, r.body])).toEqual([
      ['POST', 'application/x-www-form-urlencoded;charset=UTF-8', 'a=b+c'],
      ['PUT', 'text/plain;charset=UTF-8', 'hi'],
      ['PUT', 'application/json', '{"t":1}'],
    ]);
  });

  it("leaves a redirect alone with redirect: 'manual', and follows it otherwise (303 turns a POST into a GET)", async () => {
    const manual = await loopbackFetch(`${base}/see-other`, { method: 'POST', body: 'x', redirect: 'manual' });
    expect([manual.status, manual.headers.get('location')]).toEqual([303, '/landed']);
    seen.length = 0;
    const followed = await loopbackFetch(`${base}/see-other`, { method: 'POST', body: 'x' });
    expect(followed.redirected).toBe(true);
    expect(followed.url).toBe(`${base}/landed`);
    expect(seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/see-other', 'x'],
      ['GET', '/landed', ''],
    ]);
    seen.length = 0;
    await (await loopbackFetch(`${base}/temporary`, { method: 'PUT', body: 'kept' })).text();
    expect(seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ['PUT', '/temporary', 'kept'],
      ['PUT', '/landed', 'kept'],
    ]);
    await expect(loopbackFetch(`${base}/loop`)).rejects.toThrow('fetch failed');
  });

  it('has no body for a 204, rejects on abort and on a refused connection as fetch does', async () => {
    const empty = await loopbackFetch(`${base}/empty`, { redirect: 'manual' });
    expect([empty.status, empty.body, await empty.text()]).toEqual([204, null, '']);
    const controller = new AbortController();
    const hanging = loopbackFetch(`${base}/hang`, { redirect: 'manual', signal: controller.signal });
    await expect.poll(() => seen.some((r) => r.url === '/hang')).toBe(true);
    controller.abort();
    await expect(hanging).rejects.toMatchObject({ name: 'AbortError' });
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await expect(loopbackFetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' })).rejects.toThrow(TypeError);
  });
});
