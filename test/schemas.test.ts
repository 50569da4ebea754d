/**
 * The message schemas as a contract: their conventions, their code lists, every example message
 * (valid ones pass, each invalid one gives exactly the errors it is there to show), how they evolve
 * (an additive minor and a breaking major), and the generated types that must not drift.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { generateTypes, GENERATED_DIR } from '../scripts/generate-types.js';
import { projectRoot } from '../src/config.js';
import { bundleForServing } from '../src/schemas/bundle.js';
import { loadSchemas, SchemaLayoutError, type JsonSchema } from '../src/schemas/registry.js';

const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv2020) => Ajv2020;
const root = projectRoot();
const SCHEMAS = path.join(root, 'schemas');
const EXAMPLES = path.join(SCHEMAS, 'examples');
const registry = loadSchemas(SCHEMAS);
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Every `properties` entry reachable through properties, items and $defs (not through if/then/else). */
function* properties(node: JsonSchema, at: string): Generator<[string, JsonSchema]> {
  for (const [name, sub] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
    yield [`${at}/properties/${name}`, sub];
    yield* properties(sub, `${at}/properties/${name}`);
  }
  if (node.items && typeof node.items === 'object') yield* properties(node.items as JsonSchema, `${at}/items`);
  for (const [name, sub] of Object.entries((node.$defs ?? {}) as Record<string, JsonSchema>)) yield* properties(sub, `${at}/$defs/${name}`);
}

/** Every `enum` in a schema, with where it is. */
function* enums(node: unknown, at: string): Generator<[string, unknown[]]> {
  if (Array.isArray(node)) {
    for (const [i, n] of node.entries()) yield* enums(n, `${at}/${i}`);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'enum' && Array.isArray(v)) yield [at, v];
      else if (k !== 'examples') yield* enums(v, `${at}/${k}`);
    }
  }
}

describe('conventions of every schema file', () => {
  it.each([...registry.files.keys()])('%s: versioned $id, semver version, Dutch title, English / Dutch descriptions on every property', (file) => {
    const schema = registry.files.get(file)!;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`https://doelpoort.example/schemas/${file}`);
    expect(schema.version).toMatch(/^\d+\.\d+\.\d+$/);
    if (/\/v\d+\.json$/.test(file)) expect(Number((schema.version as string).split('.')[0])).toBe(Number(/v(\d+)\.json$/.exec(file)![1]));
    expect(schema.title).toEqual(expect.any(String));
    const missing = [...properties(schema, '#')].filter(([, p]) => typeof p.title !== 'string' || !/\S.* \/ \S/.test(String(p.description ?? ''))).map(([at]) => at);
    expect(missing).toEqual([]);
  });

  it.each(registry.berichttypen.flatMap((t) => registry.versies(t).map((v) => [v.file, t, v.major] as const)))('%s: its examples validate', (_file, type, major) => {
    const examples = registry.schema(type, major)!.examples as unknown[];
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(registry.validateInhoud(type, example, '', `${major}.0`)).toEqual([]);
  });

  it('the examples of the shared definitions validate against their definition', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
    addFormats(ajv);
    ajv.addVocabulary(['version', 'foutmeldingen', 'statusovergangen']);
    const definities = registry.files.get('definities/v1.json')!;
    ajv.addSchema(definities);
    const withExamples = Object.entries(definities.$defs as Record<string, JsonSchema>).filter(([, d]) => Array.isArray(d.examples));
    expect(withExamples.length).toBeGreaterThan(3);
    for (const [name, def] of withExamples) {
      const validate = ajv.compile({ $ref: `${definities.$id}#/$defs/${name}` });
      for (const example of def.examples as unknown[]) expect(validate(example), `${name}: ${JSON.stringify(example)}`).toBe(true);
    }
  });

  it('every `required` names a property of its object (ajv strictRequired is off for if/then)', () => {
    const problems: string[] = [];
    const walk = (node: unknown, props: Set<string>, at: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, props, `${at}/${i}`));
      if (!node || typeof node !== 'object') return;
      const n = node as JsonSchema;
      const own = n.properties ? new Set(Object.keys(n.properties as object)) : props;
      for (const r of (n.required as string[] | undefined) ?? []) if (!own.has(r) && !props.has(r)) problems.push(`${at}: ${r}`);
      for (const [k, v] of Object.entries(n)) if (k !== 'examples') walk(v, k === 'properties' ? new Set() : own, `${at}/${k}`);
    };
    for (const [file, schema] of registry.files) walk(schema, new Set(), file);
    expect(problems).toEqual([]);
  });
});

