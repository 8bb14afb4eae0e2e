/**
 * A fetch for the lab's own servers (issue 14). Every hop of a flow is a request to a server on this machine
 * that the lab itself runs; undici's fetch spends more on one such request (the Fetch standard's request and
 * controller objects, web streams, abort plumbing) than the loopback hop itself. This answers the same calls
 * over node:http with one keep-alive agent and hands back a standard Response, for the calls the lab makes:
 * http: to a loopback host, with a body of a string, URLSearchParams or bytes. Anything else (https, another
 * host, FormData or a stream body, redirect: 'error') goes to the global fetch unchanged, so a real server or a
 * test's interceptor sees a real fetch.
 */
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

// Sockets stay open between the hops of a flow and between flows; idle ones close after the servers' keep-alive.
// The idle timeout is below the lab servers' keep-alive (src/listen.ts), so this side closes an idle socket first
// and a request never goes out on a socket the server is closing.
const agent = new Agent({ keepAlive: true, timeout: 5_000, maxSockets: 256, maxFreeSockets: 256 });

// A Response has no body for these statuses; the constructor refuses one.
const NULL_BODY = new Set([101, 204, 205, 304]);

interface Body {
  bytes: Buffer | undefined;
  contentType: string | undefined;
}

/** A drop-in for fetch: the fast path for a lab hop, the global fetch for everything else. */
export async function loopbackFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = typeof input === 'string' ? safeUrl(input) : input instanceof URL ? input : undefined;
  const body = url === undefined ? undefined : bodyOf(init.body);
  if (url === undefined || body === undefined || !isLoopback(url) || init.redirect === 'error')
    return globalThis.fetch(input, init);
  if (init.redirect === 'manual') return send(url, init, body);
  return follow(url, init, body);
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Headers that describe a request body, dropped when a redirect turns the request into a GET.
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

/** redirect: 'follow' as the Fetch standard's "HTTP-redirect fetch" does it: at most 20 hops, 303 → GET. */
async function follow(first: URL, init: RequestInit, firstBody: Body): Promise<Response> {
  let url = first;
  let body = firstBody;
  let method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  for (let hops = 0; ; hops++) {
    const response = await send(url, { ...init, method, headers }, body);
    const location = response.headers.get('location');
    if (!REDIRECTS.has(response.status) || location === null) {
      if (hops > 0) Object.defineProperty(response, 'redirected', { value: true });
      return response;
    }
    if (hops === 20) throw new TypeError('fetch failed', { cause: new Error('redirect count exceeded') });
    const next = new URL(location, url);
    if (
      ((response.status === 301 || response.status === 302) && method === 'POST') ||
      (response.status === 303 && method !== 'HEAD')
    ) {
      method = 'GET';
      body = { bytes: undefined, contentType: undefined };
      for (const name of BODY_HEADERS) headers.delete(name);
    }
    if (!isLoopback(next))
      return globalThis.fetch(next, { ...init, method, headers, ...(body.bytes === undefined ? { body: null } : {}) });
    url = next;
  }
}

function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

// What fetch would send for each body kind it takes here (Fetch standard, "extract a body"); undefined: not here.
function bodyOf(body: RequestInit['body']): Body | undefined {
  if (body === undefined || body === null) return { bytes: undefined, contentType: undefined };
  if (typeof body === 'string') return { bytes: Buffer.from(body), contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams)
    return { bytes: Buffer.from(body.toString()), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (body instanceof Uint8Array) return { bytes: Buffer.from(body), contentType: undefined };
  return undefined;
}

function send(url: URL, init: RequestInit, body: Body): Promise<Response> {
  const headers: OutgoingHttpHeaders = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  if (body.contentType !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = body.contentType;
  if (body.bytes !== undefined) headers['content-length'] = body.bytes.length;
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const req = request(
      {
        host: url.hostname === '[::1]' ? '::1' : url.hostname,
        port: url.port === '' ? 80 : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: init.method ?? 'GET',
        headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          const status = res.statusCode ?? 0;
          resolve(responseOf(url, status, res.statusMessage ?? '', res.headers, Buffer.concat(chunks)));
        });
      },
    );
    const onAbort = (): void => {
      req.destroy();
      reject(abortReason(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // fetch rejects with a TypeError on a network failure; callers tell it apart from an answer that way.
    req.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new TypeError('fetch failed', { cause: err }));
    });
    req.end(body.bytes);
  });
}

/**
 * A standard Response around bytes already read. It is made without a body and given the body's readers itself:
 * a Response made around bytes builds a web stream for them, which cost more than the hop (issue 14 profile).
 * Its text(), json(), arrayBuffer() and bytes() read the bytes; a caller that wants `body` as a stream gets it
 * made on first use.
 */
function responseOf(url: URL, status: number, statusText: string, raw: IncomingHttpHeaders, bytes: Buffer): Response {
  const empty = NULL_BODY.has(status) || bytes.length === 0;
  const response = new Response(null, { status, statusText, headers: headersOf(raw) });
  let used = false;
  let stream: ReadableStream<Uint8Array> | null = null;
  const take = (): Buffer => {
    if (used) throw new TypeError('Body is unusable: Body has already been read');
    used = true;
    return bytes;
  };
  const read = <T>(as: (b: Buffer) => T): Promise<T> => new Promise((resolve) => resolve(as(take())));
  const copy = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
  Object.defineProperties(response, {
    // A constructed Response has an empty url; callers read where an answer came from.
    url: { value: url.href },
    bodyUsed: { get: () => used },
    // As fetch's readers do, a second read rejects rather than throws.
    text: { value: () => read((b) => b.toString('utf8')) },
    json: { value: () => read((b) => JSON.parse(b.toString('utf8')) as unknown) },
    arrayBuffer: { value: () => read(copy) },
    bytes: { value: () => read((b) => new Uint8Array(copy(b))) },
    body: {
      get: (): ReadableStream<Uint8Array> | null => {
        if (empty) return null;
        stream ??= new Response(new Uint8Array(copy(bytes))).body;
        return stream;
      },
    },
    clone: { value: () => responseOf(url, status, statusText, raw, bytes) },
  });
  return response;
}

function headersOf(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.append(name, value);
  }
  return headers;
}

// fetch rejects with the signal's reason (a DOMException unless the caller gave one); an Error in any case here.
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
