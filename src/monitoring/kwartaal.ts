/**
 * Kwartaal: owns the calendar of the monitoring figures — which days and which weeks make up a
 * quarter (`jjjj-Qn`), and the few date sums the figures need. Pure: no clock, no I/O; every date is
 * a Dutch calendar date `YYYY-MM-DD`, compared as text.
 *
 * The rules (docs/monitoring.md):
 * - A quarter's days are its calendar days (Q4 2026: 2026-10-01 … 2026-12-31).
 * - A quarter's weeks are the ISO weeks (Monday–Sunday) whose Thursday lies in the quarter — as ISO
 *   8601 assigns a week to the year of its Thursday — so every week belongs to exactly one quarter,
 *   and a quarter has 12 to 14 of them.
 * - A reported period (an attendance message) belongs to the quarter whose weeks contain its first
 *   day (`van`): a week reported Monday to Sunday lands in the quarter of its ISO week.
 */

export interface Kwartaal {
  /** `2026-Q4`. */
  id: string;
  jaar: number;
  nummer: 1 | 2 | 3 | 4;
  /** First and last calendar day. */
  van: string;
  tot: string;
  /** The quarter's ISO weeks, oldest first (12 to 14). */
  weken: Week[];
}

export interface Week {
  /** Position in the quarter, from 0. */
  index: number;
  /** Monday and Sunday of the week. */
  maandag: string;
  zondag: string;
}

const KWARTAAL = /^([12][0-9]{3})-Q([1-4])$/;

/** `YYYY-MM-DD` of a UTC date. */
function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function utc(datum: string): Date {
  return new Date(`${datum}T00:00:00Z`);
}

/** `datum` plus `dagen` days. */
export function plusDagen(datum: string, dagen: number): string {
  const d = utc(datum);
  d.setUTCDate(d.getUTCDate() + dagen);
  return iso(d);
}

/** `datum` plus `maanden` calendar months; a day that does not exist in the target month becomes its last day (31 Nov → 30 Nov). */
export function plusMaanden(datum: string, maanden: number): string {
  const [j, m, dag] = datum.split('-').map(Number) as [number, number, number];
  const doel = new Date(Date.UTC(j, m - 1 + maanden, 1));
  const laatste = new Date(Date.UTC(doel.getUTCFullYear(), doel.getUTCMonth() + 1, 0)).getUTCDate();
  doel.setUTCDate(Math.min(dag, laatste));
  return iso(doel);
}

/** The Monday of the ISO week a date lies in. */
export function maandagVan(datum: string): string {
  const dag = utc(datum).getUTCDay(); // 0 = Sunday
  return plusDagen(datum, -((dag + 6) % 7));
}

/** The quarter with this id, or null when the id is not of the form `jjjj-Qn`. */
export function kwartaal(id: string): Kwartaal | null {
  const m = KWARTAAL.exec(id);
  if (!m) return null;
  const jaar = Number(m[1]);
  const nummer = Number(m[2]) as Kwartaal['nummer'];
  const van = iso(new Date(Date.UTC(jaar, (nummer - 1) * 3, 1)));
  const tot = iso(new Date(Date.UTC(jaar, nummer * 3, 0)));
  const weken: Week[] = [];
  // The first Thursday on or after the first day; its Monday starts the first week.
  let donderdag = plusDagen(van, (4 - utc(van).getUTCDay() + 7) % 7);
  while (donderdag <= tot) {
    weken.push({ index: weken.length, maandag: plusDagen(donderdag, -3), zondag: plusDagen(donderdag, 3) });
    donderdag = plusDagen(donderdag, 7);
  }
  return { id, jaar, nummer, van, tot, weken };
}

/** The quarter a date lies in. */
export function kwartaalVan(datum: string): Kwartaal {
  const [j, m] = datum.split('-').map(Number) as [number, number];
  return kwartaal(`${j}-Q${Math.floor((m - 1) / 3) + 1}`)!;
}

/** The first and last day of the quarter's weeks: a reported period whose `van` lies in between belongs to the quarter. */
export function wekenbereik(k: Kwartaal): { van: string; tot: string } {
  return { van: k.weken[0]!.maandag, tot: k.weken.at(-1)!.zondag };
}

/** The Monday of 5 January 1970: week 0 of `weeknummer`. */
const WEEK_NUL = Date.UTC(1970, 0, 5);

/** The number of the ISO week a date lies in, counted from the week of Monday 5 January 1970 (the storage's week key). */
export function weeknummer(datum: string): number {
  return Math.floor((utc(datum).getTime() - WEEK_NUL) / (7 * 86_400_000));
}

/** The quarter a reported period belongs to: the quarter of the ISO week of its first day (of that week's Thursday). */
export function kwartaalVanPeriode(van: string): string {
  return kwartaalVan(plusDagen(maandagVan(van), 3)).id;
}

/** Whether the periods [a.van, a.tot] and [b.van, b.tot] share at least one day. */
export function overlapt(a: { van: string; tot: string }, b: { van: string; tot: string }): boolean {
  return a.van <= b.tot && b.van <= a.tot;
}
