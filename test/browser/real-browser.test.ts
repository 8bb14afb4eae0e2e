import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRealBrowserOpener, parseBrowserCommand } from '../../src/agent-sim/real-browser.js';

const FETCH_URL = fileURLToPath(new URL('../helpers/fetch-url.mjs', import.meta.url));

/** A server that resolves with the first request it gets; the "page" the browser command loads. */
async function firstRequest(): Promise<{ url: string; request: Promise<IncomingMessage>; close(): void }> {
  let got!: (req: IncomingMessage) => void;
  const request = new Promise<IncomingMessage>((resolve) => (got = resolve));
  const server = createServer((req, res) => {
    got(req);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, request, close: () => server.close() };
}

describe('parseBrowserCommand', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['  ', undefined],
    ['firefox', { file: 'firefox', args: [] }],
    ['chromium --new-window', { file: 'chromium', args: ['--new-window'] }],
    ['w3m %s -dump', { file: 'w3m', args: ['%s', '-dump'] }],
    ['links:lynx', { file: 'links', args: [] }],
    [
      '"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" --incognito',
      { file: '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', args: ['--incognito'] },
    ],
    ["'/opt/my browser/run' '%s'", { file: '/opt/my browser/run', args: ['%s'] }],
    ['"/a:b/browser":lynx', { file: '/a:b/browser', args: [] }],
  ])('reads BROWSER=%j as %j', (value, expected) => {
    expect(parseBrowserCommand(value, ':')).toEqual(expected);
  });

  it('splits the list on ";" where that is the separator, so a Windows path with a drive letter stays whole', () => {
    expect(parseBrowserCommand('C:\\Program Files\\Firefox\\firefox.exe;edge', ';')).toEqual({
      file: 'C:\\Program',
      args: ['Files\\Firefox\\firefox.exe'],
    });
    expect(parseBrowserCommand('"C:\\Program Files\\Firefox\\firefox.exe" -new-tab;edge', ';')).toEqual({
      file: 'C:\\Program Files\\Firefox\\firefox.exe',
      args: ['-new-tab'],
    });
  });
});

describe('createRealBrowserOpener', () => {
  it('runs the BROWSER command with the URL appended', async () => {
    const page = await firstRequest();
    try {
      await createRealBrowserOpener({ env: { BROWSER: `${process.execPath} ${FETCH_URL}` } })(
        `${page.url}/appended?a=1&b=2`,
      );
      expect((await page.request).url).toBe('/appended?a=1&b=2');
    } finally {
      page.close();
    }
  });

  it('puts the URL where BROWSER says %s', async () => {
    const page = await firstRequest();
    try {
      await createRealBrowserOpener({ env: { BROWSER: `${process.execPath} ${FETCH_URL} %s --flag` } })(
        `${page.url}/placed`,
      );
      expect((await page.request).url).toBe('/placed');
    } finally {
      page.close();
    }
  });

  it('fails with BROWSER_OPEN_FAILED when the BROWSER command does not exist', async () => {
    const opener = createRealBrowserOpener({ env: { BROWSER: '/nonexistent/browser-xyz' } });
    await expect(opener('http://127.0.0.1:9/')).rejects.toMatchObject({
      code: 'BROWSER_OPEN_FAILED',
      message: expect.stringContaining('"/nonexistent/browser-xyz"'),
    });
  });

  it('uses `open` when BROWSER is unset, and wraps its failure', async () => {
    const seen: string[] = [];
    await createRealBrowserOpener({ env: {}, openWith: async (url) => seen.push(url) })('http://127.0.0.1:1/x');
    expect(seen).toEqual(['http://127.0.0.1:1/x']);
    const failing = createRealBrowserOpener({ env: {}, openWith: () => Promise.reject(new Error('no xdg-open')) });
    await expect(failing('http://127.0.0.1:1/x')).rejects.toMatchObject({ code: 'BROWSER_OPEN_FAILED' });
  });
});
