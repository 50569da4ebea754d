/**
 * Properties of the incremental state over generated message streams (fast-check):
 * - five years of weekly messages (260) keep the state small and its week lists bounded;
 * - applying a message again, at once or anywhere later, changes nothing (idempotent per berichtId);
 * - a period re-reported later by the same provider replaces the first report: the state equals
 *   the one in which only the re-report was ever sent;
 * - a projection never holds a field of a category that was not allowed, and categories that the
 *   state does not use add nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, plaatsing, taalvoortgang, weekMetLessen, type Les, type LesStatus } from '../../test/support/signaalberichten.js';
import { projectStand } from './project.js';
import { applyBericht, BEWAARDE_MIJLPALEN, BEWAARDE_PLAATSINGEN, BEWAARDE_WEKEN, emptyStand, type Bericht } from './stand.js';

const AANBIEDERS = ['roc-van-twente', 'werkshop'] as const;
const STATUSSEN: LesStatus[] = ['aanwezig', 'te-laat', 'geoorloofd-afwezig', 'ongeoorloofd-afwezig', 'ziek', 'afwezig', 'vervallen', 'onbekend'];
const START = '2022-01-03';
const T0 = Date.parse('2022-01-01T00:00:00.000Z');
const at = (i: number) => new Date(T0 + i * 3_600_000).toISOString();

type Spec =
  | { kind: 'week'; aanbieder: number; week: number; lessen: Les[] }
  | { kind: 'taal'; niveau: number; dag: number; mijlpaal: boolean }
  | { kind: 'plaatsing'; id: number; stap: number };

const lesArb = fc.record({ status: fc.constantFrom(...STATUSSEN), minuten: fc.integer({ min: 30, max: 240 }), activiteit: fc.constantFrom('formele-taalles', 'werkplek', 'conversatieles' as const) }) as fc.Arbitrary<Les>;
const specArb = (weken: number): fc.Arbitrary<Spec> => fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('week' as const), aanbieder: fc.integer({ min: 0, max: 1 }), week: fc.integer({ min: 0, max: weken - 1 }), lessen: fc.array(lesArb, { minLength: 1, maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('taal' as const), niveau: fc.integer({ min: 0, max: 4 }), dag: fc.integer({ min: 0, max: 7 * weken }), mijlpaal: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('plaatsing' as const), id: fc.integer({ min: 0, max: BEWAARDE_PLAATSINGEN - 4 }), stap: fc.integer({ min: 0, max: 2 }) }) },
);

const NIVEAUS = ['A1', 'A1/A2', 'A2', 'A2/B1', 'B1'] as const;

/** Turn a spec into a valid message, received at hour `i` of the stream. */
function build(spec: Spec, i: number): Bericht {
  const meta = { berichtId: `b${String(i).padStart(5, '0')}`, ontvangenOp: at(i) };
  switch (spec.kind) {
    case 'week':
      return weekMetLessen({ ...meta, afzender: AANBIEDERS[spec.aanbieder], van: addDays(START, 7 * spec.week) }, spec.lessen);
    case 'taal': {
      const peildatum = addDays(START, spec.dag);
      const niveau = NIVEAUS[spec.niveau]!;
      return taalvoortgang(meta, {
        leerroute: 'B1',
        niveaus: [{ vaardigheid: 'lezen', niveau, peildatum, vastgesteldMet: 'toets' }],
        ...(spec.mijlpaal && !niveau.includes('/') ? { mijlpaal: { soort: 'niveau-behaald' as const, niveau: niveau as 'A1', vaardigheden: ['lezen' as const], datum: peildatum } } : {}),
      });
    }
    case 'plaatsing': {
      const status = (['gestart', 'gewijzigd', 'beeindigd'] as const)[spec.stap]!;
      return plaatsing(meta, {
        plaatsingId: `P${spec.id}`, status, startdatum: addDays(START, spec.id),
        ...(status === 'gewijzigd' ? { wijzigingsreden: 'uitbreiding' as const } : {}),
        ...(status === 'beeindigd' ? { einddatum: addDays(START, spec.id + 30), eindreden: 'afgerond' as const } : {}),
      });
    }
  }
}

const fold = (berichten: readonly Bericht[]) => berichten.reduce(applyBericht, emptyStand());

