/**
 * The policy engine and the policy files: every rule of the decision with an allowed and a refused
 * case, and every start-up check with the shipped files loading (allowed) and a defect stopping the
 * start, naming file and rule (refused).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Toestemmingsfeit } from '../consent/geldigheid.js';
import { projectRoot } from '../config.js';
import { loadSchemas } from '../schemas/registry.js';
import { createPolicyEngine } from './engine.js';
import { PolicyError } from './errors.js';
import { explain } from './explain.js';
import { loadPolicies, pointerExists, withinAllowList } from './load.js';
import { intersect, isPrefix, reduce } from './pointers.js';
import { disclosedFields, project } from './project.js';
import type { BesluitVraag, Gegevenscategorie, Partij, Regel, Relatie } from './types.js';

const root = projectRoot();
const schemas = loadSchemas(path.join(root, 'schemas'));
const set = loadPolicies(path.join(root, 'policies'), schemas);
const engine = createPolicyEngine(set);
const partij = (id: string) => engine.partij(id) as Partij;
const owner: Relatie = { eigenaar: true, toewijzingen: [] };
const taal: Relatie = { eigenaar: false, toewijzingen: ['taal'] };
const participatie: Relatie = { eigenaar: false, toewijzingen: ['participatie'] };
const geen: Relatie = { eigenaar: false, toewijzingen: [] };
const moment = { tijdstip: '2026-11-23T12:00:00.000Z', datum: '2026-11-23' };
const consent = (over: Partial<Toestemmingsfeit> = {}): Toestemmingsfeit => ({
  toestemmingId: 't-1', gegevenscategorieen: ['participatievorm', 'participatierooster'], gegevenOp: '2026-11-01T09:00:00.000Z', geldigTot: '2027-06-30', ingetrokkenOp: null, ...over,
});

/** Copy the real policy folder, let `mutate` break one file, and load it. */
function loadMutated(file: string, mutate: (json: any) => void) {
  return loadMutatedFiles({ [file]: mutate });
}

/** Copy the real policy folder, let each mutation change its file, and load it. */
function loadMutatedFiles(mutations: Record<string, (json: any) => void>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-policy-'));
  fs.cpSync(path.join(root, 'policies'), dir, { recursive: true });
  for (const [file, mutate] of Object.entries(mutations)) {
    const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    mutate(json);
    fs.writeFileSync(path.join(dir, file), JSON.stringify(json));
  }
  try {
    return () => loadPolicies(dir, schemas);
  } finally {
    setTimeout(() => fs.rmSync(dir, { recursive: true, force: true }), 1000);
  }
}

