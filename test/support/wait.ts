// Bounded waits for tests: every wait has a deadline and, when it passes, fails saying what it saw. A regression then
// fails the test with a reason instead of hanging the suite.

export interface WaitOptions {
  readonly timeoutMs: number;
  /** What was awaited and what was seen, for the failure message. */
  readonly describe: () => string;
  readonly intervalMs?: number;
}

/** Resolves with the first value of `probe` that is neither undefined nor false; rejects at the deadline. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`not within ${options.timeoutMs} ms: ${options.describe()}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}

/** `promise`, or a rejection saying what did not happen (and what was seen) once `timeoutMs` passed. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${timeoutMs} ms: ${describe()}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
