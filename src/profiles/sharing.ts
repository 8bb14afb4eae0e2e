/**
 * The `sharingProfileCall` block of a provider profile: the call the API makes after a sharing connect to
 * learn more about the user than the token answer says (contract §3.2 "Slack v2 response reshaping", last
 * bullet: users.info → extra {locale, tz, tz_label}; a failure is PRVD-1007). The same data drives both
 * sides: the API builds the request from `query` and reads `extra`, the mock provider answers from `answer`.
 */
import type { SharingProfileCall } from './sharing-schema.js';

export type { SharingProfileCall } from './sharing-schema.js';

/** The query of the call, "{field}" filled from the token's data; undefined names the first field it lacks. */
export function sharingQuery(
  call: SharingProfileCall,
  data: Record<string, unknown> | undefined,
): { params: [string, string][] } | { missing: string } {
  const params: [string, string][] = [];
  for (const [name, template] of Object.entries(call.query)) {
    const field = /^\{(\w+)\}$/.exec(template)?.[1];
    if (field === undefined) {
      params.push([name, template]);
      continue;
    }
    const value = data?.[field];
    if (typeof value !== 'string' && typeof value !== 'number') return { missing: field };
    params.push([name, String(value)]);
  }
  return { params };
}

/** The mock's answer for a call with this query: "{query.<name>}" strings become the parameter's value. */
export function renderSharingAnswer(call: SharingProfileCall, query: Record<string, string>): Record<string, unknown> {
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const name = /^\{query\.(\w+)\}$/.exec(node)?.[1];
      return name === undefined ? node : query[name];
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node !== null && typeof node === 'object') return fillObject(node);
    return node;
  };
  const fillObject = (node: object): Record<string, unknown> =>
    Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
  return fillObject(call.answer);
}
