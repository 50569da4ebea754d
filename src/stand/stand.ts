/**
 * Stand: owns a trajectory's current state as derived from its messages — per skill the latest
 * level with its date and target, exam components, attendance per provider per reported week with
 * a rolling summary of the last 4 reported weeks, placements, milestones, and per provider the
 * date of its last message. `applyBericht(stand, bericht)` folds ONE message into the state; it is
 * pure (no I/O, no clock, the input is never mutated) and the result is plain JSON, so the next
 * phase stores it as one JSON column per trajectory and updates it in the publish transaction
 * instead of replaying the history on every read.
 *
 * Guarantees (each proven in stand.test.ts / stand.property.test.ts):
 * - Bounded: at most BEWAARDE_WEKEN reported weeks per provider, BEWAARDE_PLAATSINGEN ended
 *   placements, BEWAARDE_MIJLPALEN milestones — five years of weekly messages stay a few kB.
 * - Idempotent per berichtId: applying the same message again changes nothing.
 * - A period re-reported by the same provider REPLACES the earlier report of that period (the
 *   later received one wins, whatever order they are applied in), it never adds to it. This is the
 *   hook for corrections (`vervangt`, issue 11): a correction is a later report of the same thing.
 * - Order-robust: the latest level of a skill is the one with the latest `peildatum`; a placement
 *   and a week keep the version received last, so a late re-delivery of an old message cannot
 *   overwrite a newer one.
 *
 * It keeps only what `GET /v1/trajecten/{id}/stand` shows and the signal rules need: never a
 * lesson line, an employer, a barrier, an end reason or free text (those stay in the messages).
 */
import type { AanwezigheidV1, PlaatsingV1, TaalvoortgangV1 } from '../schemas/generated/index.js';

/** Reported weeks kept per provider (the verzuim window may use at most this many). */
export const BEWAARDE_WEKEN = 8;
/** The window of the attendance summary the state page shows. */
export const SAMENVATTING_WEKEN = 4;
/** Ended placements kept (running ones are always kept). */
export const BEWAARDE_PLAATSINGEN = 10;
/** Language milestones kept (to tell a new milestone from one repeated in a later report). */
export const BEWAARDE_MIJLPALEN = 10;
/** Version of the stored shape; bump it (and migrate or rebuild) when the shape changes. */
export const STAND_VERSIE = 1;

export type Vaardigheid = TaalvoortgangV1['niveaus'][number]['vaardigheid'];
export type Activiteit = AanwezigheidV1['totalen'][number]['activiteit'];

/** A message as the publish transaction has it after validation: envelope fields plus parsed content. */
export type Bericht =
  | BerichtVan<'aanwezigheid', AanwezigheidV1>
  | BerichtVan<'taalvoortgang', TaalvoortgangV1>
  | BerichtVan<'plaatsing', PlaatsingV1>;

export interface BerichtVan<T extends string, I> {
  berichtId: string;
  berichttype: T;
  /** The sending party's id. */
  afzender: string;
  /** When the gateway stored it (ISO 8601, UTC). Orders reports of the same thing. */
  ontvangenOp: string;
  inhoud: I;
}

/** Minutes of one activity in one reported period, and its unexcused lessons. */
export interface Minuten {
  gepland: number;
  aanwezig: number;
  ongeoorloofdAfwezig: number;
  ziek: number;
  /**
   * Lesson lines with status `ongeoorloofd-afwezig`; 0 when the report had no lesson lines
   * (then only the minutes can show verzuim).
   */
  ongeoorloofdeLessen: number;
}

/** One reported period (normally a week) of one provider: one attendance message. */
export interface Week {
  van: string;
  tot: string;
  berichtId: string;
  ontvangenOp: string;
  /** Per activity, as reported. */
  activiteiten: Partial<Record<Activiteit, Minuten>>;
}

/** Sums over the last SAMENVATTING_WEKEN reported weeks, with the shares of planned minutes. */
export interface Samenvatting extends Minuten {
  weken: number;
  van: string | null;
  tot: string | null;
  /** aanwezig / gepland, or null when nothing was planned. */
  aanwezigheid: number | null;
  /** ongeoorloofdAfwezig / gepland, or null when nothing was planned. */
  ongeoorloofd: number | null;
}

