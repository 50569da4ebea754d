/**
 * Feiten (facts): owns what of one message the monitoring figures keep — the derived rows the
 * quarter's figures are summed from, so that a quarter is answered from a few indexed tables and
 * never by replaying messages. Pure: a stored message in, its facts out.
 *
 * Per message type:
 * - `aanwezigheid`: one row per activity of `totalen` with the period, its quarter and every minute
 *   category; and one row per week the period touches (`weken`: which weeks have a report, per
 *   provider — the completeness figure). The store also keeps the minutes summed per trajectory,
 *   quarter and activity, so a quarter reads one row per trajectory and activity;
 * - `taalvoortgang`: one row per skill of `niveaus` (level and `peildatum`) and one per component of
 *   `examens` (result, with its date or else the date of the event);
 * - `plaatsing`: one row with the placement's form, status, dates and end reason (the latest row per
 *   placement that happened by a date is its state then);
 * - `knelpunt`: one row per barrier code with the date it was established (`geen` is a code: assessed,
 *   none — unlike a trajectory without any report).
 * Other types give none. Nothing else of the content is kept: no lesson lines, employer, barriers,
 * free text. The facts of a message that no longer counts (replaced, withdrawn) are removed with it
 * (`verwerking/stand-en-signalen.ts` rebuilds a trajectory's facts then).
 *
 * "The date of the event" is the date part of `gebeurtenisTijdstip` as the sender wrote it (its own
 * local date). The storage migration derives the same rows from messages stored before the tables
 * existed, by the same rules.
 */
import type { AanwezigheidV1, KnelpuntV1, PlaatsingV1, TaalvoortgangV1 } from '../schemas/generated/index.js';
import { kwartaalVanPeriode, weeknummer } from './kwartaal.js';

interface Herkomst {
  afzender: string;
  berichtId: string;
  trajectId: string;
}

/** The minutes of a reported period (or a sum of them) by what happened. */
export interface Minuten {
  gepland: number;
  aanwezig: number;
  teLaat: number;
  vroegVertrokken: number;
  geoorloofdAfwezig: number;
  ongeoorloofdAfwezig: number;
  ziek: number;
  afwezig: number;
  vervallen: number;
  onbekend: number;
}

export interface AanwezigheidFeit extends Herkomst, Minuten {
  van: string;
  tot: string;
  /** The quarter the period belongs to (`kwartaalVanPeriode`). */
  kwartaal: string;
  activiteit: string;
}

export interface NiveauFeit extends Herkomst {
  vaardigheid: string;
  niveau: string;
  peildatum: string;
  ontvangenOp: string;
}

export interface ExamenFeit extends Herkomst {
  onderdeel: string;
  uitslag: string;
  datum: string;
  ontvangenOp: string;
}

export interface PlaatsingFeit extends Herkomst {
  plaatsingId: string;
  vorm: string;
  status: string;
  startdatum: string;
  einddatum: string | null;
  eindreden: string | null;
  /** The date of the event. */
  datum: string;
  ontvangenOp: string;
}

/** A week (`weeknummer`) in which a provider's report covers at least one day, on a trajectory. */
export interface WeekFeit {
  trajectId: string;
  afzender: string;
  week: number;
}

/** A barrier code of a `knelpunt` message, with the date it was established. */
export interface KnelpuntFeit extends Herkomst {
  code: string;
  datum: string;
}

export interface Monitoringfeiten {
  aanwezigheid: AanwezigheidFeit[];
  weken: WeekFeit[];
  knelpunten: KnelpuntFeit[];
  niveaus: NiveauFeit[];
  examens: ExamenFeit[];
  plaatsingen: PlaatsingFeit[];
}

/** The stored message as the publish transaction (or a rebuild) has it. */
export interface Bron {
  berichtId: string;
  berichttype: string;
  trajectId: string;
  afzender: string;
  gebeurtenisTijdstip: string;
  ontvangenOp: string;
  /** The content as JSON text. */
  inhoud: string;
}

export const GEEN_FEITEN: Readonly<Monitoringfeiten> = Object.freeze({ aanwezigheid: [], weken: [], knelpunten: [], niveaus: [], examens: [], plaatsingen: [] });

export function isLeeg(f: Monitoringfeiten): boolean {
  return f.aanwezigheid.length + f.weken.length + f.knelpunten.length + f.niveaus.length + f.examens.length + f.plaatsingen.length === 0;
}

/** The weeks a period touches, first to last. */
export function wekenVan(van: string, tot: string): number[] {
  const uit: number[] = [];
  for (let w = weeknummer(van), laatste = weeknummer(tot); w <= laatste; w++) uit.push(w);
  return uit;
}

/** The facts of one message. */
export function feitenUitBericht(b: Bron): Monitoringfeiten {
  const herkomst: Herkomst = { afzender: b.afzender, berichtId: b.berichtId, trajectId: b.trajectId };
  const datum = b.gebeurtenisTijdstip.slice(0, 10);
  switch (b.berichttype) {
    case 'aanwezigheid': {
      const i = JSON.parse(b.inhoud) as AanwezigheidV1;
      const kwartaal = kwartaalVanPeriode(i.periode.van);
      return {
        ...GEEN_FEITEN,
        weken: wekenVan(i.periode.van, i.periode.tot).map((week) => ({ trajectId: b.trajectId, afzender: b.afzender, week })),
        aanwezigheid: i.totalen.map((t) => ({
          ...herkomst, van: i.periode.van, tot: i.periode.tot, kwartaal, activiteit: t.activiteit,
          gepland: t.minuten.gepland, aanwezig: t.minuten.aanwezig, teLaat: t.minuten.teLaat, vroegVertrokken: t.minuten.vroegVertrokken ?? 0,
          geoorloofdAfwezig: t.minuten.geoorloofdAfwezig, ongeoorloofdAfwezig: t.minuten.ongeoorloofdAfwezig, ziek: t.minuten.ziek,
          afwezig: t.minuten.afwezig, vervallen: t.minuten.vervallen, onbekend: t.minuten.onbekend,
        })),
      };
    }
    case 'taalvoortgang': {
      const i = JSON.parse(b.inhoud) as TaalvoortgangV1;
      return {
        ...GEEN_FEITEN,
        niveaus: i.niveaus.map((n) => ({ ...herkomst, vaardigheid: n.vaardigheid, niveau: n.niveau, peildatum: n.peildatum, ontvangenOp: b.ontvangenOp })),
        examens: (i.examens ?? []).map((e) => ({ ...herkomst, onderdeel: e.onderdeel, uitslag: e.uitslag, datum: e.datum ?? datum, ontvangenOp: b.ontvangenOp })),
      };
    }
    case 'plaatsing': {
      const i = JSON.parse(b.inhoud) as PlaatsingV1;
      return {
        ...GEEN_FEITEN,
        plaatsingen: [{
          ...herkomst, plaatsingId: i.plaatsingId, vorm: i.vorm, status: i.status, startdatum: i.startdatum,
          einddatum: i.einddatum ?? null, eindreden: i.eindreden ?? null, datum, ontvangenOp: b.ontvangenOp,
        }],
      };
    }
    case 'knelpunt': {
      const i = JSON.parse(b.inhoud) as KnelpuntV1;
      return { ...GEEN_FEITEN, knelpunten: [...new Set(i.knelpunten)].map((code) => ({ ...herkomst, code, datum: i.datum })) };
    }
    default:
      return { aanwezigheid: [], weken: [], knelpunten: [], niveaus: [], examens: [], plaatsingen: [] };
  }
}
