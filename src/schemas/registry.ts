/**
 * Schemas: owns the JSON Schemas in `schemas/` — loading them once, compiling them with ajv
 * (2020-12, strict, all errors), choosing the schema version a message names, and turning
 * validation errors into a list of JSON pointers with a reason in plain Dutch. The OpenAPI
 * document, `GET /v1/schemas/…`, the generated TypeScript types and the `doelpoort valideer` CLI
 * all use these same files, so what is documented is what is validated.
 *
 * Layout (see docs/schemas.md):
 *   definities/v<major>.json      shared definitions and code lists
 *   <berichttype>/v<major>.json   one file per served major of a message type; its `version`
 *                                 (semver) names the newest minor, which accepts every older minor
 *   api/*.json                    request bodies of the API (envelope, new trajectory)
 *   examples/                     example messages, not schemas
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import { CONTROLES } from './controles.js';
import { checkStatusovergangen, statusovergangen, type Overgangen } from './levenscyclus.js';

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

/** One served major of a message type. */
export interface SchemaVersie {
  berichttype: string;
  major: number;
  minor: number;
  /** The file's semver `version`, e.g. `1.2.0`. */
  versie: string;
  /** Relative to the schema folder, e.g. `plaatsing/v1.json`. */
  file: string;
  schema: JsonSchema;
  /** Marked `deprecated: true`: still accepted, to be withdrawn after the transition period. */
  deprecated: boolean;
}

/** The schema a message is validated against, or why there is none. */
export type Keuze = { ok: true; versie: SchemaVersie; schemaversie: string } | { ok: false; reden: string };

/** The outcome of validating a whole message (envelope and content). */
export interface BerichtValidatie {
  fouten: InvalidParam[];
  /** Set when the envelope named a served type and version. */
  versie?: SchemaVersie;
  /** `schemaversie` normalised to MAJOR.MINOR. */
  schemaversie?: string;
}

export interface SchemaRegistry {
  /** The message types, in a stable order. */
  readonly berichttypen: readonly string[];
  /** The served majors of a message type, oldest first (empty for an unknown type). */
  versies(berichttype: string): readonly SchemaVersie[];
  /** The raw schema of a message type: the newest major, or the given one. */
  schema(berichttype: string, major?: number): JsonSchema | undefined;
  /** Every schema file by its relative name (e.g. `plaatsing/v1.json`, `api/envelop.json`). */
  readonly files: ReadonlyMap<string, JsonSchema>;
  /** Which served schema follows from `schemaversie` (MAJOR.MINOR[.PATCH]). */
  kies(berichttype: string, schemaversie: string): Keuze;
  /** The status transitions a version declares on its `status` property, if any. */
  statusovergangen(versie: SchemaVersie): Overgangen | undefined;
  /** Validate a request body against an API schema (`api/envelop.json`, `api/traject.json`). */
  validateBody(file: string, body: unknown): InvalidParam[];
  /**
   * Validate message content against its schema and the checks a schema cannot express;
   * pointers are prefixed with `prefix` (e.g. `/inhoud`). Without `schemaversie`: the newest major.
   */
  validateInhoud(berichttype: string, inhoud: unknown, prefix?: string, schemaversie?: string): InvalidParam[];
  /** Validate a whole message: the envelope, the version it names, then its content. */
  validateBericht(body: unknown, prefix?: string): BerichtValidatie;
}

export class SchemaLayoutError extends Error {
  override name = 'SchemaLayoutError';
}

const MAJOR_FILE = /^v([1-9][0-9]*)\.json$/;
const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;
const SCHEMAVERSIE = /^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})(?:\.(0|[1-9][0-9]{0,3}))?$/;

function readJson(file: string): JsonSchema {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as JsonSchema;
  } catch (e) {
    throw new SchemaLayoutError(`${file}: geen geldige JSON (${(e as Error).message})`);
  }
}

/** Read the folder into `relative name → schema`, checking the layout. */
function readSchemaFiles(dir: string): Map<string, JsonSchema> {
  const out = new Map<string, JsonSchema>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'examples' || entry.name.startsWith('.')) continue;
    if (!entry.isDirectory()) {
      if (entry.name.endsWith('.json')) throw new SchemaLayoutError(`${entry.name}: schemas staan in een map per berichttype (<type>/v<major>.json), zie docs/schemas.md`);
      continue;
    }
    for (const file of fs.readdirSync(path.join(dir, entry.name)).sort()) {
      if (!file.endsWith('.json')) continue;
      if (entry.name !== 'api' && !MAJOR_FILE.test(file)) throw new SchemaLayoutError(`${entry.name}/${file}: verwacht v<major>.json`);
      out.set(`${entry.name}/${file}`, readJson(path.join(dir, entry.name, file)));
    }
  }
  return out;
}

