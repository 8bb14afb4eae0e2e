/**
 * The profile blocks that describe how a provider differs from plain OAuth 2.0 code flow: OAuth 1.0a,
 * token-in-fragment delivery, refresh, answer shapes, storage, and custom (real, unmocked) servers.
 * src/profiles.ts assembles them into ProfileSchema.
 */
import { z } from 'zod';

export const Params = z.record(z.string(), z.string());

/**
 * OAuth 1.0a endpoints besides authorize.path (jiraserver, contract §1.3 step 6) and the rules the real server relaxes.
 */
export const OAuth1Schema = z.object({
  requestTokenPath: z.string().startsWith('/'),
  accessTokenPath: z.string().startsWith('/'),
  signatureMethod: z.literal('RSA-SHA1'),
  /**
   * Where the server takes the callback from: CodeStream asks for the request token with "oob" and puts
   * oauth_callback on the authorize URL (OAuth 1.0 style), which Jira honours.
   */
  callbackAt: z.enum(['request-token', 'authorize']).default('authorize'),
  /** CodeStream drops oauth_verifier at the callback (contract §1.5 step 2), so Jira must not require it. */
  verifierRequired: z.boolean().default(false),
  accessTokenPrefix: z.string().default(''),
});

/** How authorize hands the result back: a code to exchange, or the token itself in the URL fragment. */
export const DeliverySchema = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('code') }),
    z.object({
      mode: z.literal('fragment'),
      /** The fragment field holding the token: "token" (Trello), "access_token" (YouTrack). */
      tokenField: z.string().min(1),
      /** Echo state inside the fragment (YouTrack) rather than leave it in the redirect URI's query (Trello). */
      stateInFragment: z.boolean().default(false),
      /** Fixed fields after the token in the fragment (token_type, expires_in, scope). */
      fragmentFields: Params.default({}),
      accessTokenPrefix: z.string().default(''),
      /** Fields of the CodeStream client config the API adds to the stored token (Trello's apiKey, contract §8). */
      addFromClient: z.array(z.string()).default([]),
    }),
  ])
  .default({ mode: 'code' });

/** The refresh grant (contract §1.8, §3.1) and how the provider treats used refresh tokens. */
export const RefreshSchema = z
  .object({
    /** refreshTokenParameterName: "assertion" for Azure DevOps. */
    parameter: z.string().default('refresh_token'),
    /** additionalRefreshTokenParameters, merged after the token parameters (an override keeps its position). */
    extraParameters: Params.default({}),
    /** Issue a new refresh token each time and disable the used one (Atlassian, Bitbucket, GitLab). */
    rotate: z.boolean().default(false),
    /** HTTP status of a refused refresh: Atlassian answers 403 (oauth-rules-and-quirks §4). */
    errorStatus: z.number().int().min(200).max(599).optional(),
  })
  .prefault({});

/** How the API reshapes an answer before normalising it (contract §3.2, Slack v2). */
export const ReshapeSchema = z.object({
  /** A field whose presence means a server (bot) token came back; it is normalised from the raw answer. */
  serverTokenWhen: z.string().optional(),
  /** Fields dropped from the server token before normalising. */
  serverTokenOmit: z.array(z.string()).default([]),
  /** Field of the user token ← dotted path in the raw answer, applied in order. */
  assign: Params.default({}),
});

/**
 * What the agent adds to the start URL (contract §6.1): sharing=true (Slack, MS Teams),
 * requestServerToken=true (Slack).
 */
export const AgentSchema = z
  .object({
    sharing: z.boolean().default(false),
    requestServerToken: z.boolean().default(false),
  })
  .prefault({});

/** Where the API stores a token (contract §4.1): with sharing, under multiple.<tokenData.data[multipleKey]>. */
export const StorageSchema = z
  .object({
    multipleKey: z.string().optional(),
    /**
     * The token data field naming the provider user of a multiple entry: a sharing connect adds
     * providerIdentities "<provider>::<value>" and a deauth of that entry pulls it (Slack: user_id).
     */
    identityField: z.string().optional(),
  })
  .prefault({});

/**
 * A real or self-hosted server that the lab does not mock (connect --profile): absolute endpoints, or the
 * issuer whose metadata names them (RFC 8414, OpenID Connect Discovery 1.0), and the client, whose secret is
 * read from the environment variable the profile names, never from the file.
 */
export const ServerSchema = z
  .object({
    /** The issuer identifier: the endpoints come from its discovery document when the URLs are absent. */
    issuer: z.url({ protocol: /^https?$/ }).optional(),
    authorizeUrl: z.url({ protocol: /^https?$/ }).optional(),
    tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Set when the endpoints were discovered: the metadata document they came from. */
    discoveredFrom: z.url().optional(),
    clientId: z.string().min(1),
    clientSecretEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
    /** Port the lab's router binds, so the redirect URI can be registered at the server ahead of time. */
    callbackPort: z.number().int().min(1).max(65_535).optional(),
  })
  .refine((s) => s.issuer !== undefined || (s.authorizeUrl !== undefined && s.tokenUrl !== undefined), {
    path: ['issuer'],
    message: 'is required unless both "authorizeUrl" and "tokenUrl" are given',
  });

export type OAuth1Config = z.infer<typeof OAuth1Schema>;
export type Delivery = z.infer<typeof DeliverySchema>;
export type FragmentDelivery = Extract<Delivery, { mode: 'fragment' }>;
export type ServerConfig = z.infer<typeof ServerSchema>;
