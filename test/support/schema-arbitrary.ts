/**
 * Test support: fast-check arbitraries derived from the message JSON Schemas themselves, so the
 * property tests follow the schemas as they change. Covers the JSON Schema used by `schemas/`:
 * objects (optional properties, and the conditionals of `if`/`then`/`else`, also inside `allOf`:
 * a branch's `required` adds the property, a property that must be absent (`not: {}`) is dropped,
 * a `maxItems` shortens the list), arrays (with `uniqueItems`), enums, const, strings with length,
 * pattern and date/date-time/uuid formats, numbers with bounds and multipleOf, booleans, $ref
 * (relative to the file it is in, e.g. `../definities/v1.json#/$defs/X` and `#/$defs/Y` inside the
 * definitions), oneOf/anyOf.
 *
 * What a schema cannot say — sums that add up, dates in order, each skill once — is checked by
 * `src/schemas/controles.ts`; `HERSTEL` below brings a generated message in line with those checks
 * per `berichttype/major`, the way a careful sender would. Finally every value goes through the real
 * validator (`registry.validateInhoud`: schema and checks), so a keyword or check not covered here
 * narrows the values, never lets an invalid one in; `validRatio` shows how rarely that happens.
 */
import path from 'node:path';
import fc from 'fast-check';
import type { JsonSchema, SchemaRegistry } from '../../src/schemas/registry.js';

type Arb = fc.Arbitrary<unknown>;
type Obj = Record<string, any>;

const dateArb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });

/** Keywords that only document or annotate; they never constrain a value. */
const ANNOTATIONS = new Set(['title', 'description', 'examples', 'foutmeldingen', '$comment', 'default', 'deprecated']);

/** A schema no value satisfies: `{ "not": {} }` (with annotations), as the `else` branches use to forbid a property. */
const isNever = (s: unknown): boolean => {
  if (s === false) return true;
  if (!s || typeof s !== 'object') return false;
  const keys = Object.keys(s).filter((k) => !ANNOTATIONS.has(k));
  const not = (s as Obj).not;
  return keys.length === 1 && keys[0] === 'not' && (not === true || (typeof not === 'object' && Object.keys(not).length === 0));
};

/**
 * Whether `value` satisfies an `if` schema. Supports what the schemas put there (properties with
 * enum / const / type / contains, required); anything else throws, so a new kind of condition is
 * noticed rather than silently mis-generated.
 */
function matches(schema: JsonSchema, value: unknown): boolean {
  for (const [k, v] of Object.entries(schema)) {
    if (ANNOTATIONS.has(k)) continue;
    switch (k) {
      case 'const':
        if (JSON.stringify(value) !== JSON.stringify(v)) return false;
        break;
      case 'enum':
        if (!(v as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(value))) return false;
        break;
      case 'type': {
        const t = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value;
        const types = Array.isArray(v) ? v : [v];
        if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return false;
        break;
      }
      case 'properties':
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          for (const [p, sub] of Object.entries(v as Record<string, JsonSchema>)) {
            if (Object.hasOwn(value, p) && !matches(sub, (value as Obj)[p])) return false;
          }
        }
        break;
      case 'required':
        if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(v as string[]).every((p) => Object.hasOwn(value, p))) return false;
        break;
      case 'contains':
        if (Array.isArray(value) && !value.some((item) => matches(v as JsonSchema, item))) return false;
        break;
      default:
        throw new Error(`schemaArbitrary: "${k}" in an "if" is not supported; extend matches()`);
    }
  }
  return true;
}

/** Make `value` follow the branch a conditional chose; `pool` holds a generated value for every property. */
function applyBranch(branch: JsonSchema | undefined, value: unknown, pool: Obj): unknown {
  if (!branch) return value;
  if (Array.isArray(value)) return typeof branch.maxItems === 'number' ? value.slice(0, branch.maxItems) : value;
  if (value === null || typeof value !== 'object') return value;
  const out: Obj = { ...(value as Obj) };
  for (const p of (branch.required as string[] | undefined) ?? []) if (!Object.hasOwn(out, p) && Object.hasOwn(pool, p)) out[p] = pool[p];
  for (const [p, sub] of Object.entries((branch.properties ?? {}) as Record<string, JsonSchema>)) if (isNever(sub)) delete out[p];
  return out;
}