export interface AanwezigheidPerAanbieder {
  /** Reported periods, oldest first, at most BEWAARDE_WEKEN. */
  weken: Week[];
  /** Over all activities of the last SAMENVATTING_WEKEN weeks. */
  laatsteWeken: Samenvatting;
  /** The same window per activity. */
  laatsteWekenPerActiviteit: Partial<Record<Activiteit, Samenvatting>>;
}

export interface NiveauStand {
  niveau: TaalvoortgangV1['niveaus'][number]['niveau'];
  peildatum: string;
  vastgesteldMet: TaalvoortgangV1['niveaus'][number]['vastgesteldMet'];
  berichtId: string;
  /** The provider that reported it. */
  aanbieder: string;
}

export interface Mijlpaal {
  /** When its first report was received. */
  ontvangenOp: string;
  soort: NonNullable<TaalvoortgangV1['mijlpaal']>['soort'];
  niveau: NonNullable<TaalvoortgangV1['mijlpaal']>['niveau'];
  vaardigheden: Vaardigheid[];
  datum: string;
  /** The message that reported this milestone first. */
  berichtId: string;
}

export type Examenonderdeel = NonNullable<TaalvoortgangV1['examens']>[number]['onderdeel'];

export interface ExamenStand {
  uitslag: NonNullable<TaalvoortgangV1['examens']>[number]['uitslag'];
  datum: string | null;
  niveau: string | null;
  berichtId: string;
  ontvangenOp: string;
}

export interface TaalStand {
  leerroute: TaalvoortgangV1['leerroute'] | null;
  verwachteEinddatum: string | null;
  /** Per skill the level with the latest peildatum. */
  niveaus: Partial<Record<Vaardigheid, NiveauStand>>;
  /** Per skill the target of the latest message that named one. */
  streefniveaus: Partial<Record<Vaardigheid, string>>;
  /** When, and by which message, the route, end date and targets were last set (orders taalvoortgang messages). */
  bijgewerktOp: string | null;
  berichtId: string | null;
}

export interface PlaatsingStand {
  aanbieder: string;
  plaatsingId: string;
  status: PlaatsingV1['status'];
  vorm: PlaatsingV1['vorm'];
  sector: PlaatsingV1['sector'];
  urenPerWeek: number;
  startdatum: string;
  einddatum: string | null;
  nazorg: NonNullable<PlaatsingV1['nazorg']> | null;
  berichtId: string;
  ontvangenOp: string;
}

export interface AanbiederStand {
  /** Per message type, when this provider's last message of that type was received. */
  laatsteBericht: Partial<Record<Bericht['berichttype'], string>>;
  /** The id of its last attendance message (what an `uit-beeld` signal refers to). */
  laatsteAanwezigheidBerichtId: string | null;
}

export interface Stand {
  versie: typeof STAND_VERSIE;
  taal: TaalStand;
  examens: Partial<Record<Examenonderdeel, ExamenStand>>;
  mijlpalen: Mijlpaal[];
  aanwezigheid: Record<string, AanwezigheidPerAanbieder>;
  /** Running placements first, then ended ones, each by start date. */
  plaatsingen: PlaatsingStand[];
  aanbieders: Record<string, AanbiederStand>;
}

export function emptyStand(): Stand {
  return {
    versie: STAND_VERSIE,
    taal: { leerroute: null, verwachteEinddatum: null, niveaus: {}, streefniveaus: {}, bijgewerktOp: null, berichtId: null },
    examens: {},
    mijlpalen: [],
    aanwezigheid: {},
    plaatsingen: [],
    aanbieders: {},
  };
}

/** Whether report `a` is newer than `b`: received later, the berichtId breaking ties. */
function newer(a: { ontvangenOp: string; berichtId: string }, b: { ontvangenOp: string; berichtId: string }): boolean {
  const ta = Date.parse(a.ontvangenOp);
  const tb = Date.parse(b.ontvangenOp);
  return ta !== tb ? ta > tb : a.berichtId >= b.berichtId;
}

