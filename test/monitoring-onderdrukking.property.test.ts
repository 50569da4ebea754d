/**
 * The suppression attack (issue 13): for every table the suppression produces — on hand-made edge
 * cases and on random data — the attacker (test/support/aanvaller.ts, written apart from the
 * suppression code) solves every suppressed cell from every published total and every other published
 * cell, by elimination and by the bounds of a linear programme with cells ≥ 0. The test fails when it
 * recovers a single one. It also checks that the attacker has teeth: primary suppression alone is
 * broken by it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allesBeschermd, beschermTabel, type Beschermd, type Tabelinvoer } from '../src/monitoring/onderdrukking.js';
import { minimaliseer, valAan, type GepubliceerdeTabel } from './support/aanvaller.js';

const DREMPEL = 10;

/** A count table: the contributors of every cell are its value; of a total, its sum. */
function telling(waarden: number[][], publiceer: Tabelinvoer['publiceer'], vast?: Tabelinvoer['vast']): Tabelinvoer {
  const rij = waarden.map((r) => r.reduce((a, b) => a + b, 0));
  const kolom = waarden[0]!.map((_, j) => waarden.reduce((a, r) => a + r[j]!, 0));
  return { waarden, bijdragers: waarden, rijBijdragers: rij, kolomBijdragers: kolom, totaalBijdragers: rij.reduce((a, b) => a + b, 0), publiceer, ...(vast ? { vast } : {}) };
}

const ALLES = { rijtotalen: true, kolomtotalen: true, totaal: true };
const EENDIMENSIONAAL = { rijtotalen: false, kolomtotalen: true, totaal: false };

function gepubliceerd(b: Beschermd): GepubliceerdeTabel {
  return { cellen: b.cellen, rijtotalen: b.rijtotalen, kolomtotalen: b.kolomtotalen, ...(b.totaal !== undefined ? { totaal: b.totaal } : {}) };
}

/** Everything a published table must satisfy: true values, small cells hidden, nothing recoverable. */
function controleer(t: Tabelinvoer, b: Beschermd, voorkennis = {}): void {
  const R = t.waarden.length;
  const C = t.waarden[0]!.length;
  const rij = t.waarden.map((r) => r.reduce((a, x) => a + x, 0));
  const kolom = Array.from({ length: C }, (_, j) => t.waarden.reduce((a, r) => a + r[j]!, 0));
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
    const v = b.cellen[i]![j];
    if (t.bijdragers[i]![j]! < DREMPEL) expect(v, `cel ${i},${j} is klein`).toBeNull();
    if (v !== null) expect(v).toBe(t.waarden[i]![j]);
  }
  b.rijtotalen?.forEach((v, i) => {
    if (t.rijBijdragers[i]! < DREMPEL) expect(v).toBeNull();
    if (v !== null) expect(v).toBe(rij[i]);
  });
  b.kolomtotalen?.forEach((v, j) => {
    if (t.kolomBijdragers[j]! < DREMPEL) expect(v).toBeNull();
    if (v !== null) expect(v).toBe(kolom[j]);
  });
  if (b.totaal !== undefined && b.totaal !== null) expect(b.totaal).toBe(rij.reduce((a, x) => a + x, 0));
  if (b.totaal !== undefined && t.totaalBijdragers < DREMPEL) expect(b.totaal).toBeNull();
  expect(valAan(gepubliceerd(b), voorkennis)).toEqual([]);
}

describe('the attacker itself', () => {
  it('solves a linear programme: bounds of one cell under the totals', () => {
    // x + y = 5, x ≥ 0, y ≥ 0: x lies in [0, 5].
    expect(minimaliseer([[1, 1]], [5], [1, 0])).toEqual({ soort: 'optimaal', waarde: 0 });
    expect(minimaliseer([[1, 1]], [5], [-1, 0])).toEqual({ soort: 'optimaal', waarde: -5 });
    expect(minimaliseer([[1, -1]], [0], [-1, 0]).soort).toBe('onbegrensd');
    expect(minimaliseer([[1, 1]], [-1], [1, 0]).soort).toBe('onmogelijk');
  });

  it('breaks primary suppression alone: one hidden cell in a row with a published total', () => {
    const naief: GepubliceerdeTabel = { cellen: [[null], [40], [25]], kolomtotalen: [68] };
    expect(valAan(naief)).toEqual([{ rij: 0, kolom: 0, waarde: 3, methode: 'lineair' }]);
  });

  it('breaks two hidden zeros whose sum the total fixes (non-negativity, not elimination)', () => {
    const nullen: GepubliceerdeTabel = { cellen: [[43], [null], [null]], kolomtotalen: [43] };
    expect(valAan(nullen).map((o) => [o.rij, o.waarde, o.methode])).toEqual([[1, 0, 'grenzen'], [2, 0, 'grenzen']]);
  });

  it('breaks a 2×2 pattern whose corner is fixed by a total another table published', () => {
    const t: GepubliceerdeTabel = { cellen: [[null, null], [null, null]], rijtotalen: [20, 20], kolomtotalen: [25, 15], totaal: 40 };
    expect(valAan(t)).toEqual([]);
    // Knowing the cells of the first column from elsewhere leaves nothing hidden.
    expect(valAan({ ...t, cellen: [[12, null], [13, null]] }).length).toBe(2);
  });
});

