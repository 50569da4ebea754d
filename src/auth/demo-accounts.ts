/**
 * The embedded provider's demo user accounts: the privacy officers (functionaris
 * gegevensbescherming) `fg-hengelo` and `fg-roc`, who log in to the privacy pages in the browser.
 * They are the officers of `policies/functionarissen.json` and exist in embedded mode only (production authenticates users at the real issuer). All demo
 * users share one documented password (`DOELPOORT_DEMO_WACHTWOORD`, default in config.ts), compared
 * in constant time.
 */
import crypto from 'node:crypto';

export interface DemoAccount {
  /** The `sub` of the user's tokens; the gateway maps it to the officer's party. */
  id: string;
  /** Display name (the `name` claim). */
  naam: string;
}

/**
 * The demo users are the privacy officers of `policies/functionarissen.json` (one registry: who
 * exists, and which party they serve, is said there and nowhere else).
 */
export function demoAccountLookup(accounts: readonly DemoAccount[]): (id: string) => DemoAccount | undefined {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  return (id) => byId.get(id);
}

/** Constant-time password check (both sides hashed first, so lengths do not leak either). */
export function passwordMatches(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given, 'utf8').digest();
  const b = crypto.createHash('sha256').update(expected, 'utf8').digest();
  return crypto.timingSafeEqual(a, b);
}