const EMPTY_MINUTEN: Minuten = Object.freeze({ gepland: 0, aanwezig: 0, ongeoorloofdAfwezig: 0, ziek: 0, ongeoorloofdeLessen: 0 });

function add(a: Minuten, b: Minuten): Minuten {
  return {
    gepland: a.gepland + b.gepland,
    aanwezig: a.aanwezig + b.aanwezig,
    ongeoorloofdAfwezig: a.ongeoorloofdAfwezig + b.ongeoorloofdAfwezig,
    ziek: a.ziek + b.ziek,
    ongeoorloofdeLessen: a.ongeoorloofdeLessen + b.ongeoorloofdeLessen,
  };
}

/** The sum of one provider's weeks (all activities, or one), with shares of planned minutes. */
export function summarize(weken: readonly Week[], activiteit?: Activiteit): Samenvatting {
  let sum: Minuten = EMPTY_MINUTEN;
  for (const w of weken) {
    for (const [act, m] of Object.entries(w.activiteiten) as Array<[Activiteit, Minuten]>) {
      if (activiteit === undefined || act === activiteit) sum = add(sum, m);
    }
  }
  return {
    ...sum,
    weken: weken.length,
    van: weken[0]?.van ?? null,
    tot: weken.at(-1)?.tot ?? null,
    aanwezigheid: sum.gepland > 0 ? sum.aanwezig / sum.gepland : null,
    ongeoorloofd: sum.gepland > 0 ? sum.ongeoorloofdAfwezig / sum.gepland : null,
  };
}

/** The last `n` reported weeks (they are kept oldest first). */
export function lastWeeks(weken: readonly Week[], n: number): Week[] {
  return weken.slice(Math.max(0, weken.length - n));
}

function byPeriod(a: Week, b: Week): number {
  return a.van < b.van ? -1 : a.van > b.van ? 1 : a.tot < b.tot ? -1 : a.tot > b.tot ? 1 : 0;
}

function weekFrom(b: BerichtVan<'aanwezigheid', AanwezigheidV1>): Week {
  const activiteiten: Partial<Record<Activiteit, Minuten>> = {};
  for (const t of b.inhoud.totalen) {
    activiteiten[t.activiteit] = {
      gepland: t.minuten.gepland,
      aanwezig: t.minuten.aanwezig,
      ongeoorloofdAfwezig: t.minuten.ongeoorloofdAfwezig,
      ziek: t.minuten.ziek,
      ongeoorloofdeLessen: 0,
    };
  }
  for (const les of b.inhoud.lessen ?? []) {
    if (les.status !== 'ongeoorloofd-afwezig') continue;
    const m = activiteiten[les.activiteit];
    // The schema's checks make lines and totals agree; a line without a total still counts.
    activiteiten[les.activiteit] = { ...(m ?? EMPTY_MINUTEN), ongeoorloofdeLessen: (m?.ongeoorloofdeLessen ?? 0) + 1 };
  }
  return { van: b.inhoud.periode.van, tot: b.inhoud.periode.tot, berichtId: b.berichtId, ontvangenOp: b.ontvangenOp, activiteiten };
}

function applyAanwezigheid(stand: Stand, b: BerichtVan<'aanwezigheid', AanwezigheidV1>): Stand {
  const week = weekFrom(b);
  const before = stand.aanwezigheid[b.afzender]?.weken ?? [];
  const same = before.find((w) => w.van === week.van && w.tot === week.tot);
  if (same && !newer(week, same)) return stand; // an older report of a period already reported
  // A period older than every kept week, when the window is full, would be trimmed at once.
  if (!same && before.length >= BEWAARDE_WEKEN && byPeriod(week, before[0]!) < 0) return stand;
  const weken = [...before.filter((w) => w !== same), week].sort(byPeriod);
  const kept = lastWeeks(weken, BEWAARDE_WEKEN);
  const window = lastWeeks(kept, SAMENVATTING_WEKEN);
  const activiteiten = new Set(window.flatMap((w) => Object.keys(w.activiteiten) as Activiteit[]));
  const perActiviteit: Partial<Record<Activiteit, Samenvatting>> = {};
  for (const act of [...activiteiten].sort()) perActiviteit[act] = summarize(window, act);
  return {
    ...stand,
    aanwezigheid: { ...stand.aanwezigheid, [b.afzender]: { weken: kept, laatsteWeken: summarize(window), laatsteWekenPerActiviteit: perActiviteit } },
  };
}

