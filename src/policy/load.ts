/**
 * Reads the policy files (`partijen.json`, `gegevenscategorieen.json`, `doelen.json`,
 * `regels.json`, and the optional `functionarissen.json`, `toestemmingsteksten.json` and `bewaring.json`), validates each against its own JSON Schema in `policies/schema/`, and
 * cross-checks them against each other and against the message schemas. Any problem stops the
 * start with the file and rule named: an unknown doel or field, a projection wider than the doel's
 * data categories, a rule that reads subject-level data for an aggregates-only doel, consent asked
 * where the law gives another basis (or not asked where consent is the basis), and an allowing rule
 * that forbidding rules make dead (the two contradict each other); a consent-based doel without a
 * Dutch consent text, a text whose SHA-256 does not match (edited in place), and a gemeente — the
 * controller named on every consent receipt — without postal address, telephone and e-mail; and a
 * register without one of the gateway's own processing activities that the logboek names (`eigenVerwerkingen`).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { toInvalidParams, type JsonSchema, type SchemaRegistry } from '../schemas/registry.js';
import { PolicyError } from './errors.js';
import { covers } from './pointers.js';
import { EIGEN_VERWERKINGEN, verwerkingsactiviteitUri } from '../audit/verwerkingsactiviteiten.js';
import type { Doel, EigenVerwerking, Functionaris, Gegevenscategorie, Partij, Regel, Toestemmingstekst, ToewijzingRol, Wisreden } from './types.js';

export interface PolicySet {
  partijen: readonly Partij[];
  gegevenscategorieen: readonly Gegevenscategorie[];
  doelen: readonly Doel[];
  /** The gateway's own processing activities (register `eigenVerwerkingen`), each named by logboek records. */
  eigenVerwerkingen: readonly EigenVerwerking[];
  regels: readonly Regel[];
  /** The privacy officers (FG) per party; empty when `functionarissen.json` is absent. */
  functionarissen: readonly Functionaris[];
  /** The consent texts per consent-based doel; empty when `toestemmingsteksten.json` is absent (then no doel may be consent-based). */
  toestemmingsteksten: readonly Toestemmingstekst[];
  /** The coded reasons for an erasure (`bewaring.json`); empty when the file is absent (then no erasure is accepted). */
  wisredenen: readonly Wisreden[];
  verantwoordelijke: string;
  /** `versie` from regels.json plus a SHA-256 over the policy files: what the audit log cites. */
  versie: string;
  hash: string;
}

const FILES = ['partijen.json', 'gegevenscategorieen.json', 'doelen.json', 'regels.json'] as const;
/**
 * Optional: a deployment without privacy officers has no logboek readers; one without consent-based
 * doelen needs no consent texts (with one, the cross-check below asks for them); one without erasure
 * reasons accepts no erasure.
 */
const OPTIONAL_FILES = ['functionarissen.json', 'toestemmingsteksten.json', 'bewaring.json'] as const;

type Defs = (ref: string) => JsonSchema | undefined;

function deref(node: JsonSchema | undefined, defs: Defs): JsonSchema | undefined {
  let n = node;
  for (let i = 0; n && typeof n.$ref === 'string' && i < 32; i++) n = defs(n.$ref);
  return n;
}

/** The properties an object schema declares, including those of its allOf/anyOf/oneOf branches. */
export function propertiesOf(node: JsonSchema | undefined, defs: Defs, depth = 0): Record<string, JsonSchema> {
  const n = deref(node, defs);
  if (!n || depth > 16) return {};
  const out: Record<string, JsonSchema> = {};
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    for (const branch of (n[key] as JsonSchema[] | undefined) ?? []) Object.assign(out, propertiesOf(branch, defs, depth + 1));
  }
  return Object.assign(out, (n.properties as Record<string, JsonSchema> | undefined) ?? {});
}

/** The schema node of the field at `pointer` (following `$ref`s), or undefined when there is no such field. */
export function schemaNodeAt(schema: JsonSchema, pointer: string, defs: Defs): JsonSchema | undefined {
  let node: JsonSchema | undefined = deref(schema, defs);
  if (pointer === '') return node;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const props = propertiesOf(node, defs);
    node = deref(Object.hasOwn(props, key) ? props[key] : undefined, defs);
    if (!node) return undefined;
  }
  return node;
}

