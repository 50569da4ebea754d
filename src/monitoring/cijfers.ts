/**
 * Cijfers (figures): owns what a gemeente's quarter looks like in numbers — the tables of
 * `GET /v1/monitoring/kwartalen/{kwartaal}` — and the person-level CBS delivery of the same quarter.
 * Pure: the rows the store read for one gemeente (monitoring-store.ts) in, the figures out, every table
 * through `onderdrukking.ts` before anything leaves. Each rule below is documented in docs/monitoring.md.
 *
 * Populations:
 * - trajectories in the quarter: started (`startdatum`) on or before its last day and not closed before
 *   its first; their status at its end (`lopend` / `afgesloten`), their route and regime as registered now;
 * - the start cohort: trajectories whose `startdatum` lies in the quarter;
 * - closed: the trajectories in the quarter closed within it;
 * - placements in the quarter: each placement's latest message whose event happened by the quarter's end,
 *   unless it had ended before the quarter began;
 * - attendance: the reported periods whose first day lies in the quarter's weeks (kwartaal.ts);
 * - completeness: per trajectory and provider, its assignments in the attendance parts (taal,
 *   participatie) and the quarter's weeks that had ended by the reference date and fell in one of them.
 *
 * "Not registered" is a cell of its own wherever the data can be missing (a level, an exam result, a
 * closing outcome, minutes whose attendance was not registered, weeks without a report): it is never
 * folded into zero or into "unknown" (a code the sender chose).
 */
import type { AanwezigheidSomRij, EersteDeelnameRij, ExamenRij, GemeldeWekenRij, KnelpuntRij, MonitoringTrajectRij, NiveauRij, PlaatsingRij } from '../store/monitoring-store.js';
import type { ToewijzingRow } from '../store/store.js';
import type { Codelijsten } from './codelijsten.js';
import { plusMaanden, wekenbereik, type Kwartaal } from './kwartaal.js';
import { beschermLosseCellen, beschermTabel, type Beschermd, type Tabelinvoer } from './onderdrukking.js';

export const NIET_GEREGISTREERD = 'niet-geregistreerd';
/** The assignment parts whose providers report attendance. */
export const AANWEZIGHEIDSROLLEN = ['taal', 'participatie'] as const;
/** Months after `startdatum` within which a trajectory counts as started in time. */
export const STARTTERMIJN_MAANDEN = 3;

export const STATUS = ['lopend', 'afgesloten'] as const;
export const START = ['binnen-drie-maanden', 'later', 'niet-gestart', 'nog-niet-gestart'] as const;
export const AANWEZIGHEID = ['aanwezig', 'te-laat-of-eerder-weg', 'geoorloofd-afwezig', 'ongeoorloofd-afwezig', 'afwezig-soort-onbekend', 'vervallen', NIET_GEREGISTREERD] as const;
export const VOLLEDIGHEID = ['alle-weken', '75-tot-100-procent', '50-tot-75-procent', '1-tot-50-procent', 'geen-week'] as const;
export const WEKEN = ['gemeld', 'niet-gemeld'] as const;
const AANTAL = ['aantal'];
const GEEINDIGD = ['beeindigd', 'uitgevallen'];

export interface Aanbieder { id: string; naam: string }

export interface Cijferinvoer {
  kwartaal: Kwartaal;
  gemeente: string;
  /** Today's Dutch date: the reference date of a quarter that has not ended yet. */
  vandaag: string;
  drempel: number;
  codes: Codelijsten;
  /** The providers that report attendance (the rows of the completeness tables), in order. */
  aanbieders: readonly Aanbieder[];
  /** The Dutch calendar date of an ISO instant. */
  datum: (tijdstip: string) => string;
  trajecten: readonly MonitoringTrajectRij[];
  aanwezigheid: readonly AanwezigheidSomRij[];
  eersteDeelname: readonly EersteDeelnameRij[];
  niveaus: readonly NiveauRij[];
  examens: readonly ExamenRij[];
  knelpunten: readonly KnelpuntRij[];
  plaatsingen: readonly PlaatsingRij[];
  toewijzingen: readonly ToewijzingRow[];
  gemeldeWeken: readonly GemeldeWekenRij[];
}

