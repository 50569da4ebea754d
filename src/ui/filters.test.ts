import { describe, expect, it } from 'vitest';
import { leesFilters } from './filters.js';

describe('search filters', () => {
  const lijsten = { partijen: ['gemeente-hengelo'], doelen: ['handhaving'], berichttypen: ['aanwezigheid'], gegevenscategorieen: ['belemmeringen-en-uitval'] };
  it('valid filters pass through', () => {
    const r = leesFilters({ trajectId: '0b6f4a52-4c38-4d7c-9f5e-0a7f1c2b3d4e', partij: 'gemeente-hengelo', doel: 'handhaving', berichttype: 'aanwezigheid', besluit: 'geweigerd', gegevenscategorie: 'belemmeringen-en-uitval', vanaf: '2026-01-01', tot: '2026-01-31', limiet: '100' }, lijsten);
    expect(r.fouten).toEqual({});
    expect(r.filters.gegevenscategorie).toBe('belemmeringen-en-uitval');
    expect(r.limiet).toBe(100);
    expect(r.filters.besluit).toBe('geweigerd');
  });
  it('each invalid filter is named', () => {
    const r = leesFilters({ trajectId: 'abc', partij: 'x', doel: 'y', berichttype: 'z', besluit: 'misschien', gegevenscategorie: 'gezondheid', vanaf: '2026-02-30', tot: '2026-01-01', limiet: '7' }, lijsten);
    expect(Object.keys(r.fouten).sort()).toEqual(['berichttype', 'besluit', 'doel', 'gegevenscategorie', 'partij', 'trajectId', 'vanaf']);
    expect(r.limiet).toBe(50);
    expect(leesFilters({ vanaf: '2026-02-01', tot: '2026-01-01' }, lijsten).fouten.tot).toBe('De einddatum ligt voor de begindatum.');
  });
});
