/**
 * Issue 12, trajectories as they run, end to end over HTTP: a trajectory opens without a route and
 * the gemeente sets it after orientation (PATCH, audited, providers see the current route); a v1
 * client's body keeps working and gets the migrated defaults (wi2021 / onbekend); regime and target
 * group steer the policy (no handhaving for vrijwillig or gezin, the reasoning names the regime); and
 * nazorg survives closing: the jobcoach still reports a placement three months after the trajectory
 * closed, until its own `tot`, while every other assignment ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dutchDate } from '../src/http/services.js';
import { bearer, envelop, startTestGateway, VOORBEELDEN, type TestGateway } from './support/gateway.js';

const DAG = 86_400_000;
let verschuiving = 0; // days the gateway's clock runs ahead of the real one
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ now: () => new Date(Date.now() + verschuiving * DAG) });
});
afterAll(() => t.close());

const as = async (client: string) => bearer(await t.token(client));
const vandaag = () => dutchDate(new Date(Date.now() + verschuiving * DAG));
const plus = (datum: string, dagen: number) => new Date(Date.parse(`${datum}T00:00:00Z`) + dagen * DAG).toISOString().slice(0, 10);

async function open(body: Record<string, unknown>) {
  const res = await t.api().post('/v1/trajecten').set(...(await as('gemeente-hengelo'))).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { trajectId: string; leerroute: string; regime: string; doelgroep: string; toewijzingen: { partij: string; rol: string; beeindigdOp?: string }[] };
}
const toets = async (trajectId: string, extra: Record<string, unknown> = {}) =>
  (await t.api().post('/v1/beleid/toets').set(...(await as('gemeente-hengelo'))).send({ berichttype: 'aanwezigheid', doel: 'handhaving', trajectId, ...extra })).body;

describe('a route decided after intake and orientation', () => {
  it('opens with leerroute nog-te-bepalen; the gemeente sets it with PATCH, audited; the language school sees the current route', async () => {
    const traject = await open({ leerroute: 'nog-te-bepalen', startdatum: vandaag(), toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: vandaag() }] });
    expect(traject).toMatchObject({ leerroute: 'nog-te-bepalen', regime: 'wi2021', doelgroep: 'onbekend' });
    const url = `/v1/trajecten/${traject.trajectId}`;

    const doorRoc = await t.api().patch(url).set(...(await as('roc-van-twente'))).send({ leerroute: 'B1' });
    expect(doorRoc.status).toBe(403);
    expect((await t.api().get(url).set(...(await as('roc-van-twente')))).body.leerroute).toBe('nog-te-bepalen');

    const gezet = await t.api().patch(url).set(...(await as('gemeente-hengelo'))).send({ leerroute: 'B1' });
    expect(gezet.status).toBe(200);
    expect(gezet.body).toMatchObject({ leerroute: 'B1', regime: 'wi2021', doelgroep: 'onbekend' });
    expect((await t.api().get(url).set(...(await as('roc-van-twente')))).body.leerroute).toBe('B1');
    const audit = t.query<{ partij: string; besluit: string; reden: string; status: number }>(
      "SELECT partij, besluit, reden, status FROM logboek WHERE actie = 'traject-wijzigen' AND trajectIds LIKE ? ORDER BY id", `%${traject.trajectId}%`);
    expect(audit).toEqual([
      { partij: 'roc-van-twente', besluit: 'geweigerd', reden: expect.any(String), status: 403 },
      { partij: 'gemeente-hengelo', besluit: 'toegestaan', reden: 'Traject gewijzigd: leerroute nog-te-bepalen → B1.', status: 200 },
    ]);
  });

  it('refuses an empty change, an unknown route and a field it does not know (400)', async () => {
    const { trajectId } = await open({ leerroute: 'Z', startdatum: vandaag(), toewijzingen: [] });
    for (const body of [{}, { leerroute: 'A2' }, { leerroute: 'B1', bsn: '123456782' }]) {
      const res = await t.api().patch(`/v1/trajecten/${trajectId}`).set(...(await as('gemeente-hengelo'))).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.api().get(`/v1/trajecten/${trajectId}`).set(...(await as('gemeente-hengelo')))).body.leerroute).toBe('Z');
  });

  it('a v1.0 client (no regime, no doelgroep, a route from the old list) keeps working and gets the migrated defaults', async () => {
    const traject = await open({ leerroute: 'B1', startdatum: '2026-01-05', toewijzingen: [{ partij: 'werkshop', rol: 'participatie', vanaf: '2026-01-05' }] });
    expect(traject).toMatchObject({ leerroute: 'B1', regime: 'wi2021', doelgroep: 'onbekend' });
    const res = await t.api().post('/v1/berichten').set(...(await as('werkshop'))).send(envelop('plaatsing', traject.trajectId, VOORBEELDEN.plaatsing, '1.0'));
    expect(res.status).toBe(201);
  });
});

describe('regime and target group steer the policy', () => {
  it('handhaving: allowed under wi2021, refused for vrijwillig (register) and for gezin (rule); the reasoning names the regime', async () => {
    const { trajectId } = await open({ leerroute: 'B1', startdatum: vandaag(), toewijzingen: [] });
    expect(await toets(trajectId)).toMatchObject({ besluit: 'toegestaan', regel: 'lezen-handhaving' });

    await t.api().patch(`/v1/trajecten/${trajectId}`).set(...(await as('gemeente-hengelo'))).send({ regime: 'vrijwillig' }).expect(200);
    const vrijwillig = await toets(trajectId);
    expect(vrijwillig).toMatchObject({ besluit: 'geweigerd', regel: 'doel-regime', reden: expect.stringMatching(/regime vrijwillig/) });
    expect(JSON.stringify(vrijwillig.overwegingen)).toContain('regime vrijwillig');

    await t.api().patch(`/v1/trajecten/${trajectId}`).set(...(await as('gemeente-hengelo'))).send({ regime: 'wi2021', doelgroep: 'gezin' }).expect(200);
    expect(await toets(trajectId)).toMatchObject({ besluit: 'geweigerd', regel: 'geen-handhaving-gezin' });
    expect(await toets(trajectId, { doel: 'trajectbegeleiding' })).toMatchObject({ besluit: 'toegestaan', regel: 'lezen-trajectbegeleiding' });
  });

  it('under wi2013 the gemeente reads provider data only for the consent-based doel', async () => {
    const { trajectId } = await open({ leerroute: 'B1', regime: 'wi2013', doelgroep: 'asiel', startdatum: vandaag(), toewijzingen: [] });
    expect(await toets(trajectId, { doel: 'trajectbegeleiding' })).toMatchObject({ besluit: 'geweigerd', regel: 'doel-regime' });
    expect(await toets(trajectId, { doel: 'trajectbegeleiding-wi2013' })).toMatchObject({ besluit: 'geweigerd', regel: 'standaard-weigeren', reden: expect.stringMatching(/toestemming/) });
  });
});

describe('nazorg survives closing', () => {
  it('the jobcoach reports a placement three months after closing, until its own tot; every other assignment ended', async () => {
    const start = vandaag();
    const tot = plus(start, 200);
    const traject = await open({
      leerroute: 'B1', startdatum: start,
      toewijzingen: [
        { partij: 'roc-van-twente', rol: 'taal', vanaf: start },
        { partij: 'werkshop', rol: 'participatie', vanaf: start },
        { partij: 'werkshop', rol: 'nazorg', vanaf: start, tot },
      ],
    });
    const url = `/v1/trajecten/${traject.trajectId}`;
    const gesloten = await t.api().post(`${url}/afsluiting`).set(...(await as('gemeente-hengelo')))
      .send({ reden: 'afgerond', uitkomst: { inburgeringsplichtBehaald: 'ja', vervolg: ['betaald-werk'] } });
    expect(gesloten.status).toBe(200);
    expect(gesloten.body.toewijzingen).toEqual([
      expect.objectContaining({ partij: 'roc-van-twente', rol: 'taal', beeindigdOp: expect.any(String) }),
      expect.objectContaining({ partij: 'werkshop', rol: 'participatie', beeindigdOp: expect.any(String) }),
      { partij: 'werkshop', rol: 'nazorg', vanaf: start, tot },
    ]);
    expect(t.query('SELECT afsluituitkomst FROM trajecten WHERE trajectId = ?', traject.trajectId))
      .toEqual([{ afsluituitkomst: JSON.stringify({ inburgeringsplichtBehaald: 'ja', vervolg: ['betaald-werk'] }) }]);

    try {
      verschuiving = 91;
      const plaatsing = { ...VOORBEELDEN.plaatsing, plaatsingId: 'NZ-1', startdatum: start };
      expect((await t.api().post('/v1/berichten').set(...(await as('werkshop'))).send(envelop('plaatsing', traject.trajectId, plaatsing))).status).toBe(201);
      expect((await t.api().post('/v1/berichten').set(...(await as('werkshop'))).send(envelop('aanwezigheid', traject.trajectId))).status).toBe(403);
      expect((await t.api().post('/v1/berichten').set(...(await as('roc-van-twente'))).send(envelop('aanwezigheid', traject.trajectId))).status).toBe(403);
      verschuiving = 201; // past its own tot
      const na = { ...VOORBEELDEN.plaatsing, plaatsingId: 'NZ-2', startdatum: start };
      expect((await t.api().post('/v1/berichten').set(...(await as('werkshop'))).send(envelop('plaatsing', traject.trajectId, na))).status).toBe(403);
    } finally {
      verschuiving = 0;
    }
  });

  it('nazorg needs its own tot, at most 12 months on, and only a participation party gives it', async () => {
    const d = vandaag();
    const fout = async (w: Record<string, unknown>) => (await t.api().post('/v1/trajecten').set(...(await as('gemeente-hengelo')))
      .send({ leerroute: 'B1', startdatum: d, toewijzingen: [w] })).body.invalidParams;
    expect(await fout({ partij: 'werkshop', rol: 'nazorg', vanaf: d })).toEqual([{ name: '/toewijzingen/0/tot', code: 'nazorg', reason: expect.any(String) }]);
    expect(await fout({ partij: 'werkshop', rol: 'nazorg', vanaf: '2027-01-01', tot: '2028-01-01' })).toEqual([{ name: '/toewijzingen/0/tot', code: 'nazorg', reason: expect.stringMatching(/uiterlijk 2027-12-31/) }]);
    expect(await fout({ partij: 'roc-van-twente', rol: 'nazorg', vanaf: d, tot: d })).toEqual([{ name: '/toewijzingen/0/rol', code: 'rol', reason: expect.any(String) }]);
    await open({ leerroute: 'B1', startdatum: d, toewijzingen: [{ partij: 'werkshop', rol: 'nazorg', vanaf: '2027-01-01', tot: '2027-12-31' }] });
  });

  it('the demo party vluchtelingenwerk-twente (maatschappelijke begeleiding) can be assigned as begeleiding, not as nazorg', async () => {
    const d = vandaag();
    const traject = await open({ leerroute: 'B1', startdatum: d, toewijzingen: [{ partij: 'vluchtelingenwerk-twente', rol: 'begeleiding', vanaf: d }] });
    expect(traject.toewijzingen).toEqual([{ partij: 'vluchtelingenwerk-twente', rol: 'begeleiding', vanaf: d }]);
    const nazorg = await t.api().post(`/v1/trajecten/${traject.trajectId}/toewijzingen`).set(...(await as('gemeente-hengelo')))
      .send({ partij: 'vluchtelingenwerk-twente', rol: 'nazorg', vanaf: d, tot: d });
    expect(nazorg.status).toBe(400);
  });
});

describe('knelpunt: any party with an active assignment reports barriers; only the gemeente reads them', () => {
  const knelpunt = (knelpuntId: string, extra: Record<string, unknown> = {}) => ({ knelpuntId, datum: vandaag(), knelpunten: ['vervoer', 'gezondheid'], ...extra });
  const stuur = async (client: string, trajectId: string, inhoud: unknown) =>
    t.api().post('/v1/berichten').set(...(await as(client))).send({ ...envelop('aanwezigheid', trajectId), berichttype: 'knelpunt', inhoud });

  it('the ROC at intake, the jobcoach about a placement, the maatschappelijke begeleiding: published; the gemeente reads them whole, nobody else', async () => {
    const d = vandaag();
    const { trajectId } = await open({
      leerroute: 'nog-te-bepalen', startdatum: d,
      toewijzingen: [
        { partij: 'roc-van-twente', rol: 'taal', vanaf: d },
        { partij: 'werkshop', rol: 'participatie', vanaf: d },
        { partij: 'vluchtelingenwerk-twente', rol: 'begeleiding', vanaf: d },
      ],
    });
    expect((await stuur('roc-van-twente', trajectId, knelpunt('KN-1'))).status).toBe(201);
    expect((await stuur('werkshop', trajectId, knelpunt('KN-2', { knelpunten: ['rooster'], betreft: { plaatsingId: 'WS-9' } }))).status).toBe(201);
    expect((await stuur('vluchtelingenwerk-twente', trajectId, knelpunt('KN-3', { knelpunten: ['huisvesting'] }))).status).toBe(201);
    expect((await stuur('gemeente-hengelo', trajectId, knelpunt('KN-4'))).status).toBe(403);
    expect((await stuur('taalschool-oost', trajectId, knelpunt('KN-5'))).status).toBe(403);

    const gemeente = await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}&berichttype=knelpunt`).set(...(await as('gemeente-hengelo')));
    expect(gemeente.status).toBe(200);
    const gelezen = gemeente.body.resultaten as { inhoud: { knelpuntId: string; knelpunten: string[] } }[];
    expect(gelezen.map((b) => b.inhoud.knelpuntId).sort()).toEqual(['KN-1', 'KN-2', 'KN-3']);
    expect(gelezen.find((b) => b.inhoud.knelpuntId === 'KN-1')!.inhoud.knelpunten).toEqual(['vervoer', 'gezondheid']);
    for (const [client, doel] of [['werkshop', 'bemiddeling'], ['roc-van-twente', 'lesafstemming'], ['gemeente-hengelo', 'handhaving']] as const) {
      const res = await t.api().get(`/v1/berichten?doel=${doel}&trajectId=${trajectId}&berichttype=knelpunt`).set(...(await as(client)));
      expect(JSON.stringify(res.body), `${client} ${doel}`).not.toContain('gezondheid');
    }
  });
});

describe('the gemeente speaks: besluit, and its own placements', () => {
  it('answers a knelpunt with a besluit and reads it back; a provider cannot publish one; it reports its werkcoach\'s placement with the life cycle', async () => {
    const d = vandaag();
    const { trajectId } = await open({ leerroute: 'nog-te-bepalen', startdatum: d, toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: d }] });
    const stuur = async (client: string, berichttype: string, inhoud: unknown) =>
      t.api().post('/v1/berichten').set(...(await as(client))).send({ ...envelop('aanwezigheid', trajectId), berichttype, inhoud });
    expect((await stuur('roc-van-twente', 'knelpunt', { knelpuntId: 'KN-B', datum: d, knelpunten: ['vervoer'] })).status).toBe(201);
    const besluit = { besluitId: 'BS-1', soort: 'voorziening', datum: d, voorziening: { voorziening: 'vervoer', uitkomst: 'toegekend' }, antwoordOp: { afzender: 'roc-van-twente', knelpuntId: 'KN-B' } };
    expect((await stuur('gemeente-hengelo', 'besluit', besluit)).status).toBe(201);
    expect((await stuur('roc-van-twente', 'besluit', { ...besluit, besluitId: 'BS-2' })).status).toBe(403);
    const gelezen = await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}&berichttype=besluit`).set(...(await as('gemeente-hengelo')));
    expect(gelezen.body.resultaten.map((b: { inhoud: unknown }) => b.inhoud)).toEqual([besluit]);

    const plaatsing = { ...VOORBEELDEN.plaatsing, plaatsingId: 'WC-1', startdatum: d };
    expect((await stuur('gemeente-hengelo', 'plaatsing', plaatsing)).status).toBe(201);
    expect((await stuur('gemeente-hengelo', 'plaatsing', { ...plaatsing, status: 'gepauzeerd' })).status).toBe(201);
    expect((await stuur('gemeente-hengelo', 'plaatsing', { ...plaatsing, status: 'voorgesteld' })).status).toBe(409);
  });
});
