/**
 * Checks a JSON Schema cannot express (dates in order, sums that must add up, each skill once),
 * per message type and major. They run only on content that already fits its schema, in the
 * gateway and in `doelpoort valideer` alike; pointers are relative to the content.
 */
import type { InvalidParam } from './registry.js';
import type { AanwezigheidV1, InhoudPerVersie, PlaatsingV1, TaalvoortgangV1 } from './generated/index.js';

type Controle = (inhoud: unknown) => InvalidParam[];

/** ISO dates compare as strings. */
function nietVoor(fouten: InvalidParam[], name: string, datum: string | undefined, grens: string | undefined, wat: string): void {
  if (datum !== undefined && grens !== undefined && datum < grens) fouten.push({ name, code: 'datumvolgorde', reason: `ligt voor ${wat} (${grens})` });
}

function eenmaal<T>(fouten: InvalidParam[], items: readonly T[] | undefined, pad: string, sleutel: (t: T) => string, veld: string): void {
  const gezien = new Set<string>();
  items?.forEach((item, i) => {
    const k = sleutel(item);
    if (gezien.has(k)) fouten.push({ name: `${pad}/${i}/${veld}`, code: 'uniek', reason: `"${k}" komt al eerder voor; elke waarde hooguit één keer` });
    gezien.add(k);
  });
}

type Minuten = AanwezigheidV1['totalen'][number]['minuten'];
type Status = NonNullable<AanwezigheidV1['lessen']>[number]['status'];

/** Which minute category a lesson's missed (or all) minutes count under (the CSV intake uses the same table). */
export const CATEGORIE: Record<Status, keyof Minuten> = {
  aanwezig: 'aanwezig', 'te-laat': 'teLaat', 'vroeg-vertrokken': 'vroegVertrokken', 'geoorloofd-afwezig': 'geoorloofdAfwezig', 'ongeoorloofd-afwezig': 'ongeoorloofdAfwezig',
  ziek: 'ziek', afwezig: 'afwezig', vervallen: 'vervallen', onbekend: 'onbekend',
};
/** `vroegVertrokken` (since 1.1) is optional: absent counts as 0. */
const DEELCATEGORIEEN = ['aanwezig', 'teLaat', 'vroegVertrokken', 'geoorloofdAfwezig', 'ongeoorloofdAfwezig', 'ziek', 'afwezig', 'vervallen', 'onbekend'] as const;
/** Statuses whose line attends part of the planned minutes. */
const GEDEELTELIJK = new Set<Status>(['te-laat', 'vroeg-vertrokken']);

