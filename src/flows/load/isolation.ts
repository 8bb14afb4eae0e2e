/**
 * The isolation verdict of a load run: every token a provider issued reached its own flow's agent, was published
 * on exactly one channel (its own user's, in its own environment; connect) and is held by exactly one user of
 * one store (its own user in its own environment). Tokens are found by the values the flows recorded, never by
 * "the latest entry".
 */
import type { FlowLab } from '../../lab/start-lab.js';
import type { LoadFlow, PlannedFlow } from './plan.js';

export interface FlowTokens {
  plan: PlannedFlow;
  ok: boolean;
  issuedToken: string | undefined;
  deliveredToken: string | undefined;
  /** The user the sign-up resolved to (sign-up only). */
  userId: string | undefined;
}

export interface CrossDelivery {
  flow: number;
  what: string;
  expected: string;
  actual: string;
}

export interface IsolationVerdict {
  ok: boolean;
  checkedTokens: number;
  problems: CrossDelivery[];
}

// Every string value of every published message and stored user is indexed once (a token is a whole value), so
// the verdict costs one walk of the lab's state, not one scan per token.
type Index = Map<string, string[]>;
function indexStrings(index: Index, where: string, value: unknown, seen = new Set<string>()): void {
  if (typeof value === 'string') {
    if (seen.has(value)) return; // one holder counts once, however often it repeats the token
    seen.add(value);
    const list = index.get(value);
    if (list) list.push(where);
    else index.set(value, [where]);
  } else if (Array.isArray(value)) for (const v of value) indexStrings(index, where, v, seen);
  else if (typeof value === 'object' && value !== null)
    for (const v of Object.values(value)) indexStrings(index, where, v, seen);
}

export function isolationVerdict(flow: LoadFlow, lab: FlowLab, runs: readonly FlowTokens[]): IsolationVerdict {
  const problems: CrossDelivery[] = [];
  const published: Index = new Map();
  const stored: Index = new Map();
  for (const [env, api] of lab.envs) {
    for (const m of api.control.broadcasts.published) indexStrings(published, `${env}/${m.channel}`, m.message);
    for (const u of api.control.store.users()) indexStrings(stored, `${env}/${u.id}`, u.providerInfo);
  }
  const seen = new Map<string, number>();
  for (const run of runs) {
    const at = run.plan.index;
    const token = run.issuedToken;
    if (token === undefined) {
      problems.push({ flow: at, what: 'issued token', expected: 'a token', actual: 'none' });
      continue;
    }
    const before = seen.get(token);
    if (before !== undefined)
      problems.push({ flow: at, what: 'issued token unique', expected: 'its own', actual: `also flow ${before}` });
    seen.set(token, at);
    if (run.deliveredToken !== token)
      problems.push({ flow: at, what: 'delivered token', expected: 'the issued token', actual: 'another or none' });
    const user = flow === 'connect' ? run.plan.user : (run.userId ?? '?');
    const own = `${run.plan.env}/${user}`;
    const storedAt = stored.get(token) ?? [];
    if (storedAt.length !== 1 || storedAt[0] !== own)
      problems.push({ flow: at, what: 'stored under', expected: own, actual: storedAt.join(', ') || 'nowhere' });
    if (flow === 'connect') {
      const channel = `${run.plan.env}/user-${user}`;
      const sentOn = published.get(token) ?? [];
      if (sentOn.length !== 1 || sentOn[0] !== channel)
        problems.push({ flow: at, what: 'published on', expected: channel, actual: sentOn.join(', ') || 'nowhere' });
    }
  }
  return { ok: problems.length === 0, checkedTokens: seen.size, problems };
}