/** A total that another table publishes too (the same population): `totaal`, a column total, or every row total. */
export type Gedeeld = { populatie: string } & ({ cel: 'totaal' } | { cel: 'kolomtotaal'; code: string } | { cel: 'rijtotalen' });

export interface Tabel {
  id: string;
  titel: string;
  /** What a cell counts: trajecten, plaatsingen, toewijzingen (trajectory–provider pairs), minuten, weken. */
  eenheid: 'trajecten' | 'plaatsingen' | 'toewijzingen' | 'minuten' | 'weken';
  rijen: { naam: string; codes: string[]; labels?: string[] };
  kolommen: { naam: string; codes: string[] };
  /** Rows × columns; null: suppressed. */
  cellen: (number | null)[][];
  rijtotalen?: (number | null)[];
  /** What the row totals are, when they have a name of their own (e.g. `gepland`). */
  rijtotaal?: string;
  kolomtotalen?: (number | null)[];
  totaal?: number | null;
  gedeeld?: Gedeeld[];
  /** A participant can be in several cells: the cells are no parts of a whole, and no total is published. */
  meerdereAntwoorden?: true;
  /** How many published cells (totals included) are suppressed. */
  onderdrukt: number;
}

export interface Kwartaalcijfers {
  kwartaal: string;
  gemeente: string;
  doel: string;
  periode: { van: string; tot: string };
  weken: { van: string; tot: string; aantal: number };
  peildatum: string;
  drempel: number;
  tabellen: Tabel[];
}

/** A table in the making: its shape, its sums and, per cell and total, its contributors (participants as numbers). */
interface Opzet {
  id: string;
  titel: string;
  eenheid: Tabel['eenheid'];
  rijen: Tabel['rijen'];
  kolommen: Tabel['kolommen'];
  publiceer: Tabelinvoer['publiceer'];
  rijtotaal?: string;
  gedeeld?: Gedeeld[];
  meerdereAntwoorden?: true;
  waarden: number[][];
  cel: Set<number>[][];
  rij: Set<number>[];
  kolom: Set<number>[];
  alle: Set<number>;
  /** Add `waarde` to a cell; a participant with a non-zero part counts once among its contributors (and those of its totals). */
  tel(deelnemer: number, rij: string, kolom: string, waarde?: number): void;
}

function opzet(o: Omit<Opzet, 'waarden' | 'cel' | 'rij' | 'kolom' | 'alle' | 'tel'>): Opzet {
  const R = o.rijen.codes.length;
  const C = o.kolommen.codes.length;
  const rijen = new Map(o.rijen.codes.map((c, i) => [c, i]));
  const kolommen = new Map(o.kolommen.codes.map((c, j) => [c, j]));
  const x: Opzet = {
    ...o,
    waarden: Array.from({ length: R }, () => new Array<number>(C).fill(0)),
    cel: Array.from({ length: R }, () => Array.from({ length: C }, () => new Set<number>())),
    rij: Array.from({ length: R }, () => new Set<number>()),
    kolom: Array.from({ length: C }, () => new Set<number>()),
    alle: new Set<number>(),
    tel(deelnemer, rij, kolom, waarde = 1) {
      const i = rijen.get(rij);
      const j = kolommen.get(kolom);
      // A code outside the list (data from before a code list changed) is not tabulated rather than mislabelled.
      if (i === undefined || j === undefined) return;
      x.waarden[i]![j]! += waarde;
      if (waarde === 0) return;
      x.cel[i]![j]!.add(deelnemer);
      // A total's contributors matter only where the total is published (the threshold applies to published cells).
      if (o.publiceer.rijtotalen) x.rij[i]!.add(deelnemer);
      if (o.publiceer.kolomtotalen) x.kolom[j]!.add(deelnemer);
      if (o.publiceer.totaal) x.alle.add(deelnemer);
    },
  };
  return x;
}