/** The conditionals of a schema: its own `if` and those of its `allOf` members. */
const conditionals = (schema: JsonSchema): JsonSchema[] => [schema, ...((schema.allOf as JsonSchema[] | undefined) ?? [])].filter((s) => s.if !== undefined);

function applyConditionals(schema: JsonSchema, value: unknown, pool: Obj = {}): unknown {
  let out = value;
  for (const c of conditionals(schema)) out = applyBranch((matches(c.if as JsonSchema, out) ? c.then : c.else) as JsonSchema | undefined, out, pool);
  return out;
}

/** Keep the first item per key (the checks allow each skill, exam component, activity once). */
const uniqueBy = <T>(items: T[], key: (t: T) => string): T[] => {
  const seen = new Set<string>();
  return items.filter((t) => (seen.has(key(t)) ? false : (seen.add(key(t)), true)));
};

const MINUTENCATEGORIEEN = ['aanwezig', 'teLaat', 'vroegVertrokken', 'geoorloofdAfwezig', 'ongeoorloofdAfwezig', 'ziek', 'afwezig', 'vervallen', 'onbekend'] as const;
const LES_CATEGORIE: Record<string, (typeof MINUTENCATEGORIEEN)[number]> = {
  aanwezig: 'aanwezig', 'te-laat': 'teLaat', 'vroeg-vertrokken': 'vroegVertrokken', 'geoorloofd-afwezig': 'geoorloofdAfwezig', 'ongeoorloofd-afwezig': 'ongeoorloofdAfwezig',
  ziek: 'ziek', afwezig: 'afwezig', vervallen: 'vervallen', onbekend: 'onbekend',
};

/**
 * Per `berichttype/major`: bring a message that fits its schema in line with the checks of
 * `src/schemas/controles.ts` for that major. `def` reads a shared definition (for its codes and limits).
 */
const HERSTEL: Record<string, (m: Obj, def: (name: string) => JsonSchema) => void> = {
  'aanwezigheid/1': (m, def) => {
    const max = def('Minuten').maximum as number;
    const p = m.periode;
    if (p.tot < p.van) [p.van, p.tot] = [p.tot, p.van];
    m.totalen = uniqueBy(m.totalen as Obj[], (t) => t.activiteit);
    if (!m.lessen) {
      // Without lesson lines: the categories add up to `gepland`, which stays within Minuten's maximum.
      for (const t of m.totalen) {
        // vroegVertrokken (since 1.1) is optional: absent counts as 0.
        const som = () => MINUTENCATEGORIEEN.reduce((n, k) => n + (t.minuten[k] ?? 0), 0);
        if (som() > max) for (const k of MINUTENCATEGORIEEN) if (t.minuten[k] !== undefined) t.minuten[k] = Math.floor(t.minuten[k] / MINUTENCATEGORIEEN.length);
        t.minuten.gepland = som();
      }
      return;
    }
    // With lesson lines: each inside the period and consistent with its status; the totals are their sums.
    const perLes = Math.floor(max / Math.max(1, m.lessen.length));
    const afgeleid = new Map<string, Obj>();
    for (const les of m.lessen as Obj[]) {
      if (les.datum < p.van) les.datum = p.van;
      if (les.datum > p.tot) les.datum = p.tot;
      les.geplandeMinuten %= perLes + 1;
      const gedeeltelijk = les.status === 'te-laat' || les.status === 'vroeg-vertrokken';
      if (gedeeltelijk && les.geplandeMinuten === 0) les.geplandeMinuten = 1;
      les.aanwezigeMinuten = les.status === 'aanwezig' ? les.geplandeMinuten : gedeeltelijk ? Math.min(les.aanwezigeMinuten, les.geplandeMinuten - 1) : 0;
      const t = afgeleid.get(les.activiteit) ?? { gepland: 0, ...Object.fromEntries(MINUTENCATEGORIEEN.map((k) => [k, 0])) };
      t.gepland += les.geplandeMinuten;
      t.aanwezig += les.aanwezigeMinuten;
      if (les.status !== 'aanwezig') t[LES_CATEGORIE[les.status]!] += les.geplandeMinuten - les.aanwezigeMinuten;
      afgeleid.set(les.activiteit, t);
    }
    const nul = () => ({ gepland: 0, ...Object.fromEntries(MINUTENCATEGORIEEN.map((k) => [k, 0])) });
    for (const t of m.totalen) t.minuten = afgeleid.get(t.activiteit) ?? nul();
    for (const [activiteit, minuten] of afgeleid) if (!m.totalen.some((t: Obj) => t.activiteit === activiteit)) m.totalen.push({ activiteit, minuten });
  },
  'taalvoortgang/1': (m, def) => {
    m.niveaus = uniqueBy(m.niveaus as Obj[], (n) => n.vaardigheid);
    if (m.streefniveaus) m.streefniveaus = uniqueBy(m.streefniveaus as Obj[], (n) => n.vaardigheid);
    if (m.examens) m.examens = uniqueBy(m.examens as Obj[], (e) => e.onderdeel);
    if (m.certificaten) m.certificaten = uniqueBy(m.certificaten as Obj[], (c) => c.soort);
    const w = m.leerrouteWijziging;
    if (w) {
      if (w.van === w.naar) w.naar = (def('Leerroute').enum as string[]).find((r) => r !== w.van);
      if (w.soort === 'besluit') m.leerroute = w.naar;
    }
  },
  'knelpunt/1': (m) => {
    // `betreft` names one thing (a placement or an activity), or is left out.
    if (m.betreft && Object.keys(m.betreft).length === 0) delete m.betreft;
    if (m.betreft?.plaatsingId !== undefined) delete m.betreft.activiteit;
  },
  'plaatsing/1': (m) => {
    // Every date of a placement lies on or after its start.
    const dates = [m.einddatum, m.contract?.einddatum, m.nazorg?.tot].filter((d): d is string => typeof d === 'string');
    for (const d of dates) if (d < m.startdatum) m.startdatum = d;
  },
};

