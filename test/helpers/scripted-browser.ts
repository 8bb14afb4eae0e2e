/** A fetch-driven stand-in for a person at a browser: follows redirects and answers the consent form. */

export interface Visit {
  /** Every URL loaded, in order, with its status. */
  hops: Array<{ method: string; url: string; status: number }>;
  /** The last page: status, URL and body. */
  final: { url: string; status: number; body: string; headers: Headers };
}

/** Opens `url`, follows each Location by hand and, on a consent page, presses Approve or Deny. */
export async function visitAndDecide(url: string, decision: 'approve' | 'deny'): Promise<Visit> {
  const hops: Visit['hops'] = [];
  let current = url;
  let init: RequestInit = {};
  for (let i = 0; i < 20; i++) {
    const res = await fetch(current, { ...init, redirect: 'manual' });
    hops.push({ method: init.method ?? 'GET', url: current, status: res.status });
    const body = await res.text();
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      current = new URL(location, current).href;
      init = {};
      continue;
    }
    const action = /<form method="post" action="([^"]+)"/.exec(body)?.[1];
    if (res.status === 200 && action !== undefined && init.method === undefined) {
      current = new URL(unescapeHtml(action), current).href;
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `decision=${decision}`,
      };
      continue;
    }
    return { hops, final: { url: current, status: res.status, body, headers: res.headers } };
  }
  throw new Error(`more than 20 hops from ${url}`);
}

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))).replaceAll('&amp;', '&');
}