function applyTaalvoortgang(stand: Stand, b: BerichtVan<'taalvoortgang', TaalvoortgangV1>): Stand {
  const i = b.inhoud;
  const niveaus = { ...stand.taal.niveaus };
  for (const n of i.niveaus) {
    const prev = niveaus[n.vaardigheid];
    const later = !prev || n.peildatum > prev.peildatum || (n.peildatum === prev.peildatum && prev.berichtId !== b.berichtId && b.berichtId > prev.berichtId);
    if (later) niveaus[n.vaardigheid] = { niveau: n.niveau, peildatum: n.peildatum, vastgesteldMet: n.vastgesteldMet, berichtId: b.berichtId, aanbieder: b.afzender };
  }
  let taal: TaalStand = { ...stand.taal, niveaus };
  const current = { ontvangenOp: b.ontvangenOp, berichtId: b.berichtId };
  const prevTaal = stand.taal.bijgewerktOp === null ? null : { ontvangenOp: stand.taal.bijgewerktOp, berichtId: stand.taal.berichtId ?? '' };
  if (prevTaal === null || newer(current, prevTaal)) {
    const streefniveaus = { ...taal.streefniveaus };
    for (const s of i.streefniveaus ?? []) streefniveaus[s.vaardigheid] = s.niveau;
    taal = { ...taal, leerroute: i.leerroute, verwachteEinddatum: i.verwachteEinddatum ?? taal.verwachteEinddatum, streefniveaus, bijgewerktOp: b.ontvangenOp, berichtId: b.berichtId };
  }

  const examens = { ...stand.examens };
  for (const e of i.examens ?? []) {
    const prev = examens[e.onderdeel];
    if (!prev || newer(current, prev)) {
      examens[e.onderdeel] = { uitslag: e.uitslag, datum: e.datum ?? null, niveau: e.niveau ?? null, berichtId: b.berichtId, ontvangenOp: b.ontvangenOp };
    }
  }

  let mijlpalen = stand.mijlpalen;
  if (i.mijlpaal) {
    const m: Mijlpaal = { ontvangenOp: b.ontvangenOp, soort: i.mijlpaal.soort, niveau: i.mijlpaal.niveau, vaardigheden: [...i.mijlpaal.vaardigheden].sort(), datum: i.mijlpaal.datum, berichtId: b.berichtId };
    const same = mijlpalen.find((x) => mijlpaalKey(x) === mijlpaalKey(m));
    // The first report of a milestone owns it (earliest received, whatever the order of applying).
    if (!same || (same.berichtId !== m.berichtId && !newer({ ontvangenOp: b.ontvangenOp, berichtId: b.berichtId }, same))) {
      mijlpalen = [...mijlpalen.filter((x) => x !== same), m]
        .sort((x, y) => (x.datum < y.datum ? -1 : x.datum > y.datum ? 1 : mijlpaalKey(x) < mijlpaalKey(y) ? -1 : 1))
        .slice(-BEWAARDE_MIJLPALEN);
    }
  }
  return { ...stand, taal, examens, mijlpalen };
}

/** Two reports of the same milestone (kind, level, skills, date) are one milestone. */
export function mijlpaalKey(m: Pick<Mijlpaal, 'soort' | 'niveau' | 'vaardigheden' | 'datum'>): string {
  return [m.soort, m.niveau, [...m.vaardigheden].sort().join('+'), m.datum].join('|');
}

/** A placement that is running: started and not ended. */
export function isRunning(p: Pick<PlaatsingStand, 'status'>): boolean {
  return p.status === 'gestart' || p.status === 'gewijzigd';
}

