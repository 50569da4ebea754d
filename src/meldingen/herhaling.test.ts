/**
 * The retry schedule: exponential, jittered, at least 24 hours in total whatever the jitter, then a
 * pause; and the meaning of a response.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseDelay, BASE_DELAY_MS, classifyResponse, JITTER, MAX_DELAY_MS, MAX_RETRIES, retryDelay, RETRY_WINDOW_MS } from './herhaling.js';

const HOUR = 3_600_000;

describe('retry schedule', () => {
  it('doubles from 30 s up to the cap of one hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(baseDelay)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000]);
    expect(baseDelay(1_000)).toBe(MAX_DELAY_MS);
    expect(() => baseDelay(0)).toThrow(RangeError);
  });

  it('retries for at least 24 hours in total, even with no jitter, then pauses', () => {
    const sum = (n: number) => Array.from({ length: n }, (_, i) => retryDelay(i + 1, 0)!).reduce((a, b) => a + b, 0);
    expect(sum(MAX_RETRIES)).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(sum(MAX_RETRIES - 1)).toBeLessThan(RETRY_WINDOW_MS); // no retry more than needed
    expect(MAX_RETRIES).toBe(30);
    expect(retryDelay(MAX_RETRIES, 0)).not.toBeNull();
    expect(retryDelay(MAX_RETRIES + 1, 0)).toBeNull();
  });

  it('property: any jitter keeps each wait within [base, base·1.25] and the total between 24 and 30.1 hours', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: MAX_RETRIES, maxLength: MAX_RETRIES }), (randoms) => {
      let total = 0;
      randoms.forEach((r, i) => {
        const d = retryDelay(i + 1, r)!;
        expect(d).toBeGreaterThanOrEqual(baseDelay(i + 1));
        expect(d).toBeLessThanOrEqual(Math.round(baseDelay(i + 1) * (1 + JITTER)));
        total += d;
      });
      expect(total).toBeGreaterThanOrEqual(24 * HOUR);
      expect(total).toBeLessThanOrEqual(30.1 * HOUR);
    }), { numRuns: 200 });
  });

  it('spreads retries that fail together (jitter changes the wait)', () => {
    expect(retryDelay(3, 0)).toBe(4 * BASE_DELAY_MS);
    expect(retryDelay(3, 0.5)).toBe(Math.round(4 * BASE_DELAY_MS * 1.125));
    expect(() => retryDelay(3, 1)).toThrow(RangeError);
    expect(() => retryDelay(3, -0.1)).toThrow(RangeError);
  });

  it('classifies responses: 2xx delivered, 410 pause, redirects and everything else retried', () => {
    expect([200, 201, 204, 299].map(classifyResponse)).toEqual(['afgeleverd', 'afgeleverd', 'afgeleverd', 'afgeleverd']);
    expect(classifyResponse(410)).toBe('pauzeren');
    expect([301, 302, 307, 308, 400, 401, 404, 429, 500, 503, null].map(classifyResponse)).toEqual(Array(11).fill('opnieuw'));
  });
});
