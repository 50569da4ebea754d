/**
 * The signal scheduler: owns the time-based signals (`uit-beeld`, and clearing self-clearing kinds
 * whose condition went away). Every replica runs it; ONE evaluates at a time:
 *
 * - per round, the first replica to claim the round in the shared state (`putIfAbsent`, expiring
 *   just before the next round) does it, the others skip it;
 * - inside each transaction the store's lease (`Tx.lease('uit-beeld')`: `pg_try_advisory_xact_lock` on
 *   PostgreSQL, the file's writer lock on SQLite) must be held, or the round stops — the pattern of the
 *   checkpoint lease in `audit/controlepunt.ts`. A replica that dies loses both with its connection or
 *   when the round's claim expires; the next round of any replica carries on.
 *
 * Each trajectory is evaluated in its own unit of work (`evalueerOpTijd`, which locks its state row),
 * so one failing trajectory does not hold up the others, and the group commit batches them.
 */
import type { Logger } from 'pino';
import type { SignaalBesluit, Signaalregel } from '../signalen/index.js';
import type { Store } from '../store/store.js';
import { planRondes } from './rondes.js';
import { evalueerOpTijd } from './stand-en-signalen.js';

export const PLANNER_LEASE = 'uit-beeld';
const PAGINA = 200;
const DAY_MS = 86_400_000;

export interface SignaalPlannerOpties {
  regels: readonly Signaalregel[];
  /** Milliseconds between rounds; 0: no timer (rounds only through `nu()`). */
  intervalMs: number;
  now: () => Date;
  /** `YYYY-MM-DD` (Dutch date) of a moment. */
  datum: (d: Date) => string;
  logger: Logger;
  /** Called with the decisions of each trajectory, inside its transaction (the outbox hooks in here). */
  naBesluiten?: (tx: Parameters<Parameters<Store['transaction']>[0]>[0], trajectId: string, besluiten: SignaalBesluit[], now: string) => Promise<void>;
}

export interface SignaalPlanner {
  /** Run one round now (whether or not another replica claimed this round); resolves with the decisions taken. */
  nu(): Promise<SignaalBesluit[]>;
  stop(): Promise<void>;
}

export function startSignaalPlanner(store: Store, opties: SignaalPlannerOpties): SignaalPlanner {
  const uitBeeld = opties.regels.find((r) => r.id === 'uit-beeld');
  const rollen = uitBeeld?.drempels.toewijzingen ?? [];
  const soorten = opties.regels.filter((r) => r.vanzelfOpgeheven).map((r) => r.id);

  async function ronde(gestopt: () => boolean): Promise<SignaalBesluit[]> {
    const moment = opties.now();
    const now = moment.toISOString();
    const vanaf = opties.datum(new Date(moment.getTime() - DAY_MS));
    const vandaag = opties.datum(moment);
    const alle: SignaalBesluit[] = [];
    for (let na = ''; !gestopt();) {
      const pagina = await store.transaction(async (tx) => ((await tx.lease(PLANNER_LEASE)) ? tx.trajectenVoorPlanner({ rollen, soorten, vanaf, na, limit: PAGINA }) : null));
      if (pagina === null) break; // another replica holds the lease: it does this round
      const resultaten = await Promise.all(pagina.map((trajectId) => store.transaction(async (tx) => {
        if (!(await tx.lease(PLANNER_LEASE))) return [];
        const besluiten = await evalueerOpTijd(tx, { regels: opties.regels, vandaag }, trajectId, now);
        if (besluiten.length && opties.naBesluiten) await opties.naBesluiten(tx, trajectId, besluiten, now);
        return besluiten;
      }).catch((err: unknown) => {
        opties.logger.error({ reason: (err as Error).message, trajectId }, 'signal scheduler: evaluating a trajectory failed');
        return [] as SignaalBesluit[];
      })));
      for (const r of resultaten) alle.push(...r);
      if (pagina.length < PAGINA) break;
      na = pagina.at(-1)!;
    }
    return alle;
  }

  return planRondes<SignaalBesluit[]>(store, {
    lease: PLANNER_LEASE, intervalMs: uitBeeld ? opties.intervalMs : 0, logger: opties.logger, naam: 'signal scheduler round', ronde,
  });
}