function checkHeader(file: string, schema: JsonSchema): void {
  const version = schema.version;
  if (typeof version !== 'string' || !SEMVER.test(version)) throw new SchemaLayoutError(`${file}: "version" moet semver zijn (MAJOR.MINOR.PATCH)`);
  if (typeof schema.$id !== 'string' || !schema.$id.endsWith(`/schemas/${file}`)) throw new SchemaLayoutError(`${file}: "$id" moet eindigen op /schemas/${file}`);
  const m = MAJOR_FILE.exec(path.basename(file));
  if (m && Number(version.split('.')[0]) !== Number(m[1])) throw new SchemaLayoutError(`${file}: version ${version} hoort niet bij major ${m[1]}`);
}

const FORMATS: Record<string, string> = {
  date: 'moet een datum zijn (JJJJ-MM-DD, bijvoorbeeld 2026-11-16)',
  'date-time': 'moet een tijdstip met tijdzone zijn (bijvoorbeeld 2026-11-20T10:00:00+01:00)',
  uuid: 'moet een UUID zijn (bijvoorbeeld 5d0c9a3e-4f6b-4c8e-9a57-2f1e7b3c6d10)',
};

/** ajv-i18n's Dutch, made plainer where the pointer already names the field. */
function plainDutch(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return 'is verplicht maar ontbreekt';
    case 'additionalProperties':
      return 'is geen veld van dit schema';
    case 'enum':
      return `moet een van deze waarden zijn: ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}`;
    case 'format':
      return FORMATS[(e.params as { format: string }).format] ?? e.message ?? 'ongeldig formaat';
    case 'false schema':
      return 'is hier niet toegestaan';
    default:
      return e.message ?? 'ongeldig';
  }
}

