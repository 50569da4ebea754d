/**
 * Onderdrukking (cell suppression): owns the guarantee that no small cell of a published table can be
 * seen or worked out. Pure: a table in, the same table with `null` for every suppressed cell out.
 *
 * A table is a grid of R rows × C columns of non-negative integers (counts or minutes), with — each
 * optionally published — its row totals, its column totals and its grand total. Every cell carries the
 * number of its contributors (distinct participants with a non-zero part in it).
 *
 * Guarantees (proven in onderdrukking.test.ts and, against an independent attacker that solves the
 * published totals as a linear programme, in test/monitoring-onderdrukking.property.test.ts):
 * - Primary: every published cell, total included, with fewer contributors than the threshold is
 *   suppressed — a zero too (zero contributors): "nobody" about a group can tell as much as "three".
 * - Secondary: every suppressed cell lies on a cycle of suppressed cells along which it can move by
 *   one (up or down) while every total the table publishes stays the same and no cell becomes
 *   negative. So from the published cells and totals, and the knowledge that counts are not negative,
 *   a suppressed cell has at least two possible values: it cannot be recovered. Totals the table does
 *   not publish are treated as suppressed for ever.
 * - Fixed totals (`vast`): a total that another table publishes too (the same population) is never
 *   chosen as a secondary cell, so both tables publish it or neither does (it is suppressed only when it
 *   is itself small — and then it is in every table).
 * - Published values are the true values; suppression only ever hides.
 *
 * How: with the row totals as an extra column and the column totals as an extra row, and the totals'
 * signs flipped, every row and column of the grid sums to zero; the suppressed cells are the edges of
 * a bipartite graph (rows × columns), and a change that keeps every published total is a cycle in it
 * with alternating signs. For each suppressed cell without such a cycle, a shortest path (Dijkstra,
 * cost: the value hidden) closes one, suppressing the cells it passes; repeated until every suppressed
 * cell has one. The cost prefers hiding small cells; when no cycle exists without a fixed total, every
 * other cell of the table is suppressed.
 */

export interface Tabelinvoer {
  /** R × C values, integers ≥ 0. */
  waarden: number[][];
  /** R × C contributors. */
  bijdragers: number[][];
  /** Contributors of each row total, of each column total, of the grand total (distinct participants: not the sum). */
  rijBijdragers: number[];
  kolomBijdragers: number[];
  totaalBijdragers: number;
  publiceer: { rijtotalen: boolean; kolomtotalen: boolean; totaal: boolean };
  /** Totals that may not be secondary cells (they are published by another table too). */
  vast?: { rijtotalen?: boolean; kolomtotalen?: readonly boolean[]; totaal?: boolean };
}

export interface Beschermd {
  cellen: (number | null)[][];
  rijtotalen: (number | null)[] | null;
  kolomtotalen: (number | null)[] | null;
  totaal: number | null | undefined;
  /** Published cells (totals included) that are suppressed. */
  onderdrukt: number;
}

interface Raster {
  R: number;
  C: number;
  /** (R+1) × (C+1): index R is the row of column totals, index C the column of row totals. */
  waarde: number[][];
  bijdragers: number[][];
  gepubliceerd: boolean[][];
  vast: boolean[][];
  verborgen: boolean[][];
}