describe('decide', () => {
  it('allows with the rule, the doel and the legal basis', () => {
    const b = engine.decide({ partij: partij('gemeente-hengelo'), actie: 'lezen', berichttype: 'aanwezigheid', doel: 'handhaving', relatie: owner });
    expect(b).toMatchObject({ toegestaan: true, regel: 'lezen-handhaving', projectie: [''], toestemmingIds: [] });
    expect(b.grondslag).toMatch(/AVG art\. 6 lid 1 sub e; Wet inburgering 2021/);
  });

  it('denies by default when no rule exists', () => {
    const b = engine.decide({ partij: partij('gemeente-hengelo'), actie: 'publiceren', berichttype: 'aanwezigheid', relatie: owner });
    expect(b).toMatchObject({ toegestaan: false, regel: 'standaard-weigeren', projectie: null });
  });

  it('names the missing relation when a rule would apply to someone assigned', () => {
    const b = engine.decide({ partij: partij('taalschool-oost'), actie: 'publiceren', berichttype: 'aanwezigheid', relatie: geen });
    expect(b.toegestaan).toBe(false);
    expect(b.reden).toMatch(/publiceren-taal.*toegewezen als taal/);
    expect(engine.decide({ partij: partij('taalschool-oost'), actie: 'publiceren', berichttype: 'aanwezigheid', relatie: taal }).toegestaan).toBe(true);
  });

  it('the shipped forbid: a re-integration party never reads for handhaving, even assigned', () => {
    const b = engine.decide({ partij: partij('werkshop'), actie: 'lezen', berichttype: 'aanwezigheid', doel: 'handhaving', relatie: participatie });
    expect(b).toMatchObject({ toegestaan: false, regel: 'geen-handhaving-door-reintegratie', reden: expect.stringMatching(/^Verboden door regel/) });
    // Without the relation the forbid does not apply; the default does.
    expect(engine.decide({ partij: partij('werkshop'), actie: 'lezen', berichttype: 'aanwezigheid', doel: 'handhaving', relatie: geen }).regel).toBe('standaard-weigeren');
  });

  it('an explicit forbid beats an allow', () => {
    const forbidding = createPolicyEngine({
      ...set,
      regels: [...set.regels, { id: 'geen-handhaving-zondag', effect: 'verbieden', actie: 'lezen', rol: 'gemeente', relatie: 'eigenaar', doel: 'handhaving', berichttypen: ['aanwezigheid'], toelichting: 'test' }],
    });
    const vraag: BesluitVraag = { partij: partij('gemeente-hengelo'), actie: 'lezen', berichttype: 'aanwezigheid', doel: 'handhaving', relatie: owner };
    expect(engine.decide(vraag)).toMatchObject({ toegestaan: true, regel: 'lezen-handhaving' });
    expect(forbidding.decide(vraag)).toMatchObject({ toegestaan: false, regel: 'geen-handhaving-zondag' });
  });

  it('an aggregates-only doel refuses every subject-level read, whatever the relation', () => {
    for (const p of ['gemeente-hengelo', 'roc-van-twente', 'werkshop']) {
      const b = engine.decide({ partij: partij(p), actie: 'lezen', berichttype: 'aanwezigheid', doel: 'monitoring', relatie: owner });
      expect(b).toMatchObject({ toegestaan: false, regel: 'alleen-geaggregeerd' });
    }
    expect(engine.decide({ partij: partij('gemeente-hengelo'), actie: 'lezen', berichttype: 'aanwezigheid', doel: 'trajectbegeleiding', relatie: owner }).toegestaan).toBe(true);
  });

  it('aggregated figures (issue 13): only for an aggregates-only doel, only for its recipients; subject-level reads for it stay refused', () => {
    const monitoring = set.doelen.find((d) => d.id === 'monitoring')!;
    expect(engine.geaggregeerdLezen(partij('gemeente-hengelo'), monitoring)).toMatchObject({ toegestaan: true, regel: 'geaggregeerd-lezen', grondslag: 'AVG art. 6 lid 1 sub e; Wet inburgering 2021' });
    expect(engine.geaggregeerdLezen(partij('roc-van-twente'), monitoring)).toMatchObject({ toegestaan: false, regel: 'geaggregeerd-lezen', grondslag: null });
    expect(engine.geaggregeerdLezen(partij('gemeente-hengelo'), set.doelen.find((d) => d.id === 'trajectbegeleiding')!)).toMatchObject({ toegestaan: false });
    expect(engine.decide({ partij: partij('gemeente-hengelo'), actie: 'lezen', berichttype: 'aanwezigheid', doel: 'monitoring', relatie: owner })).toMatchObject({ toegestaan: false, regel: 'alleen-geaggregeerd' });
  });

  it('opening trajectories is for a gemeente only; managing one for its own gemeente only', () => {
    expect(engine.trajectOpenen(partij('gemeente-hengelo')).toegestaan).toBe(true);
    expect(engine.trajectOpenen(partij('werkshop')).toegestaan).toBe(false);
    expect(engine.trajectBeheren(partij('gemeente-hengelo'), owner).toegestaan).toBe(true);
    expect(engine.trajectBeheren(partij('gemeente-hengelo'), geen).toegestaan).toBe(false);
    expect(engine.trajectBeheren(partij('roc-van-twente'), taal).toegestaan).toBe(false);
  });
});

