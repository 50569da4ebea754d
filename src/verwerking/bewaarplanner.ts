/**
 * The retention scheduler: owns running the purge (`bewaring/opschoning.ts`) now and then. Every
 * replica runs it; ONE purges at a time:
 *
 * - per round, the first replica to claim the round in the shared state (`putIfAbsent`, expiring
 *   just before the next round) runs it, the others skip it;
 * - inside each of the round's transactions the store's lease (`Tx.lease('bewaartermijnen')`) must be
 *   held, or the round stops — the pattern of the signal scheduler and the checkpoint lease. A replica
 *   that dies loses both; the next round of any replica carries on where the content still is.
 *
 * A round is many small transactions (a page of trajectories, or a page of one trajectory's messages),
 * so the purge of years of history never holds the writer for long.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import { BEWAAR_LEASE, voerBewaartermijnenUit, type Opschoningsrapport } from '../bewaring/opschoning.js';
import type { Bewaarregels } from '../bewaring/termijnen.js';
import { planRondes } from './rondes.js';

/** How soon after start the first round runs (or after one interval, if that is shorter). */
const EERSTE_RONDE_MS = 60_000;

export interface BewaarPlannerOpties {
  regels: Bewaarregels;
  beleidsversie: string;
  /** Milliseconds between rounds; 0: no timer (rounds only through `nu()`). */
  intervalMs: number;
  now: () => Date;
  logger: Logger;
}

export interface BewaarPlanner {
  /** Run one round now (whether or not another replica claimed this round); resolves with its report. */
  nu(): Promise<Opschoningsrapport>;
  stop(): Promise<void>;
}

export function startBewaarPlanner(store: Store, o: BewaarPlannerOpties): BewaarPlanner {
  return planRondes<Opschoningsrapport>(store, {
    lease: BEWAAR_LEASE, intervalMs: o.intervalMs, eersteNaMs: EERSTE_RONDE_MS, logger: o.logger, naam: 'retention round',
    async ronde(gestopt) {
      const rapport = await voerBewaartermijnenUit(store, {
        regels: o.regels, beleidsversie: o.beleidsversie, now: o.now, uitvoeren: true, gestopt,
        fout: (trajectId, err) => o.logger.error({ reason: (err as Error).message, trajectId }, 'retention: purging a trajectory failed; the next round tries again'),
      });
      if (rapport.berichten || rapport.toestemmingen.length) {
        o.logger.info({ berichten: rapport.berichten, trajecten: rapport.trajecten.length, toestemmingen: rapport.toestemmingen.length, peildatum: rapport.peildatum }, 'retention: content removed');
      }
      return rapport;
    },
  });
}
