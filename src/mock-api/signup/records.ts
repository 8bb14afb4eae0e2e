/** The signupTokens collection (contract §2.4): written by provider-token, read once by check-signup. */
import { DEFAULT_RECORD_CAP, capMap } from '../../util/ring.js';

export interface SignupRecord {
  token: string;
  userId: string | null;
  expiresAt: number;
  signupStatus?: 'teamCreated' | 'userCreated' | 'signedIn';
  error?: string;
  providerError?: string;
  provider?: string;
  providerAccess?: string;
  teamId?: string;
  sharing?: boolean;
  /** MS Teams connect codes: the teams the bot may join (contract §7). */
  teamIds?: string[];
  /** The user's account lives in another region: check-signup answers USRC-1032 {url} (contract §5, FM 25). */
  switchToServerUrl?: string;
}

export const SIGNUP_TOKEN_EXPIRATION_MS = 600_000;

export class SignupRecords {
  readonly records = new Map<string, SignupRecord>();

  constructor(
    private readonly now: () => number,
    private readonly expirationMs = SIGNUP_TOKEN_EXPIRATION_MS,
    /** Records kept at most (the newest): a busy lab drops the oldest before they expire. */
    private readonly cap = DEFAULT_RECORD_CAP,
  ) {}

  /** Each insert replaces a record with the same token and purges ones a full window past expiry. */
  insert(record: Omit<SignupRecord, 'expiresAt'>, lifetimeMs = this.expirationMs): SignupRecord {
    this.purge();
    const full = { ...record, expiresAt: this.now() + Math.min(lifetimeMs, this.expirationMs) };
    this.records.delete(record.token); // a replaced record counts as the newest
    this.records.set(record.token, full);
    capMap(this.records, this.cap);
    return full;
  }

  /** Finds a record; undoes VS Code's double paste of a 72-character token (contract §2.4). */
  find(token: string): SignupRecord | undefined {
    this.purge();
    return this.records.get(undoDoublePaste(token));
  }

  /**
   * Removes the record stored under `token` exactly as given: a double-pasted token removes nothing, so the
   * record it found survives until it expires (contract §1.10; signup_tokens.js remove, check_signup_request.js
   * removeSignupToken).
   */
  remove(token: string): void {
    this.records.delete(token);
  }

  // An expired record stays findable (and reportable as AUTH-1005) for one more window.
  private purge(): void {
    const cutoff = this.now() - this.expirationMs;
    for (const [key, r] of this.records) if (r.expiresAt < cutoff) this.records.delete(key);
  }
}

function undoDoublePaste(token: string): string {
  return token.length === 72 && token.slice(0, 36) === token.slice(36) ? token.slice(0, 36) : token;
}