/** Values and contributors (distinct participants with a non-zero part) of every cell and total. */
function invoer(o: Opzet): Tabelinvoer {
  const gedeeld = o.gedeeld ?? [];
  return {
    waarden: o.waarden, bijdragers: o.cel.map((r) => r.map((s) => s.size)), rijBijdragers: o.rij.map((s) => s.size), kolomBijdragers: o.kolom.map((s) => s.size), totaalBijdragers: o.alle.size,
    publiceer: o.publiceer,
    vast: {
      totaal: gedeeld.some((g) => g.cel === 'totaal'),
      rijtotalen: gedeeld.some((g) => g.cel === 'rijtotalen'),
      kolomtotalen: o.kolommen.codes.map((c) => gedeeld.some((g) => g.cel === 'kolomtotaal' && g.code === c)),
    },
  };
}

/** Grid coordinates (totals at index R / C) of a table's shared totals, by population. */
function gedeeldeCellen(o: Opzet): Array<{ populatie: string; cellen: Array<[number, number]> }> {
  const R = o.rijen.codes.length;
  const C = o.kolommen.codes.length;
  return (o.gedeeld ?? []).map((g) => ({
    populatie: g.populatie,
    cellen: g.cel === 'totaal' ? [[R, C]] : g.cel === 'rijtotalen' ? Array.from({ length: R }, (_, i) => [i, C] as [number, number]) : [[R, o.kolommen.codes.indexOf(g.code)]],
  }));
}

function verborgen(b: Beschermd, R: number, C: number, [i, j]: [number, number]): boolean {
  if (i < R && j < C) return b.cellen[i]![j] === null;
  if (i < R) return b.rijtotalen?.[i] === null;
  if (j < C) return b.kolomtotalen?.[j] === null;
  return b.totaal === null;
}

/**
 * Protect every table; then, while a shared total is suppressed in one table and published in another
 * (possible only when a table had to give up a fixed total), suppress it there too and protect again.
 */
function beschermAlles(opzetten: readonly Opzet[], drempel: number): Tabel[] {
  const invoeren = opzetten.map(invoer);
  const extra = opzetten.map(() => [] as Array<[number, number]>);
  let beschermd: Beschermd[] = [];
  for (let ronde = 0; ronde < 10; ronde++) {
    beschermd = opzetten.map((o, k) => (o.meerdereAntwoorden
      ? beschermLosseCellen(invoeren[k]!.waarden, invoeren[k]!.bijdragers, drempel)
      : beschermTabel(invoeren[k]!, drempel, extra[k])));
    const verborgenPopulaties = new Set<string>();
    opzetten.forEach((o, k) => {
      for (const g of gedeeldeCellen(o)) if (g.cellen.some((c) => verborgen(beschermd[k]!, o.rijen.codes.length, o.kolommen.codes.length, c))) verborgenPopulaties.add(g.populatie);
    });
    let meer = false;
    opzetten.forEach((o, k) => {
      for (const g of gedeeldeCellen(o)) {
        if (!verborgenPopulaties.has(g.populatie)) continue;
        for (const c of g.cellen) if (!verborgen(beschermd[k]!, o.rijen.codes.length, o.kolommen.codes.length, c)) {
          extra[k]!.push(c);
          meer = true;
        }
      }
    });
    if (!meer) break;
  }
  return opzetten.map((o, k) => {
    const b = beschermd[k]!;
    return {
      id: o.id, titel: o.titel, eenheid: o.eenheid, rijen: o.rijen, kolommen: o.kolommen, cellen: b.cellen,
      ...(b.rijtotalen ? { rijtotalen: b.rijtotalen } : {}), ...(o.rijtotaal ? { rijtotaal: o.rijtotaal } : {}),
      ...(b.kolomtotalen ? { kolomtotalen: b.kolomtotalen } : {}), ...(b.totaal !== undefined ? { totaal: b.totaal } : {}),
      ...(o.gedeeld?.length ? { gedeeld: o.gedeeld } : {}), ...(o.meerdereAntwoorden ? { meerdereAntwoorden: true as const } : {}),
      onderdrukt: b.onderdrukt,
    };
  });
}

