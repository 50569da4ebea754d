/**
 * User story: "the klantmanager's Monday morning" over the API — a provider publishes a week with 3
 * unexcused lessons; the gemeente's worklist shows a `verzuim` signal, the state shows the week, she
 * closes the signal with a coded outcome; a doel that may read only part of the state gets only that
 * part, and a party without a relation gets nothing. Every read and the close are in the logboek.
 * On both adapters.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, envelop, newTraceparent, startTestGateway, type Adapter, type TestGateway } from './support/gateway.js';
import { weekMetLessen } from './support/signaalberichten.js';

const DRIE_GEMIST = weekMetLessen({ berichtId: crypto.randomUUID(), van: '2026-11-02' }, [
  { status: 'ongeoorloofd-afwezig' }, { status: 'aanwezig' }, { status: 'ongeoorloofd-afwezig' }, { status: 'ongeoorloofd-afwezig' }, { status: 'aanwezig' },
]).inhoud;

describe.each<Adapter>(['sqlite', 'postgres'])('signals and state over the API (%s)', (adapter) => {
  let t: TestGateway;
  let trajectId: string;
  let gem: string;
  beforeAll(async () => {
    t = await startTestGateway({ adapter });
    gem = await t.token('gemeente-hengelo');
    trajectId = await t.openTraject();
    const roc = await t.token('roc-van-twente');
    expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('aanwezigheid', trajectId, DRIE_GEMIST))).status).toBe(201);
    expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('taalvoortgang', trajectId))).status).toBe(201);
  });
  afterAll(async () => t?.close());

  const auditVan = async (traceId: string) => t.rows<{ actie: string; besluit: string; doel: string | null; status: number; velden: string; trajectIds: string }>(
    'SELECT actie, besluit, doel, status, velden, trajectIds FROM logboek WHERE traceId = ?', traceId);

  it('the worklist shows the verzuim signal (newest first), and the read is in the logboek', async () => {
    const tp = newTraceparent();
    const res = await t.api().get('/v1/signalen?doel=trajectbegeleiding&status=open').set(...bearer(gem)).set('traceparent', tp.header);
    expect(res.status).toBe(200);
    const hier = res.body.resultaten.filter((x: { trajectId: string }) => x.trajectId === trajectId);
    expect(hier.map((x: { soort: string }) => x.soort)).toEqual(['niveau-behaald', 'verzuim']);
    expect(hier[1]).toMatchObject({ soort: 'verzuim', aanbieder: 'roc-van-twente', status: 'open', codes: {} });
    expect(Object.keys(hier[1]).sort()).toEqual(['aanbieder', 'berichtIds', 'bijgewerktOp', 'codes', 'geopendOp', 'signaalId', 'soort', 'status', 'trajectId']);
    const [record] = await auditVan(tp.traceId);
    expect(record).toMatchObject({ actie: 'signalen-lezen', besluit: 'toegestaan', doel: 'trajectbegeleiding', status: 200 });
    expect(JSON.parse(record!.trajectIds)).toContain(trajectId);
  });

  it('filters by kind, pages with a cursor, and refuses a provider and an unknown kind', async () => {
    const alleen = await t.api().get('/v1/signalen?doel=trajectbegeleiding&soort=verzuim').set(...bearer(gem));
    expect(alleen.body.resultaten.every((x: { soort: string }) => x.soort === 'verzuim')).toBe(true);
    const eerste = await t.api().get('/v1/signalen?doel=trajectbegeleiding&limiet=1').set(...bearer(gem));
    expect(eerste.body.resultaten).toHaveLength(1);
    const tweede = await t.api().get(`/v1/signalen?doel=trajectbegeleiding&limiet=1&volgende=${eerste.body.volgende}`).set(...bearer(gem));
    expect(tweede.body.resultaten).toHaveLength(1);
    expect(tweede.body.resultaten[0].signaalId).not.toBe(eerste.body.resultaten[0].signaalId);
    const roc = await t.api().get('/v1/signalen?doel=trajectbegeleiding').set(...bearer(await t.token('roc-van-twente')));
    expect(roc.status).toBe(403);
    expect((await t.api().get('/v1/signalen?doel=trajectbegeleiding&soort=bestaat-niet').set(...bearer(gem))).status).toBe(400);
    expect((await t.api().get('/v1/signalen?doel=handhaving').set(...bearer(gem))).status).toBe(403); // no rule is read under handhaving
  });

  it('the state under trajectbegeleiding shows the week, the levels and the open signals', async () => {
    const tp = newTraceparent();
    const res = await t.api().get(`/v1/trajecten/${trajectId}/stand?doel=trajectbegeleiding`).set(...bearer(gem)).set('traceparent', tp.header);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ trajectId, leerroute: 'B1', doel: 'trajectbegeleiding' });
    const roc = res.body.stand.aanwezigheid['roc-van-twente'];
    expect(roc.weken.map((w: { van: string }) => w.van)).toEqual(['2026-11-02']);
    expect(roc.laatsteWeken.ongeoorloofdeLessen).toBe(3);
    expect(res.body.stand.taal.niveaus.spreken.niveau).toBe('A2');
    expect(res.body.signalen.map((x: { soort: string }) => x.soort).sort()).toEqual(['niveau-behaald', 'verzuim']);
    const [record] = await auditVan(tp.traceId);
    expect(record).toMatchObject({ actie: 'stand-lezen', besluit: 'toegestaan', doel: 'trajectbegeleiding' });
    expect(JSON.parse(record!.velden)).toEqual(expect.arrayContaining(['/stand/aanwezigheid', '/stand/taal', '/signalen']));
  });

  it('a doel that may read only part gets only that part: handhaving attendance, bemiddeling the language part and niveau-behaald', async () => {
    const h = await t.api().get(`/v1/trajecten/${trajectId}/stand?doel=handhaving`).set(...bearer(gem));
    expect(h.status).toBe(200);
    expect(Object.keys(h.body.stand).sort()).toEqual(['aanbieders', 'aanwezigheid', 'versie']);
    expect(h.body.signalen).toEqual([]); // no signal rule is read under handhaving
    const ws = await t.api().get(`/v1/trajecten/${trajectId}/stand?doel=bemiddeling`).set(...bearer(await t.token('werkshop')));
    expect(ws.status).toBe(200);
    expect(ws.body.stand.taal).toMatchObject({ leerroute: 'B1', niveaus: { spreken: { niveau: 'A2' } }, streefniveaus: {}, verwachteEinddatum: null });
    expect(ws.body.stand.mijlpalen).toBeUndefined(); // the rule discloses leerroute and niveaus only
    expect(ws.body.stand.aanwezigheid).toBeUndefined();
    expect(ws.body.stand.examens).toBeUndefined();
    expect(ws.body.signalen.map((x: { soort: string }) => x.soort)).toEqual(['niveau-behaald']);
  });

  it('no relation, or no readable doel: 403, recorded', async () => {
    const tp = newTraceparent();
    const oost = await t.api().get(`/v1/trajecten/${trajectId}/stand?doel=trajectbegeleiding`).set(...bearer(await t.token('taalschool-oost'))).set('traceparent', tp.header);
    expect(oost.status).toBe(403);
    expect((await auditVan(tp.traceId))[0]).toMatchObject({ actie: 'stand-lezen', besluit: 'geweigerd', status: 403 });
    const roc = await t.api().get(`/v1/trajecten/${trajectId}/stand?doel=trajectbegeleiding`).set(...bearer(await t.token('roc-van-twente')));
    expect(roc.status).toBe(403);
    expect((await t.api().get(`/v1/trajecten/${crypto.randomUUID()}/stand?doel=trajectbegeleiding`).set(...bearer(gem))).status).toBe(403);
    expect((await t.api().get(`/v1/trajecten/${trajectId}/stand`).set(...bearer(gem))).status).toBe(400);
  });

  it('the trajectory list: the gemeente sees its trajectories with a summary; a provider its assigned ones; paging', async () => {
    const tweede = await t.openTraject([{ partij: 'werkshop', rol: 'participatie', vanaf: '2026-01-05' }]);
    const res = await t.api().get('/v1/trajecten?doel=trajectbegeleiding&status=lopend').set(...bearer(gem));
    expect(res.status).toBe(200);
    const ids = res.body.resultaten.map((x: { trajectId: string }) => x.trajectId);
    expect(ids).toEqual(expect.arrayContaining([trajectId, tweede]));
    const mijn = res.body.resultaten.find((x: { trajectId: string }) => x.trajectId === trajectId);
    expect(mijn.samenvatting).toMatchObject({ niveaus: { spreken: 'A2' }, openSignalen: 2 });
    expect(mijn.samenvatting.aanwezigheid['roc-van-twente']).toMatchObject({ weken: 1, ongeoorloofdeLessen: 3 });
    const roc = await t.api().get('/v1/trajecten?doel=lesafstemming').set(...bearer(await t.token('roc-van-twente')));
    expect(roc.status).toBe(200);
    const rocIds = roc.body.resultaten.map((x: { trajectId: string }) => x.trajectId);
    expect(rocIds).toContain(trajectId);
    expect(rocIds).not.toContain(tweede);
    expect(roc.body.resultaten.find((x: { trajectId: string }) => x.trajectId === trajectId).samenvatting).toEqual({ laatsteBericht: {}, openSignalen: 0 }); // no consent: nothing of the state
    const p1 = await t.api().get('/v1/trajecten?doel=trajectbegeleiding&limiet=1').set(...bearer(gem));
    const p2 = await t.api().get(`/v1/trajecten?doel=trajectbegeleiding&limiet=1&volgende=${p1.body.volgende}`).set(...bearer(gem));
    expect(p1.body.resultaten[0].trajectId < p2.body.resultaten[0].trajectId).toBe(true);
    expect((await t.api().get('/v1/trajecten?doel=trajectbegeleiding&status=x').set(...bearer(gem))).status).toBe(400);
  });

  it('closing a signal: a coded outcome, once; not by another party; no free text', async () => {
    const lijst = await t.api().get('/v1/signalen?doel=trajectbegeleiding&soort=verzuim&status=open').set(...bearer(gem));
    const signaalId = lijst.body.resultaten.find((x: { trajectId: string }) => x.trajectId === trajectId).signaalId;
    const ws = await t.api().post(`/v1/signalen/${signaalId}/afhandeling`).set(...bearer(await t.token('werkshop'))).send({ uitkomst: 'gesprek-gevoerd' });
    expect(ws.status).toBe(404);
    const tekst = await t.api().post(`/v1/signalen/${signaalId}/afhandeling`).set(...bearer(gem)).send({ uitkomst: 'gesprek-gevoerd', toelichting: 'vrije tekst' });
    expect(tekst.status).toBe(400);
    expect((await t.api().post(`/v1/signalen/${signaalId}/afhandeling`).set(...bearer(gem)).send({ uitkomst: 'opgeheven' })).status).toBe(400);
    const tp = newTraceparent();
    const ok = await t.api().post(`/v1/signalen/${signaalId}/afhandeling`).set(...bearer(gem)).set('traceparent', tp.header).send({ uitkomst: 'gesprek-gevoerd' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ signaalId, status: 'afgehandeld', uitkomst: 'gesprek-gevoerd' });
    expect((await auditVan(tp.traceId))[0]).toMatchObject({ actie: 'signaal-afhandelen', besluit: 'toegestaan', doel: 'trajectbegeleiding' });
    expect((await t.api().post(`/v1/signalen/${signaalId}/afhandeling`).set(...bearer(gem)).send({ uitkomst: 'geen-actie-nodig' })).status).toBe(409);
    const stand = await t.api().get(`/v1/trajecten/${trajectId}/stand?doel=trajectbegeleiding`).set(...bearer(gem));
    expect(stand.body.signalen.map((x: { soort: string }) => x.soort)).toEqual(['niveau-behaald']);
  });
});
