/**
 * Signed checkpoints of the logboek. A checkpoint is a compact JWS (ES256, `typ:
 * doelpoort-controlepunt`) over the canonical JSON `{ aantal, laatsteHash, tijdstip }`: "on `tijdstip`
 * the chain had `aantal` records and record `aantal` had hash `laatsteHash`". Anyone holding the
 * published keys can check that the log was not rewritten or cut off before that point.
 *
 * The scheduler writes one every N records or T seconds, whichever comes first, outside the request
 * path: it listens to the store's after-commit hook and a timer, signs, and stores the checkpoint in
 * its own (group-committed, fsync'ed) transaction. On stop it writes a last one.
 *
 * With several replicas every replica runs the scheduler; inside the checkpoint's transaction it takes
 * the store's checkpoint lease (`pg_try_advisory_xact_lock` on PostgreSQL), reads the committed head
 * and the newest checkpoint there, and writes only if the head moved past it. So one replica writes at
 * a time, never two checkpoints for one position (also a unique constraint on `aantal`), and when a
 * replica dies the others' timers carry on: the lease ends with its transaction.
 */
import * as jose from 'jose';
import type { Logger } from 'pino';
import type { Controlepunt, Store } from '../store/store.js';
import { canonicalize } from './canonical.js';
import type { LogboekSleutels } from './sleutels.js';

export const CONTROLEPUNT_TYP = 'doelpoort-controlepunt';

export interface ControlepuntInhoud {
  aantal: number;
  laatsteHash: string;
  tijdstip: string;
}

export async function ondertekenControlepunt(sleutels: LogboekSleutels, inhoud: ControlepuntInhoud): Promise<Omit<Controlepunt, 'id'>> {
  const jws = await sleutels.sign(canonicalize(inhoud), CONTROLEPUNT_TYP);
  return { ...inhoud, sleutel: sleutels.kid, jws };
}

export type ControlepuntControle =
  | { geldig: true; inhoud: ControlepuntInhoud; kid: string }
  | { geldig: false; reden: string };

/** Verify a compact JWS (ES256) of the logboek key set and its `typ`; returns the parsed payload. */
export async function verifieerJws(jws: string, jwks: jose.JSONWebKeySet, typ: string): Promise<{ geldig: true; payload: Record<string, unknown>; kid: string } | { geldig: false; reden: string }> {
  try {
    const { payload, protectedHeader } = await jose.compactVerify(jws, jose.createLocalJWKSet(jwks), { algorithms: ['ES256'] });
    if (protectedHeader.typ !== typ) return { geldig: false, reden: `onverwacht type ${String(protectedHeader.typ)}` };
    return { geldig: true, payload: JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>, kid: protectedHeader.kid ?? '' };
  } catch (e) {
    if (e instanceof jose.errors.JWKSNoMatchingKey) return { geldig: false, reden: 'ondertekend met een onbekende sleutel' };
    if (e instanceof jose.errors.JWSSignatureVerificationFailed) return { geldig: false, reden: 'handtekening ongeldig' };
    return { geldig: false, reden: `geen geldige JWS (${(e as Error).message})` };
  }
}

/** Check a checkpoint's JWS against a key set; the signed payload, not the stored columns, is what counts. */
export async function controleerControlepunt(jws: string, jwks: jose.JSONWebKeySet): Promise<ControlepuntControle> {
  const v = await verifieerJws(jws, jwks, CONTROLEPUNT_TYP);
  if (!v.geldig) return v;
  const inhoud = v.payload as unknown as ControlepuntInhoud;
  if (!Number.isInteger(inhoud.aantal) || typeof inhoud.laatsteHash !== 'string' || typeof inhoud.tijdstip !== 'string') {
    return { geldig: false, reden: 'de ondertekende inhoud is onvolledig' };
  }
  return { geldig: true, inhoud: { aantal: inhoud.aantal, laatsteHash: inhoud.laatsteHash, tijdstip: inhoud.tijdstip }, kid: v.kid };
}

export interface ControlepuntPlannerOpties {
  /** Write a checkpoint once this many records were added since the last one. */
  elkAantal: number;
  /** …or after this many milliseconds when any record was added. 0: no timer. */
  intervalMs: number;
  now: () => Date;
  logger: Logger;
}

export interface ControlepuntPlanner {
  /** Write a checkpoint now if records were added since the last one; resolves with the newest checkpoint. */
  nu(): Promise<Controlepunt | undefined>;
  /** The newest checkpoint this process knows (also what it wrote itself: a database edit cannot undo it). */
  laatste(): Controlepunt | undefined;
  /** Stop the timer and write a last checkpoint. */
  stop(): Promise<void>;
}

export async function startControlepuntPlanner(store: Store, sleutels: LogboekSleutels, opties: ControlepuntPlannerOpties): Promise<ControlepuntPlanner> {
  let laatste = await store.logboek.laatsteControlepunt();
  let bezig: Promise<Controlepunt | undefined> | null = null;
  let gestopt = false;

  async function schrijf(): Promise<Controlepunt | undefined> {
    const geschreven = await store.transaction(async (tx) => {
      if (!(await tx.controlepuntLease())) return undefined; // another replica is writing one right now
      const doel = await tx.logboekHoofd();
      const vorige = await tx.laatsteControlepunt();
      if (doel.aantal === 0 || (vorige && vorige.aantal >= doel.aantal)) return vorige;
      const punt = await ondertekenControlepunt(sleutels, { aantal: doel.aantal, laatsteHash: doel.laatsteHash, tijdstip: opties.now().toISOString() });
      return { id: await tx.insertControlepunt(punt), ...punt };
    });
    if (geschreven && (!laatste || geschreven.aantal > laatste.aantal)) laatste = geschreven;
    return laatste;
  }

  function nu(): Promise<Controlepunt | undefined> {
    // One at a time; a request for "now" during a write waits for it and then writes again if needed.
    const vorige = bezig ?? Promise.resolve(undefined);
    const volgende = vorige.catch(() => undefined).then(schrijf);
    const gevolgd: Promise<Controlepunt | undefined> = volgende.finally(() => {
      if (bezig === gevolgd) bezig = null;
    });
    gevolgd.catch(() => undefined); // the caller of nu() sees the error; this copy only tracks progress
    bezig = gevolgd;
    return volgende;
  }

  function achtergrond(): void {
    if (gestopt || bezig) return;
    nu().catch((err) => opties.logger.error({ err }, 'logboek checkpoint failed'));
  }

  store.onAuditCommit((h) => {
    if (h.aantal - (laatste?.aantal ?? 0) >= opties.elkAantal) setImmediate(achtergrond);
  });
  const timer = opties.intervalMs > 0 ? setInterval(achtergrond, opties.intervalMs) : null;
  timer?.unref();

  return {
    nu,
    laatste: () => laatste,
    async stop() {
      gestopt = true;
      if (timer) clearInterval(timer);
      try {
        await nu();
      } catch (err) {
        opties.logger.error({ err }, 'final logboek checkpoint failed');
      }
    },
  };
}