const ALLES = { rijtotalen: true, kolomtotalen: true, totaal: true };
const EEN_KOLOM = { rijtotalen: false, kolomtotalen: true, totaal: false };
const PER_RIJ = { rijtotalen: true, kolomtotalen: false, totaal: false };

/** The trajectories in the quarter, with their status at its end (or on the reference date). */
export function trajectenInKwartaal(invoer: Pick<Cijferinvoer, 'kwartaal' | 'trajecten' | 'datum'>): Array<MonitoringTrajectRij & { status: (typeof STATUS)[number] }> {
  const k = invoer.kwartaal;
  const uit = [];
  for (const t of invoer.trajecten) {
    const gesloten = t.afgeslotenOp ? invoer.datum(t.afgeslotenOp) : null;
    if (t.startdatum > k.tot || (gesloten !== null && gesloten < k.van)) continue;
    uit.push({ ...t, status: gesloten !== null && gesloten <= k.tot ? ('afgesloten' as const) : ('lopend' as const) });
  }
  return uit;
}

/** Bit count of a week mask. */
function bits(n: number): number {
  let c = 0;
  for (let x = n; x; x &= x - 1) c++;
  return c;
}

/** The quarter's tables for one gemeente, suppressed. */
export function kwartaalcijfers(x: Cijferinvoer): Kwartaalcijfers {
  const k = x.kwartaal;
  const c = x.codes;
  const peildatum = k.tot < x.vandaag ? k.tot : x.vandaag;
  const inKwartaal = trajectenInKwartaal(x);
  const opzetten: Opzet[] = [];
  // Participants as small numbers: contributor sets of numbers instead of 36-character ids.
  const nummers = new Map<string, number>();
  const nr = (trajectId: string) => {
    let n = nummers.get(trajectId);
    if (n === undefined) nummers.set(trajectId, (n = nummers.size));
    return n;
  };

  // Trajectories by route and status, by regime.
  const route = opzet({
    id: 'trajecten-leerroute-status', titel: 'Trajecten in het kwartaal naar leerroute en status aan het eind van het kwartaal', eenheid: 'trajecten',
    rijen: { naam: 'leerroute', codes: c.leerroute }, kolommen: { naam: 'status', codes: [...STATUS] }, publiceer: ALLES,
    gedeeld: [{ cel: 'totaal', populatie: 'trajecten' }, { cel: 'kolomtotaal', code: 'afgesloten', populatie: 'trajecten-afgesloten' }],
  });
  const regime = opzet({
    id: 'trajecten-regime', titel: 'Trajecten in het kwartaal naar regime', eenheid: 'trajecten',
    rijen: { naam: 'regime', codes: c.regime }, kolommen: { naam: 'aantal', codes: AANTAL }, publiceer: EEN_KOLOM,
    gedeeld: [{ cel: 'kolomtotaal', code: 'aantal', populatie: 'trajecten' }],
  });
  for (const t of inKwartaal) {
    route.tel(nr(t.trajectId), t.leerroute, t.status);
    regime.tel(nr(t.trajectId), t.regime, 'aantal');
  }
  opzetten.push(route, regime);

  // The start cohort: started within three months of the trajectory's start date?
  const start = opzet({
    id: 'trajecten-start', titel: `Trajecten met startdatum in het kwartaal: begonnen binnen ${STARTTERMIJN_MAANDEN} maanden (eerste aanwezigheid of plaatsing)`, eenheid: 'trajecten',
    rijen: { naam: 'start', codes: [...START] }, kolommen: { naam: 'aantal', codes: AANTAL }, publiceer: EEN_KOLOM,
  });
  for (const t of x.eersteDeelname) {
    const begonnen = [t.eersteAanwezigheid, t.eerstePlaatsing].filter((d): d is string => d !== null).sort()[0];
    const termijn = plusMaanden(t.startdatum, STARTTERMIJN_MAANDEN);
    const uitkomst = begonnen !== undefined ? (begonnen <= termijn ? 'binnen-drie-maanden' : 'later') : termijn < x.vandaag ? 'niet-gestart' : 'nog-niet-gestart';
    start.tel(nr(t.trajectId), uitkomst, 'aantal');
  }
  opzetten.push(start);

  // Attendance per activity, in minutes: planned (the row total) and how they were spent.
  const aanwezigheid = opzet({
    id: 'aanwezigheid-activiteit', titel: 'Aanwezigheid per soort activiteit in het kwartaal, in minuten', eenheid: 'minuten',
    rijen: { naam: 'activiteit', codes: c.activiteit }, kolommen: { naam: 'besteding', codes: [...AANWEZIGHEID] }, publiceer: ALLES, rijtotaal: 'gepland',
  });
  for (const a of x.aanwezigheid) {
    const n = nr(a.trajectId);
    aanwezigheid.tel(n, a.activiteit, 'aanwezig', a.aanwezig);
    aanwezigheid.tel(n, a.activiteit, 'te-laat-of-eerder-weg', a.teLaat + a.vroegVertrokken);
    aanwezigheid.tel(n, a.activiteit, 'geoorloofd-afwezig', a.geoorloofdAfwezig + a.ziek);
    aanwezigheid.tel(n, a.activiteit, 'ongeoorloofd-afwezig', a.ongeoorloofdAfwezig);
    aanwezigheid.tel(n, a.activiteit, 'afwezig-soort-onbekend', a.afwezig);
    aanwezigheid.tel(n, a.activiteit, 'vervallen', a.vervallen);
    aanwezigheid.tel(n, a.activiteit, NIET_GEREGISTREERD, a.onbekend);
  }
  opzetten.push(aanwezigheid);

  // Levels per skill and exam results per component, at the end of the quarter.
  const niveaus = opzet({
    id: 'taalniveaus', titel: 'Laatst vastgestelde taalniveau per vaardigheid aan het eind van het kwartaal', eenheid: 'trajecten',
    rijen: { naam: 'vaardigheid', codes: c.vaardigheid }, kolommen: { naam: 'niveau', codes: [...c.taalniveau, NIET_GEREGISTREERD] }, publiceer: PER_RIJ,
    gedeeld: [{ cel: 'rijtotalen', populatie: 'trajecten' }],
  });
  const examens = opzet({
    id: 'examens', titel: 'Laatste uitslag per examenonderdeel aan het eind van het kwartaal', eenheid: 'trajecten',
    rijen: { naam: 'onderdeel', codes: c.examenonderdeel }, kolommen: { naam: 'uitslag', codes: [...c.examenuitslag, NIET_GEREGISTREERD] }, publiceer: PER_RIJ,
    gedeeld: [{ cel: 'rijtotalen', populatie: 'trajecten' }],
  });
  const perTraject = <T extends { trajectId: string }>(rijen: readonly T[], sleutel: (r: T) => string, waarde: (r: T) => string) => {
    const m = new Map<string, Map<string, string>>();
    for (const r of rijen) {
      let t = m.get(r.trajectId);
      if (!t) m.set(r.trajectId, (t = new Map()));
      t.set(sleutel(r), waarde(r));
    }
    return m;
  };
  const niveauVan = perTraject(x.niveaus, (n) => n.vaardigheid, (n) => n.niveau);
  const examenVan = perTraject(x.examens, (e) => e.onderdeel, (e) => e.uitslag);
  for (const t of inKwartaal) {
    const n = niveauVan.get(t.trajectId);
    const e = examenVan.get(t.trajectId);
    const d = nr(t.trajectId);
    for (const v of c.vaardigheid) niveaus.tel(d, v, n?.get(v) ?? NIET_GEREGISTREERD);
    for (const o of c.examenonderdeel) examens.tel(d, o, e?.get(o) ?? NIET_GEREGISTREERD);
  }
  opzetten.push(niveaus, examens);

  // Barriers reported by the quarter's end: `geen` (assessed, none) is not `niet-geregistreerd` (never reported) — the DRS could not tell them apart.
  const knelpunten = opzet({
    id: 'knelpunten', titel: 'Trajecten in het kwartaal naar gemelde knelpunten tot het eind van het kwartaal (meer dan één antwoord mogelijk)', eenheid: 'trajecten',
    rijen: { naam: 'knelpunt', codes: [...c.knelpunt, NIET_GEREGISTREERD] }, kolommen: { naam: 'aantal', codes: AANTAL },
    publiceer: { rijtotalen: false, kolomtotalen: false, totaal: false }, meerdereAntwoorden: true,
  });
  const knelpuntVan = new Map<string, string[]>();
  for (const k of x.knelpunten) knelpuntVan.set(k.trajectId, [...(knelpuntVan.get(k.trajectId) ?? []), k.code]);
  for (const t of inKwartaal) for (const code of knelpuntVan.get(t.trajectId) ?? [NIET_GEREGISTREERD]) knelpunten.tel(nr(t.trajectId), code, 'aantal');
  opzetten.push(knelpunten);

  // Placements: by form and status at the end of the quarter; started in it by form; ended by reason.
  const vormStatus = opzet({
    id: 'plaatsingen-vorm-status', titel: 'Plaatsingen in het kwartaal naar vorm en status aan het eind van het kwartaal', eenheid: 'plaatsingen',
    rijen: { naam: 'vorm', codes: c.participatievorm }, kolommen: { naam: 'status', codes: c.plaatsingsstatus }, publiceer: ALLES,
    gedeeld: GEEINDIGD.map((code) => ({ cel: 'kolomtotaal' as const, code, populatie: `plaatsingen-${code}` })),
  });
  const gestart = opzet({
    id: 'plaatsingen-gestart', titel: 'Plaatsingen gestart in het kwartaal naar vorm', eenheid: 'plaatsingen',
    rijen: { naam: 'vorm', codes: c.participatievorm }, kolommen: { naam: 'aantal', codes: AANTAL }, publiceer: EEN_KOLOM,
  });
  const eindreden = opzet({
    id: 'plaatsingen-eindreden', titel: 'Beëindigde en uitgevallen plaatsingen in het kwartaal naar eindreden', eenheid: 'plaatsingen',
    rijen: { naam: 'eindreden', codes: c.eindreden }, kolommen: { naam: 'status', codes: GEEINDIGD }, publiceer: ALLES,
    gedeeld: GEEINDIGD.map((code) => ({ cel: 'kolomtotaal' as const, code, populatie: `plaatsingen-${code}` })),
  });
  for (const p of x.plaatsingen) {
    const geeindigd = GEEINDIGD.includes(p.status);
    if (geeindigd && (p.einddatum ?? k.van) < k.van) continue;
    if (!geeindigd && p.status !== 'voorgesteld' && p.startdatum > k.tot) continue;
    vormStatus.tel(nr(p.trajectId), p.vorm, p.status);
    if (p.status !== 'voorgesteld' && p.startdatum >= k.van && p.startdatum <= k.tot) gestart.tel(nr(p.trajectId), p.vorm, 'aantal');
    if (geeindigd) eindreden.tel(nr(p.trajectId), p.eindreden ?? 'onbekend', p.status);
  }
  opzetten.push(vormStatus, gestart, eindreden);

  // Closing outcomes of the trajectories closed in the quarter.
  const reden = opzet({
    id: 'afsluiting-reden', titel: 'Trajecten afgesloten in het kwartaal naar reden', eenheid: 'trajecten',
    rijen: { naam: 'reden', codes: c.afsluitreden }, kolommen: { naam: 'aantal', codes: AANTAL }, publiceer: EEN_KOLOM,
    gedeeld: [{ cel: 'kolomtotaal', code: 'aantal', populatie: 'trajecten-afgesloten' }],
  });
  const plicht = opzet({
    id: 'afsluiting-inburgeringsplicht', titel: 'Trajecten afgesloten in het kwartaal: inburgeringsplicht behaald', eenheid: 'trajecten',
    rijen: { naam: 'behaald', codes: [...c.indicatie, NIET_GEREGISTREERD] }, kolommen: { naam: 'aantal', codes: AANTAL }, publiceer: EEN_KOLOM,
    gedeeld: [{ cel: 'kolomtotaal', code: 'aantal', populatie: 'trajecten-afgesloten' }],
  });
  const vervolg = opzet({
    id: 'afsluiting-vervolg', titel: 'Trajecten afgesloten in het kwartaal naar vervolg (meer dan één antwoord mogelijk)', eenheid: 'trajecten',
    rijen: { naam: 'vervolg', codes: [...c.vervolg, NIET_GEREGISTREERD] }, kolommen: { naam: 'aantal', codes: AANTAL },
    publiceer: { rijtotalen: false, kolomtotalen: false, totaal: false }, meerdereAntwoorden: true,
  });
  for (const t of inKwartaal.filter((t) => t.status === 'afgesloten')) {
    reden.tel(nr(t.trajectId), t.afsluitreden ?? 'onbekend', 'aantal');
    const uitkomst = t.afsluituitkomst ? (JSON.parse(t.afsluituitkomst) as { inburgeringsplichtBehaald?: string; vervolg?: string[] }) : null;
    plicht.tel(nr(t.trajectId), uitkomst?.inburgeringsplichtBehaald ?? NIET_GEREGISTREERD, 'aantal');
    for (const v of uitkomst?.vervolg?.length ? uitkomst.vervolg : [NIET_GEREGISTREERD]) vervolg.tel(nr(t.trajectId), v, 'aantal');
  }
  opzetten.push(reden, plicht, vervolg);

  // Completeness per provider: of the weeks an assignment ran (and that were over), in how many a report arrived.
  const aanbieders = { naam: 'aanbieder', codes: x.aanbieders.map((a) => a.id), labels: x.aanbieders.map((a) => a.naam) };
  const volledigheid = opzet({
    id: 'volledigheid-aanbieder', titel: 'Volledigheid van de aanwezigheidsregistratie: toewijzingen per aandeel van de weken waarover aanwezigheid is gemeld', eenheid: 'toewijzingen',
    rijen: aanbieders, kolommen: { naam: 'gemeld', codes: [...VOLLEDIGHEID] }, publiceer: ALLES,
  });
  const weken = opzet({
    id: 'volledigheid-weken', titel: 'Volledigheid van de aanwezigheidsregistratie: weken met en zonder melding per aanbieder', eenheid: 'weken',
    rijen: aanbieders, kolommen: { naam: 'weken', codes: [...WEKEN] }, publiceer: ALLES, rijtotaal: 'verwacht',
  });
  const gemeld = new Map(x.gemeldeWeken.map((w) => [`${w.trajectId}|${w.afzender}`, w.masker]));
  const verwacht = new Map<string, number>();
  const voorbij = k.weken.filter((w) => w.zondag < x.vandaag);
  for (const w of x.toewijzingen) {
    if (!(AANWEZIGHEIDSROLLEN as readonly string[]).includes(w.rol)) continue;
    const beeindigd = w.beeindigdOp ? x.datum(w.beeindigdOp) : null;
    const einde = w.tot !== null && (beeindigd === null || w.tot < beeindigd) ? w.tot : (beeindigd ?? '9999-12-31');
    let masker = 0;
    // The assignment runs in a week when they share a day (kwartaal.ts `overlapt`, written out: no objects per week).
    for (const week of voorbij) if (w.vanaf <= week.zondag && week.maandag <= einde) masker |= 1 << week.index;
    const sleutel = `${w.trajectId}|${w.partij}`;
    verwacht.set(sleutel, (verwacht.get(sleutel) ?? 0) | masker);
  }
  for (const [sleutel, masker] of [...verwacht].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const nodig = bits(masker);
    if (nodig === 0) continue;
    const [trajectId, partij] = sleutel.split('|') as [string, string];
    const traject = nr(trajectId);
    const wel = bits((gemeld.get(sleutel) ?? 0) & masker);
    const aandeel = wel / nodig;
    const klasse = aandeel === 1 ? 'alle-weken' : aandeel >= 0.75 ? '75-tot-100-procent' : aandeel >= 0.5 ? '50-tot-75-procent' : wel > 0 ? '1-tot-50-procent' : 'geen-week';
    volledigheid.tel(traject, partij, klasse);
    weken.tel(traject, partij, 'gemeld', wel);
    weken.tel(traject, partij, 'niet-gemeld', nodig - wel);
  }
  opzetten.push(volledigheid, weken);

  const bereik = wekenbereik(k);
  return {
    kwartaal: k.id, gemeente: x.gemeente, doel: 'monitoring', periode: { van: k.van, tot: k.tot }, weken: { ...bereik, aantal: k.weken.length },
    peildatum, drempel: x.drempel, tabellen: beschermAlles(opzetten, x.drempel),
  };
}