describe('stand properties', () => {
  it('stays bounded over 260 weekly messages per provider (five years)', () => {
    fc.assert(fc.property(fc.array(lesArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 1 }), (lessen, extra) => {
      let s = emptyStand();
      let i = 0;
      let sizeAfterYear = 0; // at the end of year three
      for (let w = 0; w < 260; w++) {
        for (const aanbieder of AANBIEDERS) s = applyBericht(s, weekMetLessen({ berichtId: `w${i}`, ontvangenOp: at(i++), afzender: aanbieder, van: addDays(START, 7 * w) }, lessen));
        if (w % 4 === extra) {
          s = applyBericht(s, taalvoortgang({ berichtId: `t${i}`, ontvangenOp: at(i++) }, {
            leerroute: 'B1', niveaus: [{ vaardigheid: 'lezen', niveau: 'A2', peildatum: addDays(START, 7 * w), vastgesteldMet: 'toets' }],
            mijlpaal: { soort: 'niveau-behaald', niveau: 'A2', vaardigheden: ['lezen'], datum: addDays(START, 7 * w) },
          }));
        }
        if (w % 13 === 0) {
          s = applyBericht(s, plaatsing({ berichtId: `p${i}`, ontvangenOp: at(i++) }, { plaatsingId: `P${w}`, status: 'beeindigd', startdatum: addDays(START, 7 * w), einddatum: addDays(START, 7 * w + 20), eindreden: 'afgerond' }));
        }
        if (w === 155) sizeAfterYear = JSON.stringify(s).length; // every window is full by year three
      }
      for (const a of Object.values(s.aanwezigheid)) expect(a.weken).toHaveLength(BEWAARDE_WEKEN);
      expect(s.mijlpalen.length).toBeLessThanOrEqual(BEWAARDE_MIJLPALEN);
      expect(s.plaatsingen.length).toBeLessThanOrEqual(BEWAARDE_PLAATSINGEN);
      const size = JSON.stringify(s).length;
      expect(size).toBeLessThan(16_000);
      // Not growing with history: year five is no bigger than year three (same shape, full windows).
      expect(size).toBeLessThanOrEqual(sizeAfterYear + 200);
    }), { numRuns: 8 });
  });

  it('is idempotent per berichtId: a message applied again, at once or anywhere later, changes nothing', () => {
    fc.assert(fc.property(
      fc.array(specArb(12), { minLength: 1, maxLength: 40 }),
      fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 15 }),
      (specs, dups) => {
        const berichten = specs.map(build);
        const once = fold(berichten);
        // Each message twice in a row.
        expect(fold(berichten.flatMap((b) => [b, b]))).toEqual(once);
        // Re-deliveries of earlier messages inserted later in the stream.
        const stream = [...berichten];
        for (const [which, where] of dups) {
          const i = which % berichten.length;
          const pos = i + 1 + (where % (stream.length - i));
          stream.splice(Math.min(pos, stream.length), 0, berichten[i]!);
        }
        expect(fold(stream)).toEqual(once);
      },
    ), { numRuns: 60 });
  });

  it('a period re-reported later by the same provider replaces the first report instead of adding to it', () => {
    fc.assert(fc.property(
      fc.array(specArb(12), { minLength: 1, maxLength: 30 }),
      fc.nat(),
      fc.array(lesArb, { minLength: 1, maxLength: 5 }),
      (specs, pick, lessen) => {
        const weeks = specs.map((s, i) => [s, i] as const).filter(([s]) => s.kind === 'week');
        fc.pre(weeks.length > 0);
        const [target, index] = weeks[pick % weeks.length]!;
        const berichten = specs.map(build);
        const original = berichten[index]!;
        const n = specs.length;
        // The correction: same provider and period, new content, received after everything else.
        const correctie = { ...build({ ...(target as Extract<Spec, { kind: 'week' }>), lessen }, n), berichtId: 'correctie' } as Bericht;
        const withCorrection = fold([...berichten, correctie]);
        // Only the correction was ever sent (in place of the original, and of any other report of that period).
        const sameWeek = (b: Bericht) => b.berichttype === 'aanwezigheid' && b.afzender === original.afzender && b.inhoud.periode.van === (original.inhoud as any).periode.van;
        const onlyCorrection = fold([...berichten.filter((b) => !sameWeek(b)), correctie]);
        expect(withCorrection).toEqual(onlyCorrection);
        const weken = withCorrection.aanwezigheid[original.afzender]!.weken;
        const periods = weken.map((w) => `${w.van}/${w.tot}`);
        expect(new Set(periods).size).toBe(periods.length);
      },
    ), { numRuns: 60 });
  });

  const CATEGORIEEN = ['deelname', 'verzuim', 'taalniveau', 'examenresultaten', 'didactische-toelichting', 'participatievorm', 'participatierooster', 'werkgever', 'belemmeringen-en-uitval'];
  /** Field names that only a category's part of the state has. */
  const ONLY: Record<string, string[]> = {
    // "aanwezigheid" is also the name of the attendance part and of a message type; as a rate it is a number.
    deelname: ['"gepland"', '"aanwezig"', '"ziek"', '"ongeoorloofdAfwezig"', '"ongeoorloofd"', '"aanwezigheid":0', '"aanwezigheid":1', '"aanwezigheid":null'],
    verzuim: ['"ongeoorloofdeLessen"'],
    taalniveau: ['"niveaus"', '"streefniveaus"', '"mijlpalen"', '"leerroute"'],
    examenresultaten: ['"examens"', '"uitslag"'],
    participatievorm: ['"plaatsingId"', '"vorm"', '"sector"', '"status"'],
    participatierooster: ['"urenPerWeek"', '"startdatum"', '"einddatum"', '"nazorg"'],
  };

  it('a projection holds no field of a category that was not allowed', () => {
    fc.assert(fc.property(fc.array(specArb(12), { minLength: 1, maxLength: 30 }), fc.subarray(CATEGORIEEN), (specs, allowed) => {
      const stand = fold(specs.map(build));
      const json = JSON.stringify(projectStand(stand, allowed));
      for (const [cat, fields] of Object.entries(ONLY)) {
        if (allowed.includes(cat)) continue;
        // "vorm" is also the form of nazorg, "status" only of placements: both need a placement category.
        for (const f of fields) if (!(f === '"vorm"' && allowed.includes('participatierooster'))) expect(json, `${f} without ${cat}`).not.toContain(f);
      }
      // Categories the state has no part for add nothing.
      const used = allowed.filter((c) => !['didactische-toelichting', 'werkgever', 'belemmeringen-en-uitval'].includes(c));
      expect(projectStand(stand, allowed)).toEqual(projectStand(stand, used));
    }), { numRuns: 100 });
  });
});
