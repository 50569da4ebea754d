/**
 * Property tests (fast-check) of minimisation: over random valid messages of every type — generated
 * from the message schemas themselves — what leaves the gateway is always inside the allow-list of
 * the rule, the doel's data categories and the participant's consent; nothing outside it leaks, not
 * even properties smuggled in at nested levels; and nothing inside it is lost.
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { createPolicyEngine } from '../src/policy/engine.js';
import { categoryPointers, loadPolicies, withinAllowList } from '../src/policy/load.js';
import { covers } from '../src/policy/pointers.js';
import { disclosedFields, project, type Json } from '../src/policy/project.js';
import type { PartijRol, Relatie, ToewijzingRol } from '../src/policy/types.js';
import { loadSchemas, type JsonSchema } from '../src/schemas/registry.js';
import { VOORBEELDEN } from './support/gateway.js';
import { at, leafPointers, objectNodes, schemaArbitrary, schemaPaths, validRatio } from './support/schema-arbitrary.js';

const root = projectRoot();
const schemas = loadSchemas(path.join(root, 'schemas'));
const set = loadPolicies(path.join(root, 'policies'), schemas);
const engine = createPolicyEngine(set);
const categorieen = new Map(set.gegevenscategorieen.map((c) => [c.id, c]));
const defs = (ref: string) => {
  const [file, frag] = ref.split('#');
  const doc = schemas.files.get((file ?? '').replace(/^\.\.\//, ''));
  const name = frag?.split('/').pop();
  return name ? ((doc?.$defs as Record<string, JsonSchema> | undefined)?.[name]) : doc;
};

/** Random valid messages of a type, with the README's example of that type among them. */
function messages(type: string): fc.Arbitrary<Json> {
  const example = (VOORBEELDEN as Record<string, unknown>)[type];
  const generated = schemaArbitrary(schemas, type) as fc.Arbitrary<Json>;
  return example ? fc.oneof(generated, fc.constant(structuredClone(example) as Json)) : generated;
}
const leaves = (v: Json) => (v !== null && typeof v === 'object' && Object.keys(v).length === 0 ? [] : leafPointers(v));

describe('the random messages the properties run over', () => {
  // The schema paths a value's leaf passes through, array indices as `*`: /a/0/b gives /a, /a/* and /a/*/b.
  const schemaPathsOf = (pointer: string) => {
    const parts = pointer.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? '*' : p));
    return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
  };

  it.each([...schemas.berichttypen])('%s: valid by construction (schema and the checks beyond it), and together they use every property of the schema', (type) => {
    // Generated to be valid, not merely filtered: the filter through the real validator stays as a guard.
    expect(validRatio(schemas, type)).toBeGreaterThanOrEqual(0.95);
    const samples = fc.sample(schemaArbitrary(schemas, type), { numRuns: 300, seed: 7 });
    for (const m of samples) expect(schemas.validateInhoud(type, m)).toEqual([]);
    const seen = new Set(samples.flatMap((m) => leafPointers(m).flatMap(schemaPathsOf)));
    expect(schemaPaths(schemas, type).filter((p) => !seen.has(p))).toEqual([]);
  });
});

const projections = set.regels
  .filter((r) => r.actie === 'lezen' && r.effect === 'toestaan')
  .flatMap((r) => Object.entries(r.projectie!).map(([type, pointers]) => ({ regel: r.id, type, pointers })));