function raster(t: Tabelinvoer): Raster {
  const R = t.waarden.length;
  const C = t.waarden[0]?.length ?? 0;
  if (R === 0 || C === 0 || t.waarden.some((r) => r.length !== C)) throw new Error('een tabel heeft minstens één rij en één kolom, alle rijen even lang');
  const waarde = Array.from({ length: R + 1 }, (_, i) => Array.from({ length: C + 1 }, (_, j) => (i < R && j < C ? t.waarden[i]![j]! : 0)));
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
    const v = waarde[i]![j]!;
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`cel (${i}, ${j}) is geen geheel getal ≥ 0: ${v}`);
    waarde[i]![C]! += v;
    waarde[R]![j]! += v;
    waarde[R]![C]! += v;
  }
  const bijdragers = Array.from({ length: R + 1 }, (_, i) => Array.from({ length: C + 1 }, (_, j) =>
    i < R && j < C ? t.bijdragers[i]![j]! : i < R ? t.rijBijdragers[i]! : j < C ? t.kolomBijdragers[j]! : t.totaalBijdragers));
  const gepubliceerd = Array.from({ length: R + 1 }, (_, i) => Array.from({ length: C + 1 }, (_, j) =>
    i < R && j < C ? true : i < R ? t.publiceer.rijtotalen : j < C ? t.publiceer.kolomtotalen : t.publiceer.totaal));
  const vast = Array.from({ length: R + 1 }, (_, i) => Array.from({ length: C + 1 }, (_, j) =>
    i < R && j < C ? false : i < R ? Boolean(t.vast?.rijtotalen) : j < C ? Boolean(t.vast?.kolomtotalen?.[j]) : Boolean(t.vast?.totaal)));
  const verborgen = gepubliceerd.map((rij) => rij.map((p) => !p));
  return { R, C, waarde, bijdragers, gepubliceerd, vast, verborgen };
}

/** +1 for an inner cell and the grand total, −1 for a row or column total (the sign that makes every line sum to zero). */
function teken(g: Raster, i: number, j: number): 1 | -1 {
  return (i === g.R) !== (j === g.C) ? -1 : 1;
}

/**
 * The cheapest cycle through suppressed cell (r, k) along which it moves by `richting` (+1 up, −1
 * down): a path from column k back to row r. Traversing cell e from a column to a row it changes in
 * sign −s, from a row to a column in sign +s (s: the cell's own sign), times its grid sign; a cell
 * that would go down must be at least 1. A suppressed cell costs 0, a published one its value + 1
 * (a fixed total cannot be taken). Returns the cells on the path, or null when there is none.
 */
function cyclus(g: Raster, r: number, k: number, richting: 1 | -1, nieuw: boolean): { kosten: number; cellen: Array<[number, number]> } | null {
  if (richting === -1 && g.waarde[r]![k]! < 1) return null;
  const s = richting * teken(g, r, k);
  const rijen = g.R + 1;
  const kolommen = g.C + 1;
  // Vertices: rows 0…R as 0…R, columns 0…C as rijen + j.
  const n = rijen + kolommen;
  const afstand = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  const vorige = new Array<number>(n).fill(-1);
  const klaar = new Array<boolean>(n).fill(false);
  const start = rijen + k;
  afstand[start] = 0;
  const kosten = (i: number, j: number, vanKolom: boolean): number => {
    if (i === r && j === k) return Number.POSITIVE_INFINITY;
    const verandering = teken(g, i, j) * (vanKolom ? -s : s);
    if (verandering === -1 && g.waarde[i]![j]! < 1) return Number.POSITIVE_INFINITY;
    if (g.verborgen[i]![j]) return 0;
    if (!nieuw || g.vast[i]![j]) return Number.POSITIVE_INFINITY;
    return g.waarde[i]![j]! + 1;
  };
  for (;;) {
    let u = -1;
    for (let v = 0; v < n; v++) if (!klaar[v] && afstand[v]! < Number.POSITIVE_INFINITY && (u === -1 || afstand[v]! < afstand[u]!)) u = v;
    if (u === -1) return null;
    if (u === r) break;
    klaar[u] = true;
    const isKolom = u >= rijen;
    for (let v = isKolom ? 0 : rijen; v < (isKolom ? rijen : n); v++) {
      if (klaar[v]) continue;
      const [i, j] = isKolom ? [v, u - rijen] : [u, v - rijen];
      const d = afstand[u]! + kosten(i, j, isKolom);
      if (d < afstand[v]!) {
        afstand[v] = d;
        vorige[v] = u;
      }
    }
  }
  const cellen: Array<[number, number]> = [];
  for (let v = r; v !== start; v = vorige[v]!) {
    const u = vorige[v]!;
    cellen.push(u >= rijen ? [v, u - rijen] : [u, v - rijen]);
  }
  return { kosten: afstand[r]!, cellen };
}

function beschermd(g: Raster, i: number, j: number): boolean {
  return cyclus(g, i, j, 1, false) !== null || cyclus(g, i, j, -1, false) !== null;
}