describe('code lists tell "none" from "unknown"', () => {
  // A code list without `onbekend` must say why it can never be unknown.
  const ALTIJD_BEKEND: Record<string, string> = {
    Leerroute: 'a route that has been set (a trajectory whose route is still open says so with Trajectleerroute)',
    Trajectleerroute: '`nog-te-bepalen` is the gemeente\'s own answer until it decides the route; it always knows whether it has',
    Regime: 'the gemeente sets it; trajectories from before the field were migrated to wi2021 (docs/schemas.md)',
    Vaardigheid: 'a dimension (which skill), not an answer',
    Taalniveau: 'used for targets and milestones, which are known levels; a measured level uses GemetenTaalniveau',
    Examenonderdeel: 'a dimension (which component), not an answer',
    Activiteit: 'the sender planned the activity itself',
    Participatievorm: 'a placement has a form from its proposal on',
    Plaatsingsstatus: 'the life cycle itself',
    Toewijzingsrol: 'the gemeente assigns a party for a part; an assignment without its part means nothing',
    Toestemmingsvorm: 'whoever records the proof of a consent knows how it was given (AVG art. 7 lid 1); without proof `bewijs` is left out',
    Actie: 'a dimension (which action a policy question is about), not an answer',
    Afhandeluitkomst: 'only the klantmanager who acted on a signal closes it, and she knows what she did',
    Besluitsoort: 'a decision: the gemeente knows what it decided',
    Plandoel: 'a goal in a plan is agreed: the gemeente knows what it agreed',
    Voorziening: 'a decision: the gemeente knows which facility it decided on',
    Toekenning: 'a decision: granted or refused',
    Verzuimoordeel: 'a decision: the judgement itself',
    Verzuimmaatregel: 'a decision: the measure taken (geen is an answer)',
    Ontheffingsstand: 'a decision: where the exemption stands',
    Eindgesprekuitkomst: 'a decision: the outcome of the interview',
  };

  it('every shared code list has `onbekend`, or is on the reasoned list of lists that are always known', () => {
    const defs = registry.files.get('definities/v1.json')!.$defs as Record<string, JsonSchema>;
    const lists = Object.entries(defs).filter(([, d]) => Array.isArray(d.enum));
    expect(lists.length).toBeGreaterThan(15);
    for (const [name, def] of lists) {
      if (ALTIJD_BEKEND[name]) expect(def.enum, `${name} is listed as always known`).not.toContain('onbekend');
      else expect(def.enum, name).toContain('onbekend');
    }
  });

  it('message and API schemas keep their code lists in the shared definitions (apart from small closed sets)', () => {
    const local = [...registry.files].flatMap(([file, s]) => (file.startsWith('definities/') ? [] : [...enums(s, file)]));
    expect(local.map(([at]) => at).sort()).toEqual([
      'api/abonnement.json/properties/berichttypen/items',
      'api/abonnement.json/properties/soorten/items',
      'api/afsluiting.json/properties/uitkomst/properties/vervolg/if/contains',
      'api/cbs-levering.json/properties/trajecten/items/properties/status',
      'api/envelop.json/properties/berichttype',
      // The consent receipt (issue 13): the two DPV consent states, and the party roles of policies/partijen.json.
      'api/toestemming-ontvangstbewijs.json/properties/events/items/properties/eventState',
      'api/toestemming-ontvangstbewijs.json/properties/recipientThirdParties/items/properties/partyType',
      'api/kwartaalcijfers.json/properties/tabellen/items/properties/eenheid',
      'api/traject.json/properties/toewijzingen/items/properties/rol',
      'plaatsing/v1.json/allOf/0/if/properties/status',
      'plaatsing/v1.json/properties/nazorg/if/properties/vorm',
      'taalvoortgang/v1.json/properties/examens/items/if/properties/uitslag',
      'taalvoortgang/v1.json/properties/leerrouteWijziging/properties/soort',
      'taalvoortgang/v1.json/properties/mijlpaal/properties/soort',
    ].sort());
  });

  it('an assignment\'s part has one code list: the one of a new trajectory (kept locally there) and the shared one agree', () => {
    const traject = registry.files.get('api/traject.json')! as any;
    const defs = registry.files.get('definities/v1.json')!.$defs as Record<string, JsonSchema>;
    expect(traject.properties.toewijzingen.items.properties.rol.enum).toEqual(defs.Toewijzingsrol!.enum);
    expect((registry.files.get('api/toewijzing.json') as any).properties.rol.$ref).toBe('../definities/v1.json#/$defs/Toewijzingsrol');
  });

  it('barriers: ["geen"] and ["onbekend"] are answers, an empty list or "geen" with a barrier is not', () => {
    const base = readJson(path.join(EXAMPLES, 'plaatsing', 'geldig-voorgesteld.json')).inhoud;
    const check = (belemmeringen: unknown) => registry.validateInhoud('plaatsing', { ...base, belemmeringen }).map((e) => e.code);
    expect(check(['geen'])).toEqual([]);
    expect(check(['onbekend'])).toEqual([]);
    expect(check(['vervoer', 'gezondheid'])).toEqual([]);
    expect(check([])).toEqual(['minItems']);
    expect(check(['geen', 'vervoer'])).toEqual(['maxItems']);
    expect(check(['onbekend', 'geen'])).toEqual(['maxItems']);
    const { belemmeringen: _, ...zonder } = base;
    expect(registry.validateInhoud('plaatsing', zonder).map((e) => e.name)).toEqual(['/belemmeringen']);
  });
});

