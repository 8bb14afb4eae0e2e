/** Starts a lab whose provider shows a consent page, runs the real-browser connect steps, closes everything. */
import type { UrlOpener } from '../../agent-sim/real-browser.js';
import type { Lab } from '../../lab/start-lab.js';
import { endBrowserLeg } from '../engine/browser-leg.js';
import { connectBrowserSteps, type ConnectBrowserContext } from './browser.js';
import { labOptionsFor, runFlowIn, withLab } from '../engine/lab-run.js';
import { createConnectContext, type ConnectOptions, type FlowDeps } from './run.js';
import type { FlowOutcome, RunFlowOptions } from '../engine/runner.js';

/** The pauth a connect starts with lives 10 minutes (contract §1.2); waiting longer cannot succeed. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 600_000;

export interface ConnectBrowserOptions extends Omit<ConnectOptions, 'beforeStep'> {
  callbackTimeoutMs?: number;
  beforeStep?: RunFlowOptions<ConnectBrowserContext>['beforeStep'];
}

export interface ConnectBrowserDeps extends FlowDeps {
  /** The real browser (createRealBrowserOpener) or, in tests, one driven by playwright. */
  openUrl: UrlOpener;
}

export interface ConnectBrowserRun {
  outcome: FlowOutcome;
  context: ConnectBrowserContext;
}

/**
 * Runs one connect through a real browser; `useLab` reuses a running lab (its provider is switched to a consent page).
 */
export async function runConnectBrowser(
  opts: ConnectBrowserOptions,
  deps: ConnectBrowserDeps,
  useLab?: Lab,
): Promise<ConnectBrowserRun> {
  const envName = opts.env ?? deps.config.defaultEnvironment;
  return withLab(
    useLab,
    () => labOptionsFor(deps, envName, opts, { consent: 'page' }),
    async (lab) => {
      lab.providers.get(opts.provider)?.control.setConsent('page');
      const { beforeStep: _headless, ...connectOpts } = opts;
      const context: ConnectBrowserContext = {
        ...createConnectContext(lab, envName, connectOpts, deps),
        openUrl: deps.openUrl,
        callbackTimeoutMs: opts.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS,
      };
      try {
        const outcome = await runFlowIn(connectBrowserSteps, context, deps, {
          flow: 'connect',
          provider: opts.provider,
          env: envName,
          beforeStep: opts.beforeStep,
          result: () => ({
            browser: 'real',
            issuedToken: context.issuedToken ?? null,
            deliveredToken: context.deliveredToken ?? null,
            tokenDelivered: context.issuedToken !== undefined && context.deliveredToken === context.issuedToken,
          }),
        });
        return { outcome, context };
      } finally {
        endBrowserLeg(context);
        await context.broadcasts.close();
      }
    },
  );
}
