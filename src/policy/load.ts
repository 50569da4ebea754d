/**
 * Reads the policy files (`partijen.json`, `doelen.json`, `regels.json`, and the optional
 * `functionarissen.json`), validates each against its own JSON Schema in `policies/schema/`, and
 * cross-checks them against each other and against the message schemas. Any problem stops the start
 * with the file and rule named.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { toInvalidParams, type JsonSchema, type SchemaRegistry } from '../schemas/registry.js';
import { PolicyError } from './errors.js';
import type { Doel, Functionaris, Partij, Regel } from './types.js';

export interface PolicySet {
  partijen: readonly Partij[];
  doelen: readonly Doel[];
  regels: readonly Regel[];
  /** The privacy officers (FG) per party; empty when `functionarissen.json` is absent. */
  functionarissen: readonly Functionaris[];
  verantwoordelijke: string;
  /** `versie` from regels.json plus a SHA-256 over the three files: what the audit log cites. */
  versie: string;
  hash: string;
}

const FILES = ['partijen.json', 'doelen.json', 'regels.json'] as const;
/** Optional: a deployment without privacy officers has no logboek readers. */
const OPTIONAL_FILES = ['functionarissen.json'] as const;

/** Resolve a JSON pointer against a JSON Schema: does the message schema have this field? */
export function pointerExists(schema: JsonSchema, pointer: string, defs: (ref: string) => JsonSchema | undefined): boolean {
  if (pointer === '') return true;
  let node: JsonSchema | undefined = schema;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    while (node && typeof node.$ref === 'string') node = defs(node.$ref);
    const props = node?.properties as Record<string, JsonSchema> | undefined;
    node = props?.[key];
    if (!node) return false;
  }
  return true;
}

export function loadPolicies(policyDir: string, schemas: SchemaRegistry): PolicySet {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  const raw: Record<string, string> = {};
  const data: Record<string, unknown> = {};
  for (const file of [...FILES, ...OPTIONAL_FILES]) {
    const full = path.join(policyDir, file);
    if (!fs.existsSync(full)) {
      if ((OPTIONAL_FILES as readonly string[]).includes(file)) continue;
      throw new PolicyError(file, null, `bestand ontbreekt in ${policyDir}`);
    }
    raw[file] = fs.readFileSync(full, 'utf8');
    try {
      data[file] = JSON.parse(raw[file]!);
    } catch (e) {
      throw new PolicyError(file, null, `geen geldige JSON: ${(e as Error).message}`);
    }
    const schema = JSON.parse(fs.readFileSync(path.join(policyDir, 'schema', file.replace('.json', '.schema.json')), 'utf8'));
    const validate = ajv.compile(schema);
    if (!validate(data[file])) {
      const errs = toInvalidParams(validate.errors).map((e) => `${e.name} ${e.reason}`);
      throw new PolicyError(file, null, `voldoet niet aan het schema: ${errs.join('; ')}`);
    }
  }

  const partijen = (data['partijen.json'] as { partijen: Partij[] }).partijen;
  const doelenFile = data['doelen.json'] as { verantwoordelijke: string; doelen: Doel[] };
  const regelsFile = data['regels.json'] as { versie: string; regels: Regel[] };
  const functionarissen = (data['functionarissen.json'] as { functionarissen: Functionaris[] } | undefined)?.functionarissen ?? [];

  const unique = (file: string, what: string, ids: string[]) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) throw new PolicyError(file, null, `${what} "${id}" komt meer dan eens voor`);
      seen.add(id);
    }
  };
  unique('partijen.json', 'partij-id', partijen.map((p) => p.id));
  unique('partijen.json', 'client-id', partijen.flatMap((p) => p.clientIds));
  unique('doelen.json', 'doel-id', doelenFile.doelen.map((d) => d.id));
  unique('regels.json', 'regel-id', regelsFile.regels.map((r) => r.id));
  unique('functionarissen.json', 'functionaris-id', functionarissen.map((f) => f.id));
  // A client is either a party's or an officer's, never both: officers read logs, not messages.
  unique('partijen.json + functionarissen.json', 'client-id', [...partijen.flatMap((p) => p.clientIds), ...functionarissen.flatMap((f) => f.clientIds)]);
  for (const f of functionarissen) {
    if (!partijen.some((p) => p.id === f.partij)) throw new PolicyError('functionarissen.json', null, `functionaris "${f.id}" hoort bij onbekende partij "${f.partij}"`);
  }

  const doelen = new Map(doelenFile.doelen.map((d) => [d.id, d]));
  const defs = (ref: string): JsonSchema | undefined => {
    const [file, frag] = ref.split('#');
    const doc = schemas.files.get((file ?? '').replace(/^\.\.\//, ''));
    const name = frag?.split('/').pop();
    return name ? ((doc?.$defs as Record<string, JsonSchema> | undefined)?.[name]) : doc;
  };

  for (const regel of regelsFile.regels) {
    const fail = (msg: string) => new PolicyError('regels.json', regel.id, msg);
    const doel = doelen.get(regel.doel);
    if (!doel) throw fail(`onbekend doel "${regel.doel}" (niet in doelen.json)`);
    const types = regel.actie === 'lezen' ? Object.keys(regel.projectie ?? {}) : (regel.berichttypen ?? []);
    for (const type of types) {
      if (!schemas.schema(type)) throw fail(`onbekend berichttype "${type}"`);
    }
    if (regel.actie === 'lezen') {
      if (doel.toestemmingVereist && regel.effect === 'toestaan' && !regel.toestemming) {
        throw fail(`doel "${doel.id}" vereist toestemming, maar de regel vraagt er niet om`);
      }
      for (const [type, pointers] of Object.entries(regel.projectie ?? {})) {
        for (const pointer of pointers) {
          if (!pointerExists(schemas.schema(type)!, pointer, defs)) throw fail(`veld "${pointer}" bestaat niet in berichttype "${type}"`);
        }
      }
    }
  }

  const hash = crypto.createHash('sha256');
  for (const file of [...FILES, ...OPTIONAL_FILES]) if (raw[file] !== undefined) hash.update(raw[file]!);
  const digest = hash.digest('hex');
  return {
    partijen,
    doelen: doelenFile.doelen,
    regels: regelsFile.regels,
    functionarissen,
    verantwoordelijke: doelenFile.verantwoordelijke,
    versie: regelsFile.versie,
    hash: digest,
  };
}
