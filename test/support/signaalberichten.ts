/**
 * Test support for the state and signal tests: builders of messages (`Bericht`) that are checked
 * against the REAL message schemas and their extra checks (schemas/ + controles.ts) as they are
 * built, so a test can never feed the reducer a message the gateway would refuse.
 */
import path from 'node:path';
import { projectRoot } from '../../src/config.js';
import { loadSchemas } from '../../src/schemas/registry.js';
import type { AanwezigheidV1, PlaatsingV1, TaalvoortgangV1 } from '../../src/schemas/generated/index.js';
import type { Activiteit, Bericht, BerichtVan } from '../../src/stand/stand.js';

export const schemas = loadSchemas(path.join(projectRoot(), 'schemas'));

function checked<B extends Bericht>(b: B): B {
  const fouten = schemas.validateInhoud(b.berichttype, b.inhoud);
  if (fouten.length) throw new Error(`test message ${b.berichtId} is not valid ${b.berichttype}: ${JSON.stringify(fouten)}`);
  return b;
}

/** Add `days` to a YYYY-MM-DD date. */
export function addDays(datum: string, days: number): string {
  return new Date(Date.parse(`${datum}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export type LesStatus = NonNullable<AanwezigheidV1['lessen']>[number]['status'];
export interface Les { status: LesStatus; minuten?: number; activiteit?: Activiteit; telaat?: number }

type Minuten = AanwezigheidV1['totalen'][number]['minuten'];
const ZERO: Minuten = { gepland: 0, aanwezig: 0, teLaat: 0, geoorloofdAfwezig: 0, ongeoorloofdAfwezig: 0, ziek: 0, afwezig: 0, vervallen: 0, onbekend: 0 };
const CAT: Record<LesStatus, keyof Minuten> = {
  aanwezig: 'aanwezig', 'te-laat': 'teLaat', 'vroeg-vertrokken': 'vroegVertrokken', 'geoorloofd-afwezig': 'geoorloofdAfwezig', 'ongeoorloofd-afwezig': 'ongeoorloofdAfwezig',
  ziek: 'ziek', afwezig: 'afwezig', vervallen: 'vervallen', onbekend: 'onbekend',
};

interface Meta { berichtId: string; afzender?: string; ontvangenOp?: string }

/** A week (van … van+6) with one line per lesson; the totals are the lines' sums. */
export function weekMetLessen(meta: Meta & { van: string }, lessen: readonly Les[]): BerichtVan<'aanwezigheid', AanwezigheidV1> {
  const regels = lessen.map((l, i) => {
    const gepland = l.minuten ?? 180;
    const aanwezig = l.status === 'aanwezig' ? gepland : l.status === 'te-laat' || l.status === 'vroeg-vertrokken' ? gepland - (l.telaat ?? 15) : 0;
    return { datum: addDays(meta.van, i % 7), activiteit: l.activiteit ?? 'formele-taalles', geplandeMinuten: gepland, aanwezigeMinuten: aanwezig, status: l.status };
  });
  const totalen = new Map<Activiteit, Minuten>();
  for (const r of regels) {
    const m = { ...(totalen.get(r.activiteit) ?? ZERO) };
    m.gepland += r.geplandeMinuten;
    m.aanwezig += r.aanwezigeMinuten;
    if (r.status !== 'aanwezig') m[CAT[r.status]] = (m[CAT[r.status]] ?? 0) + r.geplandeMinuten - r.aanwezigeMinuten;
    totalen.set(r.activiteit, m);
  }
  return checked({
    berichtId: meta.berichtId, berichttype: 'aanwezigheid', afzender: meta.afzender ?? 'roc-van-twente',
    ontvangenOp: meta.ontvangenOp ?? `${addDays(meta.van, 7)}T09:00:00.000Z`,
    inhoud: {
      periode: { van: meta.van, tot: addDays(meta.van, 6) },
      totalen: [...totalen].map(([activiteit, minuten]) => ({ activiteit, minuten })),
      lessen: regels,
    },
  });
}

/** A week with totals only (no lesson lines): planned minutes split into present, unexcused, sick and the rest excused. */
export function weekTotalen(
  meta: Meta & { van: string },
  m: { gepland: number; ongeoorloofd?: number; ziek?: number; geoorloofd?: number; activiteit?: Activiteit },
  extra: Array<{ activiteit: Activiteit; gepland: number; ongeoorloofd?: number }> = [],
): BerichtVan<'aanwezigheid', AanwezigheidV1> {
  const totaal = (activiteit: Activiteit, gepland: number, ongeoorloofd = 0, ziek = 0, geoorloofd = 0) => ({
    activiteit,
    minuten: { ...ZERO, gepland, ongeoorloofdAfwezig: ongeoorloofd, ziek, geoorloofdAfwezig: geoorloofd, aanwezig: gepland - ongeoorloofd - ziek - geoorloofd },
  });
  return checked({
    berichtId: meta.berichtId, berichttype: 'aanwezigheid', afzender: meta.afzender ?? 'roc-van-twente',
    ontvangenOp: meta.ontvangenOp ?? `${addDays(meta.van, 7)}T09:00:00.000Z`,
    inhoud: {
      periode: { van: meta.van, tot: addDays(meta.van, 6) },
      totalen: [totaal(m.activiteit ?? 'formele-taalles', m.gepland, m.ongeoorloofd, m.ziek, m.geoorloofd), ...extra.map((e) => totaal(e.activiteit, e.gepland, e.ongeoorloofd))],
    },
  });
}

export function taalvoortgang(meta: Meta, inhoud: TaalvoortgangV1): BerichtVan<'taalvoortgang', TaalvoortgangV1> {
  return checked({ berichtId: meta.berichtId, berichttype: 'taalvoortgang', afzender: meta.afzender ?? 'roc-van-twente', ontvangenOp: meta.ontvangenOp ?? '2026-11-20T09:00:00.000Z', inhoud });
}

export function plaatsing(meta: Meta, inhoud: Partial<PlaatsingV1> & Pick<PlaatsingV1, 'plaatsingId' | 'status'>): BerichtVan<'plaatsing', PlaatsingV1> {
  const base: PlaatsingV1 = {
    plaatsingId: inhoud.plaatsingId, status: inhoud.status, vorm: 'werkervaringsplaats', sector: 'horeca', urenPerWeek: 16,
    startdatum: '2026-11-16', taalrijk: 'ja', belemmeringen: ['geen'],
  };
  const merged = { ...base, ...inhoud } as PlaatsingV1;
  if (merged.vorm === 'betaald-werk' && !merged.contract) merged.contract = { soort: 'tijdelijk' };
  return checked({ berichtId: meta.berichtId, berichttype: 'plaatsing', afzender: meta.afzender ?? 'werkshop', ontvangenOp: meta.ontvangenOp ?? '2026-12-01T09:00:00.000Z', inhoud: merged });
}
