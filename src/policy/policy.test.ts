import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config.js';
import { loadSchemas } from '../schemas/registry.js';
import { createPolicyEngine } from './engine.js';
import { PolicyError } from './errors.js';
import { loadPolicies } from './load.js';
import { disclosedFields, project } from './project.js';
import type { Partij, Relatie } from './types.js';

const root = projectRoot();
const schemas = loadSchemas(path.join(root, 'schemas'));
const engine = createPolicyEngine(loadPolicies(path.join(root, 'policies'), schemas));
const partij = (id: string) => engine.partij(id) as Partij;
const owner: Relatie = { eigenaar: true, toewijzingen: [] };
const taal: Relatie = { eigenaar: false, toewijzingen: ['taal'] };

/** Copy the real policy folder, let `mutate` break one file, and load it. */
function loadMutated(file: string, mutate: (json: any) => void) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-policy-'));
  fs.cpSync(path.join(root, 'policies'), dir, { recursive: true });
  const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  mutate(json);
  fs.writeFileSync(path.join(dir, file), JSON.stringify(json));
  try {
    return () => loadPolicies(dir, schemas);
  } finally {
    setTimeout(() => fs.rmSync(dir, { recursive: true, force: true }), 1000);
  }
}

describe('decide', () => {
  it('allows with the rule, the doel and the legal basis', () => {
    const b = engine.decide({ partij: partij('gemeente-hengelo'), actie: 'lezen', berichttype: 'aanwezigheid', doel: 'handhaving', relatie: owner, toestemming: false });
    expect(b).toMatchObject({ toegestaan: true, regel: 'lezen-handhaving', projectie: [''] });
    expect(b.grondslag).toMatch(/AVG art\. 6 lid 1 sub e; Wet inburgering 2021/);
  });

  it('denies by default when no rule exists', () => {
    const b = engine.decide({ partij: partij('gemeente-hengelo'), actie: 'publiceren', berichttype: 'aanwezigheid', relatie: owner, toestemming: false });
    expect(b).toMatchObject({ toegestaan: false, regel: 'standaard-weigeren' });
  });

  it('names the missing relation when a rule would apply to someone assigned', () => {
    const b = engine.decide({ partij: partij('taalschool-oost'), actie: 'publiceren', berichttype: 'aanwezigheid', relatie: { eigenaar: false, toewijzingen: [] }, toestemming: false });
    expect(b.toegestaan).toBe(false);
    expect(b.reden).toMatch(/publiceren-taal.*toegewezen als taal/);
  });

  it('consent-based doel: refused without consent, allowed with it', () => {
    const vraag = { partij: partij('roc-van-twente'), actie: 'lezen' as const, berichttype: 'plaatsing', doel: 'lesafstemming', relatie: taal };
    expect(engine.decide({ ...vraag, toestemming: false })).toMatchObject({ toegestaan: false, reden: expect.stringMatching(/toestemming/) });
    expect(engine.decide({ ...vraag, toestemming: true })).toMatchObject({ toegestaan: true, projectie: ['/vorm', '/status', '/sector', '/urenPerWeek', '/taalrijk'] });
  });

  it('an explicit forbid beats an allow', () => {
    const set = loadPolicies(path.join(root, 'policies'), schemas);
    const forbidding = createPolicyEngine({
      ...set,
      regels: [...set.regels, { id: 'geen-handhaving-zondag', effect: 'verbieden', actie: 'lezen', rol: 'gemeente', relatie: 'eigenaar', doel: 'handhaving', projectie: { aanwezigheid: [''] }, toelichting: 'test' }],
    });
    const b = forbidding.decide({ partij: partij('gemeente-hengelo'), actie: 'lezen', berichttype: 'aanwezigheid', doel: 'handhaving', relatie: owner, toestemming: false });
    expect(b).toMatchObject({ toegestaan: false, regel: 'geen-handhaving-zondag' });
  });

  it('opening trajectories is for a gemeente only', () => {
    expect(engine.trajectOpenen(partij('gemeente-hengelo')).toegestaan).toBe(true);
    expect(engine.trajectOpenen(partij('werkshop')).toegestaan).toBe(false);
  });
});

describe('policy files are checked at start', () => {
  it('loads the shipped policies and fingerprints them', () => {
    const set = loadPolicies(path.join(root, 'policies'), schemas);
    expect(set.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(set.doelen.map((d) => d.id)).toEqual(['trajectbegeleiding', 'handhaving', 'bemiddeling', 'lesafstemming', 'monitoring']);
  });

  it.each([
    ['regels.json', (j: any) => { j.regels[2].doel = 'nieuwsgierigheid'; }, /regels\.json \(regel lezen-trajectbegeleiding\): onbekend doel/],
    ['regels.json', (j: any) => { j.regels[4].projectie.taalvoortgang.push('/bsn'); }, /regel lezen-bemiddeling.*veld "\/bsn" bestaat niet/],
    ['regels.json', (j: any) => { delete j.regels[5].toestemming; }, /regel lezen-lesafstemming.*vereist toestemming/],
    ['regels.json', (j: any) => { j.regels[0].berichttypen.push('gezondheid'); }, /regel publiceren-taal.*onbekend berichttype/],
    ['regels.json', (j: any) => { j.regels[1].id = j.regels[0].id; }, /regel-id "publiceren-taal" komt meer dan eens voor/],
    ['partijen.json', (j: any) => { j.partijen[1].rol = 'zorgverzekeraar'; }, /partijen\.json: voldoet niet aan het schema/],
    ['doelen.json', (j: any) => { j.doelen[0].bewaartermijn = 'vijf jaar'; }, /doelen\.json: voldoet niet aan het schema.*bewaartermijn/],
  ])('%s with a defect stops the start, naming file and rule', (file, mutate, message) => {
    const load = loadMutated(file, mutate);
    expect(load).toThrow(PolicyError);
    expect(load).toThrow(message);
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