describe('consent in a decision', () => {
  const vraag: BesluitVraag = { partij: partij('roc-van-twente'), actie: 'lezen', berichttype: 'plaatsing', doel: 'lesafstemming', relatie: taal, moment };

  it('refused without consent, allowed with it, and the decision names the consent relied on', () => {
    expect(engine.decide(vraag)).toMatchObject({ toegestaan: false, regel: 'standaard-weigeren', reden: expect.stringMatching(/lezen-lesafstemming vereist toestemming.*geen toestemming/) });
    expect(engine.decide({ ...vraag, toestemmingen: [consent()] })).toMatchObject({
      toegestaan: true, regel: 'lezen-lesafstemming', projectie: ['/vorm', '/status', '/sector', '/urenPerWeek', '/taalrijk'], toestemmingIds: ['t-1'],
      grondslag: 'AVG art. 6 lid 1 sub a',
    });
  });

  it('a withdrawn consent counts as absent from its withdrawal moment on', () => {
    const withdrawn = consent({ ingetrokkenOp: '2026-11-23T11:59:59.000Z' });
    expect(engine.decide({ ...vraag, toestemmingen: [withdrawn] })).toMatchObject({ toegestaan: false, reden: expect.stringMatching(/ingetrokken op 2026-11-23T11:59:59/) });
    const later = consent({ ingetrokkenOp: '2026-11-23T12:00:01.000Z' });
    expect(engine.decide({ ...vraag, toestemmingen: [later] }).toegestaan).toBe(true);
  });

  it('an expired consent counts as absent; geldigTot is inclusive', () => {
    expect(engine.decide({ ...vraag, toestemmingen: [consent({ geldigTot: '2026-11-22' })] })).toMatchObject({ toegestaan: false, reden: expect.stringMatching(/verlopen/) });
    expect(engine.decide({ ...vraag, toestemmingen: [consent({ geldigTot: '2026-11-23' })] }).toegestaan).toBe(true);
  });

  it('a consent for fewer categories narrows the projection to those categories', () => {
    const b = engine.decide({ ...vraag, toestemmingen: [consent({ gegevenscategorieen: ['participatievorm'] })] });
    expect(b).toMatchObject({ toegestaan: true, projectie: ['/sector', '/status', '/taalrijk', '/vorm'] });
    const hours = engine.decide({ ...vraag, toestemmingen: [consent({ gegevenscategorieen: ['participatierooster'] })] });
    expect(hours.projectie).toEqual(['/urenPerWeek']); // the rule does not disclose start and end dates at all
  });

  it('a consent none of whose categories the rule discloses is refused', () => {
    const b = engine.decide({ ...vraag, toestemmingen: [consent({ gegevenscategorieen: ['werkgever'] })] });
    expect(b).toMatchObject({ toegestaan: false, reden: expect.stringMatching(/geen enkel veld/) });
  });

  it('several consents that count are taken together', () => {
    const b = engine.decide({ ...vraag, toestemmingen: [consent({ toestemmingId: 'a', gegevenscategorieen: ['participatievorm'] }), consent({ toestemmingId: 'b', gegevenscategorieen: ['participatierooster'] })] });
    expect(b).toMatchObject({ toegestaan: true, projectie: ['/vorm', '/status', '/sector', '/urenPerWeek', '/taalrijk'], toestemmingIds: ['a', 'b'] });
  });

  it('consent does not replace the relation: unassigned with consent is still refused', () => {
    expect(engine.decide({ ...vraag, relatie: geen, toestemmingen: [consent()] }).toegestaan).toBe(false);
  });
});

describe('explain', () => {
  it('names every rule with its conditions, and marks the rule that decided a refusal', () => {
    const u = explain(engine, { partij: partij('roc-van-twente'), actie: 'lezen', berichttype: 'plaatsing', doel: 'lesafstemming', relatie: taal, moment });
    expect(u.besluit).toMatchObject({ toegestaan: false, regel: 'standaard-weigeren' });
    expect(u.overwegingen.map((o) => o.regel)).toEqual(['alleen-geaggregeerd', 'doel-regime', ...set.regels.map((r) => r.id), 'standaard-weigeren']);
    const les = u.overwegingen.find((o) => o.regel === 'lezen-lesafstemming')!;
    expect(les.vanToepassing).toBe(false);
    expect(les.voorwaarden.filter((v) => !v.vervuld)).toEqual([expect.objectContaining({ voorwaarde: 'toestemming', toelichting: expect.stringMatching(/geen toestemming/) })]);
    expect(u.overwegingen.filter((o) => o.doorslaggevend).map((o) => o.regel)).toEqual(['standaard-weigeren']);
  });

  it('marks the allowing rule, with the narrowed fields, when consent is there', () => {
    const u = explain(engine, { partij: partij('roc-van-twente'), actie: 'lezen', berichttype: 'plaatsing', doel: 'lesafstemming', relatie: taal, moment, toestemmingen: [consent({ gegevenscategorieen: ['participatievorm'] })] });
    expect(u.besluit.toegestaan).toBe(true);
    const les = u.overwegingen.find((o) => o.regel === 'lezen-lesafstemming')!;
    expect(les).toMatchObject({ vanToepassing: true, doorslaggevend: true });
    expect(les.voorwaarden.find((v) => v.voorwaarde === 'toestemming')!.toelichting).toMatch(/alleen \/sector, \/status, \/taalrijk, \/vorm/);
  });

  it('names the forbidding rule that decided', () => {
    const u = explain(engine, { partij: partij('werkshop'), actie: 'lezen', berichttype: 'aanwezigheid', doel: 'handhaving', relatie: participatie });
    expect(u.overwegingen.filter((o) => o.doorslaggevend).map((o) => o.regel)).toEqual(['geen-handhaving-door-reintegratie']);
  });
});

