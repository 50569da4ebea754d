/**
 * Projection of a stand by data category: owns the mapping "which part of the state belongs to
 * which data category of the register (policies/gegevenscategorieen.json)" and the cut
 * `projectStand(stand, allowedCategories)` that keeps only those parts. Deny by default: a part
 * whose category is not allowed is absent from the result (not null, not empty — absent), and a
 * part that is not in STAND_CATEGORIEEN is never returned at all.
 *
 * The categories mirror the message fields the parts are derived from, so that the stand discloses
 * under a doel exactly what reading the messages would (e.g. `handhaving` = deelname + verzuim:
 * attendance only). stand.test.ts checks this table against the register file.
 */
import type { AanbiederStand, AanwezigheidPerAanbieder, Minuten, PlaatsingStand, Samenvatting, Stand, Week } from './stand.js';

/**
 * Which category each part of the state comes from, with the message type and field of the
 * register it mirrors (the test checks that the register's category covers that field).
 */
export const STAND_CATEGORIEEN = {
  /** taal.leerroute, niveaus, streefniveaus, verwachteEinddatum, mijlpalen */
  taal: { categorie: 'taalniveau', berichttype: 'taalvoortgang', velden: ['/leerroute', '/niveaus', '/streefniveaus', '/mijlpaal', '/verwachteEinddatum'] },
  /** examens */
  examens: { categorie: 'examenresultaten', berichttype: 'taalvoortgang', velden: ['/examens'] },
  /** aanwezigheid: periods and minutes per activity, the summaries */
  minuten: { categorie: 'deelname', berichttype: 'aanwezigheid', velden: ['/periode', '/totalen'] },
  /** aanwezigheid: unexcused lessons (counted from the lesson lines) */
  lessen: { categorie: 'verzuim', berichttype: 'aanwezigheid', velden: ['/lessen'] },
  /** plaatsingen: id, status, form, sector */
  plaatsingsvorm: { categorie: 'participatievorm', berichttype: 'plaatsing', velden: ['/plaatsingId', '/status', '/vorm', '/sector'] },
  /** plaatsingen: hours, dates, nazorg */
  plaatsingsrooster: { categorie: 'participatierooster', berichttype: 'plaatsing', velden: ['/urenPerWeek', '/startdatum', '/einddatum', '/nazorg'] },
} as const;

export type StandDeel = keyof typeof STAND_CATEGORIEEN;

type ProjectedMinuten = Partial<Minuten>;
export interface ProjectedSamenvatting extends ProjectedMinuten {
  weken: number;
  van: string | null;
  tot: string | null;
  aanwezigheid?: number | null;
  ongeoorloofd?: number | null;
}
export interface ProjectedWeek {
  van: string;
  tot: string;
  berichtId: string;
  ontvangenOp: string;
  activiteiten: Record<string, ProjectedMinuten>;
}
export interface ProjectedAanwezigheid {
  weken: ProjectedWeek[];
  laatsteWeken: ProjectedSamenvatting;
  laatsteWekenPerActiviteit: Record<string, ProjectedSamenvatting>;
}

/** The state as one doel may see it: every part optional, present only when its category is allowed. */
export interface ProjectedStand {
  versie: Stand['versie'];
  taal?: Stand['taal'];
  mijlpalen?: Stand['mijlpalen'];
  examens?: Stand['examens'];
  aanwezigheid?: Record<string, ProjectedAanwezigheid>;
  plaatsingen?: Array<Partial<PlaatsingStand> & { aanbieder: string }>;
  /** Per provider the date of its last message, only for message types the doel reads something of. */
  aanbieders: Record<string, { laatsteBericht: AanbiederStand['laatsteBericht']; laatsteAanwezigheidBerichtId?: string | null }>;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = o[k];
  return out;
}

const MINUTEN_KEYS = ['gepland', 'aanwezig', 'ongeoorloofdAfwezig', 'ziek'] as const;

function projectMinuten(m: Minuten, minuten: boolean, lessen: boolean): ProjectedMinuten {
  return { ...(minuten ? pick(m, MINUTEN_KEYS) : {}), ...(lessen ? { ongeoorloofdeLessen: m.ongeoorloofdeLessen } : {}) };
}