/** One trajectory in the CBS delivery: the figures a gemeente reports per trajectory per quarter. */
export interface CbsRegel {
  trajectId: string;
  leerroute: string;
  regime: string;
  status: (typeof STATUS)[number];
  peildatum: string;
  /** Hours in the quarter (2 decimals); null when no attendance was reported for it in the quarter. */
  urenAanwezig: number | null;
  urenGeoorloofdAfwezig: number | null;
  urenOngeoorloofdAfwezig: number | null;
}

const uren = (minuten: number) => Math.round((minuten / 60) * 100) / 100;

/**
 * The person-level delivery to CBS of the trajectories `toegestaan` (the policy's decision per
 * trajectory) among those in the quarter: hours present, excused (sick included) and unexcused absent
 * in the quarter's reported periods, route, regime and status on the reference date.
 */
export function cbsLevering(x: Pick<Cijferinvoer, 'kwartaal' | 'vandaag' | 'trajecten' | 'aanwezigheid' | 'datum'>, toegestaan: (t: MonitoringTrajectRij) => boolean): { peildatum: string; trajecten: CbsRegel[] } {
  const k = x.kwartaal;
  const peildatum = k.tot < x.vandaag ? k.tot : x.vandaag;
  const som = new Map<string, { aanwezig: number; geoorloofd: number; ongeoorloofd: number }>();
  for (const a of x.aanwezigheid) {
    const s = som.get(a.trajectId) ?? { aanwezig: 0, geoorloofd: 0, ongeoorloofd: 0 };
    s.aanwezig += a.aanwezig;
    s.geoorloofd += a.geoorloofdAfwezig + a.ziek;
    s.ongeoorloofd += a.ongeoorloofdAfwezig;
    som.set(a.trajectId, s);
  }
  const trajecten = trajectenInKwartaal(x).filter(toegestaan).map((t) => {
    const s = som.get(t.trajectId);
    return {
      trajectId: t.trajectId, leerroute: t.leerroute, regime: t.regime, status: t.status, peildatum,
      urenAanwezig: s ? uren(s.aanwezig) : null, urenGeoorloofdAfwezig: s ? uren(s.geoorloofd) : null, urenOngeoorloofdAfwezig: s ? uren(s.ongeoorloofd) : null,
    };
  });
  return { peildatum, trajecten };
}
