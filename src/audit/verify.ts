/**
 * Verification of the logboek: walks the chain in id order and names the first bad record and why —
 * a changed record (`hash klopt niet`), a broken link (`keten verbroken`), a deleted record
 * (`ontbrekend record`), an inserted one (`ingevoegd record`), records out of order (`volgorde`), and,
 * against the signed checkpoints, a tail cut off (`afgekapt na controlepunt`) or a rewritten chain
 * (`controlepunt klopt niet`).
 *
 * The same walk serves the API (a database), the offline CLI (a database file) and an export file:
 * each gives its rows through a `KetenBron`. Speed: per record one SHA-256 over a canonical form the
 * source built cheaply; only a record that does not match is recomputed the exact way (RFC 8785 over
 * the parsed record) and, if still wrong, classified.
 */
import crypto from 'node:crypto';
import type * as jose from 'jose';
import type { Controlepunt, KetenRij, SnelleControle } from '../store/store.js';
import { controleerControlepunt, type ControlepuntInhoud } from './controlepunt.js';
import { GENESIS_HASH, hashRecord, type AuditRecord } from './record.js';

export interface KetenFout {
  id: number;
  reden: string;
}

/** A checkpoint as a verification reports it: the stored checkpoint and whether it still holds. */
export type ControlepuntSamenvatting = Controlepunt & {
  /** Signature valid and the chain matches it. */
  geldig: boolean;
};

export interface Verificatie {
  geldig: boolean;
  /** Records in the chain. */
  aantal: number;
  /** Hash of the last record. */
  laatsteHash: string;
  eersteFout: KetenFout | null;
  /** The newest checkpoint that was checked, or null when there is none. */
  controlepunt: ControlepuntSamenvatting | null;
}

export interface KetenBron {
  /** Links with id > na, ascending, at most `limit`; an empty batch ends the chain. */
  keten(na: number, limit: number): Promise<KetenRij[]>;
  /** The end of the chain (for the fast pass). */
  hoofd?(): Promise<{ aantal: number }>;
  /** A fast pass that proves a clean chain quickly; when it is not clean the exact walk names the error. */
  snelleControle?(tot: number, posities: number[]): Promise<SnelleControle>;
  /** The full record, for the exact recomputation of a link whose fast form did not match. */
  recordOpId(id: number): Promise<Omit<AuditRecord, 'hash'> & { hash?: string } | undefined>;
}

export interface VerificatieOpties {
  controlepunten: readonly Controlepunt[];
  /** The keys checkpoints must be signed with (the published JWKS). */
  jwks: jose.JSONWebKeySet;
  /** Rows per batch; between batches the event loop gets a turn. */
  batch?: number;
  /** Stop at this id (a snapshot of the head when the verification began). */
  tot?: number;
}

const sha256 = (data: string | Uint8Array): string =>
  typeof crypto.hash === 'function' ? crypto.hash('sha256', data) : crypto.createHash('sha256').update(data).digest('hex');

function recordHash(r: Omit<AuditRecord, 'hash'> & { hash?: string }, id = r.id): string {
  const { hash: _h, ...rest } = r;
  return hashRecord({ ...rest, id } as Omit<AuditRecord, 'hash'>);
}

/** How far from its place the verifier looks for a moved record's original position (each try is one hash). */
const ZOEKVENSTER = 1000;

/** Which nearby position does this record's content hash to? (A moved record keeps its original id inside its hash.) */
function originalPosition(r: Omit<AuditRecord, 'hash'>, hash: string, around: number): number | null {
  for (let d = 1; d <= ZOEKVENSTER; d++) {
    if (around - d >= 1 && recordHash(r, around - d) === hash) return around - d;
    if (recordHash(r, around + d) === hash) return around + d;
  }
  return null;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function verifieerKeten(bron: KetenBron, opties: VerificatieOpties): Promise<Verificatie> {
  const batchSize = opties.batch ?? 20_000;
  const tot = opties.tot ?? Number.MAX_SAFE_INTEGER;

  // Checkpoints first: only a correctly signed payload counts, and its positions are what the walk must match.
  const gecontroleerd: Gecontroleerd = [];
  for (const punt of opties.controlepunten) {
    const c = await controleerControlepunt(punt.jws, opties.jwks);
    if (!c.geldig) gecontroleerd.push({ punt, inhoud: null, fout: c.reden });
    else if (c.inhoud.aantal !== punt.aantal || c.inhoud.laatsteHash !== punt.laatsteHash) {
      gecontroleerd.push({ punt, inhoud: c.inhoud, fout: 'opgeslagen velden wijken af van de ondertekende inhoud' });
    } else gecontroleerd.push({ punt, inhoud: c.inhoud, fout: null });
  }
  const teZien = new Map<number, string>(); // position → hash seen there
  for (const g of gecontroleerd) if (g.inhoud) teZien.set(g.inhoud.aantal, '');

  let fout: KetenFout | null = null;
  let aantal = 0;
  let laatsteHash = GENESIS_HASH;

  // The fast pass, when the source has one: a clean result is a proof; otherwise walk exactly.
  let snel: SnelleControle | null = null;
  if (bron.snelleControle && bron.hoofd) {
    const eind = Math.min(tot, (await bron.hoofd()).aantal);
    snel = await bron.snelleControle(eind, [...teZien.keys()]);
    if (snel.schoon) {
      aantal = snel.aantal;
      laatsteHash = snel.laatsteHash;
      for (const [p, h] of snel.hashesOp) teZien.set(p, h);
    }
  }
  if (!snel?.schoon) ({ fout, aantal, laatsteHash } = await walk(bron, batchSize, tot, teZien));

  return checkpoints(gecontroleerd, teZien, fout, aantal, laatsteHash);
}

/** The exact walk: every record in order, each failure classified. */
async function walk(bron: KetenBron, batchSize: number, tot: number, teZien: Map<number, string>): Promise<{ fout: KetenFout | null; aantal: number; laatsteHash: string }> {
  let fout: KetenFout | null = null;
  let verwacht = 1;
  let vorigeHash = GENESIS_HASH;
  let vorigeVorige: string | null = null;
  let aantal = 0;
  let laatsteHash = GENESIS_HASH;
  let na = 0;


  for (;;) {
    const rows = await bron.keten(na, batchSize);
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.id > tot) break;
      aantal++;
      laatsteHash = r.hash;
      if (teZien.has(r.id)) teZien.set(r.id, r.hash);
      if (fout) continue; // keep counting to report the size, but the first error is named
      if (r.id !== verwacht) {
        fout = r.id > verwacht
          ? { id: verwacht, reden: r.id - 1 === verwacht ? `ontbrekend record (id-gat): record ${verwacht} ontbreekt` : `ontbrekend record (id-gat): records ${verwacht} t/m ${r.id - 1} ontbreken` }
          : { id: r.id, reden: `volgorde: record ${r.id} staat na record ${verwacht - 1}` };
        continue;
      }
      if (!(r.geldig ?? sha256(r.kanoniek) === r.hash)) fout = await classify(bron, r, verwacht, vorigeVorige);
      if (!fout && r.vorigeHash !== vorigeHash) {
        fout = vorigeVorige !== null && r.vorigeHash === vorigeVorige
          ? { id: r.id - 1, reden: `ingevoegd record: record ${r.id - 1} en record ${r.id} volgen allebei op record ${r.id - 2}` }
          : { id: r.id, reden: `keten verbroken: vorigeHash wijst niet naar record ${r.id - 1} (record ${r.id - 1} of dit record is gewijzigd en opnieuw gehasht)` };
      }
      vorigeVorige = r.vorigeHash;
      vorigeHash = r.hash;
      verwacht++;
    }
    const last = rows[rows.length - 1]!;
    if (last.id >= tot || rows.length < batchSize) break;
    na = last.id;
    await tick();
  }
  return { fout, aantal, laatsteHash };
}

