/**
 * Properties of signal evaluation over generated streams of messages, scheduler ticks and closings
 * (fast-check), with the real rules of policies/signalen.json:
 * - never two open signals of one kind on a trajectory (per provider where the kind is per provider),
 *   and at most one decision per kind and provider per evaluation;
 * - evaluating the same message again, once its decisions are applied, decides nothing;
 * - a signal carries only its rule's codes, and its message ids are ids of messages of the stream.
 */
import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config.js';
import { loadPolicies } from '../policy/load.js';
import { addDays, plaatsing, schemas, taalvoortgang, weekMetLessen, type Les } from '../../test/support/signaalberichten.js';
import { applyBericht, emptyStand, type Bericht } from '../stand/stand.js';
import { afhandelen, evaluateSignalen, type SignaalBesluit, type Toewijzing } from './evaluate.js';
import { loadSignaalregels } from './load.js';
import type { Signaal } from './types.js';

const root = projectRoot();
const regels = loadSignaalregels(path.join(root, 'policies'), loadPolicies(path.join(root, 'policies'), schemas), schemas).regels;
const perAanbieder = new Map(regels.map((r) => [r.id, r.perAanbieder]));
const TRAJECT = '5d0c9a3e-4f6b-4c8e-9a57-2f1e7b3c6d10';
const START = '2026-09-07';
const T0 = Date.parse(`${START}T00:00:00.000Z`);
const TOEWIJZINGEN: Toewijzing[] = [
  { partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-09-01', tot: null, beeindigdOp: null },
  { partij: 'werkshop', rol: 'participatie', vanaf: '2026-09-01', tot: '2027-03-01', beeindigdOp: null },
];

type Stap =
  | { kind: 'week'; door: 0 | 1; week: number; lessen: Les[] }
  | { kind: 'taal'; niveau: 0 | 1 | 2; mijlpaal: 0 | 1 | 2 }
  | { kind: 'plaatsing'; id: 0 | 1; status: 0 | 1 | 2 | 3; betaald: boolean; nazorg: 0 | 1 | 2 }
  | { kind: 'planner' }
  | { kind: 'afhandelen'; welke: number };

const lesArb = fc.record({ status: fc.constantFrom('aanwezig', 'ongeoorloofd-afwezig', 'ziek', 'geoorloofd-afwezig' as const), minuten: fc.integer({ min: 30, max: 300 }) }) as fc.Arbitrary<Les>;
const stapArb: fc.Arbitrary<Stap> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('week' as const), door: fc.constantFrom(0 as const, 1 as const), week: fc.integer({ min: 0, max: 20 }), lessen: fc.array(lesArb, { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('taal' as const), niveau: fc.constantFrom(0 as const, 1 as const, 2 as const), mijlpaal: fc.constantFrom(0 as const, 1 as const, 2 as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('plaatsing' as const), id: fc.constantFrom(0 as const, 1 as const), status: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const), betaald: fc.boolean(), nazorg: fc.constantFrom(0 as const, 1 as const, 2 as const) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'planner' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('afhandelen' as const), welke: fc.nat() }) },
);

const NIVEAUS = ['A1', 'A2', 'B1'] as const;

function bericht(stap: Stap, i: number, now: string): Bericht | null {
  const meta = { berichtId: `b${i}`, ontvangenOp: now };
  switch (stap.kind) {
    case 'week':
      return weekMetLessen({ ...meta, afzender: stap.door === 0 ? 'roc-van-twente' : 'werkshop', van: addDays(START, 7 * stap.week) }, stap.lessen);
    case 'taal': {
      const niveau = NIVEAUS[stap.niveau];
      const datum = now.slice(0, 10);
      return taalvoortgang(meta, {
        leerroute: 'B1', niveaus: [{ vaardigheid: 'spreken', niveau, peildatum: datum, vastgesteldMet: 'toets' }],
        ...(stap.mijlpaal ? { mijlpaal: { soort: stap.mijlpaal === 1 ? 'niveau-behaald' as const : 'streefniveau-behaald' as const, niveau, vaardigheden: ['spreken' as const], datum: START } } : {}),
      });
    }
    case 'plaatsing': {
      const status = (['gestart', 'gewijzigd', 'beeindigd', 'uitgevallen'] as const)[stap.status];
      return plaatsing(meta, {
        plaatsingId: `P${stap.id}`, status, vorm: stap.betaald ? 'betaald-werk' : 'stage',
        ...(status === 'gewijzigd' ? { wijzigingsreden: 'uitbreiding' as const } : {}),
        ...(status === 'beeindigd' || status === 'uitgevallen' ? { einddatum: '2027-01-31', eindreden: status === 'uitgevallen' ? 'gezondheid' as const : 'afgerond' as const } : {}),
        ...(stap.nazorg === 1 ? { nazorg: { vorm: 'jobcoach' as const, tot: '2027-12-31' } } : stap.nazorg === 2 ? { nazorg: { vorm: 'geen' as const } } : {}),
      });
    }
    default:
      return null;
  }
}