function aanwezigheid(inhoud: AanwezigheidV1): InvalidParam[] {
  const fouten: InvalidParam[] = [];
  const { van, tot } = inhoud.periode;
  nietVoor(fouten, '/periode/tot', tot, van, 'het begin van de periode');
  eenmaal(fouten, inhoud.totalen, '/totalen', (t) => t.activiteit, 'activiteit');
  inhoud.totalen.forEach((t, i) => {
    const som = DEELCATEGORIEEN.reduce((n, k) => n + (t.minuten[k] ?? 0), 0);
    if (som !== t.minuten.gepland) fouten.push({ name: `/totalen/${i}/minuten`, code: 'som', reason: `de categorieën tellen op tot ${som}, niet tot gepland (${t.minuten.gepland})` });
  });
  if (!inhoud.lessen) return fouten;

  const afgeleid = new Map<string, Minuten>();
  inhoud.lessen.forEach((les, i) => {
    const pad = `/lessen/${i}`;
    if (les.datum < van || les.datum > tot) fouten.push({ name: `${pad}/datum`, code: 'periode', reason: `ligt buiten de periode ${van} – ${tot}` });
    const verwacht = les.status === 'aanwezig' ? les.geplandeMinuten : GEDEELTELIJK.has(les.status) ? undefined : 0;
    if (verwacht !== undefined && les.aanwezigeMinuten !== verwacht) {
      fouten.push({ name: `${pad}/aanwezigeMinuten`, code: 'status', reason: `moet ${verwacht} zijn bij status ${les.status}` });
    } else if (GEDEELTELIJK.has(les.status) && !(les.aanwezigeMinuten < les.geplandeMinuten)) {
      fouten.push({ name: `${pad}/aanwezigeMinuten`, code: 'status', reason: `moet bij ${les.status} kleiner zijn dan de geplande minuten` });
    }
    const m = afgeleid.get(les.activiteit) ?? { gepland: 0, aanwezig: 0, teLaat: 0, vroegVertrokken: 0, geoorloofdAfwezig: 0, ongeoorloofdAfwezig: 0, ziek: 0, afwezig: 0, vervallen: 0, onbekend: 0 };
    m.gepland += les.geplandeMinuten;
    m.aanwezig += les.aanwezigeMinuten;
    if (les.status !== 'aanwezig') m[CATEGORIE[les.status]]! += les.geplandeMinuten - les.aanwezigeMinuten;
    afgeleid.set(les.activiteit, m);
  });
  if (fouten.length) return fouten;
  // The lines are the complete list, so the totals must be their sums.
  inhoud.totalen.forEach((t, i) => {
    const m = afgeleid.get(t.activiteit);
    for (const k of ['gepland', ...DEELCATEGORIEEN] as const) {
      const uitLessen = m?.[k] ?? 0;
      if ((t.minuten[k] ?? 0) !== uitLessen) fouten.push({ name: `/totalen/${i}/minuten/${k}`, code: 'lessen', reason: `is ${t.minuten[k] ?? 0}, maar de lessen tellen op tot ${uitLessen}` });
    }
  });
  const inTotalen = new Set(inhoud.totalen.map((t) => t.activiteit));
  inhoud.lessen.forEach((les, i) => {
    if (!inTotalen.has(les.activiteit)) fouten.push({ name: `/lessen/${i}/activiteit`, code: 'lessen', reason: `"${les.activiteit}" ontbreekt in de totalen` });
  });
  return fouten;
}

function taalvoortgang(inhoud: TaalvoortgangV1): InvalidParam[] {
  const fouten: InvalidParam[] = [];
  eenmaal(fouten, inhoud.niveaus, '/niveaus', (n) => n.vaardigheid, 'vaardigheid');
  eenmaal(fouten, inhoud.streefniveaus, '/streefniveaus', (n) => n.vaardigheid, 'vaardigheid');
  eenmaal(fouten, inhoud.examens, '/examens', (e) => e.onderdeel, 'onderdeel');
  eenmaal(fouten, inhoud.certificaten, '/certificaten', (c) => c.soort, 'soort');
  const w = inhoud.leerrouteWijziging;
  if (w && w.van === w.naar) fouten.push({ name: '/leerrouteWijziging/naar', code: 'wijziging', reason: 'is gelijk aan van; een wijziging gaat naar een andere leerroute' });
  if (w?.soort === 'besluit' && w.naar !== inhoud.leerroute) {
    fouten.push({ name: '/leerroute', code: 'wijziging', reason: `moet na een besloten wijziging de nieuwe leerroute (${w.naar}) zijn` });
  }
  return fouten;
}

function plaatsing(inhoud: PlaatsingV1): InvalidParam[] {
  const fouten: InvalidParam[] = [];
  nietVoor(fouten, '/einddatum', inhoud.einddatum, inhoud.startdatum, 'de startdatum');
  nietVoor(fouten, '/contract/einddatum', inhoud.contract?.einddatum, inhoud.startdatum, 'de startdatum');
  nietVoor(fouten, '/nazorg/tot', inhoud.nazorg?.tot, inhoud.startdatum, 'de startdatum');
  return fouten;
}

/** The checks per `berichttype/major`; a major without an entry has none. */
export const CONTROLES: Readonly<Record<string, Controle>> = {
  'aanwezigheid/1': (i) => aanwezigheid(i as AanwezigheidV1),
  'taalvoortgang/1': (i) => taalvoortgang(i as TaalvoortgangV1),
  'plaatsing/1': (i) => plaatsing(i as PlaatsingV1),
} satisfies Partial<Record<keyof InhoudPerVersie, Controle>>;
