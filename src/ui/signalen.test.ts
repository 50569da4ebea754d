import { describe, expect, it } from 'vitest';
import { signaleer } from './signalen.js';

const rij = (week: string, gelezen: number, geweigerd = 0, partij = 'werkshop', doel = 'bemiddeling', invoerfouten = 0) =>
  ({ week, partij, doel, actie: 'berichten-lezen', gelezen, geweigerd, invoerfouten });

describe('what makes a week unusual', () => {
  it('a refusal is flagged; a week without one is not', () => {
    const [w2, w1] = signaleer([rij('2026-W01', 3), rij('2026-W02', 3, 2)]);
    expect(w2!.week).toBe('2026-W02'); // newest first
    expect(w2!.signalen.map((s) => s.soort)).toEqual(['weigeringen']);
    expect(w2!.signalen[0]!.tekst).toBe('2 geweigerde pogingen (berichten lezen)');
    expect(w1!.signalen).toEqual([]);
  });

  it('a read count far above the usual is flagged; ordinary variation is not', () => {
    const rows = signaleer([rij('2026-W01', 4), rij('2026-W02', 5), rij('2026-W03', 6), rij('2026-W04', 30), rij('2026-W05', 8)]);
    const byWeek = Object.fromEntries(rows.map((r) => [r.week, r.signalen.map((s) => s.soort)]));
    expect(byWeek['2026-W04']).toEqual(['piek']);
    expect(byWeek['2026-W05']).toEqual([]); // 8 against a median of 5.5: not twice
    expect(byWeek['2026-W03']).toEqual([]);
  });

  it('no peak without a baseline of at least two other weeks, and not for tiny numbers', () => {
    expect(signaleer([rij('2026-W01', 1), rij('2026-W02', 40)]).flatMap((r) => r.signalen)).toEqual([]);
    expect(signaleer([rij('2026-W01', 1), rij('2026-W02', 1), rij('2026-W03', 4)]).flatMap((r) => r.signalen)).toEqual([]);
  });

  it('a party reading for a doel for the first time in the period is flagged, unless it is the first week shown', () => {
    const rows = signaleer([rij('2026-W01', 2, 0, 'gemeente-hengelo', 'handhaving'), rij('2026-W02', 2, 0, 'gemeente-hengelo', 'handhaving'), rij('2026-W02', 3)]);
    const nieuw = rows.filter((r) => r.signalen.some((s) => s.soort === 'nieuw'));
    expect(nieuw.map((r) => [r.week, r.partij])).toEqual([['2026-W02', 'werkshop']]);
  });

  it('a party\'s own input errors are not flagged as refusals', () => {
    const [w] = signaleer([rij('2026-W02', 3, 0, 'werkshop', 'bemiddeling', 7)]);
    expect(w!.signalen).toEqual([]);
  });
});