describe('projection keeps exactly the allow-list', () => {
  it('there are projections to test', () => {
    expect(projections.length).toBeGreaterThan(0);
  });

  it.each(projections.map((p) => [`${p.regel} / ${p.type}`, p] as const))('%s: every disclosed leaf is allowed, every allowed field is kept', (_name, { type, pointers }) => {
    fc.assert(fc.property(messages(type), (m) => {
      const out = project(m, pointers);
      for (const leaf of leaves(out)) expect(covers(pointers, leaf), leaf).toBe(true);
      for (const leaf of leafPointers(m).filter((l) => !covers(pointers, l))) expect(at(out, leaf), leaf).toBeUndefined();
      for (const p of pointers) expect(at(out, p)).toEqual(at(m, p));
      for (const f of disclosedFields(out, pointers)) expect(covers(pointers, f)).toBe(true);
    }), { numRuns: 150 });
  });

  it.each(projections.map((p) => [`${p.regel} / ${p.type}`, p] as const))('%s: properties smuggled in at any level never survive outside the allow-list, and validation refuses them', (_name, { type, pointers }) => {
    const injections = fc.array(fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(messages(type), injections, (m, extras) => {
      const tampered = structuredClone(m);
      const injected: string[] = [];
      const nodes = objectNodes(tampered);
      for (const [pick, key, value] of extras) {
        const { pointer, node } = nodes[pick % nodes.length]!;
        if (Object.hasOwn(node, key)) continue;
        Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
        injected.push(`${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      }
      fc.pre(injected.length > 0);
      // Such a message never gets in: the schema refuses every smuggled property.
      const errors = schemas.validateInhoud(type, tampered).filter((e) => e.code === 'additionalProperties').map((e) => e.name);
      for (const p of injected) expect(errors).toContain(p);
      // And even if it had, projection leaves out every one that is outside the allow-list.
      const out = project(tampered, pointers);
      for (const p of injected.filter((x) => !covers(pointers, x))) {
        expect(at(out, p), p).toBeUndefined();
        expect(leaves(out).some((l) => l === p || l.startsWith(`${p}/`)), p).toBe(false);
      }
      for (const leaf of leaves(out)) expect(covers(pointers, leaf), leaf).toBe(true);
    }), { numRuns: 150 });
  });
});

it('validation names a smuggled property by a proper JSON pointer (RFC 6901 escaping), found by the property above', () => {
  const errors = schemas.validateInhoud('plaatsing', { ...VOORBEELDEN.plaatsing, werkgever: { naam: 'X', 'a/b~c': 1 } }, '/inhoud');
  expect(errors.map((e) => e.name)).toEqual(['/inhoud/werkgever/a~1b~0c']);
});

describe('what a decision lets leave is inside the rule, the doel\'s categories and the consent', () => {
  const rollen: PartijRol[] = ['gemeente', 'taalaanbieder', 'reintegratie'];
  const delen: ToewijzingRol[] = ['taal', 'participatie', 'begeleiding'];
  const moment = { tijdstip: '2026-11-23T12:00:00.000Z', datum: '2026-11-23' };

  it('for random parties, relations, doelen, consents and messages', () => {
    const vraag = fc.record({
      rol: fc.constantFrom(...rollen),
      type: fc.constantFrom(...schemas.berichttypen),
      doel: fc.constantFrom(...set.doelen.map((d) => d.id)),
      eigenaar: fc.boolean(),
      toewijzingen: fc.subarray(delen),
      toestemming: fc.option(fc.record({
        categorieen: fc.subarray(set.gegevenscategorieen.map((c) => c.id), { minLength: 1 }),
        geldigTot: fc.constantFrom('2026-11-22', '2026-11-23', '2027-01-01'),
        ingetrokken: fc.boolean(),
      })),
    });
    let allowed = 0;
    fc.assert(fc.property(vraag.chain((v) => fc.tuple(fc.constant(v), messages(v.type))), ([v, m]) => {
      const relatie: Relatie = { eigenaar: v.eigenaar, toewijzingen: v.toewijzingen };
      const toestemmingen = v.toestemming ? [{
        toestemmingId: 'x', gegevenscategorieen: v.toestemming.categorieen, gegevenOp: '2026-11-01T00:00:00.000Z', geldigTot: v.toestemming.geldigTot,
        ingetrokkenOp: v.toestemming.ingetrokken ? '2026-11-20T00:00:00.000Z' : null,
      }] : [];
      const partij = set.partijen.find((p) => p.rol === v.rol)!;
      const b = engine.decide({ partij, actie: 'lezen', berichttype: v.type, doel: v.doel, relatie, toestemmingen, moment });
      if (!b.toegestaan) {
        expect(b.projectie).toBeNull();
        return;
      }
      allowed++;
      const regel = set.regels.find((r) => r.id === b.regel)!;
      const doel = set.doelen.find((d) => d.id === v.doel)!;
      const schema = schemas.schema(v.type)!;
      for (const p of b.projectie!) {
        expect(covers(regel.projectie![v.type]!, p), `rule ${regel.id} ${p}`).toBe(true);
        expect(withinAllowList(schema, p, categoryPointers(doel, categorieen, v.type), defs), `doel ${doel.id} ${p}`).toBe(true);
        if (regel.toestemming) {
          const consented = categoryPointers({ ...doel, gegevenscategorieen: v.toestemming!.categorieen }, categorieen, v.type);
          expect(withinAllowList(schema, p, consented, defs), `consent ${p}`).toBe(true);
        }
      }
      const out = project(m, b.projectie!);
      for (const leaf of leaves(out)) expect(covers(b.projectie!, leaf)).toBe(true);
    }), { numRuns: 1000 });
    expect(allowed).toBeGreaterThan(0);
  });
});
