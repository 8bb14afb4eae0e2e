/** The page provider-token answers a fragment provider's first callback with (contract §1.5 step 3). */
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { FRAGMENT_HOP_ID, nextFragmentHop, type FragmentHopConfig } from '../../protocol/fragment-hop.js';

/** 200 text/html: the config as JSON and a nonce'd script that navigates as nextFragmentHop says. */
export function sendFragmentHopPage(res: Response, config: FragmentHopConfig): void {
  const nonce = randomBytes(16).toString('base64');
  // "<" escaped so a state carrying "</script>" cannot end the element early.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  const readConfig = `JSON.parse(document.getElementById(${JSON.stringify(FRAGMENT_HOP_ID)}).textContent)`;
  const script = `location.replace((${nextFragmentHop.toString()})(${readConfig}, location.href));`;
  res
    .status(200)
    .set('Cache-Control', 'no-store')
    .set('Referrer-Policy', 'no-referrer')
    .set('Content-Security-Policy', `default-src 'none'; script-src 'nonce-${nonce}'`)
    .type('html')
    .send(
      '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
        '<title>Completing the connection</title></head><body>' +
        '<p>Completing the connection…</p>' +
        `<script type="application/json" id="${FRAGMENT_HOP_ID}">${json}</script>` +
        `<script nonce="${nonce}">${script}</script>` +
        '<noscript><p>This step needs JavaScript: the token is in the part of the address after "#".</p></noscript>' +
        '</body></html>',
    );
}
