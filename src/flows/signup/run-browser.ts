/** Starts a lab whose provider shows a consent page, runs the real-browser sign-up steps, closes everything. */
import type { Lab } from '../../lab/start-lab.js';
import { endBrowserLeg } from '../engine/browser-leg.js';
import { labOptionsFor, runFlowIn, withLab } from '../engine/lab-run.js';
import type { ConnectBrowserDeps } from '../connect/run-browser.js';
import { createSignupContext, stopPoller, type SignupOptions } from './run.js';
import type { FlowOutcome } from '../engine/runner.js';
import { signupRealBrowserSteps, type SignupBrowserContext } from './browser.js';

export interface SignupBrowserRun {
  outcome: FlowOutcome;
  context: SignupBrowserContext;
}

/**
 * Runs one sign-up through a real browser, always polling (the person's browser cannot report back any
 * other way). The person has `timeoutMs`, the poller's give-up time, to approve or deny.
 */
export async function runSignupBrowser(
  opts: Omit<SignupOptions, 'poll' | 'deny'>,
  deps: ConnectBrowserDeps,
  useLab?: Lab,
): Promise<SignupBrowserRun> {
  const envName = opts.env ?? deps.config.defaultEnvironment;
  return withLab(
    useLab,
    () => labOptionsFor(deps, envName, opts, { consent: 'page' }),
    async (lab) => {
      let context: SignupBrowserContext | undefined;
      try {
        lab.providers.get(opts.provider)?.control.setConsent('page');
        const base = createSignupContext(lab, envName, { ...opts, poll: true }, deps);
        const ctx: SignupBrowserContext = { ...base, openUrl: deps.openUrl, callbackTimeoutMs: base.timeoutMs };
        context = ctx;
        if (opts.identity) ctx.provider.control.setNextIdentity(opts.identity);
        const outcome = await runFlowIn(signupRealBrowserSteps, ctx, deps, {
          flow: 'signup',
          provider: opts.provider,
          env: envName,
          result: () => ({
            browser: 'real',
            signupToken: ctx.signupToken ?? null,
            callbackError: ctx.callbackError ?? null,
            loginResult:
              ctx.outcome === undefined ? null : ctx.outcome.kind === 'timed-out' ? 'TIMED_OUT' : ctx.outcome.result,
            issuedToken: ctx.issuedToken ?? null,
            deliveredToken: ctx.deliveredToken ?? null,
            tokenDelivered: ctx.issuedToken !== undefined && ctx.deliveredToken === ctx.issuedToken,
          }),
        });
        return { outcome, context: ctx };
      } finally {
        if (context) endBrowserLeg(context);
        await stopPoller(context);
      }
    },
  );
}
