/**
 * The purge (opschoning): owns carrying out the retention terms over the whole database — the
 * scheduler (`verwerking/bewaarplanner.ts`) and `npx doelpoort bewaartermijnen [--uitvoeren]` both
 * call `voerBewaartermijnenUit`. What may go is decided by `termijnen.ts`; this module walks the
 * candidates and, when asked to, removes.
 *
 * Guarantees:
 * - Bounded work per transaction: a transaction scans at most `pagina` trajectories or consents, or
 *   handles at most `perTransactie` messages of one trajectory; transactions are submitted one after
 *   another, so a purge of years of history never holds the writer for long, and requests in between
 *   are served.
 * - Once: every transaction takes the lease (`Tx.lease('bewaartermijnen')`) and selects and removes in
 *   the same transaction, and the store removes only content still there; a message is removed, and
 *   recorded, once, whichever replica or process runs at the same time.
 * - Recorded: per trajectory and transaction ONE logboek record (`bewaartermijn-toepassen`, processing
 *   activity `…:bewaartermijnen`) naming the trajectory and every message whose content went, in the
 *   transaction that removed it; consent records that reached the end of their own period likewise.
 *   A dry run writes nothing (and records nothing: nothing is disclosed or changed).
 * - The state and signals follow in the same transaction (`verwerkVerwijdering`); the trajectory's
 *   mark (`bewaringVolgnummer`) moves over the leading run of tombstones so the next run skips them.
 */
import crypto from 'node:crypto';
import type { AuditInput } from '../audit/record.js';
import type { BewaringBericht, BewaringTraject } from '../store/bewaring-store.js';
import type { Store, Tx } from '../store/store.js';
import { verwerkVerwijdering } from '../verwerking/stand-en-signalen.js';
import { beoordeelBericht, beoordeelToestemming, eindeGrens, nederlandseDatum, termijnTekst, toestemmingTermijnTekst, type Bewaarregels, type ToegepasteTermijn, type Verwijdering } from './termijnen.js';

/** The processing activity of retention and erasure (the register URI every such record names). */
export const VERWERKINGSACTIVITEIT_BEWAARTERMIJNEN = 'urn:doelpoort:verwerkingsactiviteit:bewaartermijnen';
/** The name of the lease a purge transaction holds (one writer across replicas). */
export const BEWAAR_LEASE = 'bewaartermijnen';
const GRONDSLAG = 'AVG art. 5 lid 1 sub e (opslagbeperking); AVG art. 17 lid 1 sub a';
/** How often a transaction tries again for a lease another holder has (then the round stops: that holder runs). */
const LEASE_POGINGEN = 5;

export interface OpschoningOpties {
  regels: Bewaarregels;
  /** `versie+hash` of the policy set, as the logboek records it. */
  beleidsversie: string;
  now: () => Date;
  /** false: a dry run (judge and report, change and record nothing). */
  uitvoeren: boolean;
  /** A dry run as of another Dutch calendar date (YYYY-MM-DD); refused together with `uitvoeren`. */
  peildatum?: string;
  /** Trajectories or consents scanned per transaction (default 500). */
  pagina?: number;
  /** Messages of one trajectory per transaction (default 500). */
  perTransactie?: number;
  /** Asked between transactions: stop early (the scheduler stopping). */
  gestopt?: () => boolean;
  /** Told about a trajectory that failed (the run goes on with the next). */
  fout?: (trajectId: string, err: unknown) => void;
}

export interface TrajectOpschoning {
  trajectId: string;
  gemeente: string;
  /** Messages whose content goes (went). */
  berichten: number;
  perType: Record<string, number>;
  /** Signals deleted with them. */
  signalen: number;
  /** The logboek records of the removal (none in a dry run). */
  logboek: number[];
}

export interface Opschoningsrapport {
  peildatum: string;
  uitgevoerd: boolean;
  trajecten: TrajectOpschoning[];
  berichten: number;
  toestemmingen: Array<{ toestemmingId: string; trajectId: string; doel: string }>;
  /** The lease was held elsewhere, or the run was stopped: not everything was looked at. */
  onderbroken: boolean;
  /** Trajectories that failed (their messages stay as they were; the next run tries again). */
  fouten: string[];
}

function record(o: OpschoningOpties, trajectId: string, u: Pick<AuditInput, 'berichttype' | 'berichtIds' | 'reden' | 'velden'>): AuditInput {
  return {
    tijdstip: o.now().toISOString(), traceId: crypto.randomBytes(16).toString('hex'), spanId: crypto.randomBytes(8).toString('hex'),
    actie: 'bewaartermijn-toepassen', partij: null, client: null, trajectIds: [trajectId], doel: null,
    verwerkingsactiviteit: VERWERKINGSACTIVITEIT_BEWAARTERMIJNEN, grondslag: GRONDSLAG, besluit: 'toegestaan', regel: 'bewaartermijn', status: 200,
    beleidsversie: o.beleidsversie, ...u,
  };
}

