/**
 * Reads `policies/signalen.json`, validates it against `policies/schema/signalen.schema.json`, and
 * cross-checks every rule against the register (doelen, data categories) and the message schemas.
 * Any problem is a PolicyError naming the file and the rule, so that a wrong rule stops the start
 * exactly as a wrong policy rule does. Checked, per rule:
 * - the kind (`id`) is one the gateway evaluates, and occurs once;
 * - the doel exists, the gemeente is one of its recipients, it is not aggregates-only, and its data
 *   categories cover everything the signal reveals (`gegevenscategorieen`);
 * - the message types exist and include those the kind reads;
 * - every code is one the kind sets, comes from one of the rule's message types, and lies inside
 *   the rule's categories in the register (so an end reason needs `belemmeringen-en-uitval`);
 * - provider visibility names a doel that providers receive and that covers the same categories;
 * - the thresholds are exactly those of the kind, within range, and name existing codes.
 *
 * Not wired into start-up here: the caller (start-up, after `loadPolicies`) calls
 * `loadSignaalregels(policyDir, policies, schemas)` and keeps the result beside the PolicySet.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { PolicyError } from '../policy/errors.js';
import type { PolicySet } from '../policy/load.js';
import { covers } from '../policy/pointers.js';
import { toInvalidParams, type JsonSchema, type SchemaRegistry } from '../schemas/registry.js';
import { SIGNAALCODES, SOORT_EISEN, SOORTEN, type DrempelNaam, type Signaalregel, type SignaalregelSet, type Soort } from './types.js';

export const SIGNALEN_FILE = 'signalen.json';

/** The values of a code list in the shared definitions, e.g. `Participatievorm`. */
function codeList(schemas: SchemaRegistry, name: string): readonly string[] {
  const defs = schemas.files.get('definities/v1.json')?.$defs as Record<string, JsonSchema> | undefined;
  return (defs?.[name]?.enum as string[] | undefined) ?? [];
}

