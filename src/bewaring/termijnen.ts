/**
 * Retention terms (bewaartermijnen): owns the question "may the content of this message, or this
 * consent record, still be kept today?" — pure functions over the register (`policies/doelen.json`)
 * and the facts of one message or consent. The purge (`opschoning.ts`), the CLI and the tests call
 * these; no adapter's SQL decides it (the store only narrows the candidates).
 *
 * The rule (docs/bewaring.md):
 * - The content of a message is kept as long as ANY doel that can read its type still needs it: the
 *   doelen of the `lezen`/`toestaan` rules that cover the type (whatever the trajectory's regime — a
 *   regime can change, the term must not flip with it). An aggregates-only doel reads no content and
 *   does not count. A type that no rule reads is kept for the register's longest term from the end.
 * - Each doel's term runs from its `bewaartermijnVanaf`: `einde-traject` — the day the trajectory
 *   was closed (a message received after that day from its receipt); while the trajectory runs it
 *   has not started — or `ontvangst` — the day the message was received.
 * - The last day of keeping is that day plus the term (ISO 8601, calendar arithmetic; a month end
 *   clamps: 2024-02-29 + P1Y = 2025-02-28); from the next day on (Dutch calendar) it is removed.
 * - A consent record is kept for its own doel's term from the day it ended (withdrawn, or its
 *   `geldigTot`), or — for an `einde-traject` doel — from the end of the trajectory if that is later:
 *   as long as data read under it may be kept, the consent that allowed it must be demonstrable
 *   (AVG art. 7 lid 1). Its doel no longer in the register: the register's longest term.
 */
import { typesOf, type PolicySet } from '../policy/load.js';
import type { Doel } from '../policy/types.js';

export type Vanaf = NonNullable<Doel['bewaartermijnVanaf']>;

/** One doel's term for a message type. */
export interface Termijn {
  doel: string;
  /** ISO 8601 duration, e.g. P5Y. */
  bewaartermijn: string;
  vanaf: Vanaf;
}

/** A term applied to one message or consent: its last day of keeping (null: not started, the trajectory runs). */
export interface ToegepasteTermijn extends Termijn {
  laatsteDag: string | null;
}

export interface Oordeel {
  /** The content (or consent) may be removed today. */
  verstreken: boolean;
  /** The last day it is kept: the latest of its terms' last days; null while any term has not started. */
  laatsteDag: string | null;
  termijnen: ToegepasteTermijn[];
}

/** How a removed message's row says why (stored as JSON text in `berichten.verwijdering`). */
export type Verwijdering =
  | { grond: 'bewaartermijn'; logboek: number; termijnen: ToegepasteTermijn[] }
  | { grond: 'wissing'; logboek: number; reden: string; avg: string };

const amsterdam = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The Dutch calendar date (Europe/Amsterdam) of an instant, `YYYY-MM-DD`. */
export function nederlandseDatum(tijdstip: string | Date): string {
  return amsterdam.format(typeof tijdstip === 'string' ? new Date(tijdstip) : tijdstip);
}

const DUUR = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/;

function delen(duur: string): { j: number; m: number; d: number } {
  const m = DUUR.exec(duur);
  if (!m) throw new Error(`geen ISO 8601-duur: ${duur}`);
  return { j: Number(m[1] ?? 0), m: Number(m[2] ?? 0), d: Number(m[3] ?? 0) * 7 + Number(m[4] ?? 0) };
}

function verschuif(datum: string, teken: 1 | -1, duur: string): string {
  const { j, m, d } = delen(duur);
  const [jaar, maand, dag] = datum.split('-').map(Number) as [number, number, number];
  const maanden = jaar * 12 + (maand - 1) + teken * (j * 12 + m);
  const nieuwJaar = Math.floor(maanden / 12);
  const nieuweMaand = maanden - nieuwJaar * 12;
  const laatste = new Date(Date.UTC(nieuwJaar, nieuweMaand + 1, 0)).getUTCDate();
  const t = new Date(Date.UTC(nieuwJaar, nieuweMaand, Math.min(dag, laatste)));
  t.setUTCDate(t.getUTCDate() + teken * d);
  return t.toISOString().slice(0, 10);
}