type Gecontroleerd = Array<{ punt: Controlepunt; inhoud: ControlepuntInhoud | null; fout: string | null }>;

function checkpoints(gecontroleerd: Gecontroleerd, teZien: Map<number, string>, fout: KetenFout | null, aantal: number, laatsteHash: string): Verificatie {
  // Against the checkpoints: present, signed, and the chain still has at their position what they signed.
  let controlepunt: ControlepuntSamenvatting | null = null;
  let puntFout: KetenFout | null = null;
  for (const g of gecontroleerd) {
    let geldig = g.fout === null;
    if (!geldig && !puntFout) puntFout = { id: g.punt.aantal, reden: `controlepunt ${g.punt.id} (${g.punt.tijdstip}): ${g.fout}` };
    if (g.inhoud && g.fout === null) {
      if (g.inhoud.aantal > aantal) {
        geldig = false;
        puntFout ??= { id: aantal + 1, reden: `afgekapt na controlepunt: controlepunt ${g.punt.id} (${g.inhoud.tijdstip}) telt ${g.inhoud.aantal} records, het logboek heeft er ${aantal}` };
      } else if (teZien.get(g.inhoud.aantal) !== g.inhoud.laatsteHash) {
        geldig = false;
        puntFout ??= { id: g.inhoud.aantal, reden: `controlepunt klopt niet: record ${g.inhoud.aantal} heeft een andere hash dan controlepunt ${g.punt.id} ondertekende` };
      }
    }
    if (!controlepunt || g.punt.aantal >= controlepunt.aantal) {
      controlepunt = { id: g.punt.id, aantal: g.punt.aantal, laatsteHash: g.punt.laatsteHash, tijdstip: g.punt.tijdstip, sleutel: g.punt.sleutel, jws: g.punt.jws, geldig };
    }
  }
  // The chain's own first error comes first; a checkpoint problem is reported when the chain itself looks fine.
  const eersteFout = fout ?? puntFout;
  return { geldig: eersteFout === null, aantal, laatsteHash, eersteFout, controlepunt };
}

/** A link whose cheap form did not hash to its `hash`: recompute exactly, then say what happened. */
async function classify(bron: KetenBron, r: KetenRij, positie: number, vorigeVorige: string | null): Promise<KetenFout | null> {
  const record = await bron.recordOpId(r.id);
  if (!record) return { id: r.id, reden: 'hash klopt niet: het record kon niet worden gelezen' };
  if (recordHash(record) === r.hash) return null; // the cheap form differed, the record is fine
  const origineel = originalPosition(record, r.hash, positie);
  if (origineel === positie - 1 && vorigeVorige !== null) {
    return { id: positie - 1, reden: `ingevoegd record: record ${positie - 1} hoort niet in de keten; het record erna is het oorspronkelijke record ${positie - 1}` };
  }
  if (origineel === positie + 1) {
    const next = await bron.recordOpId(positie + 1);
    if (next && next.hash && recordHash(next, positie) === next.hash) {
      return { id: positie, reden: `volgorde: records ${positie} en ${positie + 1} zijn verwisseld` };
    }
    return { id: positie, reden: `ontbrekend record: het oorspronkelijke record ${positie} is verwijderd en de records erna zijn vernummerd` };
  }
  if (origineel !== null) return { id: positie, reden: `volgorde: dit record is oorspronkelijk record ${origineel}` };
  return { id: positie, reden: 'hash klopt niet: de inhoud van het record is gewijzigd' };
}
