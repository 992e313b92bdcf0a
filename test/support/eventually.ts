/**
 * The one way tests wait: poll a condition until it holds or a generous deadline passes.
 * Tests never sleep for a fixed time, which is either too short on a busy machine or wasted
 * on an idle one. On timeout the error says what was awaited and what was seen last.
 */

/** Polls until the deadline; the interval is short, as a condition is usually cheap to check. */
const POLL_INTERVAL_MS = 25;

/**
 * Calls `check` until it returns something other than undefined, and returns that. A
 * `check` that throws is called again (a server not up yet, an object not created yet); if
 * the deadline passes, the error names `what`, the last value of `describe()` (or the last
 * error) and carries that error as its cause.
 */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, what = 'condition', describe?: () => unknown): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const value = await withinDeadline(check(), deadline, what);
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const seen = describe ? `; last seen: ${JSON.stringify(describe())}` : lastError !== undefined ? `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}` : '';
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${seen}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** A check that hangs (a request nobody answers) must not outlive the deadline: it fails when the time is up. */
async function withinDeadline<T>(value: T | Promise<T>, deadline: number, what: string): Promise<T> {
  if (!(value instanceof Promise)) return value;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`a check for ${what} did not return before the deadline`)), Math.max(0, deadline - Date.now()) + 10);
  });
  try {
    return await Promise.race([value, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