describe('schemas/examples: every example message', () => {
  const types = fs.readdirSync(EXAMPLES).sort();
  const cases = types.flatMap((type) => fs.readdirSync(path.join(EXAMPLES, type)).filter((f) => f !== 'verwachte-fouten.json').sort().map((f) => [type, f] as const));

  it('covers every message type with valid and invalid messages', () => {
    expect(types).toEqual([...registry.berichttypen]);
    for (const type of types) {
      expect(cases.filter(([t, f]) => t === type && f.startsWith('geldig-')).length, type).toBeGreaterThanOrEqual(2);
      expect(cases.filter(([t, f]) => t === type && f.startsWith('ongeldig-')).length, type).toBeGreaterThanOrEqual(4);
    }
    expect(cases.every(([, f]) => /^(geldig|ongeldig)-[a-z0-9-]+\.json$/.test(f))).toBe(true);
  });

  it('names the expected errors of every invalid example, and of nothing else', () => {
    for (const type of types) {
      const verwacht = Object.keys(readJson(path.join(EXAMPLES, type, 'verwachte-fouten.json'))).sort();
      expect(verwacht).toEqual(cases.filter(([t, f]) => t === type && f.startsWith('ongeldig-')).map(([, f]) => f));
    }
  });

  it.each(cases)('%s/%s', (type, file) => {
    const bericht = readJson(path.join(EXAMPLES, type, file));
    expect(bericht.berichttype).toBe(type);
    const { fouten } = registry.validateBericht(bericht);
    if (file.startsWith('geldig-')) {
      expect(fouten).toEqual([]);
    } else {
      const verwacht = readJson(path.join(EXAMPLES, type, 'verwachte-fouten.json'))[file] as { name: string; code: string }[];
      expect(fouten.map(({ name, code }) => ({ name, code }))).toEqual(verwacht);
      for (const f of fouten) expect(f.reason).toMatch(/^[^A-Z]*[a-z'"]/); // a Dutch sentence, not a code
    }
  });
});

describe('schema evolution', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /** A copy of the shipped schemas in which `change` edits or adds files. */
  function variant(change: (dir: string) => void) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-schemas-'));
    dirs.push(dir);
    fs.cpSync(SCHEMAS, dir, { recursive: true });
    change(dir);
    return dir;
  }
  const edit = (file: string, mutate: (s: any) => void) => {
    const s = readJson(file);
    mutate(s);
    fs.writeFileSync(file, JSON.stringify(s));
  };
  const shipped = (type: string) => fs.readdirSync(path.join(EXAMPLES, type)).filter((f) => f.startsWith('geldig-')).map((f) => readJson(path.join(EXAMPLES, type, f)));

  it('a minor version is additive: 1.2 adds an optional field; messages naming 1.0, 1.1 and 1.2 are accepted side by side, 1.3 is not known yet', () => {
    const dir = variant((d) => edit(path.join(d, 'plaatsing', 'v1.json'), (s) => {
      s.version = '1.2.0';
      s.properties.matching = { title: 'Matching', description: 'Employer-led or candidate-led. / Vraag- of aanbodgericht.', type: 'string', enum: ['vraaggericht', 'aanbodgericht', 'onbekend'] };
    }));
    const evolved = loadSchemas(dir);
    expect(evolved.versies('plaatsing').map((v) => v.versie)).toEqual(['1.2.0']);
    // Every message that was valid under 1.0 or 1.1 is still valid, whether it names its own minor or 1.2.
    for (const bericht of shipped('plaatsing')) {
      expect(evolved.validateBericht(bericht).fouten).toEqual([]);
      expect(evolved.validateBericht({ ...bericht, schemaversie: '1.2' }).fouten).toEqual([]);
    }
    const [met] = shipped('plaatsing').map((b) => ({ ...b, schemaversie: '1.2', inhoud: { ...b.inhoud, matching: 'vraaggericht' } }));
    expect(evolved.validateBericht(met).fouten).toEqual([]);
    // The gateway before the change does not know the field or the version: it says so.
    expect(registry.validateBericht(met).fouten.map((f) => [f.name, f.code])).toEqual([['/schemaversie', 'schemaversie']]);
    expect(registry.validateBericht({ ...met, schemaversie: '1.1' }).fouten.map((f) => [f.name, f.code])).toEqual([['/inhoud/matching', 'additionalProperties']]);
    expect(evolved.validateBericht({ ...met, schemaversie: '1.3' }).fouten[0]).toMatchObject({ name: '/schemaversie', reason: expect.stringMatching(/nieuwer dan .*1\.2\.0/) });
  });

  it('a breaking change is a new major: v2 is served beside v1, each message is validated against the major it names', () => {
    const dir = variant((d) => {
      const v1 = readJson(path.join(d, 'plaatsing', 'v1.json'));
      // Breaking: werkgever becomes required and the catch-all form `overig` is withdrawn.
      const vorm = { title: 'Vorm', description: v1.properties.vorm.description, type: 'string', enum: ['werkervaringsplaats', 'proefplaatsing', 'betaald-werk'] };
      const v2 = { ...v1, $id: v1.$id.replace('/v1.json', '/v2.json'), version: '2.0.0', required: [...v1.required, 'werkgever'], properties: { ...v1.properties, vorm } };
      fs.writeFileSync(path.join(d, 'plaatsing', 'v2.json'), JSON.stringify(v2));
      edit(path.join(d, 'plaatsing', 'v1.json'), (s) => (s.deprecated = true));
    });
    const evolved = loadSchemas(dir);
    expect(evolved.versies('plaatsing').map((v) => [v.versie, v.deprecated])).toEqual([['1.1.0', true], ['2.0.0', false]]);
    const voorgesteld = readJson(path.join(EXAMPLES, 'plaatsing', 'geldig-voorgesteld.json'));
    const { werkgever: _, ...inhoud } = voorgesteld.inhoud;
    const zonderWerkgever = { ...voorgesteld, inhoud: { ...inhoud, vorm: 'overig' } };
    // Still 1.0: valid, as before the change.
    expect(evolved.validateBericht(zonderWerkgever).fouten).toEqual([]);
    // The same content naming 2.0 breaks on exactly the two changes.
    expect(evolved.validateBericht({ ...zonderWerkgever, schemaversie: '2.0' }).fouten.map((f) => [f.name, f.code])).toEqual([
      ['/inhoud/werkgever', 'required'], ['/inhoud/vorm', 'enum'],
    ]);
    expect(evolved.validateBericht({ ...voorgesteld, schemaversie: '2.0' }).fouten).toEqual([]);
    // Both majors are served, self-contained; the newest is the default.
    expect(evolved.schema('plaatsing')!.version).toBe('2.0.0');
    expect(bundleForServing(evolved, 'plaatsing/v1.json').version).toBe('1.1.0');
    // And after the transition period v1 is withdrawn: a message naming it is refused with the versions still served.
    fs.rmSync(path.join(dir, 'plaatsing', 'v1.json'));
    expect(loadSchemas(dir).validateBericht(zonderWerkgever).fouten[0]).toMatchObject({ name: '/schemaversie', reason: expect.stringMatching(/1\.x .* niet \(meer\) ondersteund; ondersteund: 2\.0/) });
  });

  it('a version that does not match its file, a stray file, or a broken life cycle stops the load', () => {
    const bad = (change: (dir: string) => void) => () => loadSchemas(variant(change));
    expect(bad((d) => edit(path.join(d, 'plaatsing', 'v1.json'), (s) => (s.version = '2.0.0')))).toThrow(SchemaLayoutError);
    expect(bad((d) => edit(path.join(d, 'plaatsing', 'v1.json'), (s) => (s.version = '1.0')))).toThrow(/semver/);
    expect(bad((d) => fs.writeFileSync(path.join(d, 'plaatsing.json'), '{}'))).toThrow(/map per berichttype/);
    expect(bad((d) => edit(path.join(d, 'plaatsing', 'v1.json'), (s) => (s.properties.status.statusovergangen.gestart = ['hervat'])))).toThrow(/onbekende status "hervat"/);
    expect(bad((d) => edit(path.join(d, 'plaatsing', 'v1.json'), (s) => delete s.properties.status.statusovergangen.gewijzigd))).toThrow(/"gewijzigd" heeft geen regel/);
  });
});

describe('generated TypeScript types', () => {
  it('are exactly what the generator makes from the schemas now (never edited by hand)', async () => {
    const expected = await generateTypes(registry);
    const onDisk = new Map(fs.readdirSync(GENERATED_DIR).map((f) => [f, fs.readFileSync(path.join(GENERATED_DIR, f), 'utf8')]));
    expect([...onDisk.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [file, content] of expected) expect(onDisk.get(file), file).toBe(content);
    expect(expected.get('plaatsing.v1.ts')).toMatch(/export type Eindreden =[^;]*'gezondheid'/);
  });
});

describe('README', () => {
  it('each message in "Message types" is valid, and is the example file its curl call sends', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('## Message types');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const blocks = [...section.matchAll(/```json\n([\s\S]*?)```[\s\S]*?(schemas\/examples\/[a-z]+\/[a-z0-9-]+\.json)/g)];
    expect(blocks.map((m) => JSON.parse(m[1]!).berichttype).sort()).toEqual([...registry.berichttypen]);
    for (const [, json, file] of blocks) {
      const bericht = JSON.parse(json!);
      expect(registry.validateBericht(bericht).fouten, file).toEqual([]);
      expect(bericht, file).toEqual(readJson(path.join(root, file!)));
    }
  });
});
