/** Authorization codes, the tokens issued from them and refresh tokens (RFC 6749 §4.1.2, §6, §10.5). */
import { randomBytes } from 'node:crypto';
import { clearIndexes, indexOf } from '../util/key-index.js';
import { DEFAULT_RECORD_CAP, capMap, pushCapped } from '../util/ring.js';

export interface CodeGrant {
  code: string;
  clientId: string;
  redirectUri: string;
  scope: string | undefined;
  state: string | undefined;
  /** Every authorize parameter, for answer templates ("{param.user_scope}"). */
  params: Record<string, string>;
  issuedAt: number;
  expiresAt: number;
  used: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  /** Access tokens issued from this code, revoked together on replay. */
  tokens: string[];
}

/** How a token came to be: from a code, straight from authorize (fragment), by refresh, or OAuth 1.0a. */
export type IssueKind = 'code' | 'implicit' | 'refresh' | 'oauth1';

export interface IssuedToken {
  accessToken: string;
  refreshToken?: string;
  /** A server (bot) token issued beside the user token (Slack). */
  serverToken?: string;
  /** OAuth 1.0a: the token secret issued with the access token. */
  tokenSecret?: string;
  /** The code it came from; for refreshes, the code of the token it replaces. */
  code: string;
  clientId: string;
  kind: IssueKind;
  issuedAt: number;
  revoked: boolean;
  /** The refresh token was used and rotated away (RFC 9700 §4.14). */
  refreshUsed: boolean;
}

/** An OAuth 1.0a request token (RFC 5849 §2.1) on its way to being authorized and exchanged. */
export interface RequestToken {
  token: string;
  secret: string;
  consumerKey: string;
  /** oauth_callback at request-token time; "oob" when the callback comes with authorize. */
  callback: string;
  issuedAt: number;
  expiresAt: number;
  authorized: boolean;
  verifier?: string;
  used: boolean;
}

export function randomToken(prefix = '', bytes = 20): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

/** What a new token gets besides its access token. */
export interface IssueOptions {
  accessPrefix: string;
  refreshPrefix?: string | undefined;
  serverPrefix?: string | undefined;
  kind: IssueKind;
}

/** In-memory grant store; `now` is injected so expiry is testable without waiting. */
export class GrantStore {
  readonly codes = new Map<string, CodeGrant>();
  readonly issued: IssuedToken[] = [];
  readonly requestTokens = new Map<string, RequestToken>();

  /** Codes and issued tokens keep the newest `cap` (issue 14: a long-lived lab stays flat). */
  constructor(
    private readonly now: () => number,
    private readonly cap: number = DEFAULT_RECORD_CAP,
  ) {}

  issueCode(
    grant: Omit<CodeGrant, 'code' | 'issuedAt' | 'expiresAt' | 'used' | 'tokens' | 'params'> & {
      params?: Record<string, string>;
    },
    lifetimeSeconds: number,
  ): CodeGrant {
    const issuedAt = this.now();
    const full: CodeGrant = {
      ...grant,
      params: grant.params ?? {},
      code: randomToken('', 10),
      issuedAt,
      expiresAt: issuedAt + lifetimeSeconds * 1000,
      used: false,
      tokens: [],
    };
    this.codes.set(full.code, full);
    capMap(this.codes, this.cap);
    return full;
  }

  /** Issues a token for a code grant (marking the code used), or with no grant for fragment and OAuth 1.0a flows. */
  issueToken(
    grant: Pick<CodeGrant, 'code' | 'clientId'> & Partial<Pick<CodeGrant, 'used' | 'tokens'>>,
    options: IssueOptions | string,
    refreshPrefix?: string,
  ): IssuedToken {
    // A bare prefix (and refresh prefix) is the short form tests use for a code-grant token.
    const opts: IssueOptions =
      typeof options === 'string' ? { kind: 'code', accessPrefix: options, refreshPrefix } : options;
    const token: IssuedToken = {
      accessToken: randomToken(opts.accessPrefix),
      ...(opts.refreshPrefix === undefined ? {} : { refreshToken: randomToken(opts.refreshPrefix) }),
      ...(opts.serverPrefix === undefined ? {} : { serverToken: randomToken(opts.serverPrefix) }),
      code: grant.code,
      clientId: grant.clientId,
      kind: opts.kind,
      issuedAt: this.now(),
      revoked: false,
      refreshUsed: false,
    };
    if (grant.tokens) {
      grant.used = true;
      grant.tokens.push(token.accessToken);
    }
    pushCapped(this.issued, token, this.cap);
    return token;
  }

  /** The token a refresh token belongs to, used or not (so reuse of a rotated one can be told apart). */
  byRefreshToken(refreshToken: string): IssuedToken | undefined {
    return indexOf(this.issued, 'refresh', (t) => (t.refreshToken === undefined ? [] : [t.refreshToken])).get(
      refreshToken,
    )[0];
  }

  /** The issued token with this access token. */
  byAccessToken(accessToken: string): IssuedToken | undefined {
    return indexOf(this.issued, 'access', (t) => [t.accessToken]).get(accessToken)[0];
  }

  /** The tokens issued from one code (OAuth 1.0a: from one request token), in issue order. */
  issuedFrom(code: string): IssuedToken[] {
    return [...indexOf(this.issued, 'code', (t) => [t.code]).get(code)];
  }

  /** RFC 6749 §4.1.2: a replayed code SHOULD revoke every token issued from it, refreshes included. */
  revokeFrom(grant: CodeGrant): number {
    let count = 0;
    for (const token of this.issuedFrom(grant.code)) {
      if (!token.revoked) {
        token.revoked = true;
        count += 1;
      }
    }
    return count;
  }

  isActive(accessToken: string): boolean {
    return indexOf(this.issued, 'access', (t) => [t.accessToken])
      .get(accessToken)
      .some((t) => !t.revoked);
  }

  reset(): void {
    this.codes.clear();
    this.requestTokens.clear();
    this.issued.length = 0;
    clearIndexes(this.issued);
  }
}