/** Resolve a JSON pointer against a JSON Schema: does the message schema have this field? */
export function pointerExists(schema: JsonSchema, pointer: string, defs: Defs): boolean {
  return schemaNodeAt(schema, pointer, defs) !== undefined;
}

/**
 * Whether the field at `pointer` lies wholly inside the allow-list `allowed`: some allowed pointer
 * is it or an ancestor, or it is an object every one of whose fields is inside.
 */
export function withinAllowList(schema: JsonSchema, pointer: string, allowed: readonly string[], defs: Defs): boolean {
  if (covers(allowed, pointer)) return true;
  const props = propertiesOf(schemaNodeAt(schema, pointer, defs), defs);
  if (Object.keys(props).length === 0) return false;
  return Object.keys(props).every((k) => withinAllowList(schema, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, allowed, defs));
}

/** The fields (pointers) a doel's data categories cover in one message type. */
export function categoryPointers(doel: Doel, categorieen: ReadonlyMap<string, Gegevenscategorie>, berichttype: string): string[] {
  return doel.gegevenscategorieen.flatMap((id) => categorieen.get(id)?.velden[berichttype] ?? []);
}

/** The message types a rule speaks about. */
export function typesOf(regel: Regel): string[] {
  return regel.actie === 'lezen' && regel.effect === 'toestaan' ? Object.keys(regel.projectie ?? {}) : (regel.berichttypen ?? []);
}