const key = (s: Signaal) => `${s.soort}|${perAanbieder.get(s.soort) ? s.aanbieder : ''}`;

describe('evaluateSignalen properties', () => {
  it('one open signal per kind (per provider), idempotent per message, only the rule\'s codes', () => {
    const tally = new Map<string, number>();
    fc.assert(fc.property(fc.array(stapArb, { minLength: 1, maxLength: 40 }), (stappen) => {
      let stand = emptyStand();
      let open: Signaal[] = [];
      let n = 0;
      const seen = new Set<string>();
      const apply = (besluiten: SignaalBesluit[]) => {
        const keys = besluiten.map((b) => key(b.signaal));
        expect(new Set(keys).size, 'one decision per kind and provider').toBe(keys.length);
        for (const b of besluiten) {
          tally.set(`${b.actie} ${b.signaal.soort}`, (tally.get(`${b.actie} ${b.signaal.soort}`) ?? 0) + 1);
          const rule = regels.find((r) => r.id === b.signaal.soort)!;
          expect(Object.keys(b.signaal.codes).every((c) => (rule.codes as string[]).includes(c))).toBe(true);
          expect(b.signaal.berichtIds.every((id) => seen.has(id))).toBe(true);
          if (b.actie === 'openen') {
            expect(open.some((s) => key(s) === key(b.signaal)), `a second open ${key(b.signaal)}`).toBe(false);
            open.push(b.signaal);
          } else {
            expect(open).toContain(b.vorige);
            open = open.filter((s) => s !== b.vorige);
            if (b.actie === 'bijwerken') open.push(b.signaal);
          }
        }
      };
      stappen.forEach((stap, i) => {
        const now = new Date(T0 + i * 3 * 86_400_000).toISOString();
        const ctx = { trajectId: TRAJECT, now, toewijzingen: TOEWIJZINGEN, newId: () => `s${++n}` };
        if (stap.kind === 'afhandelen') {
          if (open.length === 0) return;
          const target = open[stap.welke % open.length]!;
          expect(afhandelen(target, 'gesprek-gevoerd', now).status).toBe('afgehandeld');
          open = open.filter((s) => s !== target);
          return;
        }
        const b = bericht(stap, i, now);
        if (b) {
          seen.add(b.berichtId);
          stand = applyBericht(stand, b);
        }
        apply(evaluateSignalen(stand, regels, { ...ctx, openSignalen: open, ...(b ? { bericht: b } : {}) }));
        if (b) {
          // The same message again (a re-delivery): the state does not change and nothing is decided.
          const again = applyBericht(stand, b);
          expect(again).toEqual(stand);
          expect(evaluateSignalen(again, regels, { ...ctx, openSignalen: open, bericht: b })).toEqual([]);
        }
      });
    // A fixed seed: the check below that every kind of decision was exercised must not depend on chance.
    }), { numRuns: 150, seed: 20261129 });
    // The streams did exercise every kind and every kind of decision (else the property proves little).
    for (const soort of regels.map((r) => r.id)) expect(tally.get(`openen ${soort}`), `openen ${soort}`).toBeGreaterThan(0);
    for (const d of ['bijwerken verzuim', 'sluiten uit-beeld', 'sluiten nazorg-ontbreekt']) expect(tally.get(d), d).toBeGreaterThan(0);
  });
});
