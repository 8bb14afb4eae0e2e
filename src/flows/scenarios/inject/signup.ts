/**
 * Appliers of the sign-up injections: the poller's timing (pending answers, a late check) and what
 * check-signup sees once the browser leg wrote the record (a failing API, a changed record or user, a
 * token pasted twice). Record changes hold the poller until they are made, so no answer races them.
 */
import { AppError } from '../../../errors.js';
import type { StepContext } from '../../engine/runner.js';
import { formatDuration } from '../../../util/duration.js';
import type { Applied, Applier, ScenarioContext, ScenarioRuntime } from '../runtime.js';
import type { Injection } from '../types.js';
import type { UserFlags } from '../../../mock-api/control.js';

type SignupKind = 'poll-pending' | 'late-check' | 'check-signup-fault' | 'signup-record' | 'double-paste';

// The poller's per-request timeout (poller.ts default, the agent's 30 s); a hung call lets a little more pass.
const HUNG_CALL_MS = 31_000;

/** The appliers of the sign-up injections, merged into the one table of injections.ts. */
export const signupAppliers: { [K in SignupKind]: Applier<K> } = {
  'poll-pending': (inj, rt) => ({
    hooks: [
      {
        step: inj.before,
        when: 'before',
        async run(ctx, s) {
          await pollOf(rt).waitForTicks(inj.count, ctx.signal);
          s.note(`the agent got ${inj.count} pending answers (AUTH-1006) before the browser went on`);
        },
      },
    ],
  }),

  'late-check': (inj, rt) =>
    onceRecordWritten(
      rt,
      (_ctx, s) => {
        rt.clock.advance(inj.ms);
        s.note(`${inj.why}: the clock moves ${formatDuration(inj.ms)} forward before the agent checks again`);
      },
      inj.after,
    ),

  'check-signup-fault': (inj, rt) =>
    onceRecordWritten(rt, (_ctx, s) => {
      const faults = rt.api.control.inject.checkSignupFaults;
      faults.checkSignup.push(...inj.faults);
      let hangs = inj.faults.filter((f) => f.kind === 'hang').length;
      if (hangs > 0) {
        // A held call costs no wall time: the scenario clock jumps past the agent's timeout, which then gives up.
        const off = faults.onHold(() => {
          if (--hangs === 0) off();
          rt.clock.advance(HUNG_CALL_MS);
        });
      }
      const what = inj.faults.map((f) => (f.kind === 'status' ? String(f.status) : 'no answer'));
      const calls =
        inj.faults.length === 1 ? 'check-signup call fails' : `${inj.faults.length} check-signup calls fail`;
      s.note(`the API's next ${calls}: ${what.join(', ')}`);
    }),

  'signup-record': (inj, rt) =>
    onceRecordWritten(rt, (ctx, s) => {
      const record = rt.api.control.store.signup(ctx.signupToken ?? '');
      if (!record) throw new AppError('UNEXPECTED', `scenario: no signup record for "${ctx.signupToken ?? ''}"`);
      if (inj.error !== undefined) {
        rt.api.control.inject.patchSignup(record.token, { error: inj.error });
        s.note(`the signup record carries error "${inj.error}"`);
      }
      if (inj.switchToServerUrl !== undefined) {
        rt.api.control.inject.patchSignup(record.token, { switchToServerUrl: inj.switchToServerUrl });
        s.note(`the signup record says the account lives at "${inj.switchToServerUrl}" (another region)`);
      }
      if (inj.user !== undefined) {
        const user = rt.api.control.store.user(record.userId ?? '');
        if (!user)
          throw new AppError('UNEXPECTED', `scenario: the signup record names no user ("${record.userId ?? ''}")`);
        const change = userChanges[inj.user];
        rt.api.control.inject.setUserFlags(user.id, change.flags);
        s.note(change.note(user.id));
      }
    }),

  // The poller takes the token when it starts; the webview's own copy (the start URL, the reuse check) stays single.
  'double-paste': <C extends ScenarioContext>(): Applied<C> => {
    let single = '';
    return {
      hooks: [
        {
          step: 'poll-start',
          when: 'before',
          run(ctx, s) {
            single = ctx.signupToken ?? '';
            ctx.signupToken = single + single;
            s.check(
              'the pasted token is 72 characters of two equal halves',
              ctx.signupToken.length === 72,
              72,
              ctx.signupToken.length,
            );
            s.note('the user pasted the signup token twice into the IDE: the agent sends 72 characters');
          },
        },
        { step: 'poll-start', when: 'after', run: (ctx) => void (ctx.signupToken = single) },
      ],
    };
  },
};

/**
 * Holds the poller from the start; once `after` ran (the result page: the record is written),
 * changes things, then lets it check.
 */
function onceRecordWritten<C extends ScenarioContext>(
  rt: ScenarioRuntime,
  change: (ctx: C, s: StepContext) => void,
  after = 'result-page',
): Applied<C> {
  return {
    arrange: () => pollOf(rt).hold(),
    hooks: [
      {
        step: after,
        when: 'after',
        run(ctx, s) {
          change(ctx, s);
          pollOf(rt).release();
        },
      },
    ],
  };
}

function pollOf(rt: ScenarioRuntime): NonNullable<ScenarioRuntime['poll']> {
  if (rt.poll === undefined)
    throw new AppError('UNEXPECTED', 'this injection needs a sign-up run (a check-signup poller)');
  return rt.poll;
}

type UserChange = NonNullable<Extract<Injection, { kind: 'signup-record' }>['user']>;

// Each changes the record's user (through the API's handle) and says so.
const userChanges: Record<UserChange, { flags: UserFlags; note: (id: string) => string }> = {
  deactivate: { flags: { deactivated: true }, note: (id) => `user "${id}" is deactivated before the agent checks` },
  unregister: { flags: { isRegistered: false }, note: (id) => `user "${id}" was created but never registered` },
  maintenance: {
    flags: { inMaintenanceMode: true },
    note: (id) => `user "${id}" is put in maintenance mode before the agent checks`,
  },
  'no-company': {
    flags: { teamIds: [], companyIds: [] },
    note: (id) => `user "${id}" belongs to no company and no team`,
  },
};