function relationAlternatives(regel: Regel): Array<'eigenaar' | ToewijzingRol> {
  return regel.relatie === 'eigenaar' ? ['eigenaar'] : regel.relatie.toewijzing;
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
  const categorieenFile = data['gegevenscategorieen.json'] as { categorieen: Gegevenscategorie[] };
  const doelenFile = data['doelen.json'] as { verantwoordelijke: string; doelen: Doel[]; eigenVerwerkingen: EigenVerwerking[] };
  const regelsFile = data['regels.json'] as { versie: string; regels: Regel[] };
  const functionarissen = (data['functionarissen.json'] as { functionarissen: Functionaris[] } | undefined)?.functionarissen ?? [];
  const toestemmingsteksten = (data['toestemmingsteksten.json'] as { teksten: Toestemmingstekst[] } | undefined)?.teksten ?? [];
  const wisredenen = (data['bewaring.json'] as { wisredenen: Wisreden[] } | undefined)?.wisredenen ?? [];

  const unique = (file: string, what: string, ids: string[]) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) throw new PolicyError(file, null, `${what} "${id}" komt meer dan eens voor`);
      seen.add(id);
    }
  };
  unique('partijen.json', 'partij-id', partijen.map((p) => p.id));
  unique('partijen.json', 'client-id', partijen.flatMap((p) => p.clientIds));
  unique('gegevenscategorieen.json', 'categorie-id', categorieenFile.categorieen.map((c) => c.id));
  unique('doelen.json', 'doel-id', doelenFile.doelen.map((d) => d.id));
  unique('doelen.json', 'id', [...doelenFile.doelen, ...doelenFile.eigenVerwerkingen].map((d) => d.id));
  unique('doelen.json', 'uri', [...doelenFile.doelen, ...doelenFile.eigenVerwerkingen].map((d) => d.uri));
  // Every record of the logboek names a processing activity; the gateway's own ones must be in the register, under their fixed URI.
  for (const id of EIGEN_VERWERKINGEN) {
    const entry = doelenFile.eigenVerwerkingen.find((e) => e.id === id);
    if (!entry) throw new PolicyError('doelen.json', null, `eigenVerwerkingen mist "${id}": het logboek noemt deze verwerkingsactiviteit (${verwerkingsactiviteitUri(id)})`);
    if (entry.uri !== verwerkingsactiviteitUri(id)) throw new PolicyError('doelen.json', null, `eigen verwerking "${id}" moet uri ${verwerkingsactiviteitUri(id)} hebben, niet ${entry.uri}`);
  }
  unique('regels.json', 'regel-id', regelsFile.regels.map((r) => r.id));
  unique('functionarissen.json', 'functionaris-id', functionarissen.map((f) => f.id));
  unique('bewaring.json', 'wisreden', wisredenen.map((w) => w.code));
  // A client is either a party's or an officer's, never both: officers read logs, not messages.
  unique('partijen.json + functionarissen.json', 'client-id', [...partijen.flatMap((p) => p.clientIds), ...functionarissen.flatMap((f) => f.clientIds)]);
  for (const f of functionarissen) {
    if (!partijen.some((p) => p.id === f.partij)) throw new PolicyError('functionarissen.json', null, `functionaris "${f.id}" hoort bij onbekende partij "${f.partij}"`);
  }

  const defs: Defs = (ref) => {
    const [file, frag] = ref.split('#');
    const doc = schemas.files.get((file ?? '').replace(/^\.\.\//, ''));
    const name = frag?.split('/').pop();
    return name ? ((doc?.$defs as Record<string, JsonSchema> | undefined)?.[name]) : doc;
  };

  // Data categories: every field they name exists in its message type.
  const categorieen = new Map(categorieenFile.categorieen.map((c) => [c.id, c]));
  for (const cat of categorieenFile.categorieen) {
    for (const [type, pointers] of Object.entries(cat.velden)) {
      const schema = schemas.schema(type);
      if (!schema) throw new PolicyError('gegevenscategorieen.json', null, `categorie "${cat.id}": onbekend berichttype "${type}"`);
      for (const pointer of pointers) {
        if (!pointerExists(schema, pointer, defs)) throw new PolicyError('gegevenscategorieen.json', null, `categorie "${cat.id}": veld "${pointer}" bestaat niet in berichttype "${type}"`);
      }
    }
  }

  // Issue 12: a top-level field that can carry the health code (`gezondheid`, through its code list or its
  // items) is data concerning health, so it must lie in a special category: a new type or field with that
  // code (knelpunt/knelpunten) cannot start until the register says so.
  const codes = (node: JsonSchema | undefined, seen: Set<string>): unknown[] => {
    if (!node) return [];
    if (typeof node.$ref === 'string') {
      if (seen.has(node.$ref)) return [];
      seen.add(node.$ref);
      return codes(defs(node.$ref.startsWith('#') ? `definities/v1.json${node.$ref}` : node.$ref), seen);
    }
    return [...((node.enum as unknown[] | undefined) ?? []), ...codes(node.items as JsonSchema | undefined, seen)];
  };
  for (const type of schemas.berichttypen) {
    for (const [veld, sub] of Object.entries((schemas.schema(type)!.properties ?? {}) as Record<string, JsonSchema>)) {
      if (!codes(sub, new Set()).includes('gezondheid')) continue;
      const special = categorieenFile.categorieen.some((c) => c.bijzonder && (c.velden[type] ?? []).includes(`/${veld}`));
      if (!special) throw new PolicyError('gegevenscategorieen.json', null, `veld "/${veld}" van ${type} kan de code gezondheid bevatten en moet daarom in een bijzondere gegevenscategorie (AVG art. 9) liggen`);
    }
  }

  // The register: categories exist, the legal basis and the consent flag agree, special categories are declared.
  for (const doel of doelenFile.doelen) {
    const fail = (msg: string) => new PolicyError('doelen.json', null, `doel "${doel.id}": ${msg}`);
    for (const id of doel.gegevenscategorieen) if (!categorieen.has(id)) throw fail(`onbekende gegevenscategorie "${id}" (niet in gegevenscategorieen.json)`);
    const opToestemming = doel.grondslag.soort === 'toestemming';
    if (doel.toestemmingVereist !== opToestemming) {
      throw fail(opToestemming
        ? 'de grondslag is toestemming, dus toestemmingVereist moet true zijn'
        : `de grondslag is ${doel.grondslag.soort}; toestemming is dan geen grondslag, dus toestemmingVereist moet false zijn`);
    }
    const bijzonder = doel.gegevenscategorieen.filter((id) => categorieen.get(id)!.bijzonder);
    if (bijzonder.length && !doel.bijzondereCategorieen) throw fail(`verwerkt bijzondere persoonsgegevens (${bijzonder.join(', ')}) maar bijzondereCategorieen is false`);
    if (!bijzonder.length && doel.bijzondereCategorieen) throw fail('bijzondereCategorieen is true, maar geen van zijn gegevenscategorieen is bijzonder');
  }

  const doelen = new Map(doelenFile.doelen.map((d) => [d.id, d]));
  checkToestemmingsteksten(toestemmingsteksten, doelenFile.doelen);
  // Every gemeente is the controller of its trajectories: its consent receipts name its postal address,
  // telephone and e-mail (Kantara CR v1.1 piiControllers, ISO/IEC TS 27560 party contact).
  for (const p of partijen.filter((x) => x.rol === 'gemeente')) {
    const missing = (['adres', 'telefoon', 'email'] as const).filter((k) => !p.contact?.[k]);
    if (missing.length) throw new PolicyError('partijen.json', null, `gemeente "${p.id}" is verwerkingsverantwoordelijke maar mist contact.${missing.join(', contact.')}; die staan op elk ontvangstbewijs van een toestemming`);
  }
  // A forbid with `voorwaarden` covers only some trajectories, so it carves an exception and never makes an allow dead.
  const forbids = regelsFile.regels.filter((r) => r.effect === 'verbieden' && !r.voorwaarden);

  for (const regel of regelsFile.regels) {
    const fail = (msg: string) => new PolicyError('regels.json', regel.id, msg);
    const doel = doelen.get(regel.doel);
    if (!doel) throw fail(`onbekend doel "${regel.doel}" (niet in doelen.json)`);
    const types = typesOf(regel);
    for (const type of types) {
      if (!schemas.schema(type)) throw fail(`onbekend berichttype "${type}"`);
    }
    const buiten = (regel.voorwaarden?.regimes ?? []).filter((r) => doel.regimes && !doel.regimes.includes(r));
    if (buiten.length) throw fail(`geldt onder regime ${buiten.join(', ')}, maar doel "${doel.id}" geldt volgens het register alleen onder ${doel.regimes!.join(', ')}`);
    if (regel.toestemming && !doel.toestemmingVereist) {
      throw fail(`vraagt toestemming, maar doel "${doel.id}" heeft als grondslag ${doel.grondslag.soort}; toestemming kan dan geen voorwaarde zijn`);
    }
    if (regel.actie !== 'lezen' || regel.effect !== 'toestaan') continue;

    if (doel.alleenGeaggregeerd) throw fail(`doel "${doel.id}" levert alleen geaggregeerde cijfers; een regel mag er geen gegevens over één deelnemer voor laten lezen`);
    if (doel.toestemmingVereist && !regel.toestemming) throw fail(`doel "${doel.id}" vereist toestemming, maar de regel vraagt er niet om`);
    if (!doel.ontvangers.includes(regel.rol)) throw fail(`een ${regel.rol} is geen ontvanger van doel "${doel.id}" (ontvangers: ${doel.ontvangers.join(', ')})`);
    for (const [type, pointers] of Object.entries(regel.projectie ?? {})) {
      const schema = schemas.schema(type)!;
      if (regel.partijdeel) {
        const { lijst } = regel.partijdeel;
        if (!pointerExists(schema, lijst, defs)) throw fail(`partijdeel: lijst "${lijst}" bestaat niet in berichttype "${type}"`);
        if (!pointers.some((p) => p === '' || lijst === p || lijst.startsWith(`${p}/`))) throw fail(`partijdeel: lijst "${lijst}" valt buiten de projectie van ${type}`);
      }
      if (regel.berichtvoorwaarde && !pointerExists(schema, regel.berichtvoorwaarde.partijVeld, defs)) {
        throw fail(`berichtvoorwaarde: veld "${regel.berichtvoorwaarde.partijVeld}" bestaat niet in berichttype "${type}"`);
      }
      const allowed = categoryPointers(doel, categorieen, type);
      for (const pointer of pointers) {
        if (!pointerExists(schema, pointer, defs)) throw fail(`veld "${pointer}" bestaat niet in berichttype "${type}"`);
        if (!withinAllowList(schema, pointer, allowed, defs)) {
          throw fail(`projectie "${pointer || '(heel bericht)'}" van ${type} is ruimer dan de gegevenscategorieen van doel "${doel.id}" (${doel.gegevenscategorieen.join(', ')})`);
        }
      }
    }
  }

  // Contradiction: an allowing rule every case of which a forbidding rule also covers can never apply.
  for (const allow of regelsFile.regels.filter((r) => r.effect === 'toestaan')) {
    const sameScope = forbids.filter((f) => f.actie === allow.actie && f.rol === allow.rol && (allow.actie === 'publiceren' || f.doel === allow.doel));
    if (sameScope.length === 0) continue;
    const blockers = new Set<string>();
    const dead = typesOf(allow).every((type) => relationAlternatives(allow).every((rel) => {
      const f = sameScope.find((x) => typesOf(x).includes(type) && relationAlternatives(x).includes(rel));
      if (f) blockers.add(f.id);
      return Boolean(f);
    }));
    if (dead) {
      throw new PolicyError('regels.json', allow.id, `staat toe wat ${[...blockers].join(', ')} verbiedt: de regels spreken elkaar tegen (een verbod gaat altijd voor, dus deze regel kan nooit gelden)`);
    }
  }

  const hash = crypto.createHash('sha256');
  for (const file of [...FILES, ...OPTIONAL_FILES]) if (raw[file] !== undefined) hash.update(raw[file]!);
  const digest = hash.digest('hex');
  return {
    partijen,
    gegevenscategorieen: categorieenFile.categorieen,
    doelen: doelenFile.doelen,
    eigenVerwerkingen: doelenFile.eigenVerwerkingen,
    regels: regelsFile.regels,
    functionarissen,
    toestemmingsteksten,
    wisredenen,
    verantwoordelijke: doelenFile.verantwoordelijke,
    versie: regelsFile.versie,
    hash: digest,
  };
}

/**
 * The consent texts against the register: one entry per (id, versie, taal), an id belongs to one
 * consent-based doel, the stored SHA-256 is that of the text (a text edited in place stops the start:
 * records and signed receipts name the hash), and every consent-based doel has a Dutch text.
 */
function checkToestemmingsteksten(teksten: readonly Toestemmingstekst[], doelen: readonly Doel[]): void {
  const file = 'toestemmingsteksten.json';
  const seen = new Set<string>();
  const doelVanId = new Map<string, string>();
  for (const t of teksten) {
    const key = `${t.id} ${t.versie} (${t.taal})`;
    if (seen.has(key)) throw new PolicyError(file, null, `tekst ${key} komt meer dan eens voor`);
    seen.add(key);
    const doel = doelen.find((d) => d.id === t.doel);
    if (!doel) throw new PolicyError(file, null, `tekst ${key}: onbekend doel "${t.doel}" (niet in doelen.json)`);
    if (!doel.toestemmingVereist) throw new PolicyError(file, null, `tekst ${key}: doel "${t.doel}" heeft als grondslag ${doel.grondslag.soort}, niet toestemming`);
    const eerder = doelVanId.get(t.id);
    if (eerder !== undefined && eerder !== t.doel) throw new PolicyError(file, null, `tekst ${t.id} hoort bij doel "${eerder}" en bij "${t.doel}"; één tekst-id hoort bij één doel`);
    doelVanId.set(t.id, t.doel);
    const sha256 = crypto.createHash('sha256').update(t.tekst, 'utf8').digest('hex');
    if (sha256 !== t.sha256) {
      throw new PolicyError(file, null, `tekst ${key}: sha256 klopt niet bij de tekst (berekend: ${sha256}). Wijzig een tekst nooit ter plekke: voeg een nieuwe versie toe.`);
    }
  }
  for (const doel of doelen.filter((d) => d.toestemmingVereist)) {
    if (!teksten.some((t) => t.doel === doel.id && t.taal === 'nl')) {
      throw new PolicyError(file, null, `doel "${doel.id}" heeft toestemming als grondslag maar geen Nederlandse toestemmingstekst (taal nl)`);
    }
  }
}
