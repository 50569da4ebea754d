/**
 * Schemas: owns the JSON Schemas in `schemas/` — loading them once, compiling them with ajv
 * (2020-12, strict, all errors) and turning validation errors into a list of JSON pointers with
 * a reason in plain Dutch. The OpenAPI document and `GET /v1/schemas/{berichttype}` serve these
 * same files, so what is documented is what is validated.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';

// ajv-formats and ajv-i18n are CommonJS modules whose export is the function itself.
const require = createRequire(import.meta.url);
const addFormats = require('ajv-formats') as (ajv: Ajv2020) => Ajv2020;
const localizeNl = require('ajv-i18n/localize/nl') as (errors: ErrorObject[] | null | undefined) => void;

/** One validation error: where (JSON pointer into the request body), which rule, and why. */
export interface InvalidParam {
  name: string;
  code: string;
  reason: string;
}

export type JsonSchema = Record<string, unknown>;

export interface SchemaRegistry {
  /** The message types, in a stable order. */
  readonly berichttypen: readonly string[];
  /** The raw schema of a message type (as served), or undefined. */
  schema(berichttype: string): JsonSchema | undefined;
  /** Every schema file by its file-relative name (e.g. `aanwezigheid.json`, `api/envelop.json`). */
  readonly files: ReadonlyMap<string, JsonSchema>;
  /** Validate a request body against an API schema (`api/envelop.json`, `api/traject.json`). */
  validateBody(file: string, body: unknown): InvalidParam[];
  /** Validate message content; pointers are prefixed with `prefix` (e.g. `/inhoud`). */
  validateInhoud(berichttype: string, inhoud: unknown, prefix?: string): InvalidParam[];
}

const NON_MESSAGE_FILES = new Set(['definities.json']);

function readJsonFiles(dir: string, sub = ''): Map<string, JsonSchema> {
  const out = new Map<string, JsonSchema>();
  for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory() && entry.name === 'api') {
      for (const [k, v] of readJsonFiles(dir, rel)) out.set(k, v);
    } else if (entry.isFile() && entry.name.endsWith('.json')) {
      out.set(rel, JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')) as JsonSchema);
    }
  }
  return out;
}

/** Map ajv errors to pointers and Dutch reasons. */
export function toInvalidParams(errors: ErrorObject[] | null | undefined, prefix = ''): InvalidParam[] {
  if (!errors?.length) return [];
  const copy = errors.map((e) => ({ ...e }));
  localizeNl(copy);
  return copy.map((e) => {
    let pointer = prefix + e.instancePath;
    // Property names become pointer segments: escape "~" and "/" (RFC 6901), as ajv does for instancePath.
    const segment = (name: string) => `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (e.keyword === 'required') pointer += segment((e.params as { missingProperty: string }).missingProperty);
    if (e.keyword === 'additionalProperties') pointer += segment((e.params as { additionalProperty: string }).additionalProperty);
    let reason = e.message ?? 'ongeldig';
    if (e.keyword === 'enum') reason += `: ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}`;
    return { name: pointer || '/', code: e.keyword, reason };
  });
}

export function loadSchemas(schemaDir: string): SchemaRegistry {
  const files = readJsonFiles(schemaDir);
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  // Annotation keywords used by the schema files for documentation and versioning.
  ajv.addKeyword({ keyword: 'version', schemaType: 'string' });
  for (const schema of files.values()) ajv.addSchema(schema);

  const compiled = new Map<string, ValidateFunction>();
  for (const [file, schema] of files) compiled.set(file, ajv.getSchema(schema.$id as string)!);

  const berichttypen = [...files.keys()]
    .filter((f) => !f.includes('/') && !NON_MESSAGE_FILES.has(f))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();

  return {
    berichttypen,
    files,
    schema: (berichttype) => (berichttypen.includes(berichttype) ? files.get(`${berichttype}.json`) : undefined),
    validateBody(file, body) {
      const validate = compiled.get(file);
      if (!validate) throw new Error(`no schema ${file}`);
      return validate(body) ? [] : toInvalidParams(validate.errors);
    },
    validateInhoud(berichttype, inhoud, prefix = '') {
      const validate = compiled.get(`${berichttype}.json`);
      if (!validate) return [{ name: prefix || '/', code: 'berichttype', reason: `onbekend berichttype ${berichttype}` }];
      return validate(inhoud) ? [] : toInvalidParams(validate.errors, prefix);
    },
  };
}