describe('policy files are checked at start', () => {
  it('loads the shipped policies and fingerprints them', () => {
    expect(set.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(set.doelen.map((d) => d.id)).toEqual(['trajectbegeleiding', 'handhaving', 'bemiddeling', 'lesafstemming', 'monitoring', 'trajectbegeleiding-wi2013', 'knelpunt-opvolging', 'uitvoering-plan', 'cbs-verantwoording']);
    expect(set.gegevenscategorieen.length).toBeGreaterThan(0);
  });

  it.each([
    ['regels.json', (j: any) => { j.regels[2].doel = 'nieuwsgierigheid'; }, /regels\.json \(regel lezen-trajectbegeleiding\): onbekend doel/],
    ['regels.json', (j: any) => { j.regels[4].projectie.taalvoortgang.push('/bsn'); }, /regel lezen-bemiddeling.*veld "\/bsn" bestaat niet/],
    ['regels.json', (j: any) => { delete j.regels[5].toestemming; }, /regel lezen-lesafstemming.*vereist toestemming/],
    ['regels.json', (j: any) => { j.regels[0].berichttypen.push('gezondheid'); }, /regel publiceren-taal.*onbekend berichttype/],
    ['regels.json', (j: any) => { j.regels[1].id = j.regels[0].id; }, /regel-id "publiceren-taal" komt meer dan eens voor/],
    ['partijen.json', (j: any) => { j.partijen[1].rol = 'zorgverzekeraar'; }, /partijen\.json: voldoet niet aan het schema/],
    ['doelen.json', (j: any) => { j.doelen[0].bewaartermijn = 'vijf jaar'; }, /doelen\.json: voldoet niet aan het schema.*bewaartermijn/],
    ['doelen.json', (j: any) => { j.doelen[0].grondslag.avg = 'AVG art. 6 lid 1 sub g'; }, /doelen\.json: voldoet niet aan het schema.*grondslag\/avg/],
  ])('%s with a defect stops the start, naming file and rule', (file, mutate, message) => {
    const load = loadMutated(file, mutate);
    expect(load).toThrow(PolicyError);
    expect(load).toThrow(message);
  });

  it('a projection wider than the doel\'s data categories stops the start', () => {
    // bemiddeling has the category taalniveau only: exam results are outside it.
    expect(loadMutated('regels.json', (j) => { j.regels[4].projectie.taalvoortgang.push('/examens'); }))
      .toThrow(/regel lezen-bemiddeling.*projectie "\/examens" van taalvoortgang is ruimer dan de gegevenscategorieen van doel "bemiddeling"/);
    // A whole-message projection is wider as soon as one field has no category of the doel.
    expect(loadMutated('regels.json', (j) => { j.regels[4].projectie.taalvoortgang = ['']; }))
      .toThrow(/regel lezen-bemiddeling.*projectie "\(heel bericht\)" van taalvoortgang is ruimer/);
    // Allowed: the same projection once the doel has the category.
    expect(loadMutated('doelen.json', (j) => { j.doelen[2].gegevenscategorieen.push('examenresultaten', 'didactische-toelichting'); })).not.toThrow();
  });

  it('a field of a data category that the message type does not have stops the start', () => {
    expect(loadMutated('gegevenscategorieen.json', (j) => { j.categorieen[0].velden.aanwezigheid.push('/diagnose'); }))
      .toThrow(/gegevenscategorieen\.json: categorie "deelname": veld "\/diagnose" bestaat niet in berichttype "aanwezigheid"/);
  });

  it('a doel naming an unknown data category stops the start', () => {
    expect(loadMutated('doelen.json', (j) => { j.doelen[1].gegevenscategorieen.push('gezondheid'); }))
      .toThrow(/doelen\.json: doel "handhaving": onbekende gegevenscategorie "gezondheid"/);
  });

  it('a subject-level read for an aggregates-only doel stops the start', () => {
    const load = loadMutated('regels.json', (j) => {
      j.regels.push({ id: 'lezen-monitoring', effect: 'toestaan', actie: 'lezen', doel: 'monitoring', rol: 'gemeente', relatie: 'eigenaar', projectie: { aanwezigheid: ['/totalen'] }, toelichting: 'x' });
    });
    expect(load).toThrow(/regel lezen-monitoring.*alleen geaggregeerde cijfers/);
  });

  it('consent as a condition where the law gives another basis stops the start, and so does the reverse', () => {
    expect(loadMutated('regels.json', (j) => { j.regels[4].toestemming = true; }))
      .toThrow(/regel lezen-bemiddeling.*vraagt toestemming, maar doel "bemiddeling" heeft als grondslag publieke-taak/);
    expect(loadMutated('doelen.json', (j) => { j.doelen[3].toestemmingVereist = false; }))
      .toThrow(/doel "lesafstemming": de grondslag is toestemming, dus toestemmingVereist moet true zijn/);
  });

  it('a rule letting a role read that is not a recipient of the doel stops the start', () => {
    expect(loadMutated('doelen.json', (j) => { j.doelen[2].ontvangers = ['gemeente']; }))
      .toThrow(/regel lezen-bemiddeling.*een reintegratie is geen ontvanger van doel "bemiddeling"/);
  });

  it('a per-message condition naming a field the message type lacks, or on a publish rule, stops the start', () => {
    const regel = (j: any, id: string) => j.regels.find((r: { id: string }) => r.id === id);
    expect(loadMutated('regels.json', (j) => { regel(j, 'lezen-knelpunt-opvolging-taal').berichtvoorwaarde.partijVeld = '/antwoordOp/partij'; }))
      .toThrow(/regel lezen-knelpunt-opvolging-taal.*berichtvoorwaarde: veld "\/antwoordOp\/partij" bestaat niet in berichttype "besluit"/);
    expect(loadMutated('regels.json', (j) => { regel(j, 'publiceren-taal').berichtvoorwaarde = { partijVeld: '/x' }; }))
      .toThrow(/regels\.json: voldoet niet aan het schema/);
  });

  it('a per-party projection over a list the type lacks, or one the projection does not disclose, stops the start', () => {
    const regel = (j: any) => j.regels.find((r: { id: string }) => r.id === 'lezen-uitvoering-plan-taal');
    expect(loadMutated('regels.json', (j) => { regel(j).partijdeel.lijst = '/deelnemers'; }))
      .toThrow(/regel lezen-uitvoering-plan-taal.*partijdeel: lijst "\/deelnemers" bestaat niet in berichttype "plan"/);
    expect(loadMutated('regels.json', (j) => { regel(j).projectie.plan = ['/planId', '/versie']; }))
      .toThrow(/regel lezen-uitvoering-plan-taal.*partijdeel: lijst "\/partijen" valt buiten de projectie van plan/);
  });

  it('special categories must be declared, with their AVG art. 9 exception', () => {
    // Allowed: the shipped register loads; trajectbegeleiding declares the special category
    // belemmeringen-en-uitval (health as one code in barriers and end reasons) with its exception.
    expect(set.doelen[0]).toMatchObject({ id: 'trajectbegeleiding', bijzondereCategorieen: true, uitzonderingBijzondereCategorieen: expect.stringMatching(/AVG art\. 9 lid 2/) });
    // A doel that declares no special categories (trajectbegeleiding as it was before that category:
    // without it, its declaration and its exception) uses a category that is marked special.
    const zonderBijzondere = (j: any) => {
      const d = j.doelen[0];
      d.gegevenscategorieen = d.gegevenscategorieen.filter((c: string) => c !== 'belemmeringen-en-uitval' && c !== 'knelpunten');
      d.bijzondereCategorieen = false;
      delete d.uitzonderingBijzondereCategorieen;
    };
    expect(loadMutatedFiles({ 'doelen.json': zonderBijzondere, 'gegevenscategorieen.json': (j) => { j.categorieen[1].bijzonder = true; } }))
      .toThrow(/doel "trajectbegeleiding": verwerkt bijzondere persoonsgegevens \(verzuim\) maar bijzondereCategorieen is false/);
    // The shipped special category, undeclared.
    expect(loadMutated('doelen.json', (j) => { j.doelen[0].bijzondereCategorieen = false; }))
      .toThrow(/doel "trajectbegeleiding": verwerkt bijzondere persoonsgegevens \(belemmeringen-en-uitval, knelpunten\) maar bijzondereCategorieen is false/);
    // Declared without the exception of art. 9 lid 2 that allows it.
    expect(loadMutated('doelen.json', (j) => { delete j.doelen[0].uitzonderingBijzondereCategorieen; }))
      .toThrow(/voldoet niet aan het schema.*uitzonderingBijzondereCategorieen/);
    // Declared where no category is special.
    expect(loadMutated('doelen.json', (j) => { j.doelen[1].bijzondereCategorieen = true; j.doelen[1].uitzonderingBijzondereCategorieen = 'AVG art. 9 lid 2 sub g'; }))
      .toThrow(/doel "handhaving": bijzondereCategorieen is true, maar geen van zijn gegevenscategorieen is bijzonder/);
  });

  it('every field of every message type lies in exactly one data category', () => {
    const counts = (categorieen: readonly Gegevenscategorie[]) => schemas.berichttypen.flatMap((type) =>
      Object.keys(schemas.schema(type)!.properties as object).map((k) => [`${type}/${k}`, categorieen.filter((c) => (c.velden[type] ?? []).includes(`/${k}`)).length] as const));
    expect(counts(set.gegevenscategorieen).filter(([, n]) => n !== 1)).toEqual([]);
    // Refused: a field in two categories (its sensitivity would depend on which one a doel names).
    const twice = structuredClone(set.gegevenscategorieen) as Gegevenscategorie[];
    twice.find((c) => c.id === 'participatievorm')!.velden.plaatsing!.push('/eindreden');
    expect(counts(twice).filter(([, n]) => n !== 1)).toEqual([['plaatsing/eindreden', 2]]);
  });

  it('every field that can carry the health code (gezondheid) lies in a special category', () => {
    // A message field's codes, through $refs (relative to the file they are in) and array items.
    const codes = (node: Record<string, any>, base: string): unknown[] => {
      if (typeof node.$ref === 'string') {
        const [file, frag] = node.$ref.split('#');
        const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(base), file)) : base;
        return codes((schemas.files.get(target)!.$defs as Record<string, any>)[(frag ?? '').split('/').pop()!], target);
      }
      return [...(node.enum ?? []), ...(node.items ? codes(node.items, base) : [])];
    };
    const gezondheid = schemas.berichttypen.flatMap((type) => {
      const v = schemas.versies(type).at(-1)!;
      return Object.entries(v.schema.properties as Record<string, any>).filter(([, p]) => codes(p, v.file).includes('gezondheid')).map(([k]) => [type, `/${k}`] as const);
    });
    expect(gezondheid.map(([t, f]) => `${t}${f}`)).toEqual(['knelpunt/knelpunten', 'plaatsing/belemmeringen', 'plaatsing/wijzigingsreden', 'plaatsing/eindreden']);
    const outsideSpecial = (categorieen: readonly Gegevenscategorie[]) => gezondheid
      .filter(([type, field]) => !categorieen.some((c) => c.bijzonder && (c.velden[type] ?? []).some((p) => isPrefix(p, field))))
      .map(([t, f]) => `${t}${f}`);
    // Allowed: the shipped categories.
    expect(outsideSpecial(set.gegevenscategorieen)).toEqual([]);
    // Refused: the reason of a change counted as a plain participation field (as the first mapping after the merge had it).
    const plain = structuredClone(set.gegevenscategorieen) as Gegevenscategorie[];
    const special = plain.find((c) => c.id === 'belemmeringen-en-uitval')!;
    special.velden.plaatsing = special.velden.plaatsing!.filter((p) => p !== '/wijzigingsreden');
    plain.find((c) => c.id === 'participatievorm')!.velden.plaatsing!.push('/wijzigingsreden');
    expect(outsideSpecial(plain)).toEqual(['plaatsing/wijzigingsreden']);
  });

  it('the start-up check: a field that can carry gezondheid must be in a special category, and its doel must declare it', () => {
    // Allowed: the shipped register (knelpunt/knelpunten in the special category knelpunten).
    expect(set.gegevenscategorieen.find((c) => c.id === 'knelpunten')).toMatchObject({ bijzonder: true, velden: { knelpunt: ['/knelpunten'] } });
    // Refused: the category not marked special.
    expect(loadMutated('gegevenscategorieen.json', (j) => { j.categorieen.find((c: any) => c.id === 'knelpunten').bijzonder = false; }))
      .toThrow(/gegevenscategorieen\.json: veld "\/knelpunten" van knelpunt kan de code gezondheid bevatten en moet daarom in een bijzondere gegevenscategorie/);
    // Refused: the field moved into a plain category.
    expect(loadMutatedFiles({
      'gegevenscategorieen.json': (j) => {
        j.categorieen = j.categorieen.filter((c: any) => c.id !== 'knelpunten');
        j.categorieen.find((c: any) => c.id === 'knelpuntkenmerken').velden.knelpunt.push('/knelpunten');
      },
      'doelen.json': (j) => { for (const d of j.doelen) d.gegevenscategorieen = d.gegevenscategorieen.filter((c: string) => c !== 'knelpunten'); },
    })).toThrow(/veld "\/knelpunten" van knelpunt kan de code gezondheid bevatten/);
    // Refused: a doel that reads it without declaring special categories.
    expect(loadMutated('doelen.json', (j) => {
      const d = j.doelen.find((x: any) => x.id === 'trajectbegeleiding');
      d.gegevenscategorieen = d.gegevenscategorieen.filter((c: string) => c !== 'belemmeringen-en-uitval');
      d.bijzondereCategorieen = false;
      delete d.uitzonderingBijzondereCategorieen;
    })).toThrow(/doel "trajectbegeleiding": verwerkt bijzondere persoonsgegevens \(knelpunten\) maar bijzondereCategorieen is false/);
  });

  it('an activity whose attendance reveals health (psycho-education, mental health) is no code of any non-special field', () => {
    // Every code reachable from a top-level field, through $refs, items and nested properties.
    const deep = (files: typeof schemas.files, node: Record<string, any>, base: string, seen = new Set<string>()): unknown[] => {
      if (typeof node.$ref === 'string') {
        const [file, frag] = node.$ref.split('#');
        const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(base), file)) : base;
        const key = `${target}#${frag}`;
        if (seen.has(key)) return [];
        seen.add(key);
        return deep(files, (files.get(target)!.$defs as Record<string, any>)[(frag ?? '').split('/').pop()!], target, seen);
      }
      return [
        ...(node.enum ?? []),
        ...(node.items ? deep(files, node.items, base, seen) : []),
        ...Object.values((node.properties ?? {}) as Record<string, any>).flatMap((p) => deep(files, p, base, seen)),
      ];
    };
    const GEZONDHEID = /gezondheid|psych|ggz|mentale|trauma|therap|verslaving/;
    const fieldsWith = (files: typeof schemas.files) => schemas.berichttypen.flatMap((type) => {
      const v = schemas.versies(type).at(-1)!;
      const schema = files.get(v.file)!;
      return Object.entries(schema.properties as Record<string, any>)
        .filter(([, p]) => deep(files, p, v.file).some((c) => typeof c === 'string' && GEZONDHEID.test(c) && c !== 'training-gezond-leven'))
        .map(([k]) => [type, `/${k}`] as const);
    });
    const outsideSpecial = (found: readonly (readonly [string, string])[]) => found
      .filter(([type, field]) => !set.gegevenscategorieen.some((c) => c.bijzonder && (c.velden[type] ?? []).some((p) => isPrefix(p, field))))
      .map(([t, f]) => `${t}${f}`);
    // Allowed: the shipped schemas — health codes only in the special placement fields; the attendance
    // activities have no psycho-education or mental-health code (such a session is not exchanged).
    expect(outsideSpecial(fieldsWith(schemas.files))).toEqual([]);
    expect(fieldsWith(schemas.files).map(([t, f]) => `${t}${f}`).filter((f) => f.startsWith('aanwezigheid'))).toEqual([]);
    // Refused: a psycho-education activity added to the shared list would put health into the plain
    // attendance categories (deelname, verzuim), into the plain reference of a knelpunt (knelpuntkenmerken)
    // and into the agreed activities of a plan (plan).
    const files = new Map(schemas.files);
    const definities = structuredClone(files.get('definities/v1.json')!) as any;
    definities.$defs.Activiteit.enum.push('psycho-educatie');
    files.set('definities/v1.json', definities);
    expect(outsideSpecial(fieldsWith(files))).toEqual(['aanwezigheid/totalen', 'aanwezigheid/lessen', 'knelpunt/betreft', 'plan/partijen']);
  });

  it('an allow and a forbid that cover the same cases contradict each other: the start stops naming both', () => {
    const load = loadMutated('regels.json', (j) => {
      j.regels.push({ id: 'geen-bemiddeling', effect: 'verbieden', actie: 'lezen', doel: 'bemiddeling', rol: 'reintegratie', relatie: { toewijzing: ['participatie', 'begeleiding', 'nazorg'] }, berichttypen: ['taalvoortgang'], toelichting: 'x' });
    });
    expect(load).toThrow(/regels\.json \(regel lezen-bemiddeling\): staat toe wat geen-bemiddeling verbiedt: de regels spreken elkaar tegen/);
  });

  it('a forbid that carves an exception out of an allow is not a contradiction', () => {
    const load = loadMutated('regels.json', (j) => {
      j.regels.push({ id: 'geen-bemiddeling-begeleiding', effect: 'verbieden', actie: 'lezen', doel: 'bemiddeling', rol: 'reintegratie', relatie: { toewijzing: ['begeleiding'] }, berichttypen: ['taalvoortgang'], toelichting: 'x' });
    });
    const carved = createPolicyEngine(load());
    const vraag: BesluitVraag = { partij: partij('werkshop'), actie: 'lezen', berichttype: 'taalvoortgang', doel: 'bemiddeling', relatie: participatie };
    expect(carved.decide(vraag).toegestaan).toBe(true);
    expect(carved.decide({ ...vraag, relatie: { eigenaar: false, toewijzingen: ['begeleiding'] } })).toMatchObject({ toegestaan: false, regel: 'geen-bemiddeling-begeleiding' });
  });

  it('consent texts: the hash must be that of the words, every consent-based doel needs a Dutch text, a text belongs to one consent-based doel', () => {
    expect(set.toestemmingsteksten.map((t) => `${t.id} ${t.versie} ${t.taal}`)).toContain('toestemming-lesafstemming 1.0 nl');
    // A text edited in place (its hash no longer matches) stops the start and names the hash to check.
    expect(loadMutated('toestemmingsteksten.json', (j) => { j.teksten[0].tekst += ' Ook uw naam.'; }))
      .toThrow(/toestemmingsteksten\.json: tekst toestemming-lesafstemming 1\.0 \(nl\): sha256 klopt niet bij de tekst \(berekend: [0-9a-f]{64}\)\. Wijzig een tekst nooit ter plekke/);
    expect(loadMutated('toestemmingsteksten.json', (j) => { j.teksten = j.teksten.filter((t: { doel: string; taal: string }) => !(t.doel === 'lesafstemming' && t.taal === 'nl')); }))
      .toThrow(/doel "lesafstemming" heeft toestemming als grondslag maar geen Nederlandse toestemmingstekst/);
    expect(loadMutated('toestemmingsteksten.json', (j) => { j.teksten[0].doel = 'bemiddeling'; })).toThrow(/doel "bemiddeling" heeft als grondslag publieke-taak, niet toestemming/);
    expect(loadMutated('toestemmingsteksten.json', (j) => { j.teksten[1].doel = 'trajectbegeleiding-wi2013'; })).toThrow(/één tekst-id hoort bij één doel/);
    expect(loadMutated('toestemmingsteksten.json', (j) => { j.teksten.push({ ...j.teksten[0] }); })).toThrow(/tekst toestemming-lesafstemming 1\.0 \(nl\) komt meer dan eens voor/);
    expect(loadMutated('toestemmingsteksten.json', (j) => { j.teksten[0].versie = 'eerste'; })).toThrow(/toestemmingsteksten\.json: voldoet niet aan het schema/);
    // Without the file a register with consent-based doelen does not start.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-policy-'));
    try {
      fs.cpSync(path.join(root, 'policies'), dir, { recursive: true });
      fs.rmSync(path.join(dir, 'toestemmingsteksten.json'));
      expect(() => loadPolicies(dir, schemas)).toThrow(/doel "lesafstemming" heeft toestemming als grondslag maar geen Nederlandse toestemmingstekst/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a gemeente without postal address, telephone and e-mail stops the start: its consent receipts name them', () => {
    expect(loadMutated('partijen.json', (j) => { delete j.partijen[0].contact.telefoon; }))
      .toThrow(/gemeente "gemeente-hengelo" is verwerkingsverantwoordelijke maar mist contact\.telefoon/);
    expect(loadMutated('partijen.json', (j) => { delete j.partijen[0].contact; }))
      .toThrow(/mist contact\.adres, contact\.telefoon, contact\.email/);
    // A provider needs none (it is no controller on a receipt).
    expect(set.partijen.find((p) => p.id === 'werkshop')?.contact).toBeUndefined();
  });

  it('a forbidding rule names message types, not a projection', () => {
    const load = loadMutated('regels.json', (j) => {
      const f = j.regels.find((r: Regel) => r.id === 'geen-handhaving-door-reintegratie');
      f.projectie = { aanwezigheid: [''] };
    });
    expect(load).toThrow(/regels\.json: voldoet niet aan het schema/);
  });
});