/** A calendar date plus an ISO 8601 duration (years and months first, a month end clamps; then weeks and days). */
export function plusDuur(datum: string, duur: string): string {
  return verschuif(datum, 1, duur);
}

/** A calendar date minus an ISO 8601 duration (the inverse order of `plusDuur`, for candidate bounds only). */
export function minDuur(datum: string, duur: string): string {
  return verschuif(datum, -1, duur);
}

/** A date plus whole days. */
export function plusDagen(datum: string, dagen: number): string {
  const t = new Date(`${datum}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + dagen);
  return t.toISOString().slice(0, 10);
}

/** Roughly how long a duration is, in days (only to pick the longest or shortest of several). */
export function duurInDagen(duur: string): number {
  const { j, m, d } = delen(duur);
  return j * 365.25 + m * 30.44 + d;
}

const laatste = (a: string, b: string) => (a > b ? a : b);

/** The terms that apply to the register: per message type, and what the purge needs to find its candidates. */
export interface Bewaarregels {
  /** The terms of one message type (never empty). */
  termijnen(berichttype: string): readonly Termijn[];
  /** A consent for this doel: its term (the register's longest when the doel is gone). */
  toestemmingstermijn(doel: string): Termijn;
  /** The shortest `einde-traject` term of any type, or null: a closed trajectory is a candidate only when closed at least this long ago. */
  kortsteNaEinde: string | null;
  /** The types whose every term runs from receipt: only these can be removed while their trajectory runs. */
  alleenNaOntvangst: readonly string[];
}

/** Build the terms from the register and the rules (once per policy set). */
export function bewaarregels(set: Pick<PolicySet, 'doelen' | 'regels'>): Bewaarregels {
  const doelen = new Map(set.doelen.map((d) => [d.id, d]));
  const termijnVan = (d: Doel): Termijn => ({ doel: d.id, bewaartermijn: d.bewaartermijn, vanaf: d.bewaartermijnVanaf ?? 'einde-traject' });
  const langste = [...set.doelen].sort((a, b) => duurInDagen(b.bewaartermijn) - duurInDagen(a.bewaartermijn))[0];
  const terugval: Termijn = langste ? { doel: '(register)', bewaartermijn: langste.bewaartermijn, vanaf: 'einde-traject' } : { doel: '(register)', bewaartermijn: 'P100Y', vanaf: 'einde-traject' };
  const perType = new Map<string, Termijn[]>();
  for (const regel of set.regels) {
    if (regel.actie !== 'lezen' || regel.effect !== 'toestaan') continue;
    const doel = doelen.get(regel.doel);
    if (!doel || doel.alleenGeaggregeerd) continue;
    for (const type of typesOf(regel)) {
      const lijst = perType.get(type) ?? [];
      if (!lijst.some((t) => t.doel === doel.id)) lijst.push(termijnVan(doel));
      perType.set(type, lijst);
    }
  }
  for (const lijst of perType.values()) lijst.sort((a, b) => (a.doel < b.doel ? -1 : a.doel > b.doel ? 1 : 0));
  const alle = [...perType.values()].flat();
  const naEinde = alle.filter((t) => t.vanaf === 'einde-traject');
  return {
    termijnen: (type) => perType.get(type) ?? [terugval],
    toestemmingstermijn: (id) => {
      const d = doelen.get(id);
      return d ? termijnVan(d) : terugval;
    },
    kortsteNaEinde: [...naEinde, terugval].sort((a, b) => duurInDagen(a.bewaartermijn) - duurInDagen(b.bewaartermijn))[0]!.bewaartermijn,
    alleenNaOntvangst: [...perType].filter(([, ts]) => ts.every((t) => t.vanaf === 'ontvangst')).map(([type]) => type).sort(),
  };
}

function oordeel(termijnen: ToegepasteTermijn[], vandaag: string): Oordeel {
  const open = termijnen.some((t) => t.laatsteDag === null);
  const dag = open ? null : termijnen.map((t) => t.laatsteDag!).reduce(laatste);
  return { verstreken: dag !== null && vandaag > dag, laatsteDag: dag, termijnen };
}

/**
 * May the content of this message be removed today? `afgeslotenOp`: when its trajectory was closed
 * (null while it runs); `vandaag`: the Dutch calendar date of the run.
 */
export function beoordeelBericht(regels: Bewaarregels, bericht: { berichttype: string; ontvangenOp: string }, traject: { afgeslotenOp?: string | null }, vandaag: string): Oordeel {
  const ontvangen = nederlandseDatum(bericht.ontvangenOp);
  const einde = traject.afgeslotenOp ? laatste(nederlandseDatum(traject.afgeslotenOp), ontvangen) : null;
  return oordeel(regels.termijnen(bericht.berichttype).map((t) => {
    const vanaf = t.vanaf === 'ontvangst' ? ontvangen : einde;
    return { ...t, laatsteDag: vanaf === null ? null : plusDuur(vanaf, t.bewaartermijn) };
  }), vandaag);
}

/** May this consent record be removed today (its own period has passed)? */
export function beoordeelToestemming(
  regels: Bewaarregels,
  toestemming: { doel: string; geldigTot: string; ingetrokkenOp: string | null },
  traject: { afgeslotenOp?: string | null },
  vandaag: string,
): Oordeel {
  const t = regels.toestemmingstermijn(toestemming.doel);
  const ingetrokken = toestemming.ingetrokkenOp ? nederlandseDatum(toestemming.ingetrokkenOp) : null;
  const geeindigd = ingetrokken !== null && ingetrokken < toestemming.geldigTot ? ingetrokken : toestemming.geldigTot;
  const vanaf = t.vanaf === 'ontvangst' ? geeindigd : traject.afgeslotenOp ? laatste(geeindigd, nederlandseDatum(traject.afgeslotenOp)) : null;
  return oordeel([{ ...t, laatsteDag: vanaf === null ? null : plusDuur(vanaf, t.bewaartermijn) }], vandaag);
}

/**
 * The earliest instant before which a closed trajectory can hold a message due for removal today: a
 * bound for the store's candidate query (generous by two days; the exact rule is `beoordeelBericht`).
 */
export function eindeGrens(regels: Bewaarregels, vandaag: string): string | null {
  return regels.kortsteNaEinde === null ? null : `${plusDagen(minDuur(vandaag, regels.kortsteNaEinde), 2)}T00:00:00.000Z`;
}

function duurTekst(duur: string): string {
  const m = DUUR.exec(duur);
  const units: Array<[string | undefined, string, string]> = [[m?.[1], 'jaar', 'jaar'], [m?.[2], 'maand', 'maanden'], [m?.[3], 'week', 'weken'], [m?.[4], 'dag', 'dagen']];
  return units.filter(([n]) => n !== undefined).map(([n, een, meer]) => `${n} ${Number(n) === 1 ? een : meer}`).join(' en ') || duur;
}

/** A message's term in words: "5 jaar na het einde van het traject (trajectbegeleiding)". */
export function termijnTekst(t: Termijn): string {
  return `${duurTekst(t.bewaartermijn)} na ${t.vanaf === 'ontvangst' ? 'ontvangst van het bericht' : 'het einde van het traject'} (${t.doel})`;
}

/** A consent's own term in words: "1 jaar na het einde van de toestemming (lesafstemming)". */
export function toestemmingTermijnTekst(t: Termijn): string {
  return `${duurTekst(t.bewaartermijn)} na het einde van de toestemming${t.vanaf === 'einde-traject' ? ' of, als dat later is, van het traject' : ''} (${t.doel})`;
}
