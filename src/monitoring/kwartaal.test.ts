/** The quarter calendar: days, ISO weeks by their Thursday, month sums. */
import { describe, expect, it } from 'vitest';
import { kwartaal, kwartaalVan, maandagVan, plusMaanden, wekenbereik } from './kwartaal.js';

describe('kwartaal', () => {
  it('parses jjjj-Qn and nothing else', () => {
    expect(kwartaal('2026-Q4')).toMatchObject({ jaar: 2026, nummer: 4, van: '2026-10-01', tot: '2026-12-31' });
    expect(kwartaal('2024-Q1')).toMatchObject({ van: '2024-01-01', tot: '2024-03-31' });
    for (const fout of ['2026-Q0', '2026-Q5', '2026-q4', '26-Q4', '2026Q4', ' 2026-Q4', '2026-Q4 ']) expect(kwartaal(fout)).toBeNull();
  });

  it('a week belongs to the quarter of its Thursday: every week in exactly one quarter, 12 to 14 per quarter', () => {
    const q4 = kwartaal('2026-Q4')!;
    expect(q4.weken[0]).toEqual({ index: 0, maandag: '2026-09-28', zondag: '2026-10-04' }); // Thursday 1 October
    expect(q4.weken.at(-1)).toEqual({ index: 13, maandag: '2026-12-28', zondag: '2027-01-03' }); // Thursday 31 December
    expect(wekenbereik(q4)).toEqual({ van: '2026-09-28', tot: '2027-01-03' });
    expect(kwartaal('2027-Q1')!.weken[0]!.maandag).toBe('2027-01-04');
    // Five years of quarters tile the calendar: consecutive, no gaps, no overlaps.
    let vorige: string | null = null;
    for (let j = 2024; j <= 2028; j++) for (let n = 1; n <= 4; n++) {
      const k = kwartaal(`${j}-Q${n}`)!;
      expect([12, 13, 14]).toContain(k.weken.length);
      if (vorige) expect(k.weken[0]!.maandag).toBe(vorige);
      const laatste = k.weken.at(-1)!.zondag;
      vorige = new Date(Date.parse(`${laatste}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    }
  });

  it('month sums clamp to the last day; Mondays; the quarter of a date', () => {
    expect(plusMaanden('2026-11-30', 3)).toBe('2027-02-28');
    expect(plusMaanden('2026-10-05', 3)).toBe('2027-01-05');
    expect(plusMaanden('2027-11-30', 3)).toBe('2028-02-29');
    expect(maandagVan('2026-10-04')).toBe('2026-09-28');
    expect(maandagVan('2026-10-05')).toBe('2026-10-05');
    expect(kwartaalVan('2026-11-20').id).toBe('2026-Q4');
  });
});
