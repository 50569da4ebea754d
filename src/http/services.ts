/** The parts a request handler works with, assembled once in `gateway.ts`. */
import type { Logger } from 'pino';
import type { ControlepuntPlanner } from '../audit/controlepunt.js';
import type { LogboekSleutels } from '../audit/sleutels.js';
import type { TokenVerifier } from '../auth/verify-token.js';
import type { Config } from '../config.js';
import type { PolicyEngine } from '../policy/engine.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import type { SignaalregelSet } from '../signalen/types.js';
import type { SignaalPlanner } from '../verwerking/signaalplanner.js';
import type { BewaarPlanner } from '../verwerking/bewaarplanner.js';
import type { Bezorger } from '../verwerking/bezorger.js';
import type { Store } from '../store/store.js';
import type { RateLimits } from './rate-limit.js';
import type { Readiness } from './readiness.js';

export interface Services {
  config: Config;
  schemas: SchemaRegistry;
  policy: PolicyEngine;
  /** The signal rules (`policies/signalen.json`), loaded and checked beside the policies. */
  signaalregels: SignaalregelSet;
  /** The scheduler of time-based signals (uit-beeld); one replica evaluates at a time. */
  signaalPlanner: SignaalPlanner;
  /** The retention scheduler (purge past the bewaartermijn); one replica purges at a time. */
  bewaarPlanner: BewaarPlanner;
  /** The deliverer of webhook events (the outbox); `wek()` after a commit that wrote events. */
  bezorger: Bezorger;
  store: Store;
  verifier: TokenVerifier;
  logger: Logger;
  /** Whether the token issuer can be reached (for /health/ready). */
  issuerReachable: () => Promise<boolean>;
  /** The logboek's signing keys and checkpoint scheduler. */
  logboek: { sleutels: LogboekSleutels; controlepunten: ControlepuntPlanner };
  /** What /health/ready answers; logs changes of readiness once. */
  readiness: Readiness;
  /** The rate limits (429). */
  limits: RateLimits;
  /** The clock; tests may pin it. */
  now: () => Date;
}

const amsterdamDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });

// Intl formatting costs a few µs per call and every request asks for today's date: the answer is
// kept for the minute it was computed in (a date in any time zone changes only on a minute boundary).
let dateMinute = Number.NaN;
let dateText = '';
/** Today's date in the Netherlands, `YYYY-MM-DD`: assignment periods are Dutch calendar dates. */
export function dutchDate(d: Date): string {
  const minute = Math.floor(d.getTime() / 60_000);
  if (minute !== dateMinute) {
    dateText = amsterdamDate.format(d);
    dateMinute = minute;
  }
  return dateText;
}