function placementOrder(a: PlaatsingStand, b: PlaatsingStand): number {
  const ra = isRunning(a) || a.status === 'voorgesteld' ? 0 : 1;
  const rb = isRunning(b) || b.status === 'voorgesteld' ? 0 : 1;
  if (ra !== rb) return ra - rb;
  if (a.startdatum !== b.startdatum) return a.startdatum < b.startdatum ? -1 : 1;
  const ka = `${a.aanbieder}/${a.plaatsingId}`;
  const kb = `${b.aanbieder}/${b.plaatsingId}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function isEnded(p: PlaatsingStand): boolean {
  return p.status === 'beeindigd' || p.status === 'uitgevallen';
}

function applyPlaatsing(stand: Stand, b: BerichtVan<'plaatsing', PlaatsingV1>): Stand {
  const i = b.inhoud;
  const prev = stand.plaatsingen.find((p) => p.aanbieder === b.afzender && p.plaatsingId === i.plaatsingId);
  if (prev && !newer(b, prev)) return stand;
  const next: PlaatsingStand = {
    aanbieder: b.afzender,
    plaatsingId: i.plaatsingId,
    status: i.status,
    vorm: i.vorm,
    sector: i.sector,
    urenPerWeek: i.urenPerWeek,
    startdatum: i.startdatum,
    einddatum: i.einddatum ?? null,
    nazorg: i.nazorg ?? null,
    berichtId: b.berichtId,
    ontvangenOp: b.ontvangenOp,
  };
  const all = [...stand.plaatsingen.filter((p) => p !== prev), next].sort(placementOrder);
  // Keep every running or proposed placement and the most recently started ended ones.
  const ended = all.filter(isEnded).sort((x, y) => (x.startdatum < y.startdatum ? -1 : x.startdatum > y.startdatum ? 1 : 0));
  const drop = new Set(ended.slice(0, Math.max(0, ended.length - BEWAARDE_PLAATSINGEN)));
  return { ...stand, plaatsingen: all.filter((p) => !drop.has(p)) };
}

function touchAanbieder(stand: Stand, b: Pick<Bericht, 'afzender' | 'berichttype' | 'berichtId' | 'ontvangenOp'>): Stand {
  const prev = stand.aanbieders[b.afzender] ?? { laatsteBericht: {}, laatsteAanwezigheidBerichtId: null };
  const last = prev.laatsteBericht[b.berichttype];
  if (last !== undefined && Date.parse(last) >= Date.parse(b.ontvangenOp)) return stand;
  return {
    ...stand,
    aanbieders: {
      ...stand.aanbieders,
      [b.afzender]: {
        laatsteBericht: { ...prev.laatsteBericht, [b.berichttype]: b.ontvangenOp },
        laatsteAanwezigheidBerichtId: b.berichttype === 'aanwezigheid' ? b.berichtId : prev.laatsteAanwezigheidBerichtId,
      },
    },
  };
}

/**
 * Fold one validated message into the state. Pure: returns a new state (sharing unchanged parts
 * with the old one) and never mutates its input. Unknown message types leave the state as is, so
 * new types can be published before the state knows them.
 */
export function applyBericht(stand: Stand, bericht: Bericht): Stand {
  let next: Stand;
  switch (bericht.berichttype) {
    case 'aanwezigheid':
      next = applyAanwezigheid(stand, bericht);
      break;
    case 'taalvoortgang':
      next = applyTaalvoortgang(stand, bericht);
      break;
    case 'plaatsing':
      next = applyPlaatsing(stand, bericht);
      break;
    default:
      return stand;
  }
  return touchAanbieder(next, bericht);
}

/**
 * Fold a message whose content was removed (retention or erasure, docs/bewaring.md) into the state:
 * only what its tombstone still says — that this provider sent a message of this type at that time
 * (so the `uit-beeld` rule does not mistake a removed week for silence). Nothing of its content.
 */
export function applyVerwijderd(stand: Stand, bericht: { berichtId: string; berichttype: string; afzender: string; ontvangenOp: string }): Stand {
  if (!['aanwezigheid', 'taalvoortgang', 'plaatsing'].includes(bericht.berichttype)) return stand;
  return touchAanbieder(stand, bericht as Pick<Bericht, 'afzender' | 'berichttype' | 'berichtId' | 'ontvangenOp'>);
}

/** When this provider's last attendance message was received, or null. */
export function lastAttendance(stand: Stand, aanbieder: string): string | null {
  return stand.aanbieders[aanbieder]?.laatsteBericht.aanwezigheid ?? null;
}