/** Suppress every unprotected published cell's cheapest cycle until all are protected; false when one has none. */
function secundair(g: Raster): boolean {
  for (let veranderd = true; veranderd;) {
    veranderd = false;
    for (let i = 0; i <= g.R; i++) for (let j = 0; j <= g.C; j++) {
      if (!g.gepubliceerd[i]![j] || !g.verborgen[i]![j] || beschermd(g, i, j)) continue;
      const op = cyclus(g, i, j, 1, true);
      const neer = cyclus(g, i, j, -1, true);
      const beste = op && neer ? (neer.kosten < op.kosten ? neer : op) : (op ?? neer);
      if (!beste) return false;
      for (const [a, b] of beste.cellen) g.verborgen[a]![b] = true;
      veranderd = true;
    }
  }
  return true;
}

/** Whether every suppressed published cell of the grid can move (see the module's guarantee). */
export function allesBeschermd(invoer: Tabelinvoer, verborgen: (i: number, j: number) => boolean): boolean {
  const g = raster(invoer);
  for (let i = 0; i <= g.R; i++) for (let j = 0; j <= g.C; j++) g.verborgen[i]![j] = !g.gepubliceerd[i]![j] || verborgen(i, j);
  for (let i = 0; i <= g.R; i++) for (let j = 0; j <= g.C; j++) if (g.gepubliceerd[i]![j] && g.verborgen[i]![j] && !beschermd(g, i, j)) return false;
  return true;
}

/**
 * Suppress the small cells of a table and enough others that none can be worked out. `extra` names
 * cells (grid coordinates, totals at index R / C) to suppress in any case (a fixed total another
 * table had to suppress).
 */
export function beschermTabel(t: Tabelinvoer, drempel: number, extra: ReadonlyArray<readonly [number, number]> = []): Beschermd {
  const g = raster(t);
  for (let i = 0; i <= g.R; i++) for (let j = 0; j <= g.C; j++) {
    if (g.gepubliceerd[i]![j] && g.bijdragers[i]![j]! < drempel) g.verborgen[i]![j] = true;
  }
  for (const [i, j] of extra) g.verborgen[i]![j] = true;
  if (!secundair(g)) {
    // No cycle without a fixed total: hide every other cell; if even that is not enough, the fixed totals too.
    for (let i = 0; i <= g.R; i++) for (let j = 0; j <= g.C; j++) if (!g.vast[i]![j]) g.verborgen[i]![j] = true;
    if (!secundair(g)) for (const rij of g.verborgen) rij.fill(true);
  }
  const toon = (i: number, j: number) => (g.verborgen[i]![j] ? null : g.waarde[i]![j]!);
  let onderdrukt = 0;
  for (let i = 0; i <= g.R; i++) for (let j = 0; j <= g.C; j++) if (g.gepubliceerd[i]![j] && g.verborgen[i]![j]) onderdrukt++;
  return {
    cellen: Array.from({ length: g.R }, (_, i) => Array.from({ length: g.C }, (_, j) => toon(i, j))),
    rijtotalen: t.publiceer.rijtotalen ? Array.from({ length: g.R }, (_, i) => toon(i, g.C)) : null,
    kolomtotalen: t.publiceer.kolomtotalen ? Array.from({ length: g.C }, (_, j) => toon(g.R, j)) : null,
    totaal: t.publiceer.totaal ? toon(g.R, g.C) : undefined,
    onderdrukt,
  };
}

/**
 * A table without totals whose cells are not parts of a whole (several answers per participant):
 * only the small cells are suppressed — with no published sum there is nothing to work them out from.
 */
export function beschermLosseCellen(waarden: number[][], bijdragers: number[][], drempel: number): Beschermd {
  let onderdrukt = 0;
  const cellen = waarden.map((rij, i) => rij.map((v, j) => {
    if (bijdragers[i]![j]! >= drempel) return v;
    onderdrukt++;
    return null;
  }));
  return { cellen, rijtotalen: null, kolomtotalen: null, totaal: undefined, onderdrukt };
}
