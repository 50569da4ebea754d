/**
 * The embedded provider's demo user accounts: the privacy officers (functionaris
 * gegevensbescherming) `fg-hengelo` and `fg-roc`, who log in to the privacy pages in the browser.
 * They exist in embedded mode only (production authenticates users at the real issuer). All demo
 * users share one documented password (`DOELPOORT_DEMO_WACHTWOORD`, default in config.ts), compared
 * in constant time.
 */
import crypto from 'node:crypto';

export interface DemoAccount {
  /** The `sub` of the user's tokens; the gateway maps it to the officer's party. */
  id: string;
  /** Display name (the `name` claim). */
  naam: string;
  /** The party the officer works for (informational here; the gateway's own registry decides scope). */
  partij: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { id: 'fg-hengelo', naam: 'Functionaris gegevensbescherming, Gemeente Hengelo', partij: 'gemeente-hengelo' },
  { id: 'fg-roc', naam: 'Functionaris gegevensbescherming, ROC van Twente', partij: 'roc-van-twente' },
];

export function demoAccount(id: string): DemoAccount | undefined {
  return DEMO_ACCOUNTS.find((a) => a.id === id);
}

/** Constant-time password check (both sides hashed first, so lengths do not leak either). */
export function passwordMatches(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given, 'utf8').digest();
  const b = crypto.createHash('sha256').update(expected, 'utf8').digest();
  return crypto.timingSafeEqual(a, b);
}
