/**
 * `codestream-auth decode-state <state>`: what a CodeStream `state` holds (contract §2.2): its
 * segments, the pauth claims, whether it verifies with a secret, when it expires, host and environment.
 */
import { decodeJwt } from 'jose/jwt/decode';
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import * as errors from 'jose/errors';
import { jwtVerify } from 'jose/jwt/verify';
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import type { LabConfig } from '../lab/config.js';
import { defined } from '../util/defined.js';
import { formatDuration } from '../util/duration.js';
import { toText } from '../util/to-text.js';
import { decodeState } from '../state.js';
import { loadLabData } from './support/shared.js';

/** Everything decode-state learned about one state. */
export interface StateInspection {
  state: string;
  environment: { name: string; inLab: boolean; warning?: string };
  token: { header: Record<string, unknown>; claims: Record<string, unknown> };
  /** exp − now in ms: negative once expired; absent when the token has no exp. */
  expiry: {
    status: 'valid' | 'expired' | 'no-expiry';
    expiresAt?: string;
    issuedAt?: string;
    inMs?: number;
    text: string;
  };
  signature: { status: 'not-checked' | 'valid' | 'invalid'; text: string };
  host?: { value: string; raw: string; specialEncoded: boolean };
  oasec?: Record<string, unknown>;
}

/** Accepts the state itself, its percent-encoded form, or a whole callback URL carrying it. */
export function normalizeStateInput(input: string): string {
  const text = input.trim();
  if (text === '') throw new AppError('STATE_MALFORMED', 'the state is empty');
  if (/^https?:\/\//i.test(text)) {
    const state = new URL(text).searchParams.get('state');
    if (state === null) throw new AppError('STATE_MALFORMED', `URL "${text.slice(0, 60)}" has no state parameter`);
    return state;
  }
  if (!text.includes('!') && /%21/i.test(text)) {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new AppError('STATE_MALFORMED', 'the state has a broken %-escape');
    }
  }
  return text;
}

/** Decodes and, with a secret, verifies; `now` decides expiry. Bad input throws STATE_MALFORMED. */
export async function inspectState(
  input: string,
  opts: { secret?: string; now: () => number; config?: LabConfig },
): Promise<StateInspection> {
  const state = normalizeStateInput(input);
  const parts = decodeState(state);
  const { oasec } = parts;
  const header = readJwt('the token segment (after the first "!")', () => decodeProtectedHeader(parts.jwt));
  const claims = readJwt('the token segment (after the first "!")', () => decodeJwt(parts.jwt));
  const rawHost = state.split('!')[2];
  return {
    state,
    environment: environmentOf(parts.env, opts.config),
    token: { header, claims },
    expiry: expiryOf(claims, opts.now()),
    signature: await signatureOf(parts.jwt, opts),
    ...(parts.host === undefined || rawHost === undefined
      ? {}
      : { host: { value: parts.host, raw: rawHost, specialEncoded: rawHost !== parts.host } }),
    ...(oasec === undefined ? {} : { oasec: readJwt('the oasec segment', () => decodeJwt(oasec)) }),
  };
}

