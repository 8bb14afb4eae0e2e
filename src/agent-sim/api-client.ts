/** The LSP agent's CS API client: Bearer-authenticated JSON calls, each reported as an http event. */
import { AppError } from '../errors.js';
import type { EventSink } from '../events.js';
import { defined } from '../util/defined.js';
import { isJsonObject, parseJson } from '../util/json.js';
import { timedFetch } from './http-log.js';

export interface ApiClientOptions {
  baseUrl: string;
  accessToken?: string;
  fetch: typeof fetch;
  now: () => number;
  onEvent?: EventSink;
}

/** A JSON answer with its status, for callers that check 403 codes themselves. */
export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export class ApiClient {
  constructor(private readonly opts: ApiClientOptions) {}

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  /** GET /provider-auth-code?teamId=… → the pauth JWT (contract §1.2). */
  async providerAuthCode(teamId: string): Promise<string> {
    const answer = await this.request('GET', `/provider-auth-code?teamId=${encodeURIComponent(teamId)}`);
    const code = answer.body.code;
    if (answer.status !== 200 || typeof code !== 'string') throw unexpected('GET /provider-auth-code', answer);
    return code;
  }

  /** GET /users/me → the me-object. */
  async me(): Promise<Record<string, unknown>> {
    const answer = await this.request('GET', '/users/me');
    const user = answer.body.user;
    if (answer.status !== 200 || !isJsonObject(user)) throw unexpected('GET /users/me', answer);
    return user;
  }

  /** PUT /no-auth/check-signup {token} (contract §5): the raw answer; 403 AUTH-1006 means still pending. */
  checkSignup(token: string, signal?: AbortSignal): Promise<ApiAnswer> {
    return this.request('PUT', '/no-auth/check-signup', { token }, signal);
  }

  /**
   * One JSON request; never throws on HTTP status, only on network failure or a non-JSON body. A 4xx with a
   * body that is not JSON (a proxy's error page) is still an answer, with an empty body: the client maps it
   * (UNKNOWN for check-signup) instead of retrying it as a transport failure (contract §6.2).
   */
  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<ApiAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.accessToken) headers.authorization = `Bearer ${this.opts.accessToken}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const { response } = await timedFetch(
      this.opts.fetch,
      `${this.opts.baseUrl}${path}`,
      { method, headers, ...defined({ body: body === undefined ? undefined : JSON.stringify(body), signal }) },
      { from: 'agent', to: 'api', now: this.opts.now, onEvent: this.opts.onEvent },
    );
    const text = await response.text();
    // parseJson's undefined means "not JSON" (no JSON text parses to undefined).
    const json = text === '' ? {} : parseJson(text);
    if (json === undefined) {
      if (response.status >= 400 && response.status < 500) return { status: response.status, body: {} };
      throw new AppError('HTTP_FAILED', `${method} ${path} answered ${response.status} with a body that is not JSON`, {
        detail: { body: text.slice(0, 200) },
      });
    }
    return { status: response.status, body: isJsonObject(json) ? json : {} };
  }
}

function unexpected(what: string, answer: ApiAnswer): AppError {
  return new AppError('HTTP_FAILED', `${what} answered ${answer.status} ${JSON.stringify(answer.body)}`, {
    detail: { status: answer.status, body: answer.body },
  });
}
