import type { WakeUp } from './wake-up.ts';

/** A background job run on a timer in each instance (expiry, refund calls, stats compaction). */
export type PeriodicRunner<Result> = {
  /** Runs one round now (also what the timer does). Rounds never overlap within one runner. */
  runOnce(): Promise<Result>;
  /** Stops the timer and wake-ups and waits for a round in progress. */
  stop(): Promise<void>;
};

export function startPeriodicRunner<Result>(options: {
  intervalMs: number;
  round: () => Promise<Result>;
  /** What the timer does with a round's result (log it, housekeeping on the same beat). */
  afterRound?: (result: Result) => Promise<void> | void;
  /** A failed timer round is logged here; the next one runs on time. */
  onError: (error: unknown) => void;
  /** Runs a round at once when notified; a notification during a round runs another right after it. */
  wakeUp?: WakeUp;
}): PeriodicRunner<Result> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<Result> | undefined;
  let again = false;

  const runOnce = (): Promise<Result> => {
    current ??= options.round().finally(() => {
      current = undefined;
      if (again && !stopped) {
        again = false;
        void runInBackground();
      }
    });
    return current;
  };
  const runInBackground = (): Promise<void> =>
    runOnce()
      .then((result) => options.afterRound?.(result))
      .catch(options.onError);

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void runInBackground().finally(schedule), options.intervalMs);
    // The timer alone never keeps the process alive.
    timer.unref();
  };
  const unsubscribe = options.wakeUp?.subscribe(() => {
    if (current) again = true;
    else void runInBackground();
  });
  schedule();

  return {
    runOnce,
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (timer !== undefined) clearTimeout(timer);
      await current?.catch(() => {});
    },
  };
}