describe('suppression on hand-made tables', () => {
  it('one small cell in a column: a second one is hidden with it, the total stays', () => {
    const t = telling([[40], [3], [25], [12]], EENDIMENSIONAAL);
    const b = beschermTabel(t, DREMPEL);
    expect(b.cellen).toEqual([[40], [null], [25], [null]]);
    expect(b.kolomtotalen).toEqual([80]);
    controleer(t, b);
  });

  it('two zeros are not enough (their sum is known to be 0): a third cell goes with them', () => {
    const t = telling([[43], [0], [0]], EENDIMENSIONAAL);
    const b = beschermTabel(t, DREMPEL);
    expect(b.cellen).toEqual([[null], [null], [null]]);
    expect(b.kolomtotalen).toEqual([43]);
    controleer(t, b);
  });

  it('a 2-D table with margins: every line with a hidden cell has another, in a cycle', () => {
    const t = telling([[30, 4, 22], [15, 18, 40], [25, 31, 12]], ALLES);
    const b = beschermTabel(t, DREMPEL);
    expect(b.cellen[0]![1]).toBeNull();
    expect(b.onderdrukt).toBeGreaterThanOrEqual(4);
    expect(b.totaal).toBe(197);
    controleer(t, b);
  });

  it('a small row total is hidden, and protected through the other rows', () => {
    const t = telling([[2, 3], [30, 40], [25, 20]], ALLES);
    const b = beschermTabel(t, DREMPEL);
    expect(b.rijtotalen![0]).toBeNull();
    controleer(t, b);
  });

  it('a fixed total is never a secondary cell: it stays published when it is not small itself', () => {
    const t = telling([[3], [4], [50]], EENDIMENSIONAAL, { kolomtotalen: [true] });
    const b = beschermTabel(t, DREMPEL);
    expect(b.kolomtotalen).toEqual([57]);
    controleer(t, b);
  });

  it('a small population hides everything, totals included', () => {
    const t = telling([[3, 1], [0, 2]], ALLES, { totaal: true });
    const b = beschermTabel(t, DREMPEL);
    expect(b).toMatchObject({ cellen: [[null, null], [null, null]], rijtotalen: [null, null], kolomtotalen: [null, null], totaal: null });
    controleer(t, b);
  });

  it('a magnitude table (minutes) hides by contributors, not by value, and protects the same way', () => {
    const t: Tabelinvoer = {
      waarden: [[5400, 300, 120], [900, 0, 60], [3000, 180, 0]],
      bijdragers: [[40, 3, 12], [15, 0, 11], [25, 14, 0]],
      rijBijdragers: [40, 15, 25], kolomBijdragers: [60, 17, 20], totaalBijdragers: 60,
      publiceer: ALLES,
    };
    const b = beschermTabel(t, DREMPEL);
    expect(b.cellen[0]![0]).toBe(5400);
    expect(b.cellen[0]![1]).toBeNull();
    controleer(t, b);
  });

  it('rows that each sum to a known population (levels per skill): each row protected on its own', () => {
    const t: Tabelinvoer = {
      ...telling([[12, 3, 35], [20, 20, 10], [0, 45, 5]], { rijtotalen: true, kolomtotalen: false, totaal: false }, { rijtotalen: true }),
    };
    const b = beschermTabel(t, DREMPEL);
    expect(b.rijtotalen).toEqual([50, 50, 50]);
    controleer(t, b);
  });
});

/** Random tables: sizes, values mixing zeros, small and large cells, published totals and fixed totals. */
const waarde = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 9 }) }, { weight: 4, arbitrary: fc.integer({ min: 10, max: 60 }) });
const tabel = fc.record({
  R: fc.integer({ min: 2, max: 6 }),
  C: fc.integer({ min: 1, max: 5 }),
  publiceer: fc.record({ rijtotalen: fc.boolean(), kolomtotalen: fc.boolean(), totaal: fc.boolean() }),
  vastTotaal: fc.boolean(),
  vastKolommen: fc.boolean(),
  grootte: fc.constantFrom(1, 1, 1, 25), // sometimes minutes: large values, few contributors
}).chain((s) => fc.record({
  s: fc.constant(s),
  waarden: fc.array(fc.array(waarde, { minLength: s.C, maxLength: s.C }), { minLength: s.R, maxLength: s.R }),
}));

describe('suppression on random tables, against the attacker', () => {
  it('no suppressed cell of any table can be recovered, small cells are hidden, published values are true', () => {
    fc.assert(fc.property(tabel, ({ s, waarden }) => {
      const t = telling(waarden, s.publiceer, { totaal: s.vastTotaal, kolomtotalen: waarden[0]!.map(() => s.vastKolommen) });
      // Minutes: the same contributors, each worth many minutes.
      const invoer: Tabelinvoer = s.grootte === 1 ? t : { ...t, waarden: waarden.map((r) => r.map((v) => v * s.grootte)) };
      const b = beschermTabel(invoer, DREMPEL);
      controleer(invoer, b);
      expect(allesBeschermd(invoer, (i, j) => {
        const R = waarden.length;
        const C = waarden[0]!.length;
        if (i < R && j < C) return b.cellen[i]![j] === null;
        if (i < R) return b.rijtotalen?.[i] === null;
        if (j < C) return b.kolomtotalen?.[j] === null;
        return b.totaal === null;
      })).toBe(true);
    }), { numRuns: 400, seed: 20261213 });
  });

  it('a fixed total another table publishes adds nothing the attacker can use', () => {
    fc.assert(fc.property(tabel, ({ s, waarden }) => {
      const t = telling(waarden, { ...s.publiceer, totaal: true }, { totaal: true });
      const b = beschermTabel(t, DREMPEL);
      const totaal = waarden.flat().reduce((a, x) => a + x, 0);
      // The grand total is published here unless it is small itself; either way, knowing it from elsewhere changes nothing.
      if (totaal >= DREMPEL) expect(b.totaal).toBe(totaal);
      controleer(t, b, totaal >= DREMPEL ? { totaal } : {});
    }), { numRuns: 200, seed: 4242 });
  });
});
