/**
 * The attacker of the monitoring figures: given a published table (null = suppressed) and whatever
 * totals other tables published about the same population, it tries to work out every suppressed cell
 * from every published total and every other published cell. Written apart from the suppression code
 * (src/monitoring/onderdrukking.ts) on purpose — it knows nothing of cycles or graphs:
 *
 * - `lineair`: Gaussian elimination over the table's equations (every row sums to its row total, every
 *   column to its column total, the totals to the grand total), with the published values filled in;
 *   a suppressed cell whose value the equations fix alone is recovered.
 * - `grenzen`: the same equations as a linear programme with every cell ≥ 0 (counts and minutes are
 *   never negative): for every suppressed cell its least and greatest possible value (two-phase
 *   simplex, Bland's rule). Equal bounds: recovered. The equations of a table with totals are totally
 *   unimodular, so the bounds are whole numbers and "equal" is exact.
 *
 * A table published without some total still obeys its equation: the attacker knows the total
 * exists, just not its value.
 */

export interface GepubliceerdeTabel {
  cellen: (number | null)[][];
  rijtotalen?: (number | null)[] | null;
  kolomtotalen?: (number | null)[] | null;
  totaal?: number | null;
}

/** Totals the attacker learnt elsewhere (another table of the same population). */
export interface Voorkennis {
  totaal?: number;
  rijtotalen?: ReadonlyArray<number | undefined>;
  kolomtotalen?: ReadonlyArray<number | undefined>;
}

export interface Onthulling {
  /** Grid position: index R is the row of column totals, index C the column of row totals. */
  rij: number;
  kolom: number;
  waarde: number;
  methode: 'lineair' | 'grenzen';
}

const EPS = 1e-7;

interface Stelsel {
  R: number;
  C: number;
  /** Grid value, or null when unknown to the attacker. */
  bekend: (number | null)[][];
  /** Unknown grid cells, in variable order. */
  onbekend: Array<[number, number]>;
  A: number[][];
  b: number[];
}

function stelsel(t: GepubliceerdeTabel, voorkennis: Voorkennis = {}): Stelsel {
  const R = t.cellen.length;
  const C = t.cellen[0]!.length;
  const bekend: (number | null)[][] = Array.from({ length: R + 1 }, (_, i) => Array.from({ length: C + 1 }, (_, j) => {
    if (i < R && j < C) return t.cellen[i]![j] ?? null;
    if (i < R) return t.rijtotalen?.[i] ?? voorkennis.rijtotalen?.[i] ?? null;
    if (j < C) return t.kolomtotalen?.[j] ?? voorkennis.kolomtotalen?.[j] ?? null;
    return t.totaal ?? voorkennis.totaal ?? null;
  }));
  const onbekend: Array<[number, number]> = [];
  const index = new Map<string, number>();
  for (let i = 0; i <= R; i++) for (let j = 0; j <= C; j++) if (bekend[i]![j] === null) {
    index.set(`${i},${j}`, onbekend.length);
    onbekend.push([i, j]);
  }
  const A: number[][] = [];
  const b: number[] = [];
  // One equation per line: the parts minus their total is zero.
  const lijn = (delen: Array<[number, number]>, som: [number, number]) => {
    const rij = new Array<number>(onbekend.length).fill(0);
    let rechts = 0;
    for (const [[i, j], f] of [...delen.map((d) => [d, 1] as const), [som, -1] as const]) {
      const k = index.get(`${i},${j}`);
      if (k === undefined) rechts -= f * bekend[i]![j]!;
      else rij[k] = rij[k]! + f;
    }
    A.push(rij);
    b.push(rechts);
  };
  for (let i = 0; i <= R; i++) lijn(Array.from({ length: C }, (_, j) => [i, j] as [number, number]), [i, C]);
  for (let j = 0; j <= C; j++) lijn(Array.from({ length: R }, (_, i) => [i, j] as [number, number]), [R, j]);
  return { R, C, bekend, onbekend, A, b };
}

/** Suppressed cells the equations alone fix (Gaussian elimination to reduced row echelon form). */
function lineair(s: Stelsel): Map<number, number> {
  const m = s.A.map((r, i) => [...r, s.b[i]!]);
  const n = s.onbekend.length;
  const pivots: number[] = [];
  let rij = 0;
  for (let k = 0; k < n && rij < m.length; k++) {
    let p = -1;
    for (let i = rij; i < m.length; i++) if (Math.abs(m[i]![k]!) > EPS && (p === -1 || Math.abs(m[i]![k]!) > Math.abs(m[p]![k]!))) p = i;
    if (p === -1) continue;
    [m[rij], m[p]] = [m[p]!, m[rij]!];
    const f = m[rij]![k]!;
    for (let j = 0; j <= n; j++) m[rij]![j]! /= f;
    for (let i = 0; i < m.length; i++) {
      if (i === rij || Math.abs(m[i]![k]!) < EPS) continue;
      const g = m[i]![k]!;
      for (let j = 0; j <= n; j++) m[i]![j]! -= g * m[rij]![j]!;
    }
    pivots.push(k);
    rij++;
  }
  const vast = new Map<number, number>();
  pivots.forEach((k, r) => {
    const alleen = m[r]!.slice(0, n).every((v, j) => j === k || Math.abs(v) < EPS);
    if (alleen) vast.set(k, m[r]![n]!);
  });
  return vast;
}

