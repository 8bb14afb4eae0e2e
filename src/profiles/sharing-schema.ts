/**
 * The schema of a profile's `sharingProfileCall` block (what it means: src/profiles/sharing.ts). Apart from the
 * functions that use the block, because those run in every lab and zod need not load with them.
 */
import { z } from 'zod';
import { Params } from './parts.js';

export const SharingProfileCallSchema = z.object({
  /** Path of the call on the provider's host (Slack: /api/users.info). */
  path: z.string().startsWith('/'),
  /** Query parameters in order; a value "{field}" is that field of the stored token's data (Slack: user_id). */
  query: Params.default({}),
  /** The answer must carry this field set to true (Slack's ok envelope); absent: any 2xx JSON answer counts. */
  okField: z.string().optional(),
  /** extra.<name> ← dotted path in the answer (Slack: user.locale, user.tz, user.tz_label). */
  extra: Params,
  /** The mock's success answer; a string that is exactly "{query.<name>}" is that query parameter of the call. */
  answer: z.record(z.string(), z.unknown()),
  /** Error names of the mock's refusals: RFC 6750 §3.1 by default (Slack: invalid_auth, invalid_arguments). */
  errorNames: z
    .object({
      invalidToken: z.string().default('invalid_token'),
      invalidRequest: z.string().default('invalid_request'),
    })
    .prefault({}),
});

export type SharingProfileCall = z.infer<typeof SharingProfileCallSchema>;
