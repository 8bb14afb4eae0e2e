/**
 * Small self-contained HTML pages for every lab server (consent, result and refusal pages). Nothing is
 * loaded from anywhere, not even the lab: RFC 9700 §4.2 (a page whose URL carries a code or state must
 * not leak it through Referer or third-party loads). Plain semantic HTML, readable without the CSS.
 */
import type { Response } from 'express';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface PageOptions {
  /**
   * Extra CSP form-action sources. Chromium checks form-action on every redirect after a submit, so a
   * form whose answer redirects across origins must list them (the consent page does).
   */
  formAction?: readonly string[];
}

// A few readable defaults; the page works the same with styles off.
const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}' +
  'code{word-break:break-all}button{font:inherit;padding:.4rem 1.2rem;margin-right:.5rem}';

/** Sends a page with no-referrer, no caching, no framing and a CSP that allows nothing external. */
export function sendPage(res: Response, status: number, title: string, bodyHtml: string, opts: PageOptions = {}): void {
  const formAction = ["'self'", ...(opts.formAction ?? [])].join(' ');
  res
    .status(status)
    .set('Referrer-Policy', 'no-referrer')
    .set('Cache-Control', 'no-store')
    .set('X-Frame-Options', 'DENY')
    .set(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; ` +
        "frame-ancestors 'none'; base-uri 'none'",
    )
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
        `<meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
        `<body><main><h1>${escapeHtml(title)}</h1>${bodyHtml}</main></body></html>`,
    );
}
