/**
 * Owns the `text/csv` side of `POST /v1/berichten/bundels?van=&tot=` (issue 11): a provider's attendance
 * export becomes one `aanwezigheid` message per trajectory, each through the one publish pipeline.
 *
 * Guarantees:
 * - Answered per row: its line number, the message it went into, and every error with its column in
 *   Dutch. Row errors in one trajectory do not block the others; a trajectory with any error stores
 *   nothing (never half a week).
 * - Idempotent without client ids: the berichtId is derived from sender, trajectory, period and
 *   content, so the same delivery gives the same receipt; different content for the same period becomes
 *   a correction (`vervangt`) of the sender's current message for that period — never a second message
 *   that counts.
 * - A kenmerk is looked up among the caller's own kenmerken only; an unknown one is a row error that
 *   names no other party's data.
 */
import crypto from 'node:crypto';
import type { Request } from 'express';
import { bouwInhoud, csvRegels, foutenNaarRijen, leesCsv, periodeFouten, type CsvRij, type RijFout } from '../aanlevering/csv.js';
import { canonicalize } from '../audit/canonical.js';
import type { Json } from '../policy/project.js';
import { auditInput, rejectInvalid, type Actor, type Poging } from './attempt.js';
import { publiceerAlle, type BundelResultaat } from './bundels.js';
import { HttpProblem } from './problem.js';
import type { Services } from './services.js';