/** The inspection as aligned lines for a terminal. */
export function formatInspection(i: StateInspection): string {
  const rows: Array<[string, string]> = [
    [
      'environment',
      `${i.environment.name}${i.environment.inLab ? ' (in the lab config)' : ' (not in the lab config)'}` +
        (i.environment.warning ? ` — ${i.environment.warning}` : ''),
    ],
    ['token', `${toText(i.token.claims.type ?? '?')} JWT, ${toText(i.token.header.alg ?? '?')}`],
    ...Object.entries(i.token.claims).map(([k, v]): [string, string] => [`  ${k}`, claimText(k, v)]),
    ['expiry', i.expiry.text],
    ['signature', i.signature.text],
  ];
  if (i.host)
    rows.push(['host', `${i.host.value}${i.host.specialEncoded ? ` (special-decoded from "${i.host.raw}")` : ''}`]);
  if (i.oasec) rows.push(['oasec', `type ${toText(i.oasec.type ?? '?')}, ${Object.keys(i.oasec).join(', ')}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

/** Registers `decode-state`. */
export function registerDecodeState(program: Command, deps: Deps, setExit: (code: number) => void): void {
  program
    .command('decode-state')
    .description('show what a state holds: environment, pauth claims, expiry, signature (with --secret) and host')
    .argument('<state>', 'the state string, percent-encoded or not, or a callback URL that carries it')
    .option(
      '--secret <secret>',
      'verify the JWT with this HS256 secret (the lab\'s is "AuthSecret"); exit 1 when it does not verify',
    )
    .option('--json', 'print the inspection as JSON on stdout')
    .action(async (state: string, flags: { secret?: string; json?: boolean }) => {
      const { config } = await loadLabData();
      const inspection = await inspectState(state, {
        now: deps.now,
        config,
        ...defined({ secret: flags.secret }),
      });
      deps.io.stdout.write(flags.json ? `${JSON.stringify(inspection, null, 2)}\n` : formatInspection(inspection));
      // Asked to verify and it does not verify: the inspection is printed, but a script must see the failure.
      setExit(inspection.signature.status === 'invalid' ? 1 : 0);
    });
}

function readJwt<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch {
    throw new AppError('STATE_MALFORMED', `${what} is not a JWT`);
  }
}

function environmentOf(name: string, config: LabConfig | undefined): StateInspection['environment'] {
  const inLab = config?.environments.some((e) => e.callbackEnvironment === name) ?? false;
  if (name === 'null' || name === 'undefined')
    return { name, inLab, warning: 'apiServer.callbackEnvironment is not configured (contract §2.2)' };
  if (name === '') return { name, inLab, warning: 'empty: the router cannot route this state' };
  return { name, inLab };
}

function expiryOf(claims: Record<string, unknown>, now: number): StateInspection['expiry'] {
  const issuedAt = typeof claims.iat === 'number' ? new Date(claims.iat * 1000).toISOString() : undefined;
  const base = defined({ issuedAt });
  if (typeof claims.exp !== 'number') return { ...base, status: 'no-expiry', text: 'no exp claim: never expires' };
  const inMs = claims.exp * 1000 - now;
  const expiresAt = new Date(claims.exp * 1000).toISOString();
  const lifetime =
    typeof claims.iat === 'number' ? `, lifetime ${formatDuration((claims.exp - claims.iat) * 1000)}` : '';
  const text =
    inMs > 0
      ? `valid, expires in ${formatDuration(inMs)} (${expiresAt}${lifetime})`
      : `expired ${formatDuration(-inMs)} ago (${expiresAt}${lifetime})`;
  return { ...base, status: inMs > 0 ? 'valid' : 'expired', expiresAt, inMs, text };
}

async function signatureOf(
  jwt: string,
  opts: { secret?: string; now: () => number },
): Promise<StateInspection['signature']> {
  if (opts.secret === undefined) return { status: 'not-checked', text: 'not checked (pass --secret to verify)' };
  try {
    await jwtVerify(jwt, new TextEncoder().encode(opts.secret), {
      algorithms: ['HS256'],
      currentDate: new Date(opts.now()),
    });
    return { status: 'valid', text: 'valid with the given secret' };
  } catch (err) {
    // jose checks the signature before the claims, so a claim error means the signature held.
    if (err instanceof errors.JWTExpired || err instanceof errors.JWTClaimValidationFailed)
      return { status: 'valid', text: 'valid with the given secret' };
    return { status: 'invalid', text: 'INVALID: the JWT was not signed with the given secret' };
  }
}

function claimText(key: string, value: unknown): string {
  if ((key === 'iat' || key === 'exp') && typeof value === 'number')
    return `${value} (${new Date(value * 1000).toISOString()})`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
