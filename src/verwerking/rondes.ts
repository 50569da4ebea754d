/**
 * Owns the rhythm of scheduled work that every replica runs and ONE does per round (the signal
 * scheduler, the retention purge): rounds never overlap within a process (`nu()` queues behind the
 * running one), and per timer tick the first replica to claim the round in the shared state
 * (`putIfAbsent` under `lease`, expiring just before the next round) runs it while the others skip it.
 * What a round does, and the store lease it holds inside its transactions, is the caller's.
 */
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

export interface RondeOpties<T> {
  /** The round's claim in the shared state (kind `planner`). */
  lease: string;
  /** Milliseconds between rounds; 0: no timer (rounds only through `nu()`). */
  intervalMs: number;
  /** The first round after this delay (default: one interval). */
  eersteNaMs?: number;
  logger: Logger;
  /** For the log line when a round fails, e.g. 'retention round'. */
  naam: string;
  /** The round itself; `gestopt()` turns true when the scheduler is stopping. */
  ronde: (gestopt: () => boolean) => Promise<T>;
}

export interface Rondes<T> {
  /** Run one round now (whether or not another replica claimed this round); resolves with its result. */
  nu(): Promise<T>;
  stop(): Promise<void>;
}

export function planRondes<T>(store: Store, o: RondeOpties<T>): Rondes<T> {
  const replica = crypto.randomUUID();
  let lopend: Promise<T> | null = null;
  let gestopt = false;

  const nu = (): Promise<T> => {
    const vorige: Promise<unknown> = lopend ?? Promise.resolve();
    const volgende = vorige.catch(() => undefined).then(() => o.ronde(() => gestopt));
    lopend = volgende;
    return volgende;
  };

  const achtergrond = async () => {
    try {
      const claim = await store.shared.putIfAbsent('planner', o.lease, replica, Date.now() + Math.max(1000, o.intervalMs - 1000));
      if (claim) await nu();
    } catch (err) {
      o.logger.warn({ reason: (err as Error).message }, `${o.naam} failed; the next round tries again`);
    }
  };
  const eerste = o.intervalMs > 0 && o.eersteNaMs !== undefined ? setTimeout(() => void achtergrond(), Math.min(o.intervalMs, o.eersteNaMs)) : null;
  const timer = o.intervalMs > 0 ? setInterval(() => void achtergrond(), o.intervalMs) : null;
  eerste?.unref();
  timer?.unref();

  return {
    nu,
    async stop() {
      gestopt = true;
      if (eerste) clearTimeout(eerste);
      if (timer) clearInterval(timer);
      await lopend?.catch(() => undefined);
    },
  };
}