/** A UUID (version 5 layout) derived from a hash, so the same delivery always gets the same berichtId. */
export function afgeleidId(...delen: string[]): string {
  const h = crypto.createHash('sha256').update(delen.join('\u0000')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface CsvRijAntwoord {
  rij: number;
  /** `klaar`: a preview found no error (nothing stored yet). */
  status: 'opgeslagen' | 'ongewijzigd' | 'geweigerd' | 'niet-opgeslagen' | 'klaar';
  berichtId?: string;
  fouten: { kolom: string | null; melding: string }[];
}

/**
 * The CSV of `body` for the period in `query` (`van`, `tot`). With `voorbeeld`, every check runs and
 * nothing is stored: the rows that would be stored answer `klaar` (the upload page's preview).
 */
export async function csvBundel(s: Services, actor: Actor, p: Poging, query: Request['query'], body: unknown, opties: { voorbeeld?: boolean } = {}) {
  const { van, tot } = query;
  rejectInvalid(periodeFouten(van, tot));
  const periode = { van: van as string, tot: tot as string };
  const gelezen = leesCsv(Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : Buffer.alloc(0), csvRegels(s, periode.van, periode.tot));
  if (gelezen.bestandsfouten.length) {
    throw new HttpProblem('ongeldige-invoer', `Het CSV-bestand is niet verwerkt: ${gelezen.bestandsfouten.join(' ')}`, {
      regel: 'invoer-ongeldig', invalidParams: gelezen.bestandsfouten.map((reason) => ({ name: '/', code: 'csv', reason })),
    });
  }
  const fouten: RijFout[] = [...gelezen.fouten];

  // Kenmerken → trajectories, among the caller's own only.
  const kenmerken = [...new Set(gelezen.rijen.flatMap((r) => (r.kenmerk ? [r.kenmerk] : [])))];
  const trajectVan = new Map<string, string>();
  if (kenmerken.length) {
    await s.store.transaction(async (tx) => {
      for (const k of kenmerken) {
        const t = await tx.trajectMetKenmerk(actor.partij.id, k);
        if (t) trajectVan.set(k, t);
      }
    });
  }
  const groepen = new Map<string, CsvRij[]>();
  for (const r of gelezen.rijen) {
    const trajectId = r.trajectId ?? (r.kenmerk ? trajectVan.get(r.kenmerk) : undefined);
    if (r.kenmerk && !trajectId) fouten.push({ rij: r.rij, kolom: 'kenmerk', melding: 'is geen kenmerk dat u aan een traject hebt gegeven (zet het kenmerk eerst bij de toewijzing)' });
    const sleutel = trajectId ?? r.sleutel;
    if (sleutel) groepen.set(sleutel, [...(groepen.get(sleutel) ?? []), r]);
  }

  // Per trajectory: all rows valid → one message; else nothing for it.
  const foutRijen = () => new Set(fouten.map((f) => f.rij));
  const items: { trajectId: string; rijen: number[]; envelop: Record<string, unknown> }[] = [];
  for (const [trajectId, rijen] of groepen) {
    const nummers = rijen.map((r) => r.rij);
    if (!/^[0-9a-f-]{36}$/.test(trajectId) || nummers.some((n) => foutRijen().has(n))) continue;
    const { inhoud, rijVan } = bouwInhoud(rijen, periode.van, periode.tot);
    const schemaFouten = s.schemas.validateInhoud('aanwezigheid', inhoud);
    if (schemaFouten.length) { fouten.push(...foutenNaarRijen(schemaFouten, rijVan, nummers)); continue; }
    const berichtId = afgeleidId('csv-v1', actor.partij.id, trajectId, periode.van, periode.tot, canonicalize(inhoud as unknown as Json));
    items.push({ trajectId, rijen: nummers, envelop: { berichtId, berichttype: 'aanwezigheid', schemaversie: '1.0', trajectId, gebeurtenisTijdstip: `${periode.van}T00:00:00Z`, inhoud } });
  }

  // The current message for the period decides: the same one (replay) or a correction of it.
  if (items.length) {
    await s.store.transaction(async (tx) => {
      for (const item of items) {
        const huidig = await tx.huidigPeriodebericht(actor.partij.id, item.trajectId, periode.van, periode.tot);
        if (!huidig) continue;
        if (huidig.berichtId === item.envelop.berichtId) {
          const [v] = await tx.berichtVersies(actor.partij.id, [huidig.berichtId]);
          if (v?.vervangt) item.envelop.vervangt = v.vervangt;
        } else item.envelop.vervangt = huidig.berichtId;
      }
    });
  }
  const resultaten: BundelResultaat[] = items.length && !opties.voorbeeld ? await publiceerAlle(s, actor, p, items.map((i) => i.envelop)) : [];

  const perRij = new Map<number, CsvRijAntwoord>();
  for (const r of gelezen.rijen) perRij.set(r.rij, { rij: r.rij, status: 'niet-opgeslagen', fouten: [] });
  for (const f of fouten) {
    const a = perRij.get(f.rij) ?? { rij: f.rij, status: 'geweigerd' as const, fouten: [] };
    a.status = 'geweigerd';
    a.fouten.push({ kolom: f.kolom, melding: f.melding });
    perRij.set(f.rij, a);
  }
  // A row without errors of its own in a trajectory with errors: says why nothing was stored.
  for (const rijen of groepen.values()) {
    if (!rijen.some((r) => perRij.get(r.rij)?.status === 'geweigerd')) continue;
    for (const r of rijen) {
      const a = perRij.get(r.rij)!;
      if (a.status !== 'geweigerd') a.fouten.push({ kolom: null, melding: 'niet opgeslagen: een andere regel van dit traject heeft een fout; er wordt geen halve week opgeslagen' });
    }
  }
  const berichten = items.map((item, i) => {
    const res = resultaten[i] ?? { index: i, status: 200 as const };
    for (const n of item.rijen) {
      const a = perRij.get(n)!;
      a.berichtId = item.envelop.berichtId as string;
      if (opties.voorbeeld) a.status = 'klaar';
      else if (res.status === 201) a.status = 'opgeslagen';
      else if (res.status === 200) a.status = 'ongewijzigd';
      else { a.status = 'geweigerd'; a.fouten.push({ kolom: null, melding: res.probleem?.detail ?? 'geweigerd' }); }
    }
    return { ...res, index: i, trajectId: item.trajectId, rijen: item.rijen, ...(item.envelop.vervangt ? { vervangt: item.envelop.vervangt } : {}) };
  });

  const rijen = [...perRij.values()].sort((a, b) => a.rij - b.rij);
  const telling = (st: CsvRijAntwoord['status']) => rijen.filter((r) => r.status === st).length;
  p.trajectIds = items.map((i) => i.trajectId);
  await s.store.transaction((tx) => tx.appendAudit(auditInput(s, p, {
    besluit: 'toegestaan', regel: 'bundel', status: 200,
    reden: `${opties.voorbeeld ? 'Voorbeeld (niets opgeslagen) van een ' : ''}CSV-aanlevering ${periode.van} – ${periode.tot}: ${rijen.length} regel(s), ${berichten.length} bericht(en); ${telling('opgeslagen')} opgeslagen, ${telling('ongewijzigd')} ongewijzigd, ${telling('geweigerd')} met een fout. Elk bericht heeft een eigen logboekrecord.`,
  })));
  p.geaudit = true;
  return { periode, berichten, rijen };
}