/** Map ajv errors to pointers and Dutch reasons. */
export function toInvalidParams(errors: ErrorObject[] | null | undefined, prefix = ''): InvalidParam[] {
  if (!errors?.length) return [];
  // `if` only says "then/else failed"; the errors of that branch are reported themselves.
  const copy = errors.filter((e) => e.keyword !== 'if').map((e) => ({ ...e }));
  localizeNl(copy);
  return copy.map((e) => {
    let pointer = prefix + e.instancePath;
    if (e.keyword === 'required') pointer += `/${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties') pointer += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
    // A schema may word the reason for one of its keywords itself (`foutmeldingen`), in plain Dutch.
    const custom = (e.parentSchema as { foutmeldingen?: Record<string, string> } | undefined)?.foutmeldingen?.[e.keyword];
    return { name: pointer || '/', code: e.keyword, reason: custom ?? plainDutch(e) };
  });
}

export function loadSchemas(schemaDir: string): SchemaRegistry {
  const files = readSchemaFiles(schemaDir);
  // verbose: errors carry their schema, so `foutmeldingen` can be found. The instance values in
  // the errors are never copied into a reason.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  // Annotation keywords: versioning, Dutch error wording, the placement life cycle.
  ajv.addKeyword({ keyword: 'version', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'foutmeldingen', schemaType: 'object' });
  ajv.addKeyword({ keyword: 'statusovergangen', schemaType: 'object' });
  for (const [file, schema] of files) {
    checkHeader(file, schema);
    ajv.addSchema(schema);
  }

  const compiled = new Map<string, ValidateFunction>();
  for (const [file, schema] of files) compiled.set(file, ajv.getSchema(schema.$id as string)!);

  const perType = new Map<string, SchemaVersie[]>();
  for (const [file, schema] of files) {
    const dir = file.split('/')[0]!;
    if (dir === 'api' || dir === 'definities') continue;
    if (schema.$defs) throw new SchemaLayoutError(`${file}: gedeelde definities horen in definities/, niet in een berichtschema`);
    const [major, minor] = (schema.version as string).split('.').map(Number) as [number, number];
    const versie: SchemaVersie = { berichttype: dir, major, minor, versie: schema.version as string, file, schema, deprecated: schema.deprecated === true };
    const list = perType.get(dir) ?? [];
    list.push(versie);
    perType.set(dir, list);
  }
  for (const list of perType.values()) list.sort((a, b) => a.major - b.major);
  const berichttypen = [...perType.keys()].sort();

  const resolveRef = (ref: string): JsonSchema | undefined => {
    const m = /^(?:\.\.\/)?(definities\/v[0-9]+\.json)#\/\$defs\/(\w+)$/.exec(ref);
    return m ? ((files.get(m[1]!)?.$defs as Record<string, JsonSchema> | undefined)?.[m[2]!]) : undefined;
  };
  const overgangen = new Map<SchemaVersie, Overgangen | undefined>();
  for (const list of perType.values()) {
    for (const v of list) {
      const o = statusovergangen(v.schema, resolveRef);
      const problemen = o ? checkStatusovergangen(o.overgangen, o.statussen) : [];
      if (problemen.length) throw new SchemaLayoutError(`${v.file}: statusovergangen: ${problemen.join('; ')}`);
      overgangen.set(v, o?.overgangen);
    }
  }

  const newest = (berichttype: string) => perType.get(berichttype)?.at(-1);

  function kies(berichttype: string, schemaversie: string): Keuze {
    const list = perType.get(berichttype);
    if (!list) return { ok: false, reden: `onbekend berichttype ${berichttype}` };
    const m = SCHEMAVERSIE.exec(schemaversie);
    if (!m) return { ok: false, reden: 'moet de vorm MAJOR.MINOR hebben, bijvoorbeeld 1.0' };
    const [major, minor] = [Number(m[1]), Number(m[2])];
    const served = list.map((v) => `${v.major}.${v.minor}`).join(', ');
    const versie = list.find((v) => v.major === major);
    if (!versie) return { ok: false, reden: `versie ${major}.x van ${berichttype} wordt niet (meer) ondersteund; ondersteund: ${served}` };
    if (minor > versie.minor) return { ok: false, reden: `versie ${major}.${minor} is nieuwer dan de nieuwste ${berichttype}-versie van deze gateway (${versie.versie})` };
    return { ok: true, versie, schemaversie: `${major}.${minor}` };
  }

  function validateVersie(versie: SchemaVersie, inhoud: unknown, prefix: string): InvalidParam[] {
    const validate = compiled.get(versie.file)!;
    if (!validate(inhoud)) return toInvalidParams(validate.errors, prefix);
    // Only content that fits its schema reaches the checks a schema cannot express.
    const controle = CONTROLES[`${versie.berichttype}/${versie.major}`];
    return controle ? controle(inhoud).map((e) => ({ ...e, name: prefix + e.name })) : [];
  }

  function validateBody(file: string, body: unknown): InvalidParam[] {
    const validate = compiled.get(file);
    if (!validate) throw new Error(`no schema ${file}`);
    return validate(body) ? [] : toInvalidParams(validate.errors);
  }

  return {
    berichttypen,
    files,
    versies: (berichttype) => perType.get(berichttype) ?? [],
    schema: (berichttype, major) => (major === undefined ? newest(berichttype) : perType.get(berichttype)?.find((v) => v.major === major))?.schema,
    kies,
    statusovergangen: (versie) => overgangen.get(versie),
    validateBody,
    validateInhoud(berichttype, inhoud, prefix = '', schemaversie) {
      const newestVersie = newest(berichttype);
      if (schemaversie === undefined && newestVersie) return validateVersie(newestVersie, inhoud, prefix);
      const keuze = kies(berichttype, schemaversie ?? '');
      return keuze.ok ? validateVersie(keuze.versie, inhoud, prefix) : [{ name: prefix || '/', code: 'schemaversie', reason: keuze.reden }];
    },
    validateBericht(body, prefix = '') {
      const fouten = validateBody('api/envelop.json', body).map((e) => ({ ...e, name: prefix + (e.name === '/' ? '' : e.name) || '/' }));
      const e = body as { berichttype?: unknown; schemaversie?: unknown; inhoud?: unknown } | null;
      if (!e || typeof e !== 'object' || typeof e.berichttype !== 'string' || !perType.has(e.berichttype) || typeof e.schemaversie !== 'string') return { fouten };
      if (!SCHEMAVERSIE.test(e.schemaversie)) return { fouten }; // the envelope's pattern already reported it
      const keuze = kies(e.berichttype, e.schemaversie);
      if (!keuze.ok) return { fouten: [...fouten, { name: `${prefix}/schemaversie`, code: 'schemaversie', reason: keuze.reden }] };
      const inhoud = e.inhoud;
      if (inhoud === null || typeof inhoud !== 'object' || Array.isArray(inhoud)) return { fouten, versie: keuze.versie, schemaversie: keuze.schemaversie };
      return { fouten: [...fouten, ...validateVersie(keuze.versie, inhoud, `${prefix}/inhoud`)], versie: keuze.versie, schemaversie: keuze.schemaversie };
    },
  };
}
