/**
 * The retry schedule of event delivery: owns "after failed attempt n, when is the next one, or is
 * the subscription paused?" and "what does a response mean?". Pure: the randomness (jitter) is an
 * argument, so the schedule is testable and the deliverer stays the only place with a clock.
 *
 * Exponential backoff with jitter: the n-th retry waits min(CAP, BASE · 2^(n-1)) stretched by a
 * random factor in [1, 1 + JITTER), so many subscriptions that failed together do not retry together.
 * The un-jittered waits alone add up to more than 24 hours (RETRY_WINDOW_MS) by the last retry, so
 * retrying always lasts at least 24 hours (and at most 1 + JITTER times the sum, about 30 hours);
 * after MAX_RETRIES the subscription is paused (`status: gepauzeerd`) until its party resumes it.
 * Every attempt has its own timeout (ATTEMPT_TIMEOUT_MS); a timeout is a failed attempt.
 */

export const BASE_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 60 * 60_000;
export const JITTER = 0.25;
export const RETRY_WINDOW_MS = 24 * 60 * 60_000;
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** The un-jittered wait before retry `n` (1 = the first retry after the first failed attempt). */
export function baseDelay(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('retry number starts at 1');
  // 2^(n-1) grows past the cap quickly; cap the exponent to stay exact.
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(n - 1, 30));
}

/** The smallest number of retries whose un-jittered waits reach RETRY_WINDOW_MS. */
export const MAX_RETRIES: number = (() => {
  let total = 0;
  let n = 0;
  while (total < RETRY_WINDOW_MS) total += baseDelay(++n);
  return n;
})();

/**
 * The wait before retry `n` in ms, or null when no retry is left (pause the subscription).
 * `random` is a number in [0, 1), e.g. Math.random().
 */
export function retryDelay(n: number, random: number): number | null {
  if (n > MAX_RETRIES) return null;
  if (!(random >= 0 && random < 1)) throw new RangeError('random lies in [0, 1)');
  return Math.round(baseDelay(n) * (1 + JITTER * random));
}

/** What a delivery attempt's outcome means for the schedule. */
export type Uitkomst = 'afgeleverd' | 'opnieuw' | 'pauzeren';

/**
 * 2xx: delivered. 410 Gone: the receiver asks to stop — pause at once (as Standard Webhooks advises).
 * Anything else — 3xx (redirects are never followed), 4xx, 5xx, a timeout or a network error
 * (`status` null) — is a failed attempt and is retried.
 */
export function classifyResponse(status: number | null): Uitkomst {
  if (status !== null && status >= 200 && status < 300) return 'afgeleverd';
  if (status === 410) return 'pauzeren';
  return 'opnieuw';
}
