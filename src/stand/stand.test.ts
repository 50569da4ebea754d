/**
 * The trajectory state: what one message does to it (from the shipped example messages), the
 * rolling attendance summary, replacement of a re-reported period, the bounds, and the projection
 * of the state by a doel's data categories checked against the register.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config.js';
import { loadPolicies } from '../policy/load.js';
import { addDays, plaatsing, schemas, taalvoortgang, weekMetLessen, weekTotalen } from '../../test/support/signaalberichten.js';
import { projectStand, STAND_CATEGORIEEN } from './project.js';
import { applyBericht, BEWAARDE_PLAATSINGEN, BEWAARDE_WEKEN, emptyStand, type Bericht, type Stand } from './stand.js';

const root = projectRoot();
const policies = loadPolicies(path.join(root, 'policies'), schemas);

function example(type: string, file: string, afzender: string, ontvangenOp: string): Bericht {
  const env = JSON.parse(fs.readFileSync(path.join(root, 'schemas/examples', type, file), 'utf8'));
  expect(schemas.validateBericht(env).fouten).toEqual([]);
  return { berichtId: env.berichtId, berichttype: env.berichttype, afzender, ontvangenOp, inhoud: env.inhoud } as Bericht;
}
const fold = (berichten: readonly Bericht[], from: Stand = emptyStand()) => berichten.reduce(applyBericht, from);

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

describe('applyBericht on the shipped example messages', () => {
  it('taalvoortgang: latest level per skill with its date, the targets, the milestone', () => {
    const s = applyBericht(emptyStand(), example('taalvoortgang', 'geldig-a2-behaald.json', 'roc-van-twente', '2026-11-20T09:00:00.000Z'));
    expect(s.taal.leerroute).toBe('B1');
    expect(s.taal.niveaus.spreken).toMatchObject({ niveau: 'A2', peildatum: '2026-11-19', vastgesteldMet: 'toets', aanbieder: 'roc-van-twente' });
    expect(s.taal.niveaus.lezen).toMatchObject({ niveau: 'B1', peildatum: '2026-10-22' });
    expect(s.taal.streefniveaus).toEqual({ spreken: 'B1', 'gesprekken-voeren': 'B1', luisteren: 'B1', lezen: 'B1', schrijven: 'B1' });
    expect(s.taal.verwachteEinddatum).toBe('2027-09-30');
    expect(s.mijlpalen).toEqual([{ ontvangenOp: '2026-11-20T09:00:00.000Z', soort: 'niveau-behaald', niveau: 'A2', vaardigheden: ['gesprekken-voeren', 'spreken'], datum: '2026-11-19', berichtId: '3b1f6c2e-8d4a-4e5b-9c7d-000000000008' }]);
    expect(s.aanbieders['roc-van-twente']!.laatsteBericht).toEqual({ taalvoortgang: '2026-11-20T09:00:00.000Z' });
    // Never free text.
    expect(JSON.stringify(s)).not.toContain('methodetoets');
  });

  it('aanwezigheid: minutes per activity and the unexcused lessons of the week', () => {
    const b = example('aanwezigheid', 'geldig-week-taalaanbieder.json', 'roc-van-twente', '2026-11-09T08:00:00.000Z');
    const s = applyBericht(emptyStand(), b);
    const a = s.aanwezigheid['roc-van-twente']!;
    expect(a.weken).toHaveLength(1);
    const inhoud = b.inhoud as any;
    const taal = inhoud.totalen.find((t: any) => t.activiteit === 'formele-taalles').minuten;
    expect(a.weken[0]!.activiteiten['formele-taalles']).toMatchObject({ gepland: taal.gepland, aanwezig: taal.aanwezig, ongeoorloofdAfwezig: taal.ongeoorloofdAfwezig, ziek: taal.ziek });
    const lessons = (inhoud.lessen ?? []).filter((l: any) => l.status === 'ongeoorloofd-afwezig' && l.activiteit === 'formele-taalles').length;
    expect(lessons).toBeGreaterThan(0);
    expect(a.weken[0]!.activiteiten['formele-taalles']!.ongeoorloofdeLessen).toBe(lessons);
    expect(s.aanbieders['roc-van-twente']!.laatsteAanwezigheidBerichtId).toBe(b.berichtId);
  });

  it('plaatsing: a started paid job with its nazorg, then its end, without employer or end reason in the state', () => {
    const start = example('plaatsing', 'geldig-gestart-betaald-werk.json', 'werkshop', '2027-02-01T08:00:00.000Z');
    const s = applyBericht(emptyStand(), start);
    expect(s.plaatsingen).toEqual([expect.objectContaining({ aanbieder: 'werkshop', plaatsingId: 'WS-2027-0007', status: 'gestart', vorm: 'betaald-werk', urenPerWeek: 28, nazorg: { vorm: 'jobcoach', tot: '2028-01-31', contactfrequentie: 'tweewekelijks' } })]);
    const uit = example('plaatsing', 'geldig-uitgevallen.json', 'werkshop', '2027-01-26T08:00:00.000Z');
    const t = applyBericht(s, uit);
    expect(t.plaatsingen.map((p) => [p.plaatsingId, p.status])).toEqual([['WS-2027-0007', 'gestart'], ['WS-2026-0142', 'uitgevallen']]);
    const json = JSON.stringify(t);
    expect(json).not.toContain('Brasserie');
    expect(json).not.toContain('gezondheid');
    expect(json).not.toContain('eindreden');
  });
});

describe('attendance per provider and week', () => {
  const weeks = (n: number, start = '2026-09-07', afzender = 'roc-van-twente') =>
    Array.from({ length: n }, (_, i) => weekTotalen({ berichtId: `w${String(i).padStart(3, '0')}`, van: addDays(start, 7 * i), afzender }, { gepland: 600, ongeoorloofd: i * 10, ziek: 60 }));

  it('summarises the last 4 reported weeks, over all activities and per activity', () => {
    const s = fold([
      ...weeks(5),
      weekTotalen({ berichtId: 'x', van: addDays('2026-09-07', 35) }, { gepland: 300, ongeoorloofd: 120 }, [{ activiteit: 'werkplek', gepland: 400, ongeoorloofd: 0 }]),
    ]);
    const a = s.aanwezigheid['roc-van-twente']!;
    expect(a.weken).toHaveLength(6);
    // Weeks 2, 3, 4 (ongeoorloofd 20, 30, 40; 600 planned, 60 sick each) and the mixed week.
    expect(a.laatsteWeken).toMatchObject({ weken: 4, van: '2026-09-21', tot: '2026-10-18', gepland: 600 * 3 + 700, ongeoorloofdAfwezig: 90 + 120, ziek: 180 });
    expect(a.laatsteWeken.ongeoorloofd).toBeCloseTo(210 / 2500, 10);
    expect(a.laatsteWeken.aanwezigheid).toBeCloseTo((1800 - 90 - 180 + 180 + 400) / 2500, 10);
    expect(a.laatsteWekenPerActiviteit.werkplek).toMatchObject({ weken: 4, gepland: 400, ongeoorloofdAfwezig: 0, aanwezigheid: 1 });
    expect(a.laatsteWekenPerActiviteit['formele-taalles']).toMatchObject({ gepland: 2100, ongeoorloofdAfwezig: 210 });
  });

  it('keeps providers apart', () => {
    const s = fold([...weeks(2), ...weeks(3, '2026-09-07', 'werkshop')]);
    expect(Object.keys(s.aanwezigheid).sort()).toEqual(['roc-van-twente', 'werkshop']);
    expect(s.aanwezigheid['roc-van-twente']!.weken).toHaveLength(2);
    expect(s.aanwezigheid.werkshop!.laatsteWeken.weken).toBe(3);
  });

  it('a period re-reported by the same provider replaces the earlier report, in either order of applying', () => {
    const first = weekMetLessen({ berichtId: 'eerste', van: '2026-11-02', ontvangenOp: '2026-11-09T08:00:00.000Z' }, [{ status: 'ongeoorloofd-afwezig' }, { status: 'ongeoorloofd-afwezig' }]);
    const fixed = weekMetLessen({ berichtId: 'correctie', van: '2026-11-02', ontvangenOp: '2026-11-10T08:00:00.000Z' }, [{ status: 'geoorloofd-afwezig' }, { status: 'aanwezig' }]);
    const forward = fold([first, fixed]);
    const backward = fold([fixed, first]);
    for (const s of [forward, backward]) {
      expect(s.aanwezigheid['roc-van-twente']!.weken.map((w) => w.berichtId)).toEqual(['correctie']);
      expect(s.aanwezigheid['roc-van-twente']!.laatsteWeken).toMatchObject({ gepland: 360, ongeoorloofdAfwezig: 0, ongeoorloofdeLessen: 0 });
    }
    expect(forward).toEqual(backward);
  });

  it(`keeps only the last ${BEWAARDE_WEKEN} reported weeks; a late report older than all of them changes nothing`, () => {
    const s = fold(weeks(12));
    expect(s.aanwezigheid['roc-van-twente']!.weken.map((w) => w.berichtId)).toEqual(['w004', 'w005', 'w006', 'w007', 'w008', 'w009', 'w010', 'w011']);
    const late = weekTotalen({ berichtId: 'laat', van: '2026-08-31', ontvangenOp: '2027-01-01T00:00:00.000Z' }, { gepland: 600, ongeoorloofd: 600 });
    const t = applyBericht(s, late);
    expect(t.aanwezigheid).toEqual(s.aanwezigheid);
  });
});

describe('language, exams and placements', () => {
  const niveau = (vaardigheid: any, n: any, peildatum: string) => ({ vaardigheid, niveau: n, peildatum, vastgesteldMet: 'toets' as const });

  it('the latest level of a skill is the one measured last, not the one received last', () => {
    const nieuw = taalvoortgang({ berichtId: 'nieuw', ontvangenOp: '2026-11-01T00:00:00.000Z' }, { leerroute: 'B1', niveaus: [niveau('lezen', 'A2', '2026-10-30')] });
    const oud = taalvoortgang({ berichtId: 'oud', ontvangenOp: '2026-11-02T00:00:00.000Z' }, { leerroute: 'Z', niveaus: [niveau('lezen', 'A1', '2026-09-01'), niveau('schrijven', 'A1', '2026-09-01')], streefniveaus: [{ vaardigheid: 'lezen', niveau: 'A2' }] });
    const s = fold([nieuw, oud]);
    expect(s.taal.niveaus.lezen).toMatchObject({ niveau: 'A2', berichtId: 'nieuw' });
    expect(s.taal.niveaus.schrijven).toMatchObject({ niveau: 'A1', berichtId: 'oud' });
    // Route and targets follow the message received last.
    expect(s.taal.leerroute).toBe('Z');
    expect(s.taal.streefniveaus).toEqual({ lezen: 'A2' });
  });

  it('exam components: one entry per component, the latest report wins', () => {
    const a = taalvoortgang({ berichtId: 'a', ontvangenOp: '2026-11-01T00:00:00.000Z' }, { leerroute: 'B1', niveaus: [niveau('lezen', 'A2', '2026-10-30')], examens: [{ onderdeel: 'knm', uitslag: 'gepland', datum: '2026-12-01' }, { onderdeel: 'ona', uitslag: 'vrijstelling' }] });
    const b = taalvoortgang({ berichtId: 'b', ontvangenOp: '2026-12-05T00:00:00.000Z' }, { leerroute: 'B1', niveaus: [niveau('lezen', 'A2', '2026-10-30')], examens: [{ onderdeel: 'knm', uitslag: 'behaald', datum: '2026-12-01' }] });
    const s = fold([a, b]);
    expect(s.examens).toEqual({
      knm: { uitslag: 'behaald', datum: '2026-12-01', niveau: null, berichtId: 'b', ontvangenOp: '2026-12-05T00:00:00.000Z' },
      ona: { uitslag: 'vrijstelling', datum: null, niveau: null, berichtId: 'a', ontvangenOp: '2026-11-01T00:00:00.000Z' },
    });
  });

  it(`keeps running placements and the ${BEWAARDE_PLAATSINGEN} most recently started ended ones`, () => {
    const berichten: Bericht[] = [plaatsing({ berichtId: 'loopt', ontvangenOp: '2026-01-01T00:00:00.000Z' }, { plaatsingId: 'LOOPT', status: 'gestart', startdatum: '2025-01-01' })];
    for (let i = 0; i < 14; i++) {
      const start = addDays('2025-02-01', 14 * i);
      berichten.push(plaatsing({ berichtId: `e${i}`, ontvangenOp: `2026-02-${String(i + 1).padStart(2, '0')}T00:00:00.000Z` }, { plaatsingId: `P${i}`, status: 'beeindigd', startdatum: start, einddatum: addDays(start, 10), eindreden: 'afgerond' }));
    }
    const s = fold(berichten);
    expect(s.plaatsingen[0]).toMatchObject({ plaatsingId: 'LOOPT', status: 'gestart' });
    expect(s.plaatsingen.slice(1).map((p) => p.plaatsingId)).toEqual(['P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P10', 'P11', 'P12', 'P13']);
  });

  it('a placement keeps its latest received version; a stale one changes nothing', () => {
    const gestart = plaatsing({ berichtId: 'g', ontvangenOp: '2026-11-16T00:00:00.000Z' }, { plaatsingId: 'P', status: 'gestart' });
    const gewijzigd = plaatsing({ berichtId: 'w', ontvangenOp: '2026-12-01T00:00:00.000Z' }, { plaatsingId: 'P', status: 'gewijzigd', urenPerWeek: 12, wijzigingsreden: 'afstemming-lesrooster' });
    expect(fold([gestart, gewijzigd])).toEqual(fold([gewijzigd, gestart]));
    expect(fold([gewijzigd, gestart]).plaatsingen).toEqual([expect.objectContaining({ status: 'gewijzigd', urenPerWeek: 12, berichtId: 'w' })]);
  });
});

describe('the state as a value', () => {
  const berichten: Bericht[] = [
    weekMetLessen({ berichtId: 'w1', van: '2026-11-02' }, [{ status: 'ongeoorloofd-afwezig' }, { status: 'aanwezig' }]),
    taalvoortgang({ berichtId: 't1' }, { leerroute: 'B1', niveaus: [{ vaardigheid: 'lezen', niveau: 'A2', peildatum: '2026-11-19', vastgesteldMet: 'toets' }], examens: [{ onderdeel: 'knm', uitslag: 'behaald', datum: '2026-11-01' }] }),
    plaatsing({ berichtId: 'p1' }, { plaatsingId: 'P1', status: 'gestart', nazorg: { vorm: 'jobcoach', tot: '2027-06-01' } }),
  ];

  it('never mutates its input and survives a JSON round trip unchanged', () => {
    let s = deepFreeze(emptyStand());
    for (const b of berichten) s = deepFreeze(applyBericht(s, deepFreeze(b)));
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('projects by data category: handhaving gets attendance only, bemiddeling language only, nothing gets nothing', () => {
    const s = fold(berichten);
    const doel = (id: string) => policies.doelen.find((d) => d.id === id)!.gegevenscategorieen;

    const handhaving = projectStand(s, doel('handhaving'));
    expect(Object.keys(handhaving).sort()).toEqual(['aanbieders', 'aanwezigheid', 'versie']);
    expect(handhaving.aanwezigheid!['roc-van-twente']!.laatsteWeken).toMatchObject({ gepland: 360, ongeoorloofdAfwezig: 180, ongeoorloofdeLessen: 1 });
    expect(handhaving.aanbieders).toEqual({ 'roc-van-twente': { laatsteBericht: { aanwezigheid: s.aanbieders['roc-van-twente']!.laatsteBericht.aanwezigheid }, laatsteAanwezigheidBerichtId: 'w1' } });

    const bemiddeling = projectStand(s, doel('bemiddeling'));
    expect(Object.keys(bemiddeling).sort()).toEqual(['aanbieders', 'mijlpalen', 'taal', 'versie']);
    expect(bemiddeling.aanbieders).toEqual({ 'roc-van-twente': { laatsteBericht: { taalvoortgang: s.aanbieders['roc-van-twente']!.laatsteBericht.taalvoortgang } } });

    const alles = projectStand(s, doel('trajectbegeleiding'));
    expect(alles.examens).toEqual(s.examens);
    expect(alles.plaatsingen).toEqual([expect.objectContaining({ plaatsingId: 'P1', status: 'gestart', urenPerWeek: 16, nazorg: { vorm: 'jobcoach', tot: '2027-06-01' } })]);

    expect(projectStand(s, [])).toEqual({ versie: s.versie, aanbieders: {} });
  });

  it('deelname without verzuim shows minutes but not the lesson count; verzuim without deelname the reverse', () => {
    const s = fold(berichten);
    const deelname = projectStand(s, ['deelname']).aanwezigheid!['roc-van-twente']!.weken[0]!.activiteiten['formele-taalles']!;
    expect(deelname).toEqual({ gepland: 360, aanwezig: 180, ongeoorloofdAfwezig: 180, ziek: 0 });
    const verzuim = projectStand(s, ['verzuim']).aanwezigheid!['roc-van-twente']!.weken[0]!.activiteiten['formele-taalles']!;
    expect(verzuim).toEqual({ ongeoorloofdeLessen: 1 });
  });

  it('participatievorm without participatierooster shows the form but not hours, dates or nazorg', () => {
    const p = projectStand(fold(berichten), ['participatievorm']).plaatsingen![0]!;
    expect(Object.keys(p).sort()).toEqual(['aanbieder', 'berichtId', 'ontvangenOp', 'plaatsingId', 'sector', 'status', 'vorm']);
  });

  it('maps every part to a category that, in the register, covers the fields it is derived from', () => {
    const categorieen = new Map(policies.gegevenscategorieen.map((c) => [c.id, c]));
    for (const [deel, d] of Object.entries(STAND_CATEGORIEEN)) {
      const velden = categorieen.get(d.categorie)?.velden[d.berichttype];
      expect(velden, `${deel}: ${d.categorie} has fields of ${d.berichttype}`).toBeDefined();
      for (const v of d.velden) expect(velden, `${deel}: ${d.categorie} covers ${d.berichttype} ${v}`).toContain(v);
    }
  });
});
