/**
 * Issue 12, property: whatever plan the gemeente sends, a provider reading it for `uitvoering-plan`
 * never sees another party's part — every element of `partijen` that leaves names the reader — and it
 * sees all of its own part, unchanged; nothing outside the rule's projection leaves. Decided by the real
 * engine on the shipped policies, minimised by the same function the read paths use.
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { createPolicyEngine } from '../src/policy/engine.js';
import { loadPolicies } from '../src/policy/load.js';
import { minimaliseer, type Json } from '../src/policy/project.js';
import type { Relatie, ToewijzingRol } from '../src/policy/types.js';
import { loadSchemas } from '../src/schemas/registry.js';

const root = projectRoot();
const schemas = loadSchemas(path.join(root, 'schemas'));
const set = loadPolicies(path.join(root, 'policies'), schemas);
const engine = createPolicyEngine(set);

const partijIds = set.partijen.map((p) => p.id);
const datum = fc.date({ min: new Date('2026-01-01'), max: new Date('2028-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const deel = fc.record({
  partij: fc.constantFrom(...partijIds),
  rol: fc.constantFrom<ToewijzingRol>('taal', 'participatie', 'begeleiding', 'nazorg'),
  activiteiten: fc.array(fc.record({ activiteit: fc.constantFrom('formele-taalles', 'werkplek', 'individueel-gesprek'), urenPerWeek: fc.integer({ min: 1, max: 80 }).map((n) => n / 2), vanaf: datum }), { minLength: 1, maxLength: 3 }),
  doelen: fc.uniqueArray(fc.constantFrom('taalniveau-b1', 'betaald-werk', 'zelfredzaamheid-digitaal', 'participatie-sociaal-netwerk'), { minLength: 1, maxLength: 3 }),
});
const plan = fc.record({
  planId: fc.constantFrom('PIP-1', 'PIP-2026-0311'), versie: fc.integer({ min: 1, max: 9 }), datum, uiterlijkeDatum: datum,
  partijen: fc.array(deel, { minLength: 1, maxLength: 8 }),
  evaluaties: fc.uniqueArray(datum, { minLength: 1, maxLength: 3 }),
});
const RELATIE: Record<string, ToewijzingRol> = { taalaanbieder: 'taal', reintegratie: 'participatie', 'maatschappelijke-begeleiding': 'begeleiding' };
const lezers = set.partijen.filter((p) => p.rol !== 'gemeente');

describe('the per-party projection of a plan', () => {
  it('a provider sees exactly its own part of partijen, whatever the plan', () => {
    let gezienEigen = 0;
    let gezienAnder = 0;
    fc.assert(fc.property(plan, fc.constantFrom(...lezers), (p, lezer) => {
      const relatie: Relatie = { eigenaar: false, toewijzingen: [RELATIE[lezer.rol]!], regime: 'wi2021', doelgroep: 'onbekend' };
      const b = engine.decide({ partij: lezer, actie: 'lezen', berichttype: 'plan', doel: 'uitvoering-plan', relatie });
      expect(b.toegestaan).toBe(true);
      const uit = minimaliseer(p as unknown as Json, { projectie: b.projectie!, partijdeel: b.partijdeel }) as typeof p;
      expect(uit.partijen.every((d) => d.partij === lezer.id)).toBe(true);
      expect(uit.partijen).toEqual(p.partijen.filter((d) => d.partij === lezer.id));
      expect(Object.keys(uit).every((k) => b.projectie!.includes(`/${k}`))).toBe(true);
      if (uit.partijen.length) gezienEigen++;
      if (p.partijen.some((d) => d.partij !== lezer.id)) gezienAnder++;
    }), { seed: 12, numRuns: 300 });
    // The generator really produced plans with the reader's part and with others' parts.
    expect(gezienEigen).toBeGreaterThan(20);
    expect(gezienAnder).toBeGreaterThan(200);
  });

  it('the input is not changed by the projection', () => {
    fc.assert(fc.property(plan, (p) => {
      const kopie = structuredClone(p);
      minimaliseer(p as unknown as Json, { projectie: [''], partijdeel: { lijst: '/partijen', partijVeld: '/partij', partij: 'werkshop' } });
      expect(p).toEqual(kopie);
    }), { seed: 12, numRuns: 50 });
  });
});
