/**
 * Declarative faults of one environment's own answers (house style §4.2), for contract failure mode 28:
 * check-signup answering a 5xx, or not answering at all until the agent's per-request timeout gives up.
 */

/** What the next check-signup call gets instead of its answer. */
export type CheckSignupFault =
  /** This status with the API's internal-error body; the signup record is not read, so it stays. */
  | { kind: 'status'; status: number }
  /** No answer: the request is held until the client gives up (its connection closes) or release() is called. */
  | { kind: 'hang' };

/** How a held request ended: the client went away, or the hold was released and the request goes on. */
export type HoldEnd = 'closed' | 'released';

/** The faults of one environment; one-shot, taken in order. */
export class ApiFaults {
  readonly checkSignup: CheckSignupFault[] = [];
  private readonly held = new Set<(end: HoldEnd) => void>();
  private readonly holdListeners = new Set<() => void>();

  /** Requests held by a hang fault right now. */
  get holding(): number {
    return this.held.size;
  }

  /** Holds a request until `onClose` reports its connection closed, or release(). */
  hold(onClose: (listener: () => void) => void): Promise<HoldEnd> {
    return new Promise<HoldEnd>((resolve) => {
      const end = (how: HoldEnd) => {
        if (!this.held.delete(end)) return;
        resolve(how);
      };
      this.held.add(end);
      onClose(() => end('closed'));
      for (const listener of [...this.holdListeners]) listener();
    });
  }

  /** Calls `listener` each time a request starts being held; returns the unsubscribe. */
  onHold(listener: () => void): () => void {
    this.holdListeners.add(listener);
    return () => void this.holdListeners.delete(listener);
  }

  /** Lets every held request go on to its normal answer. */
  release(): void {
    for (const end of [...this.held]) end('released');
  }

  /** Drops queued faults; held requests are released. */
  reset(): void {
    this.checkSignup.length = 0;
    this.release();
  }
}
