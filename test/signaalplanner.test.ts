/**
 * User story: "whom has nobody seen for two weeks?" — the scheduler raises `uit-beeld` for an active
 * taal or participatie assignment without attendance for more than 14 days, an attendance message
 * clears it, and with two replicas on one database the signal is raised once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../src/gateway.js';
import { bearer, envelop, startTestGateway, type Adapter, type TestGateway } from './support/gateway.js';

type Rij = { soort: string; aanbieder: string; status: string; uitkomst: string | null };
const uitBeeld = (t: TestGateway, trajectId: string) =>
  t.rows<Rij>("SELECT soort, aanbieder, status, uitkomst FROM signalen WHERE trajectId = ? AND soort = 'uit-beeld' ORDER BY volgorde", trajectId);

describe.each<Adapter>(['sqlite', 'postgres'])('the uit-beeld scheduler (%s)', (adapter) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ adapter, overrides: { signaalPlannerSeconden: 0 } });
  });
  afterAll(async () => t?.close());

  it('raises uit-beeld per silent provider once, and an attendance message clears that provider\'s signal', async () => {
    const trajectId = await t.openTraject(); // roc (taal) and werkshop (participatie) since 2026-01-05, nothing received
    const recent = await t.openTraject([{ partij: 'roc-van-twente', rol: 'taal', vanaf: new Date().toISOString().slice(0, 10) }]);
    await t.gw.services.signaalPlanner.nu();
    expect((await uitBeeld(t, trajectId)).map((r) => [r.aanbieder, r.status])).toEqual([['roc-van-twente', 'open'], ['werkshop', 'open']]);
    expect(await uitBeeld(t, recent)).toEqual([]); // its assignment started today
    await t.gw.services.signaalPlanner.nu(); // a second round adds nothing
    expect(await uitBeeld(t, trajectId)).toHaveLength(2);

    expect((await t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).send(envelop('aanwezigheid', trajectId))).status).toBe(201);
    expect((await uitBeeld(t, trajectId)).map((r) => [r.aanbieder, r.status, r.uitkomst])).toEqual([['roc-van-twente', 'afgehandeld', 'opgeheven'], ['werkshop', 'open', null]]);
    await t.gw.services.signaalPlanner.nu(); // roc was seen just now: not raised again
    expect((await uitBeeld(t, trajectId)).filter((r) => r.status === 'open').map((r) => r.aanbieder)).toEqual(['werkshop']);
  });

  it('an ended assignment clears its provider\'s uit-beeld at the next round', async () => {
    const trajectId = await t.openTraject();
    await t.gw.services.signaalPlanner.nu();
    expect(await uitBeeld(t, trajectId)).toHaveLength(2);
    const gem = await t.token('gemeente-hengelo');
    const res = await t.api().delete(`/v1/trajecten/${trajectId}/toewijzingen/werkshop`).set(...bearer(gem));
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    await t.gw.services.signaalPlanner.nu();
    expect((await uitBeeld(t, trajectId)).map((r) => [r.aanbieder, r.status])).toEqual([['roc-van-twente', 'open'], ['werkshop', 'afgehandeld']]);
  });
});

describe('the uit-beeld scheduler with two replicas on one PostgreSQL database', () => {
  let a: TestGateway;
  let b: Gateway;
  beforeAll(async () => {
    a = await startTestGateway({ adapter: 'postgres', overrides: { signaalPlannerSeconden: 0 } });
    b = await startGateway({ env: {}, overrides: { port: 0, dataDir: a.dataDir, logLevel: 'silent', databaseUrl: a.databaseUrl, publicUrl: a.gw.url, controlepuntSeconden: 0, signaalPlannerSeconden: 0 } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.close();
  });

  it('publishes through both replicas at once about one trajectory: the state holds every week (no lost update)', async () => {
    const trajectId = await a.openTraject();
    const roc = await a.token('roc-van-twente');
    const weken = Array.from({ length: 8 }, (_, i) => new Date(Date.parse('2026-09-07T00:00:00Z') + i * 7 * 86_400_000).toISOString().slice(0, 10));
    const antwoorden = await Promise.all(weken.map((van, i) => {
      const tot = new Date(Date.parse(`${van}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
      const inhoud = { periode: { van, tot }, totalen: [{ activiteit: 'formele-taalles', minuten: { gepland: 540, aanwezig: 540, teLaat: 0, geoorloofdAfwezig: 0, ongeoorloofdAfwezig: 0, ziek: 0, afwezig: 0, vervallen: 0, onbekend: 0 } }] };
      return fetch(`${i % 2 ? b.url : a.gw.url}/v1/berichten`, { method: 'POST', headers: { authorization: `Bearer ${roc}`, 'content-type': 'application/json' }, body: JSON.stringify(envelop('aanwezigheid', trajectId, inhoud)) });
    }));
    expect(antwoorden.map((r) => r.status)).toEqual(weken.map(() => 201));
    const [rij] = await a.rows<{ stand: string }>('SELECT stand FROM trajectstand WHERE trajectId = ?', trajectId);
    expect(JSON.parse(rij!.stand).aanwezigheid['roc-van-twente'].weken.map((w: { van: string }) => w.van)).toEqual(weken);
  });

  it('rounds on both replicas at once raise each signal once', async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, () => a.openTraject()));
    await Promise.all([a.gw.services.signaalPlanner.nu(), b.services.signaalPlanner.nu(), a.gw.services.signaalPlanner.nu(), b.services.signaalPlanner.nu()]);
    for (const id of ids) expect((await uitBeeld(a, id)).map((r) => r.aanbieder)).toEqual(['roc-van-twente', 'werkshop']);
  });
});