export interface SchemaArbitraryOptions {
  /** Only values the real validator accepts (default). `false`: the raw generator, to measure it. */
  filter?: boolean;
}

/** Random content of the newest major of `berichttype`. */
export function schemaArbitrary(registry: SchemaRegistry, berichttype: string, options: SchemaArbitraryOptions = {}): Arb {
  const newest = registry.versies(berichttype).at(-1);
  if (!newest) throw new Error(`no schema for ${berichttype}`);

  /** Resolve a $ref against the file it appears in; returns the target and the file it is in. */
  const resolve = (ref: string, base: string): { node: JsonSchema; base: string } => {
    const [file, frag] = ref.split('#');
    const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(base), file)) : base;
    let node: unknown = registry.files.get(target);
    for (const part of (frag ?? '').split('/').slice(1)) node = (node as Obj | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (!node || typeof node !== 'object') throw new Error(`schemaArbitrary: cannot resolve ${ref} from ${base}`);
    return { node: node as JsonSchema, base: target };
  };
  const definities = `definities/v${/definities\/v(\d+)\.json/.exec(JSON.stringify(newest.schema))?.[1] ?? '1'}.json`;
  const def = (name: string) => resolve(`#/$defs/${name}`, definities).node;

  function arb(schema: JsonSchema, base: string, depth = 0): Arb {
    if (typeof schema.$ref === 'string') {
      const { node, base: at } = resolve(schema.$ref, base);
      return arb(node, at, depth);
    }
    if ('const' in schema) return fc.constant(schema.const);
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
    const alternatives = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
    if (alternatives) return fc.oneof(...alternatives.map((s) => arb({ ...schema, oneOf: undefined, anyOf: undefined, ...s }, base, depth)));
    const type = Array.isArray(schema.type) ? (schema.type as string[])[0] : (schema.type as string | undefined);
    switch (type) {
      case 'object': {
        const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
        const required = new Set((schema.required as string[] | undefined) ?? []);
        const pool = fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arb(v, base, depth + 1)])));
        const keep = fc.record(Object.fromEntries(Object.keys(props).filter((k) => !required.has(k)).map((k) => [k, fc.boolean()])));
        return fc.tuple(pool, keep).map(([all, kept]) => {
          const value = Object.fromEntries(Object.entries(all as Obj).filter(([k]) => required.has(k) || (kept as Record<string, boolean>)[k]));
          return applyConditionals(schema, value, all as Obj);
        });
      }
      case 'array': {
        const min = (schema.minItems as number | undefined) ?? 0;
        const constraints = { minLength: min, maxLength: Math.max(min, Math.min((schema.maxItems as number | undefined) ?? 3, 3)) };
        const item = arb((schema.items ?? {}) as JsonSchema, base, depth + 1);
        const list = schema.uniqueItems ? fc.uniqueArray(item, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(item, constraints);
        return list.map((value) => applyConditionals(schema, value));
      }
      case 'string': {
        if (schema.format === 'date') return dateArb.map((d) => d.toISOString().slice(0, 10));
        if (schema.format === 'date-time') return dateArb.map((d) => d.toISOString());
        if (schema.format === 'uuid') return fc.uuid();
        if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern as string));
        const min = (schema.minLength as number | undefined) ?? 0;
        return fc.string({ minLength: min, maxLength: Math.max(min, Math.min((schema.maxLength as number | undefined) ?? 20, 20)) });
      }
      case 'integer':
        return fc.integer({ min: (schema.minimum as number | undefined) ?? -1000, max: (schema.maximum as number | undefined) ?? 1000 });
      case 'number': {
        const min = (schema.minimum as number | undefined) ?? -1000;
        const max = (schema.maximum as number | undefined) ?? 1000;
        const step = schema.multipleOf as number | undefined;
        if (step) return fc.integer({ min: Math.ceil(min / step), max: Math.floor(max / step) }).map((n) => n * step);
        return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      }
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default:
        return fc.jsonValue({ maxDepth: 1 });
    }
  }

  const herstel = HERSTEL[`${berichttype}/${newest.major}`];
  // A copy: fast-check keeps the generated value to shrink from, so it must not change under it.
  const generated = herstel ? arb(newest.schema, newest.file).map((v) => {
    const m = structuredClone(v) as Obj;
    herstel(m, def);
    return m;
  }) : arb(newest.schema, newest.file);
  return options.filter === false ? generated : generated.filter((v) => registry.validateInhoud(berichttype, v).length === 0);
}

