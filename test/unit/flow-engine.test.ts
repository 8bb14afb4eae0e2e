import { describe, expect, it } from 'vitest';
import type { FlowEvent } from '../../src/events.js';
import { BROWSER_ROUTE, JWT_BEARER_ASSERTION_TYPE, TEAMS_CONNECTED_REPLY } from '../../src/flows/engine/contract.js';
import { operatorOf, userDirective, versionOf } from '../../src/flows/engine/directive.js';
import { need, runFlow, type Step } from '../../src/flows/engine/runner.js';
import { BROWSER_ROUTE as API_BROWSER_ROUTE } from '../../src/mock-api/http.js';
import { CONNECTED_REPLY } from '../../src/mock-api/actions/msteams-bot.js';
import { JWT_BEARER_ASSERTION } from '../../src/mock-api/outbound/exchange.js';

async function run(step: Step<{ hop?: string }>['run']): Promise<FlowEvent[]> {
  const events: FlowEvent[] = [];
  await runFlow(
    [{ id: 'one', title: 'One', run: step }],
    {},
    {
      flow: 'test',
      provider: 'p',
      env: 'e',
      onEvent: (e) => events.push(e),
    },
  );
  return events;
}

describe('step checks', () => {
  it('check and expectEqual both take the expected value before the actual one', async () => {
    const failedCheck = await run(async (_ctx, s) => s.check('status', false, 302, 200));
    const failedEqual = await run(async (_ctx, s) => s.expectEqual('status', 302, 200));
    for (const events of [failedCheck, failedEqual])
      expect(events).toContainEqual({
        type: 'check-failed',
        step: 'one',
        check: 'status',
        expected: '302',
        actual: '200',
      });
  });

  it('need names what an earlier step should have recorded', async () => {
    const events = await run(async (ctx, s) => void need(ctx.hop, 'callback hop', s));
    const failed = events.find((e) => e.type === 'step-failed');
    expect(failed).toMatchObject({ error: { code: 'CHECK_FAILED' } });
    expect(JSON.stringify(failed)).toContain('no callback hop yet');
  });
});

describe('user directives', () => {
  it('reads the operators and the version of a well-formed directive', () => {
    const user = userDirective({ user: { id: 'u1', $set: { a: 1 }, $version: { before: 3, after: 4 } } });
    expect(operatorOf(user, '$set')).toEqual({ a: 1 });
    expect(operatorOf(user, '$unset')).toBeUndefined();
    expect(versionOf(user)).toEqual({ before: 3, after: 4 });
  });

  it('reads nothing from what is not a directive', () => {
    expect(userDirective({ user: 'text' })).toEqual({});
    expect(userDirective({})).toEqual({});
    expect(operatorOf(undefined, '$set')).toBeUndefined();
    expect(operatorOf({ $set: ['a'] }, '$set')).toBeUndefined();
    expect(versionOf({ $version: { before: '*', after: 2 } })).toEqual({ after: 2 });
    expect(versionOf(null)).toEqual({});
  });
});

// The checks hold their own copy of these (written from the contract); a difference with the mocks shows here first.
describe('contract values the checks own', () => {
  it('agree with the mocks', () => {
    expect(JWT_BEARER_ASSERTION_TYPE).toBe(JWT_BEARER_ASSERTION);
    expect(BROWSER_ROUTE.source).toBe(API_BROWSER_ROUTE.source);
    expect(TEAMS_CONNECTED_REPLY).toBe(CONNECTED_REPLY);
  });
});
