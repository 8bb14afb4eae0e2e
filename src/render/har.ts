/**
 * HAR 1.2 of the browser's hops (http events from the browser; without any, the provider's calls), with their
 * timings.
 */
import { STATUS_CODES } from 'node:http';
import type { FlowEvent, HttpExchange } from '../events.js';

/** HAR's name/value pair (headers, cookies, query). */
export interface HarNameValue {
  name: string;
  value: string;
}

/** One request of the log, with the fields HAR 1.2 requires. */
export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  /** Custom fields (HAR allows "_" names): which lab box answered. */
  _from: string;
  _to: string;
}

/** The HAR document. */
export interface Har {
  log: { version: '1.2'; creator: { name: string; version: string }; entries: HarEntry[] };
}

/** The creator version and the secret redaction for a HAR file. */
export interface HarOptions {
  creatorVersion: string;
  /** Applied to every string, so secrets in URLs and headers are shortened unless --show-secrets. */
  redactDeep?: <T>(value: T) => T;
}

/** Builds the HAR document; entries keep the order the browser made the requests in. */
export function createHar(events: readonly FlowEvent[], opts: HarOptions): Har {
  const hops = events.filter((e): e is Extract<FlowEvent, { type: 'http' }> => e.type === 'http');
  const browser = hops.filter((e) => e.from === 'browser');
  // A run without a browser (interact: Slack or Teams calls the lab) records the provider's own calls instead.
  const entries = (browser.length > 0 ? browser : hops.filter((e) => e.from === 'provider')).map(toEntry);
  const har: Har = {
    log: { version: '1.2', creator: { name: 'codestream-auth', version: opts.creatorVersion }, entries },
  };
  return opts.redactDeep ? opts.redactDeep(har) : har;
}

function toEntry(e: HttpExchange): HarEntry {
  const requestHeaders = pairs(e.requestHeaders);
  const responseHeaders = pairs(e.responseHeaders);
  const contentType = e.responseHeaders?.['content-type'] ?? '';
  const wait = Math.max(0, Math.round(e.ms));
  return {
    startedDateTime: new Date(e.startedAt).toISOString(),
    time: wait,
    request: {
      method: e.method,
      url: e.url,
      httpVersion: 'HTTP/1.1',
      cookies: requestCookies(e.requestHeaders?.cookie),
      headers: requestHeaders,
      queryString: queryOf(e.url),
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status: e.status,
      statusText: STATUS_CODES[e.status] ?? '',
      httpVersion: 'HTTP/1.1',
      cookies: responseCookies(e.responseHeaders?.['set-cookie']),
      headers: responseHeaders,
      content: { size: e.bodySize ?? 0, mimeType: contentType === '' ? 'x-unknown' : contentType },
      redirectURL: e.location ?? '',
      headersSize: -1,
      bodySize: e.bodySize ?? -1,
    },
    cache: {},
    // The hop is timed as a whole: all of it counts as waiting for the server.
    timings: { send: 0, wait, receive: 0 },
    _from: e.from,
    _to: e.to,
  };
}

function pairs(headers: Record<string, string> | undefined): HarNameValue[] {
  return Object.entries(headers ?? {}).map(([name, value]) => ({ name, value }));
}

function queryOf(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function requestCookies(header: string | undefined): HarNameValue[] {
  if (!header) return [];
  return header.split(/;\s*/).flatMap((pair) => {
    const eq = pair.indexOf('=');
    return eq <= 0 ? [] : [{ name: pair.slice(0, eq), value: pair.slice(eq + 1) }];
  });
}

// Headers joins several Set-Cookie lines with ", "; a comma followed by "name=" starts the next one.
function responseCookies(header: string | undefined): HarNameValue[] {
  if (!header) return [];
  return header.split(/,\s*(?=[^;,=\s]+=)/).flatMap((line) => requestCookies(line.split(';')[0]));
}