/** The share of raw generated values (before the validator's filter) that are valid, over a fixed seed. */
export function validRatio(registry: SchemaRegistry, berichttype: string, numRuns = 500): number {
  const values = fc.sample(schemaArbitrary(registry, berichttype, { filter: false }), { numRuns, seed: 4242 });
  return values.filter((v) => registry.validateInhoud(berichttype, v).length === 0).length / values.length;
}

/** Every property of a schema as a path (`*` for array items), through properties, items and $ref. */
export function schemaPaths(registry: SchemaRegistry, berichttype: string): string[] {
  const newest = registry.versies(berichttype).at(-1)!;
  const out: string[] = [];
  const walk = (schema: JsonSchema, base: string, at: string, seen: Set<string>) => {
    if (typeof schema.$ref === 'string') {
      const [file, frag] = schema.$ref.split('#');
      const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(base), file)) : base;
      const key = `${target}#${frag}`;
      if (seen.has(key)) return;
      let node: unknown = registry.files.get(target);
      for (const part of (frag ?? '').split('/').slice(1)) node = (node as Obj)[part];
      return walk(node as JsonSchema, target, at, new Set([...seen, key]));
    }
    for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
      out.push(`${at}/${name}`);
      walk(sub, base, `${at}/${name}`, seen);
    }
    if (schema.items && typeof schema.items === 'object') walk(schema.items as JsonSchema, base, `${at}/*`, seen);
  };
  walk(newest.schema, newest.file, '', new Set());
  return out;
}

/** Every leaf of a JSON value, as JSON pointers (array items by index). */
export function leafPointers(value: unknown, prefix = ''): string[] {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) return [prefix];
    return entries.flatMap(([k, v]) => leafPointers(v, `${prefix}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return [prefix];
}

/** The value at a JSON pointer (through objects and arrays), or undefined. */
export function at(value: unknown, pointer: string): unknown {
  let node = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Every object inside a JSON value (the root included), with its pointer. */
export function objectNodes(value: unknown, prefix = ''): Array<{ pointer: string; node: Record<string, unknown> }> {
  if (value === null || typeof value !== 'object') return [];
  const here = Array.isArray(value) ? [] : [{ pointer: prefix, node: value as Record<string, unknown> }];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return [...here, ...entries.flatMap(([k, v]) => objectNodes(v, `${prefix}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`))];
}
