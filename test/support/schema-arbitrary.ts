/**
 * Test support: fast-check arbitraries derived from the message JSON Schemas themselves, so the
 * property tests follow the schemas as they change. Covers the JSON Schema used by `schemas/`
 * (objects, arrays, enums, const, strings with length, pattern and date/date-time/uuid formats,
 * numbers with bounds and multipleOf, booleans, $ref, oneOf/anyOf). The caller filters the values
 * through the real validator, so an unsupported keyword narrows the values, never lets an invalid one in.
 */
import fc from 'fast-check';
import type { JsonSchema, SchemaRegistry } from '../../src/schemas/registry.js';

type Arb = fc.Arbitrary<unknown>;

const dateArb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });

export function schemaArbitrary(registry: SchemaRegistry, berichttype: string): Arb {
  const defs = (ref: string): JsonSchema => {
    const [file, frag] = ref.split('#');
    const doc = registry.files.get((file ?? '').replace(/^(\.\.\/)+/, '')) ?? registry.schema(berichttype)!;
    if (!frag) return doc;
    let node: unknown = doc;
    for (const part of frag.split('/').slice(1)) node = (node as Record<string, unknown>)[part];
    return node as JsonSchema;
  };

  function arb(schema: JsonSchema, depth = 0): Arb {
    if (typeof schema.$ref === 'string') return arb(defs(schema.$ref), depth);
    if ('const' in schema) return fc.constant(schema.const);
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
    const alternatives = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
    if (alternatives) return fc.oneof(...alternatives.map((s) => arb({ ...schema, oneOf: undefined, anyOf: undefined, ...s }, depth)));
    const type = Array.isArray(schema.type) ? (schema.type as string[])[0] : (schema.type as string | undefined);
    switch (type) {
      case 'object': {
        const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
        const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arb(v, depth + 1)]));
        return fc.record(model, { requiredKeys: (schema.required as string[] | undefined) ?? [] });
      }
      case 'array': {
        const min = (schema.minItems as number | undefined) ?? 0;
        return fc.array(arb((schema.items ?? {}) as JsonSchema, depth + 1), { minLength: min, maxLength: Math.max(min, Math.min((schema.maxItems as number | undefined) ?? 3, 3)) });
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

  const schema = registry.schema(berichttype)!;
  return arb(schema).filter((v) => registry.validateInhoud(berichttype, v).length === 0);
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