describe('fields in message schemas', () => {
  const schema = {
    type: 'object',
    allOf: [{ properties: { a: { type: 'string' } } }, { $ref: '#/$defs/B' }],
    properties: { c: { type: 'object', properties: { d: { type: 'string' }, e: { type: 'string' } } } },
    $defs: { B: { properties: { b: { type: 'number' } } } },
  };
  const defs = (ref: string) => (ref === '#/$defs/B' ? schema.$defs.B : undefined);

  it('finds fields declared directly, through $ref and in allOf/anyOf/oneOf branches; not others', () => {
    for (const p of ['', '/a', '/b', '/c', '/c/d']) expect(pointerExists(schema, p, defs), p).toBe(true);
    for (const p of ['/x', '/c/x', '/a/b']) expect(pointerExists(schema, p, defs), p).toBe(false);
  });

  it('an object is inside an allow-list when all of its fields are', () => {
    expect(withinAllowList(schema, '/c', ['/c/d', '/c/e'], defs)).toBe(true);
    expect(withinAllowList(schema, '/c', ['/c/d'], defs)).toBe(false);
    expect(withinAllowList(schema, '', ['/a', '/b', '/c'], defs)).toBe(true);
    expect(withinAllowList(schema, '', ['/a', '/c'], defs)).toBe(false);
  });
});

