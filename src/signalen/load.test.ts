/**
 * The signal rules file: the shipped `policies/signalen.json` loads against the real register and
 * schemas, and each kind of mistake stops the load with a PolicyError naming file and rule.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config.js';
import { PolicyError } from '../policy/errors.js';
import { loadPolicies } from '../policy/load.js';
import { loadSchemas } from '../schemas/registry.js';
import { loadSignaalregels } from './load.js';
import { AFHANDELUITKOMSTEN, SOORTEN } from './types.js';

const root = projectRoot();
const schemas = loadSchemas(path.join(root, 'schemas'));
const policies = loadPolicies(path.join(root, 'policies'), schemas);

function loadMutated(mutate: (j: any) => void): () => unknown {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-signalen-'));
  fs.cpSync(path.join(root, 'policies'), dir, { recursive: true });
  const file = path.join(dir, 'signalen.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  mutate(json);
  fs.writeFileSync(file, JSON.stringify(json));
  return () => loadSignaalregels(dir, policies, schemas);
}
const regel = (j: any, id: string) => j.regels.find((r: any) => r.id === id);

describe('policies/signalen.json', () => {
  const set = loadSignaalregels(path.join(root, 'policies'), policies, schemas);

  it('ships every kind the issue asks for, with the default thresholds', () => {
    expect(set.regels.map((r) => r.id).sort()).toEqual([...SOORTEN].sort());
    const byId = new Map(set.regels.map((r) => [r.id, r]));
    expect(byId.get('verzuim')!.drempels).toEqual({ weken: 4, aandeelOngeoorloofd: 0.2, ongeoorloofdeLessen: 3 });
    expect(byId.get('uit-beeld')!.drempels).toEqual({ dagen: 14, toewijzingen: ['taal', 'participatie'] });
    expect(byId.get('nazorg-ontbreekt')!.drempels.vormen).toEqual(['betaald-werk']);
    expect(byId.get('plaatsing-uitgevallen')!.codes).toEqual(['plaatsingId', 'eindreden']);
    expect(set.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lets providers read only the language milestones, under bemiddeling', () => {
    expect(set.regels.filter((r) => r.aanbieders !== null).map((r) => [r.id, r.aanbieders!.doel])).toEqual([
      ['niveau-behaald', 'bemiddeling'],
      ['streefniveau-behaald', 'bemiddeling'],
    ]);
  });

  it('keeps its code list of outcomes equal to the API schema of afhandeling', () => {
    const schema = schemas.files.get('api/afhandeling.json') as any;
    expect(schema.properties.uitkomst.$ref).toBe('../definities/v1.json#/$defs/Afhandeluitkomst');
    expect((schemas.files.get('definities/v1.json') as any).$defs.Afhandeluitkomst.enum).toEqual([...AFHANDELUITKOMSTEN]);
    expect(schemas.validateBody('api/afhandeling.json', { uitkomst: 'gesprek-gevoerd' })).toEqual([]);
    expect(schemas.validateBody('api/afhandeling.json', { uitkomst: 'opgeheven' })).not.toEqual([]);
    expect(schemas.validateBody('api/afhandeling.json', { uitkomst: 'geen-actie-nodig', toelichting: 'vrije tekst' })).not.toEqual([]);
  });
});

describe('start-up validation of signalen.json names file and rule', () => {
  const cases: Array<[string, (j: any) => void, RegExp]> = [
    ['unknown doel', (j) => { regel(j, 'verzuim').doel = 'sanctionering'; }, /signalen\.json \(regel verzuim\): onbekend doel "sanctionering"/],
    ['aggregates-only doel', (j) => { regel(j, 'verzuim').doel = 'monitoring'; }, /regel verzuim\): doel "monitoring" levert alleen geaggregeerde cijfers/],
    ['doel without the categories', (j) => { regel(j, 'plaatsing-uitgevallen').doel = 'handhaving'; }, /regel plaatsing-uitgevallen\): onthult participatievorm, belemmeringen-en-uitval, maar doel "handhaving"/],
    ['doel the gemeente does not receive', (j) => { regel(j, 'niveau-behaald').doel = 'bemiddeling'; }, /regel niveau-behaald\): een gemeente is geen ontvanger van doel "bemiddeling"/],
    ['unknown message type', (j) => { regel(j, 'verzuim').berichttypen.push('rooster'); }, /regel verzuim\): onbekend berichttype "rooster"/],
    ['message type the kind reads is missing', (j) => { regel(j, 'verzuim').berichttypen = ['plaatsing']; }, /regel verzuim\): soort verzuim wordt afgeleid uit aanwezigheid/],
    ['unknown kind', (j) => { regel(j, 'verzuim').id = 'te-laat'; }, /regel te-laat\): onbekende soort signaal "te-laat"/],
    ['kind twice', (j) => { j.regels.push({ ...regel(j, 'verzuim') }); }, /regel verzuim\): komt meer dan eens voor/],
    ['unknown category', (j) => { regel(j, 'verzuim').gegevenscategorieen.push('gezondheid'); }, /regel verzuim\): onbekende gegevenscategorie "gezondheid"/],
    ['understated category', (j) => { regel(j, 'verzuim').gegevenscategorieen = ['verzuim']; }, /regel verzuim\): een signaal verzuim onthult gegevenscategorie "deelname"/],
    ['end reason without the special category', (j) => { regel(j, 'plaatsing-beeindigd').gegevenscategorieen = ['participatievorm']; }, /regel plaatsing-beeindigd\): code "eindreden" \(plaatsing \/eindreden\) valt buiten de gegevenscategorieen/],
    ['code of another kind', (j) => { regel(j, 'verzuim').codes = ['eindreden']; }, /regel verzuim\): code "eindreden" hoort niet bij soort verzuim/],
    ['share above 100 %', (j) => { regel(j, 'verzuim').drempels.aandeelOngeoorloofd = 1.5; }, /signalen\.json \(regel verzuim\): voldoet niet aan het schema.*aandeelOngeoorloofd/],
    ['share of 0', (j) => { regel(j, 'verzuim').drempels.aandeelOngeoorloofd = 0; }, /regel verzuim\): voldoet niet aan het schema.*aandeelOngeoorloofd/],
    ['window wider than the state keeps', (j) => { regel(j, 'verzuim').drempels.weken = 9; }, /regel verzuim\): voldoet niet aan het schema.*weken/],
    ['zero lessons', (j) => { regel(j, 'verzuim').drempels.ongeoorloofdeLessen = 0; }, /regel verzuim\): voldoet niet aan het schema.*ongeoorloofdeLessen/],
    ['negative days', (j) => { regel(j, 'uit-beeld').drempels.dagen = -1; }, /regel uit-beeld\): voldoet niet aan het schema.*dagen/],
    ['fractional days', (j) => { regel(j, 'uit-beeld').drempels.dagen = 14.5; }, /regel uit-beeld\): voldoet niet aan het schema.*dagen/],
    ['missing threshold', (j) => { delete regel(j, 'verzuim').drempels.ongeoorloofdeLessen; }, /regel verzuim\): drempel "ongeoorloofdeLessen" ontbreekt/],
    ['foreign threshold', (j) => { regel(j, 'niveau-behaald').drempels.dagen = 3; }, /regel niveau-behaald\): drempel "dagen" hoort niet bij soort niveau-behaald/],
    ['unknown participation form', (j) => { regel(j, 'nazorg-ontbreekt').drempels.vormen = ['loondienst']; }, /regel nazorg-ontbreekt\): drempel vormen: onbekende participatievorm "loondienst"/],
    ['unknown nazorg form', (j) => { regel(j, 'nazorg-ontbreekt').drempels.nazorgOntbreektBij = ['mentor']; }, /regel nazorg-ontbreekt\): drempel nazorgOntbreektBij: onbekende nazorgvorm "mentor"/],
    ['provider doel unknown', (j) => { regel(j, 'niveau-behaald').aanbieders.doel = 'werving'; }, /regel niveau-behaald\): aanbieders: onbekend doel "werving"/],
    ['provider doel no provider receives', (j) => { regel(j, 'niveau-behaald').aanbieders.doel = 'handhaving'; }, /regel niveau-behaald\): aanbieders: doel "handhaving" heeft geen aanbieder als ontvanger/],
    ['provider doel without the categories', (j) => { regel(j, 'plaatsing-uitgevallen').aanbieders = { doel: 'bemiddeling', toewijzingen: ['participatie'] }; }, /regel plaatsing-uitgevallen\): aanbieders: onthult participatievorm, belemmeringen-en-uitval, maar doel "bemiddeling"/],
    ['provider doel that needs consent', (j) => { regel(j, 'nazorg-ontbreekt').aanbieders = { doel: 'lesafstemming', toewijzingen: ['taal'] }; }, /regel nazorg-ontbreekt\): aanbieders: doel "lesafstemming" vereist toestemming/],
    ['a field the schema does not know', (j) => { regel(j, 'verzuim').ernst = 'hoog'; }, /regel verzuim\): voldoet niet aan het schema/],
  ];
  it.each(cases)('%s', (_name, mutate, message) => {
    const load = loadMutated(mutate);
    expect(load).toThrow(PolicyError);
    expect(load).toThrow(message);
  });

  it('names a missing file and broken JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-signalen-'));
    fs.cpSync(path.join(root, 'policies'), dir, { recursive: true });
    fs.rmSync(path.join(dir, 'signalen.json'));
    expect(() => loadSignaalregels(dir, policies, schemas)).toThrow(/signalen\.json: bestand ontbreekt/);
    fs.writeFileSync(path.join(dir, 'signalen.json'), '{"versie": ');
    expect(() => loadSignaalregels(dir, policies, schemas)).toThrow(/signalen\.json: geen geldige JSON/);
  });
});