type LpUitkomst = { soort: 'optimaal'; waarde: number } | { soort: 'onbegrensd' } | { soort: 'onmogelijk' };

/** min c·x subject to A x = b, x ≥ 0 (dense two-phase simplex, Bland's rule against cycling). */
export function minimaliseer(A: number[][], b: number[], c: number[]): LpUitkomst {
  return minimaliseerAlle(A, b, [c])[0]!;
}

/** The same for several objectives over one feasible region: phase 1 runs once, phase 2 per objective from its basis. */
export function minimaliseerAlle(A: number[][], b: number[], doelen: number[][]): LpUitkomst[] {
  const m = A.length;
  const n = A[0]?.length ?? doelen[0]?.length ?? 0;
  const breedte = n + m;
  // Tableau with artificials: rows 0…m-1 constraints, columns 0…n-1 variables, n…n+m-1 artificials, last the right-hand side.
  const T0 = A.map((rij, i) => {
    const teken = b[i]! < 0 ? -1 : 1;
    return [...rij.map((v) => teken * v), ...Array.from({ length: m }, (_, k) => (k === i ? 1 : 0)), teken * b[i]!];
  });
  const basis0 = Array.from({ length: m }, (_, i) => n + i);

  const pivot = (T: number[][], basis: number[], r: number, k: number) => {
    const f = T[r]![k]!;
    const rij = T[r]!;
    for (let j = 0; j <= breedte; j++) rij[j]! /= f;
    for (let i = 0; i < m; i++) {
      const g = T[i]![k]!;
      if (i === r || Math.abs(g) < 1e-12) continue;
      const ander = T[i]!;
      for (let j = 0; j <= breedte; j++) ander[j]! -= g * rij[j]!;
    }
    basis[r] = k;
  };
  const simplex = (T: number[][], basis: number[], kosten: number[], toegestaan: (k: number) => boolean): 'optimaal' | 'onbegrensd' => {
    for (let stap = 0; stap < 50_000; stap++) {
      // Reduced costs: c_k − c_B · column k.
      let intreden = -1;
      const inBasis = new Set(basis);
      for (let k = 0; k < breedte; k++) {
        if (!toegestaan(k) || inBasis.has(k)) continue;
        let r = kosten[k]!;
        for (let i = 0; i < m; i++) r -= kosten[basis[i]!]! * T[i]![k]!;
        if (r < -EPS) {
          intreden = k;
          break;
        }
      }
      if (intreden === -1) return 'optimaal';
      let uit = -1;
      let beste = Number.POSITIVE_INFINITY;
      for (let i = 0; i < m; i++) {
        const a = T[i]![intreden]!;
        if (a <= EPS) continue;
        const q = T[i]![breedte]! / a;
        if (q < beste - EPS || (Math.abs(q - beste) <= EPS && basis[i]! < basis[uit]!)) {
          beste = q;
          uit = i;
        }
      }
      if (uit === -1) return 'onbegrensd';
      pivot(T, basis, uit, intreden);
    }
    throw new Error('simplex: te veel stappen');
  };

  // Phase 1: minimise the artificials.
  simplex(T0, basis0, Array.from({ length: breedte }, (_, k) => (k >= n ? 1 : 0)), () => true);
  let rest = 0;
  for (let i = 0; i < m; i++) if (basis0[i]! >= n) rest += T0[i]![breedte]!;
  if (rest > 1e-6) return doelen.map(() => ({ soort: 'onmogelijk' as const }));
  // Drive the artificials left in the basis (at zero) out, where a real variable can take their place.
  for (let i = 0; i < m; i++) {
    if (basis0[i]! < n) continue;
    const k = Array.from({ length: n }, (_, j) => j).find((j) => Math.abs(T0[i]![j]!) > EPS);
    if (k !== undefined) pivot(T0, basis0, i, k);
  }
  // Phase 2 per objective; artificials may not re-enter (one still basic belongs to a redundant equation and stays 0).
  return doelen.map((c) => {
    const T = T0.map((r) => [...r]);
    const basis = [...basis0];
    const kosten = Array.from({ length: breedte }, (_, k) => (k < n ? c[k]! : 0));
    if (simplex(T, basis, kosten, (k) => k < n) === 'onbegrensd') return { soort: 'onbegrensd' as const };
    let waarde = 0;
    for (let i = 0; i < m; i++) waarde += kosten[basis[i]!]! * T[i]![breedte]!;
    return { soort: 'optimaal' as const, waarde };
  });
}

