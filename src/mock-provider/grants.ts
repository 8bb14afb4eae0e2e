/** Authorization codes and the tokens issued from them (RFC 6749 §4.1.2, §10.5). */
import { randomBytes } from 'node:crypto';

export interface CodeGrant {
  code: string;
  clientId: string;
  redirectUri: string;
  scope: string | undefined;
  state: string | undefined;
  issuedAt: number;
  expiresAt: number;
  used: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  /** Access tokens issued from this code, revoked together on replay. */
  tokens: string[];
}

export interface IssuedToken {
  accessToken: string;
  refreshToken?: string;
  code: string;
  clientId: string;
  issuedAt: number;
  revoked: boolean;
}

export function randomToken(prefix = '', bytes = 20): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

/** In-memory grant store; `now` is injected so expiry is testable without waiting. */
export class GrantStore {
  readonly codes = new Map<string, CodeGrant>();
  readonly issued: IssuedToken[] = [];

  constructor(private readonly now: () => number) {}

  issueCode(grant: Omit<CodeGrant, 'code' | 'issuedAt' | 'expiresAt' | 'used' | 'tokens'>, lifetimeSeconds: number): CodeGrant {
    const issuedAt = this.now();
    const full: CodeGrant = { ...grant, code: randomToken('', 10), issuedAt, expiresAt: issuedAt + lifetimeSeconds * 1000, used: false, tokens: [] };
    this.codes.set(full.code, full);
    return full;
  }

  issueToken(grant: CodeGrant, accessPrefix: string, refreshPrefix: string | undefined): IssuedToken {
    const token: IssuedToken = {
      accessToken: randomToken(accessPrefix),
      ...(refreshPrefix === undefined ? {} : { refreshToken: randomToken(refreshPrefix) }),
      code: grant.code,
      clientId: grant.clientId,
      issuedAt: this.now(),
      revoked: false,
    };
    grant.used = true;
    grant.tokens.push(token.accessToken);
    this.issued.push(token);
    return token;
  }

  /** RFC 6749 §4.1.2: a replayed code SHOULD revoke every token issued from it. */
  revokeFrom(grant: CodeGrant): number {
    let count = 0;
    for (const token of this.issued) {
      if (token.code === grant.code && !token.revoked) {
        token.revoked = true;
        count += 1;
      }
    }
    return count;
  }

  isActive(accessToken: string): boolean {
    return this.issued.some((t) => t.accessToken === accessToken && !t.revoked);
  }

  reset(): void {
    this.codes.clear();
    this.issued.length = 0;
  }
}
