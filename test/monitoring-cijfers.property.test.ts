/**
 * The suppression attack on whole answers (issue 13): random quarters of a gemeente — trajectories,
 * attendance, levels, exams, placements, closings, assignments and reported weeks, skewed so that
 * both large and small cells occur — go through `kwartaalcijfers`, and the attacker
 * (test/support/aanvaller.ts) attacks every table with every total any OTHER table published about
 * the same population. It fails when it recovers one suppressed cell, when a shared total is
 * published in one table and hidden in another, when a small cell shows, or when anything
 * person-level (a trajectory id) is in the answer.
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { codelijsten } from '../src/monitoring/codelijsten.js';
import { kwartaalcijfers, type Cijferinvoer } from '../src/monitoring/cijfers.js';
import { kwartaal } from '../src/monitoring/kwartaal.js';
import { loadSchemas } from '../src/schemas/registry.js';
import { valAntwoordAan } from './support/aanvaller.js';

const codes = codelijsten(loadSchemas(path.join(projectRoot(), 'schemas')));
const Q4 = kwartaal('2026-Q4')!;
const DREMPEL = 10;

/** Mostly the first codes of a list (big cells), sometimes any (small ones). */
const scheef = (lijst: readonly string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...lijst.slice(0, 2)) }, { weight: 1, arbitrary: fc.constantFrom(...lijst) });
const datum = (van: string, tot: string) => fc.date({ min: new Date(`${van}T00:00:00Z`), max: new Date(`${tot}T00:00:00Z`), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

const traject = fc.record({
  leerroute: scheef(codes.leerroute), regime: scheef(codes.regime), startdatum: datum('2026-06-01', '2026-12-31'),
  gesloten: fc.option(datum('2026-09-15', '2027-01-10'), { nil: null, freq: 3 }), afsluitreden: scheef(codes.afsluitreden),
  uitkomst: fc.option(fc.record({ inburgeringsplichtBehaald: scheef(codes.indicatie), vervolg: fc.uniqueArray(scheef(codes.vervolg), { minLength: 1, maxLength: 2 }) }), { nil: null }),
  aanwezigheid: fc.array(fc.record({ activiteit: scheef(codes.activiteit), gepland: fc.integer({ min: 0, max: 600 }), delen: fc.array(fc.nat({ max: 100 }), { minLength: 6, maxLength: 6 }) }), { maxLength: 2 }),
  eersteAanwezigheid: fc.option(datum('2026-09-01', '2027-03-31'), { nil: null }),
  eerstePlaatsing: fc.option(datum('2026-09-01', '2027-03-31'), { nil: null, freq: 3 }),
  niveaus: fc.array(fc.tuple(fc.constantFrom(...codes.vaardigheid), scheef(codes.taalniveau)), { maxLength: 5 }),
  examens: fc.array(fc.tuple(fc.constantFrom(...codes.examenonderdeel), scheef(codes.examenuitslag)), { maxLength: 3 }),
  knelpunten: fc.uniqueArray(scheef(codes.knelpunt), { maxLength: 3 }),
  plaatsingen: fc.array(fc.record({ vorm: scheef(codes.participatievorm), status: scheef(codes.plaatsingsstatus), startdatum: datum('2026-08-01', '2027-01-31'), einddatum: datum('2026-08-01', '2027-02-28'), eindreden: scheef(codes.eindreden) }), { maxLength: 2 }),
  toewijzingen: fc.subarray(['roc-van-twente', 'taalschool-oost', 'werkshop']),
  vanaf: datum('2026-08-01', '2026-12-31'),
  masker: fc.integer({ min: 0, max: (1 << Q4.weken.length) - 1 }),
});

type Rij = typeof traject extends fc.Arbitrary<infer T> ? T : never;

function invoer(rijen: Rij[]): Cijferinvoer {
  const id = (i: number) => `traject-${i}`;
  return {
    kwartaal: Q4, gemeente: 'gemeente-hengelo', vandaag: '2027-01-12', drempel: DREMPEL, codes, datum: (t) => t.slice(0, 10),
    aanbieders: [{ id: 'roc-van-twente', naam: 'ROC van Twente' }, { id: 'taalschool-oost', naam: 'Taalschool Oost' }, { id: 'werkshop', naam: 'Werkshop' }],
    trajecten: rijen.map((r, i) => ({
      trajectId: id(i), leerroute: r.leerroute, regime: r.regime, doelgroep: 'onbekend', startdatum: r.startdatum,
      afgeslotenOp: r.gesloten ? `${r.gesloten}T12:00:00.000Z` : null, afsluitreden: r.gesloten ? r.afsluitreden : null,
      afsluituitkomst: r.gesloten && r.uitkomst ? JSON.stringify(r.uitkomst) : null,
    })),
    aanwezigheid: rijen.flatMap((r, i) => [...new Map(r.aanwezigheid.map((a) => [a.activiteit, a])).values()].map((a) => {
      const [aanwezig, teLaat, geoorloofd, ongeoorloofd, ziek, onbekend] = a.delen.map((d) => Math.floor((d / 600) * a.gepland)) as [number, number, number, number, number, number];
      const rest = Math.max(0, a.gepland - aanwezig - teLaat - geoorloofd - ongeoorloofd - ziek - onbekend);
      return { trajectId: id(i), activiteit: a.activiteit, gepland: aanwezig + teLaat + geoorloofd + ongeoorloofd + ziek + onbekend + rest, aanwezig, teLaat, vroegVertrokken: 0, geoorloofdAfwezig: geoorloofd, ongeoorloofdAfwezig: ongeoorloofd, ziek, afwezig: rest, vervallen: 0, onbekend };
    })),
    eersteDeelname: rijen.map((r, i) => ({ trajectId: id(i), startdatum: r.startdatum, eersteAanwezigheid: r.eersteAanwezigheid, eerstePlaatsing: r.eerstePlaatsing }))
      .filter((r) => r.startdatum >= Q4.van && r.startdatum <= Q4.tot),
    niveaus: rijen.flatMap((r, i) => [...new Map(r.niveaus).entries()].map(([vaardigheid, niveau]) => ({ trajectId: id(i), vaardigheid, niveau }))),
    examens: rijen.flatMap((r, i) => [...new Map(r.examens).entries()].map(([onderdeel, uitslag]) => ({ trajectId: id(i), onderdeel, uitslag }))),
    knelpunten: rijen.flatMap((r, i) => r.knelpunten.map((code) => ({ trajectId: id(i), code }))),
    plaatsingen: rijen.flatMap((r, i) => r.plaatsingen.map((p, j) => ({
      trajectId: id(i), afzender: 'werkshop', plaatsingId: `P-${j}`, vorm: p.vorm, status: p.status, startdatum: p.startdatum,
      einddatum: ['beeindigd', 'uitgevallen'].includes(p.status) ? p.einddatum : null, eindreden: ['beeindigd', 'uitgevallen'].includes(p.status) ? p.eindreden : null,
    }))),
    toewijzingen: rijen.flatMap((r, i) => r.toewijzingen.map((partij) => ({
      trajectId: id(i), partij, rol: partij === 'werkshop' ? ('participatie' as const) : ('taal' as const), vanaf: r.vanaf, tot: null, beeindigdOp: r.gesloten ? `${r.gesloten}T12:00:00.000Z` : null,
    }))),
    gemeldeWeken: rijen.flatMap((r, i) => r.toewijzingen.map((partij) => ({ trajectId: id(i), afzender: partij, masker: r.masker }))),
  };
}

describe('the attacker on whole answers', () => {
  it('uses a total another table published about the same population, and reports a total published in one table and hidden in another', () => {
    const a = { id: 'a', cellen: [[null], [40]], kolommen: { codes: ['aantal'] }, kolomtotalen: [null], gedeeld: [{ populatie: 'p', cel: 'kolomtotaal' as const, code: 'aantal' }] };
    const b = { id: 'b', cellen: [[20, 23]], kolommen: { codes: ['x', 'y'] }, rijtotalen: [43], kolomtotalen: [20, 23], totaal: 43, gedeeld: [{ populatie: 'p', cel: 'totaal' as const }] };
    expect(valAntwoordAan([a])).toEqual({ onthullingen: [], inconsistent: [] });
    const { onthullingen, inconsistent } = valAntwoordAan([a, b]);
    expect(onthullingen).toContainEqual({ tabel: 'a', rij: 0, kolom: 0, waarde: 3, methode: 'lineair' });
    expect(inconsistent).toEqual(['p']);
  });
});

describe('the figures of random quarters, against the attacker', () => {
  it('no suppressed cell of any table can be recovered, shared totals agree, nothing person-level leaves', () => {
    let getoond = 0;
    let onderdrukt = 0;
    fc.assert(fc.property(fc.oneof(fc.array(traject, { maxLength: 12 }), fc.array(traject, { minLength: 60, maxLength: 140 })), (rijen) => {
      const c = kwartaalcijfers(invoer(rijen));
      const { onthullingen, inconsistent } = valAntwoordAan(c.tabellen);
      expect(onthullingen).toEqual([]);
      expect(inconsistent).toEqual([]);
      expect(JSON.stringify(c)).not.toMatch(/traject-\d/);
      for (const t of c.tabellen) {
        onderdrukt += t.onderdrukt;
        for (const rij of t.cellen) for (const v of rij) if (v !== null) getoond++;
        // A count cell that shows is never small (minutes and weeks are magnitudes: their contributors decide).
        if (t.eenheid === 'trajecten') for (const v of [...t.cellen.flat(), ...(t.rijtotalen ?? []), ...(t.kolomtotalen ?? []), t.totaal ?? null]) if (v !== null) expect(v).toBeGreaterThanOrEqual(DREMPEL);
      }
    }), { numRuns: 30, seed: 13 });
    // The runs exercised both outcomes.
    expect(getoond).toBeGreaterThan(100);
    expect(onderdrukt).toBeGreaterThan(100);
  });
});