/** Every suppressed published cell the attacker works out, with how. */
export function valAan(t: GepubliceerdeTabel, voorkennis: Voorkennis = {}): Onthulling[] {
  const s = stelsel(t, voorkennis);
  const R = s.R;
  const C = s.C;
  const gepubliceerdMaarVerborgen = (i: number, j: number) => {
    if (i < R && j < C) return t.cellen[i]![j] === null;
    if (i < R) return Array.isArray(t.rijtotalen) && t.rijtotalen[i] === null && voorkennis.rijtotalen?.[i] === undefined;
    if (j < C) return Array.isArray(t.kolomtotalen) && t.kolomtotalen[j] === null && voorkennis.kolomtotalen?.[j] === undefined;
    return t.totaal === null && voorkennis.totaal === undefined;
  };
  const uit: Onthulling[] = [];
  const vast = lineair(s);
  const vragen: Array<[number, number, number]> = [];
  s.onbekend.forEach(([i, j], k) => {
    if (!gepubliceerdMaarVerborgen(i, j)) return;
    const v = vast.get(k);
    if (v !== undefined) uit.push({ rij: i, kolom: j, waarde: Math.round(v), methode: 'lineair' });
    else vragen.push([i, j, k]);
  });
  if (vragen.length === 0) return uit;
  const doelen = vragen.flatMap(([, , k]) => {
    const e = s.onbekend.map((_, x) => (x === k ? 1 : 0));
    return [e, e.map((x) => -x)];
  });
  const grenzen = minimaliseerAlle(s.A, s.b, doelen);
  if (grenzen.some((g) => g.soort === 'onmogelijk')) throw new Error('de gepubliceerde tabel is inconsistent: geen enkele invulling past');
  vragen.forEach(([i, j], q) => {
    const min = grenzen[2 * q]!;
    const max = grenzen[2 * q + 1]!;
    if (min.soort === 'optimaal' && max.soort === 'optimaal' && Math.abs(-max.waarde - min.waarde) < 0.5) {
      uit.push({ rij: i, kolom: j, waarde: Math.round(min.waarde), methode: 'grenzen' });
    }
  });
  return uit;
}

/** A table of the monitoring answer, as far as the attacker needs it (see src/monitoring/cijfers.ts `Tabel`). */
interface AntwoordTabel extends GepubliceerdeTabel {
  id: string;
  kolommen: { codes: string[] };
  gedeeld?: Array<{ populatie: string; cel: 'totaal' | 'kolomtotaal' | 'rijtotalen'; code?: string }>;
  meerdereAntwoorden?: true;
}

/**
 * Attack every table of a quarter's answer, each with what every OTHER table published about the same
 * population (a shared total published anywhere is known everywhere). Also returns the shared totals
 * that are published in one table and suppressed in another (that alone would be a leak).
 */
export function valAntwoordAan(tabellen: readonly AntwoordTabel[]): { onthullingen: Array<Onthulling & { tabel: string }>; inconsistent: string[] } {
  const bekend = new Map<string, number>();
  const verborgen = new Set<string>();
  const waarden = (t: AntwoordTabel, g: NonNullable<AntwoordTabel['gedeeld']>[number]): Array<number | null> =>
    g.cel === 'totaal' ? [t.totaal ?? null] : g.cel === 'rijtotalen' ? [...(t.rijtotalen ?? [])] : [t.kolomtotalen?.[t.kolommen.codes.indexOf(g.code!)] ?? null];
  for (const t of tabellen) for (const g of t.gedeeld ?? []) for (const v of waarden(t, g)) {
    if (v === null) verborgen.add(g.populatie);
    else bekend.set(g.populatie, v);
  }
  const inconsistent = [...verborgen].filter((p) => bekend.has(p));
  const onthullingen: Array<Onthulling & { tabel: string }> = [];
  for (const t of tabellen) {
    if (t.meerdereAntwoorden) continue; // no equations: its cells are not parts of a whole
    const voorkennis: { totaal?: number; rijtotalen?: Array<number | undefined>; kolomtotalen?: Array<number | undefined> } = {};
    for (const g of t.gedeeld ?? []) {
      const v = bekend.get(g.populatie);
      if (v === undefined) continue;
      if (g.cel === 'totaal') voorkennis.totaal = v;
      else if (g.cel === 'rijtotalen') voorkennis.rijtotalen = t.cellen.map(() => v);
      else {
        voorkennis.kolomtotalen ??= t.kolommen.codes.map(() => undefined);
        voorkennis.kolomtotalen[t.kolommen.codes.indexOf(g.code!)] = v;
      }
    }
    for (const o of valAan(t, voorkennis)) onthullingen.push({ ...o, tabel: t.id });
  }
  return { onthullingen, inconsistent };
}