function projectSamenvatting(s: Samenvatting, minuten: boolean, lessen: boolean): ProjectedSamenvatting {
  return {
    weken: s.weken, van: s.van, tot: s.tot,
    ...projectMinuten(s, minuten, lessen),
    ...(minuten ? { aanwezigheid: s.aanwezigheid, ongeoorloofd: s.ongeoorloofd } : {}),
  };
}

function projectWeek(w: Week, minuten: boolean, lessen: boolean): ProjectedWeek {
  const activiteiten: Record<string, ProjectedMinuten> = {};
  for (const [act, m] of Object.entries(w.activiteiten)) if (m) activiteiten[act] = projectMinuten(m, minuten, lessen);
  return { van: w.van, tot: w.tot, berichtId: w.berichtId, ontvangenOp: w.ontvangenOp, activiteiten };
}

function projectAanwezigheid(a: AanwezigheidPerAanbieder, minuten: boolean, lessen: boolean): ProjectedAanwezigheid {
  const perActiviteit: Record<string, ProjectedSamenvatting> = {};
  for (const [act, s] of Object.entries(a.laatsteWekenPerActiviteit)) if (s) perActiviteit[act] = projectSamenvatting(s, minuten, lessen);
  return { weken: a.weken.map((w) => projectWeek(w, minuten, lessen)), laatsteWeken: projectSamenvatting(a.laatsteWeken, minuten, lessen), laatsteWekenPerActiviteit: perActiviteit };
}

/** The message types of which `allowed` lets the doel read at least one part. */
function readableTypes(allowed: ReadonlySet<string>): Set<string> {
  return new Set(Object.values(STAND_CATEGORIEEN).filter((d) => allowed.has(d.categorie)).map((d) => d.berichttype));
}

/**
 * The parts of `stand` that the data categories `allowedCategories` (a doel's categories, narrowed
 * by consent where that applies) cover. Pure; the result shares no mutable structure the caller
 * could use to change `stand` (parts are copied or are the stand's own immutable values).
 */
export function projectStand(stand: Stand, allowedCategories: readonly string[]): ProjectedStand {
  const allowed = new Set(allowedCategories);
  const has = (deel: StandDeel) => allowed.has(STAND_CATEGORIEEN[deel].categorie);
  const out: ProjectedStand = { versie: stand.versie, aanbieders: {} };
  if (has('taal')) {
    out.taal = structuredClone(stand.taal);
    out.mijlpalen = structuredClone(stand.mijlpalen);
  }
  if (has('examens')) out.examens = structuredClone(stand.examens);
  const minuten = has('minuten');
  const lessen = has('lessen');
  if (minuten || lessen) {
    out.aanwezigheid = {};
    for (const [aanbieder, a] of Object.entries(stand.aanwezigheid)) out.aanwezigheid[aanbieder] = projectAanwezigheid(a, minuten, lessen);
  }
  const vorm = has('plaatsingsvorm');
  const rooster = has('plaatsingsrooster');
  if (vorm || rooster) {
    out.plaatsingen = stand.plaatsingen.map((p) => ({
      aanbieder: p.aanbieder,
      berichtId: p.berichtId,
      ontvangenOp: p.ontvangenOp,
      ...(vorm ? pick(p, ['plaatsingId', 'status', 'vorm', 'sector'] as const) : {}),
      ...(rooster ? { ...pick(p, ['urenPerWeek', 'startdatum', 'einddatum'] as const), nazorg: p.nazorg ? { ...p.nazorg } : null } : {}),
    }));
  }
  const types = readableTypes(allowed);
  for (const [aanbieder, a] of Object.entries(stand.aanbieders)) {
    const laatsteBericht: AanbiederStand['laatsteBericht'] = {};
    for (const [type, op] of Object.entries(a.laatsteBericht) as Array<[keyof AanbiederStand['laatsteBericht'], string]>) {
      if (types.has(type)) laatsteBericht[type] = op;
    }
    if (Object.keys(laatsteBericht).length === 0) continue;
    out.aanbieders[aanbieder] = { laatsteBericht, ...(types.has('aanwezigheid') ? { laatsteAanwezigheidBerichtId: a.laatsteAanwezigheidBerichtId } : {}) };
  }
  return out;
}
