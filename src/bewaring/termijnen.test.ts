/**
 * The retention rule, pure: calendar arithmetic of ISO 8601 terms, which doelen count for a type
 * (from the shipped register and rules), from when each term runs, the last day kept and the first
 * day removed, consent records' own period, and the candidate bound the purge gives the store.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config.js';
import { loadPolicies } from '../policy/load.js';
import { loadSchemas } from '../schemas/registry.js';
import { beoordeelBericht, beoordeelToestemming, bewaarregels, eindeGrens, minDuur, nederlandseDatum, plusDagen, plusDuur } from './termijnen.js';

const root = projectRoot();
const set = loadPolicies(path.join(root, 'policies'), loadSchemas(path.join(root, 'schemas')));
const regels = bewaarregels(set);

describe('calendar arithmetic of ISO 8601 terms', () => {
  it.each([
    ['2026-03-15', 'P5Y', '2031-03-15'],
    ['2024-02-29', 'P1Y', '2025-02-28'], // a month end clamps
    ['2024-01-31', 'P1M', '2024-02-29'],
    ['2025-01-31', 'P1M', '2025-02-28'],
    ['2026-12-20', 'P2W', '2027-01-03'],
    ['2026-06-30', 'P1Y6M', '2027-12-30'],
    ['2026-06-30', 'P18M', '2027-12-30'],
    ['2026-06-30', 'P10D', '2026-07-10'],
  ])('%s + %s = %s', (datum, duur, uit) => {
    expect(plusDuur(datum, duur)).toBe(uit);
  });

  it('minus is the inverse where no month end clamps', () => {
    expect(minDuur('2031-03-15', 'P5Y')).toBe('2026-03-15');
    expect(minDuur('2026-07-10', 'P10D')).toBe('2026-06-30');
    expect(() => plusDuur('2026-01-01', 'vijf jaar')).toThrow();
  });

  it('dates are Dutch calendar dates: late in the evening UTC is the next day in winter and summer', () => {
    expect(nederlandseDatum('2026-03-15T23:30:00.000Z')).toBe('2026-03-16');
    expect(nederlandseDatum('2026-07-15T22:30:00.000Z')).toBe('2026-07-16');
    expect(nederlandseDatum('2026-07-15T21:30:00.000Z')).toBe('2026-07-15');
  });
});

describe('which terms count for a message type (shipped register and rules)', () => {
  it('every doel whose rules can read the type, whatever the regime; an aggregates-only doel never', () => {
    expect(regels.termijnen('taalvoortgang')).toEqual([
      { doel: 'bemiddeling', bewaartermijn: 'P2Y', vanaf: 'ontvangst' },
      { doel: 'trajectbegeleiding', bewaartermijn: 'P5Y', vanaf: 'einde-traject' },
      { doel: 'trajectbegeleiding-wi2013', bewaartermijn: 'P5Y', vanaf: 'einde-traject' },
    ]);
    // cbs-verantwoording (issue 13's CBS delivery) reads attendance too, for one year after the end: the longest term still wins.
    expect(regels.termijnen('aanwezigheid').map((t) => t.doel)).toEqual(['cbs-verantwoording', 'handhaving', 'trajectbegeleiding', 'trajectbegeleiding-wi2013']);
    expect(regels.termijnen('plaatsing').map((t) => `${t.doel} ${t.bewaartermijn} ${t.vanaf}`)).toEqual([
      'lesafstemming P1Y ontvangst', 'trajectbegeleiding P5Y einde-traject', 'trajectbegeleiding-wi2013 P5Y einde-traject',
    ]);
    expect(regels.termijnen('besluit').map((t) => t.doel)).toEqual(['knelpunt-opvolging', 'trajectbegeleiding']);
    for (const type of ['aanwezigheid', 'taalvoortgang', 'plaatsing', 'knelpunt', 'besluit', 'plan']) {
      expect(regels.termijnen(type).map((t) => t.doel)).not.toContain('monitoring');
    }
  });

  it('with the shipped register no type can go while its trajectory runs; a type no rule reads keeps the longest term from the end', () => {
    expect(regels.alleenNaOntvangst).toEqual([]);
    expect(regels.kortsteNaEinde).toBe('P1Y'); // cbs-verantwoording: the earliest moment any term from the end can pass
    expect(regels.termijnen('onbekend-type')).toEqual([{ doel: '(register)', bewaartermijn: 'P7Y', vanaf: 'einde-traject' }]);
  });
});

describe('a message: last day kept, first day removed', () => {
  const bericht = { berichttype: 'aanwezigheid', ontvangenOp: '2025-01-06T09:00:00.000Z' };

  it('while the trajectory runs a term from its end has not started: never removed', () => {
    const o = beoordeelBericht(regels, bericht, { afgeslotenOp: null }, '2099-01-01');
    expect(o).toMatchObject({ verstreken: false, laatsteDag: null });
  });

  it('closed: kept up to and including the end + 5 years, removed from the next day', () => {
    const traject = { afgeslotenOp: '2026-03-15T10:00:00.000Z' };
    expect(beoordeelBericht(regels, bericht, traject, '2031-03-15')).toMatchObject({ verstreken: false, laatsteDag: '2031-03-15' });
    expect(beoordeelBericht(regels, bericht, traject, '2031-03-16')).toMatchObject({ verstreken: true, laatsteDag: '2031-03-15' });
  });

  it('the end is the Dutch date of closing; a message received after the end counts from its receipt', () => {
    expect(beoordeelBericht(regels, bericht, { afgeslotenOp: '2026-03-15T23:30:00.000Z' }, '2031-03-16').verstreken).toBe(false);
    const nazorg = { berichttype: 'plaatsing', ontvangenOp: '2026-09-01T08:00:00.000Z' };
    expect(beoordeelBericht(regels, nazorg, { afgeslotenOp: '2026-03-15T10:00:00.000Z' }, '2031-03-16')).toMatchObject({ verstreken: false, laatsteDag: '2031-09-01' });
  });

  it('the longest term wins: a term from receipt that passed keeps nothing alive by itself', () => {
    const o = beoordeelBericht(regels, { berichttype: 'taalvoortgang', ontvangenOp: '2020-01-10T09:00:00.000Z' }, { afgeslotenOp: '2021-06-30T12:00:00.000Z' }, '2026-07-01');
    expect(o.termijnen.map((t) => `${t.doel}:${t.laatsteDag}`)).toEqual(['bemiddeling:2022-01-10', 'trajectbegeleiding:2026-06-30', 'trajectbegeleiding-wi2013:2026-06-30']);
    expect(o).toMatchObject({ verstreken: true, laatsteDag: '2026-06-30' });
  });

  it('a register where a type is read only under a doel counted from receipt: it goes while the trajectory runs', () => {
    const r = bewaarregels({ doelen: set.doelen, regels: set.regels.filter((x) => x.id === 'lezen-lesafstemming') });
    expect(r.alleenNaOntvangst).toEqual(['plaatsing']);
    const p = { berichttype: 'plaatsing', ontvangenOp: '2026-02-01T09:00:00.000Z' };
    expect(beoordeelBericht(r, p, { afgeslotenOp: null }, '2027-02-01').verstreken).toBe(false);
    expect(beoordeelBericht(r, p, { afgeslotenOp: null }, '2027-02-02').verstreken).toBe(true);
  });
});

describe('a consent record: its own period', () => {
  it('a doel counted from receipt: its term from the day the consent ended (withdrawn, or geldigTot)', () => {
    const c = { doel: 'lesafstemming', geldigTot: '2027-06-30', ingetrokkenOp: '2026-05-01T10:00:00.000Z' };
    expect(beoordeelToestemming(regels, c, { afgeslotenOp: null }, '2027-05-01')).toMatchObject({ verstreken: false, laatsteDag: '2027-05-01' });
    expect(beoordeelToestemming(regels, c, { afgeslotenOp: null }, '2027-05-02').verstreken).toBe(true);
    expect(beoordeelToestemming(regels, { ...c, ingetrokkenOp: null }, { afgeslotenOp: null }, '2028-06-30').verstreken).toBe(false);
    expect(beoordeelToestemming(regels, { ...c, ingetrokkenOp: null }, { afgeslotenOp: null }, '2028-07-01').verstreken).toBe(true);
  });

  it('a doel counted from the end: kept while the trajectory runs, then from the later of its end and the trajectory\'s', () => {
    const c = { doel: 'trajectbegeleiding-wi2013', geldigTot: '2027-12-31', ingetrokkenOp: null };
    expect(beoordeelToestemming(regels, c, { afgeslotenOp: null }, '2099-01-01').verstreken).toBe(false);
    expect(beoordeelToestemming(regels, c, { afgeslotenOp: '2026-06-01T10:00:00.000Z' }, '2033-01-01')).toMatchObject({ verstreken: true, laatsteDag: '2032-12-31' });
    expect(beoordeelToestemming(regels, c, { afgeslotenOp: '2028-06-01T10:00:00.000Z' }, '2033-01-01')).toMatchObject({ verstreken: false, laatsteDag: '2033-06-01' });
  });

  it('a doel no longer in the register: the register\'s longest term', () => {
    expect(beoordeelToestemming(regels, { doel: 'weg', geldigTot: '2020-01-01', ingetrokkenOp: null }, { afgeslotenOp: '2020-01-01T10:00:00.000Z' }, '2026-12-31')).toMatchObject({ verstreken: false, laatsteDag: '2027-01-01' });
  });
});

describe('the candidate bound the store gets', () => {
  it('every closed trajectory holding a message due today was closed before the bound', () => {
    let gezien = 0;
    for (let i = 0; i < 1500; i++) {
      const vandaag = plusDagen('2030-01-01', i);
      const grens = eindeGrens(regels, vandaag)!;
      // Closed a few days around the last moment that can already be due.
      for (const uur of ['00:10', '11:00', '22:50', '23:50']) {
        for (const terug of [-3, -2, -1, 0, 1]) {
          const afgeslotenOp = `${plusDagen(minDuur(vandaag, 'P5Y'), terug)}T${uur}:00.000Z`;
          if (beoordeelBericht(regels, { berichttype: 'aanwezigheid', ontvangenOp: '2020-01-01T00:00:00.000Z' }, { afgeslotenOp }, vandaag).verstreken) {
            gezien += 1;
            expect(afgeslotenOp < grens, `${vandaag} ${afgeslotenOp}`).toBe(true);
          }
        }
      }
    }
    expect(gezien).toBeGreaterThan(1500);
  });
});