describe('pointer sets', () => {
  it('reduce drops covered pointers; intersect keeps what both allow', () => {
    expect(reduce(['/a/b', '/a', '/c', '/a'])).toEqual(['/a', '/c']);
    expect(intersect(['/a', '/b/c'], ['/a/x', '/b'])).toEqual(['/a/x', '/b/c']);
    expect(intersect([''], ['/x', '/y/z'])).toEqual(['/x', '/y/z']);
    expect(intersect(['/a'], ['/ab'])).toEqual([]);
  });
});

describe('project (minimise)', () => {
  const msg = { leerroute: 'B1', niveaus: [{ niveau: 'A2' }], toelichting: 'privé', werkgever: { naam: 'X', kvkNummer: '1' } };

  it('copies only the allowed pointers', () => {
    expect(project(msg, ['/leerroute', '/niveaus'])).toEqual({ leerroute: 'B1', niveaus: [{ niveau: 'A2' }] });
    expect(project(msg, ['/werkgever/naam'])).toEqual({ werkgever: { naam: 'X' } });
  });

  it('"" is the whole message, and the copy is not the original', () => {
    const copy = project(msg, ['']);
    expect(copy).toEqual(msg);
    expect(copy).not.toBe(msg);
  });

  it('skips absent fields and names only what was disclosed', () => {
    expect(project(msg, ['/mijlpaal'])).toEqual({});
    expect(disclosedFields(msg, ['/leerroute', '/mijlpaal'])).toEqual(['/leerroute']);
    expect(disclosedFields(msg, [''])).toEqual(['/leerroute', '/niveaus', '/toelichting', '/werkgever']);
  });
});