export function loadSignaalregels(policyDir: string, policies: PolicySet, schemas: SchemaRegistry): SignaalregelSet {
  const file = SIGNALEN_FILE;
  const full = path.join(policyDir, file);
  if (!fs.existsSync(full)) throw new PolicyError(file, null, `bestand ontbreekt in ${policyDir}`);
  const raw = fs.readFileSync(full, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    throw new PolicyError(file, null, `geen geldige JSON: ${(e as Error).message}`);
  }
  const schema = JSON.parse(fs.readFileSync(path.join(policyDir, 'schema', 'signalen.schema.json'), 'utf8')) as JsonSchema;
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  const validate = ajv.compile(schema);
  if (!validate(data)) {
    // Name the rule an error is in, so that "out of range" points at the rule, not at an index.
    const regels = ((data as { regels?: unknown[] } | null)?.regels ?? []) as Array<{ id?: unknown }>;
    const first = validate.errors?.[0]?.instancePath.match(/^\/regels\/(\d+)/);
    const id = first ? regels[Number(first[1])]?.id : undefined;
    const errs = toInvalidParams(validate.errors).map((e) => `${e.name} ${e.reason}`);
    throw new PolicyError(file, typeof id === 'string' ? id : null, `voldoet niet aan het schema: ${errs.join('; ')}`);
  }
  const { versie, regels } = data as { versie: string; regels: Signaalregel[] };

  const doelen = new Map(policies.doelen.map((d) => [d.id, d]));
  const categorieen = new Map(policies.gegevenscategorieen.map((c) => [c.id, c]));
  const participatievormen = codeList(schemas, 'Participatievorm');
  const nazorgvormen = codeList(schemas, 'Nazorgvorm');
  const seen = new Set<string>();

  for (const regel of regels) {
    const fail = (msg: string) => new PolicyError(file, regel.id, msg);
    if (seen.has(regel.id)) throw fail('komt meer dan eens voor: er is één regel per soort signaal');
    seen.add(regel.id);
    if (!(SOORTEN as readonly string[]).includes(regel.id)) throw fail(`onbekende soort signaal "${regel.id}" (bekend: ${SOORTEN.join(', ')})`);
    const eisen = SOORT_EISEN[regel.id as Soort];

    // The doel of the gemeente's worklist.
    const doel = doelen.get(regel.doel);
    if (!doel) throw fail(`onbekend doel "${regel.doel}" (niet in doelen.json)`);
    if (doel.alleenGeaggregeerd) throw fail(`doel "${doel.id}" levert alleen geaggregeerde cijfers; een signaal gaat over één deelnemer`);
    if (!doel.ontvangers.includes('gemeente')) throw fail(`een gemeente is geen ontvanger van doel "${doel.id}"`);

    for (const type of regel.berichttypen) if (!schemas.schema(type)) throw fail(`onbekend berichttype "${type}"`);
    for (const type of eisen.berichttypen) if (!regel.berichttypen.includes(type)) throw fail(`soort ${regel.id} wordt afgeleid uit ${type}, maar berichttypen noemt het niet`);

    for (const id of regel.gegevenscategorieen) if (!categorieen.has(id)) throw fail(`onbekende gegevenscategorie "${id}" (niet in gegevenscategorieen.json)`);
    for (const id of eisen.gegevenscategorieen) if (!regel.gegevenscategorieen.includes(id)) throw fail(`een signaal ${regel.id} onthult gegevenscategorie "${id}", maar gegevenscategorieen noemt die niet`);
    const outside = regel.gegevenscategorieen.filter((id) => !doel.gegevenscategorieen.includes(id));
    if (outside.length) throw fail(`onthult ${outside.join(', ')}, maar doel "${doel.id}" verwerkt die gegevenscategorieen niet`);

    for (const code of regel.codes) {
      if (!eisen.codes.includes(code)) throw fail(`code "${code}" hoort niet bij soort ${regel.id} (toegestaan: ${eisen.codes.join(', ') || 'geen'})`);
      const bron = SIGNAALCODES[code];
      if (!regel.berichttypen.includes(bron.berichttype)) throw fail(`code "${code}" komt uit ${bron.berichttype}, dat niet in berichttypen staat`);
      const allowed = regel.gegevenscategorieen.flatMap((id) => categorieen.get(id)!.velden[bron.berichttype] ?? []);
      if (!covers(allowed, bron.veld)) throw fail(`code "${code}" (${bron.berichttype} ${bron.veld}) valt buiten de gegevenscategorieen van de regel (${regel.gegevenscategorieen.join(', ')})`);
    }

    if (regel.aanbieders) {
      const ad = doelen.get(regel.aanbieders.doel);
      if (!ad) throw fail(`aanbieders: onbekend doel "${regel.aanbieders.doel}" (niet in doelen.json)`);
      if (ad.alleenGeaggregeerd) throw fail(`aanbieders: doel "${ad.id}" levert alleen geaggregeerde cijfers`);
      if (!ad.ontvangers.some((r) => r !== 'gemeente')) throw fail(`aanbieders: doel "${ad.id}" heeft geen aanbieder als ontvanger`);
      if (ad.toestemmingVereist) throw fail(`aanbieders: doel "${ad.id}" vereist toestemming; signalen kennen (nog) geen toestemmingscontrole`);
      const buiten = regel.gegevenscategorieen.filter((id) => !ad.gegevenscategorieen.includes(id));
      if (buiten.length) throw fail(`aanbieders: onthult ${buiten.join(', ')}, maar doel "${ad.id}" verwerkt die gegevenscategorieen niet`);
    }

    const gegeven = Object.keys(regel.drempels) as DrempelNaam[];
    for (const d of gegeven) if (!eisen.drempels.includes(d)) throw fail(`drempel "${d}" hoort niet bij soort ${regel.id} (verwacht: ${eisen.drempels.join(', ') || 'geen'})`);
    for (const d of eisen.drempels) if (regel.drempels[d] === undefined) throw fail(`drempel "${d}" ontbreekt`);
    const d = regel.drempels;
    if (d.aandeelOngeoorloofd !== undefined && !(d.aandeelOngeoorloofd > 0 && d.aandeelOngeoorloofd <= 1)) throw fail(`drempel aandeelOngeoorloofd ${d.aandeelOngeoorloofd} ligt buiten (0, 1]`);
    if (d.weken !== undefined && !(Number.isInteger(d.weken) && d.weken >= 1 && d.weken <= 8)) throw fail(`drempel weken ${d.weken} ligt buiten 1..8 (de stand bewaart 8 weken)`);
    if (d.ongeoorloofdeLessen !== undefined && !(Number.isInteger(d.ongeoorloofdeLessen) && d.ongeoorloofdeLessen >= 1)) throw fail(`drempel ongeoorloofdeLessen ${d.ongeoorloofdeLessen} moet een geheel getal ≥ 1 zijn`);
    if (d.dagen !== undefined && !(Number.isInteger(d.dagen) && d.dagen >= 1 && d.dagen <= 365)) throw fail(`drempel dagen ${d.dagen} ligt buiten 1..365`);
    for (const v of d.vormen ?? []) if (!participatievormen.includes(v)) throw fail(`drempel vormen: onbekende participatievorm "${v}"`);
    for (const v of d.nazorgOntbreektBij ?? []) if (!nazorgvormen.includes(v)) throw fail(`drempel nazorgOntbreektBij: onbekende nazorgvorm "${v}"`);
  }

  return { versie, hash: crypto.createHash('sha256').update(raw).digest('hex'), regels };
}