/** "aanwezigheid: 5 jaar na het einde van het traject (trajectbegeleiding)" per type, for the record's reason. */
function regelTekst(perType: Map<string, ToegepasteTermijn[]>): string {
  return [...perType].map(([type, ts]) => `${type}: ${ts.map(termijnTekst).join(' en ')}`).join('; ');
}

/** Carry out (or, as a dry run, list) what the retention terms say today. */
export async function voerBewaartermijnenUit(store: Store, o: OpschoningOpties): Promise<Opschoningsrapport> {
  if (o.uitvoeren && o.peildatum) throw new Error('een peildatum kan alleen bij een proefrun: verwijderen gebeurt altijd per vandaag');
  const vandaag = o.peildatum ?? nederlandseDatum(o.now());
  const pagina = o.pagina ?? 500;
  const perTransactie = o.perTransactie ?? 500;
  const rapport: Opschoningsrapport = { peildatum: vandaag, uitgevoerd: o.uitvoeren, trajecten: [], berichten: 0, toestemmingen: [], onderbroken: false, fouten: [] };
  const gestopt = () => o.gestopt?.() === true;
  /**
   * A transaction of this run: with the lease when it writes; null when another holder keeps it. A
   * refused lease is tried again a few times: on PostgreSQL the holder's commit can wake this batch
   * (waiting for the chain head) a moment before it releases the lease.
   */
  const transactie = async <T>(werk: (tx: Tx) => Promise<T>): Promise<T | null> => {
    for (let poging = 0; ; poging++) {
      const r = await store.transaction(async (tx) => (!o.uitvoeren || (await tx.lease(BEWAAR_LEASE)) ? { werk: await werk(tx) } : null));
      if (r !== null) return r.werk;
      if (poging >= LEASE_POGINGEN || gestopt()) return null;
      await new Promise((klaar) => setTimeout(klaar, 10 * (poging + 1)));
    }
  };

  // Only types whose every term runs from receipt can go while their trajectory runs; otherwise only
  // trajectories closed long enough ago are candidates.
  const afgeslotenVoor = o.regels.alleenNaOntvangst.length ? null : eindeGrens(o.regels, vandaag);

  async function verwerkTraject(t: BewaringTraject): Promise<boolean> {
    const uitkomst: TrajectOpschoning = { trajectId: t.trajectId, gemeente: t.gemeente, berichten: 0, perType: {}, signalen: 0, logboek: [] };
    try {
      return await verwerkPaginas(t, uitkomst);
    } finally {
      // Also what went before an interruption or a failure is reported: it is gone, and recorded.
      if (uitkomst.berichten > 0) {
        rapport.trajecten.push(uitkomst);
        rapport.berichten += uitkomst.berichten;
      }
    }
  }

  async function verwerkPaginas(t: BewaringTraject, uitkomst: TrajectOpschoning): Promise<boolean> {
    let na = t.bewaringVolgnummer;
    let aaneengesloten = true; // still walking the leading run of tombstones (and of what goes now)
    for (;;) {
      if (gestopt()) return false;
      const stap = await transactie(async (tx) => {
        const traject = await tx.traject(t.trajectId);
        if (!traject) return { rijen: [] as BewaringBericht[], weg: [] as BewaringBericht[], logboek: null, signalen: 0 };
        const rijen = await tx.berichtenVoorBewaring(t.trajectId, na, perTransactie);
        const weg = new Map<number, { rij: BewaringBericht; termijnen: ToegepasteTermijn[] }>();
        for (const rij of rijen) {
          if (rij.verwijderdOp) continue;
          const oordeel = beoordeelBericht(o.regels, rij, traject, vandaag);
          if (oordeel.verstreken) weg.set(rij.volgnummer, { rij, termijnen: oordeel.termijnen });
        }
        let markering = 0;
        for (const rij of rijen) {
          if (!aaneengesloten) break;
          if (rij.verwijderdOp || weg.has(rij.volgnummer)) markering = rij.volgnummer;
          else aaneengesloten = false;
        }
        if (!o.uitvoeren) return { rijen, weg: [...weg.values()].map((w) => w.rij), logboek: null, signalen: 0 };
        let verwijderd: BewaringBericht[] = [];
        let logboek: number | null = null;
        let signalen = 0;
        if (weg.size) {
          const perType = new Map<string, ToegepasteTermijn[]>();
          for (const { rij, termijnen } of weg.values()) if (!perType.has(rij.berichttype)) perType.set(rij.berichttype, termijnen);
          const weggaand = [...weg.values()].map((w) => w.rij);
          const typen = [...new Set(weggaand.map((r) => r.berichttype))];
          const r = await tx.appendAudit(record(o, t.trajectId, {
            berichttype: typen.length === 1 ? typen[0]! : null, berichtIds: [...new Set(weggaand.map((x) => x.berichtId))], velden: ['/inhoud'],
            reden: `Inhoud van ${weggaand.length} bericht(en) verwijderd: de bewaartermijn is verstreken (${regelTekst(perType)}). `
              + 'Bewaard blijven het logboek en per bericht het id, het type, het traject, de data en waarom en wanneer de inhoud is verwijderd.',
          }));
          // One stored reason per distinct set of applied terms (messages of a type usually share one).
          const groepen = new Map<string, number[]>();
          for (const { rij, termijnen } of weg.values()) {
            const v: Verwijdering = { grond: 'bewaartermijn', logboek: r.id, termijnen };
            const sleutel = JSON.stringify(v);
            groepen.set(sleutel, [...(groepen.get(sleutel) ?? []), rij.volgnummer]);
          }
          const op = o.now().toISOString();
          const gedaan = new Set<number>();
          for (const [v, nummers] of groepen) for (const n of await tx.verwijderInhoud(nummers, op, v)) gedaan.add(n);
          // Selection and removal share this transaction under the lease: anything else is a bug, and the record would lie.
          if (gedaan.size !== weg.size) throw new Error('content changed under the purge lease');
          verwijderd = weggaand;
          logboek = r.id;
          signalen = await verwerkVerwijdering(tx, { vandaag }, t.trajectId, op, new Set(verwijderd.map((x) => x.berichtId)));
          // A closed trajectory without any content left: the providers' own references go with it.
          if (traject.afgeslotenOp && (await tx.inhoudTelling(t.trajectId)).bewaard === 0) await tx.verwijderKenmerken(t.trajectId);
        }
        if (markering > t.bewaringVolgnummer) await tx.zetBewaringVolgnummer(t.trajectId, markering);
        return { rijen, weg: verwijderd, logboek, signalen };
      });
      if (stap === null) return false; // the lease is elsewhere: that holder runs
      if (stap.logboek !== null) uitkomst.logboek.push(stap.logboek);
      uitkomst.signalen += stap.signalen;
      for (const rij of stap.weg) {
        uitkomst.berichten += 1;
        uitkomst.perType[rij.berichttype] = (uitkomst.perType[rij.berichttype] ?? 0) + 1;
      }
      if (stap.rijen.length) na = stap.rijen.at(-1)!.volgnummer;
      if (stap.rijen.length < perTransactie) return true;
    }
  }

  // 1. Message content, trajectory by trajectory.
  for (let na = ''; ;) {
    if (gestopt()) {
      rapport.onderbroken = true;
      return rapport;
    }
    const scan = await transactie((tx) => tx.trajectenVoorBewaring({ na, limit: pagina, afgeslotenVoor }));
    if (scan === null) {
      rapport.onderbroken = true;
      return rapport;
    }
    for (const t of scan.trajecten) {
      try {
        if (!(await verwerkTraject(t))) {
          rapport.onderbroken = true;
          return rapport;
        }
      } catch (err) {
        rapport.fouten.push(t.trajectId);
        o.fout?.(t.trajectId, err);
      }
    }
    if (scan.volgende === null) break;
    na = scan.volgende;
  }

  // 2. Consent records whose own period has passed.
  for (let na = ''; ;) {
    if (gestopt()) {
      rapport.onderbroken = true;
      return rapport;
    }
    const stap = await transactie(async (tx) => {
      const scan = await tx.toestemmingenVoorBewaring({ na, limit: pagina });
      const weg = scan.toestemmingen.filter((c) => beoordeelToestemming(o.regels, c, c, vandaag).verstreken);
      if (o.uitvoeren && weg.length) {
        const perTraject = new Map<string, typeof weg>();
        for (const c of weg) perTraject.set(c.trajectId, [...(perTraject.get(c.trajectId) ?? []), c]);
        for (const [trajectId, cs] of perTraject) {
          await tx.appendAudit(record(o, trajectId, {
            berichttype: null, berichtIds: [], velden: ['/toestemmingen'],
            reden: `${cs.length} toestemming(en) verwijderd (${cs.map((c) => c.toestemmingId).join(', ')}): hun eigen bewaartermijn is verstreken `
              + `(${[...new Set(cs.map((c) => toestemmingTermijnTekst(o.regels.toestemmingstermijn(c.doel))))].join('; ')}).`,
          }));
        }
        if ((await tx.verwijderToestemmingen(weg.map((c) => c.toestemmingId))) !== weg.length) throw new Error('consent records changed under the purge lease');
      }
      return { volgende: scan.volgende, weg };
    });
    if (stap === null) {
      rapport.onderbroken = true;
      return rapport;
    }
    rapport.toestemmingen.push(...stap.weg.map((c) => ({ toestemmingId: c.toestemmingId, trajectId: c.trajectId, doel: c.doel })));
    if (stap.volgende === null) break;
    na = stap.volgende;
  }
  return rapport;
}
