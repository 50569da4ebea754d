/**
 * User story: "a provider publishes a week with 3 unexcused lessons and, within seconds, the
 * gemeente's receiver gets a signed, content-free event" — with a REAL receiver (node:http on
 * 127.0.0.1) that verifies every signature: events in order per subscription, retried after 500s and
 * timeouts with the same id, paused after a 410 and delivered after resuming, never to a party
 * without a readable doel or whose assignment ended, every delivery in the logboek. Both adapters.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../src/meldingen/standard-webhooks.js';
import { bearer, envelop, startTestGateway, type Adapter, type TestGateway } from './support/gateway.js';
import { weekMetLessen } from './support/signaalberichten.js';
import { tot } from './support/wachten.js';

interface Ontvangen { pad: string; id: string; body: string; event: { id: string; type: string; subject: string; dataref: string; data: Record<string, string> } }

/** A receiver that checks signatures with the secret of each path and answers what the test tells it. */
function ontvanger() {
  const geheimen = new Map<string, string>();
  const antwoorden = new Map<string, Array<number | 'traag'>>();
  const ontvangen: Ontvangen[] = [];
  const fouten: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const pad = req.url ?? '';
      try {
        verify(geheimen.get(pad) ?? 'whsec_onbekend', req.headers, body);
        ontvangen.push({ pad, id: String(req.headers['webhook-id']), body, event: JSON.parse(body) });
      } catch (e) {
        fouten.push(`${pad}: ${(e as Error).message}`);
      }
      const volgende = antwoorden.get(pad)?.shift() ?? 204;
      if (volgende === 'traag') return void setTimeout(() => res.writeHead(204).end(), 2000);
      if (volgende === 302) return void res.writeHead(302, { location: `${pad}-elders` }).end();
      res.writeHead(volgende).end();
    });
  });
  return { server, geheimen, antwoorden, ontvangen, fouten, van: (pad: string) => ontvangen.filter((o) => o.pad === pad) };
}

const DRIE_GEMIST = () => weekMetLessen({ berichtId: crypto.randomUUID(), van: '2026-11-02' }, [
  { status: 'ongeoorloofd-afwezig' }, { status: 'aanwezig' }, { status: 'ongeoorloofd-afwezig' }, { status: 'ongeoorloofd-afwezig' },
]).inhoud;

describe.each<Adapter>(['sqlite', 'postgres'])('notifications to subscribers (%s)', (adapter) => {
  let t: TestGateway;
  let r: ReturnType<typeof ontvanger>;
  let basis: string;
  let offset = 0;
  beforeAll(async () => {
    r = ontvanger();
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    basis = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`;
    t = await startTestGateway({ adapter, now: () => new Date(Date.now() + offset), overrides: { meldingenIntervalMs: 50, meldingTimeoutMs: 300, signaalPlannerSeconden: 0 } });
  });
  afterAll(async () => {
    await t?.close();
    r?.server.closeAllConnections();
    await new Promise((resolve) => r?.server.close(resolve));
  });

  async function abonneer(partij: string, pad: string, body: Record<string, unknown> = { soorten: ['bericht', 'signaal'] }): Promise<string> {
    const res = await t.api().post('/v1/abonnementen').set(...bearer(await t.token(partij))).send({ url: `${basis}${pad}`, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.geheim).toMatch(/^whsec_/);
    r.geheimen.set(pad, res.body.geheim);
    return res.body.abonnementId;
  }
  const publiceer = async (partij: string, trajectId: string, type: 'aanwezigheid' | 'taalvoortgang' | 'plaatsing', inhoud?: unknown) => {
    const e = envelop(type, trajectId, inhoud);
    const res = await t.api().post('/v1/berichten').set(...bearer(await t.token(partij))).send(e);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return e.berichtId;
  };
  const uitgaand = (abonnementId: string) => t.rows<{ eventId: string; status: string; doel: string }>('SELECT eventId, status, doel FROM uitgaand WHERE abonnementId = ? ORDER BY volgnummer', abonnementId);

  it('a week with 3 unexcused lessons: the gemeente\'s receiver gets the message event, then the verzuim signal, signed and content-free', async () => {
    const pad = `/gemeente-${adapter}`;
    const abonnementId = await abonneer('gemeente-hengelo', pad);
    const trajectId = await t.openTraject();
    const berichtId = await publiceer('roc-van-twente', trajectId, 'aanwezigheid', DRIE_GEMIST());
    const events = await tot(() => r.van(pad), (v) => v.length >= 2);
    expect(r.fouten).toEqual([]);
    expect(events.map((e) => e.event.type)).toEqual(['nl.doelpoort.bericht.ontvangen', 'nl.doelpoort.signaal.geopend']);
    expect(events[0]!.event.data).toEqual({ trajectId, berichtId, berichttype: 'aanwezigheid' });
    expect(Object.keys(events[1]!.event.data).sort()).toEqual(['signaalId', 'soort', 'trajectId']);
    expect(events[1]!.event.data.soort).toBe('verzuim');
    for (const e of events) {
      expect(e.event.subject).toBe(trajectId);
      expect(e.id).toBe(e.event.id);
      expect(e.body).not.toMatch(/ongeoorloofd|minuten|lessen/); // no content
    }
    // The dataref is an ordinary, audited, purpose-bound read.
    const gem = await t.token('gemeente-hengelo');
    for (const e of events) {
      const url = new URL(e.event.dataref);
      expect(url.searchParams.get('doel')).toBe('trajectbegeleiding');
      expect((await t.api().get(`${url.pathname}${url.search}`).set(...bearer(gem))).status).toBe(200);
    }
    await tot(() => uitgaand(abonnementId), (v) => v.every((x) => x.status === 'afgeleverd'));
    const records = await t.rows<{ partij: string; doel: string; status: number }>("SELECT partij, doel, status FROM logboek WHERE actie = 'melding-afleveren' AND trajectIds LIKE ?", `%${trajectId}%`);
    expect(records).toEqual([
      { partij: 'gemeente-hengelo', doel: 'trajectbegeleiding', status: 204 },
      { partij: 'gemeente-hengelo', doel: 'trajectbegeleiding', status: 204 },
    ]);
    const pogingen = await t.api().get(`/v1/abonnementen/${abonnementId}/afleveringen`).set(...bearer(gem));
    expect(pogingen.body.resultaten.map((x: { statuscode: number }) => x.statuscode)).toEqual([204, 204]);
    expect(Object.keys(pogingen.body.resultaten[0]).sort()).toEqual(['duurMs', 'eventId', 'statuscode', 'tijdstip']);
    await t.api().delete(`/v1/abonnementen/${abonnementId}`).set(...bearer(gem)).expect(204);
  });

  it('no event for a party without a readable doel, nor after its assignment ended; a provider gets what its doel allows', async () => {
    const oost = await abonneer('taalschool-oost', `/oost-${adapter}`);
    const ws = await abonneer('werkshop', `/werkshop-${adapter}`);
    const trajectId = await t.openTraject();
    await publiceer('roc-van-twente', trajectId, 'aanwezigheid', DRIE_GEMIST()); // werkshop may not read attendance; oost has no relation
    await publiceer('roc-van-twente', trajectId, 'taalvoortgang'); // werkshop reads it under bemiddeling, and niveau-behaald too
    expect(await uitgaand(oost)).toEqual([]);
    const wsRows = await uitgaand(ws);
    expect(wsRows.map((x) => x.doel)).toEqual(['bemiddeling', 'bemiddeling']);
    const events = await tot(() => r.van(`/werkshop-${adapter}`), (v) => v.length >= 2);
    expect(events.map((e) => [e.event.type, e.event.data.berichttype ?? e.event.data.soort])).toEqual([
      ['nl.doelpoort.bericht.ontvangen', 'taalvoortgang'], ['nl.doelpoort.signaal.geopend', 'niveau-behaald'],
    ]);
    const gem = await t.token('gemeente-hengelo');
    await t.api().delete(`/v1/trajecten/${trajectId}/toewijzingen/werkshop`).set(...bearer(gem)).expect((res) => expect(res.status).toBeLessThan(300));
    const tweede = { ...(envelop('taalvoortgang', trajectId).inhoud as object), mijlpaal: { soort: 'niveau-behaald', niveau: 'B1', vaardigheden: ['lezen'], datum: '2026-11-20' } };
    await publiceer('roc-van-twente', trajectId, 'taalvoortgang', tweede);
    expect(await uitgaand(ws)).toHaveLength(2); // nothing new for werkshop
    for (const id of [oost, ws]) await t.api().delete(`/v1/abonnementen/${id}`).set(...bearer(await t.token(id === oost ? 'taalschool-oost' : 'werkshop'))).expect(204);
  });

  it('retries after 500s and a timeout with the same id, in order per subscription; a redirect is not followed', async () => {
    const pad = `/retry-${adapter}`;
    r.antwoorden.set(pad, [500, 'traag', 302, 204]);
    const abonnementId = await abonneer('gemeente-hengelo', pad, { soorten: ['bericht'] });
    const trajectId = await t.openTraject();
    const b1 = await publiceer('roc-van-twente', trajectId, 'taalvoortgang');
    const b2 = await publiceer('roc-van-twente', trajectId, 'aanwezigheid');
    const pogingen = async () => (await t.api().get(`/v1/abonnementen/${abonnementId}/afleveringen`).set(...bearer(await t.token('gemeente-hengelo')))).body.resultaten as Array<{ statuscode: number | null; fout?: string }>;
    for (let n = 1; n <= 3; n++) {
      await tot(pogingen, (v) => v.length >= n);
      offset += 2 * 3600_000; // the retry is due: move the gateway's clock, not the test's
      t.gw.services.bezorger.wek();
    }
    await tot(() => r.van(pad), (v) => v.length >= 5);
    const ids = r.van(pad).map((e) => e.event.data.berichtId);
    expect(ids).toEqual([b1, b1, b1, b1, b2]); // b2 waited behind b1
    expect(new Set(r.van(pad).slice(0, 4).map((e) => e.id)).size).toBe(1);
    const lijst = await tot(pogingen, (v) => v.length >= 5);
    expect(lijst.map((x) => x.statuscode).reverse()).toEqual([500, null, 302, 204, 204]);
    expect(lijst.reverse()[1]!.fout).toMatch(/geen antwoord binnen 300 ms/);
    expect(r.ontvangen.some((o) => o.pad.endsWith('-elders'))).toBe(false);
    await t.api().delete(`/v1/abonnementen/${abonnementId}`).set(...bearer(await t.token('gemeente-hengelo'))).expect(204);
  });

  it('a 410 pauses the subscription; queued events go out in order after the party resumes it', async () => {
    const pad = `/pauze-${adapter}`;
    r.antwoorden.set(pad, [410]);
    const gem = await t.token('gemeente-hengelo');
    const abonnementId = await abonneer('gemeente-hengelo', pad, { soorten: ['bericht'] });
    const trajectId = await t.openTraject();
    const b1 = await publiceer('roc-van-twente', trajectId, 'taalvoortgang');
    await tot(async () => (await t.api().get(`/v1/abonnementen/${abonnementId}`).set(...bearer(gem))).body.status, (v) => v === 'gepauzeerd');
    const b2 = await publiceer('roc-van-twente', trajectId, 'aanwezigheid');
    await t.gw.services.bezorger.ronde();
    expect(r.van(pad)).toHaveLength(1); // paused: nothing more goes out
    expect((await t.api().post(`/v1/abonnementen/${crypto.randomUUID()}/hervatting`).set(...bearer(gem))).status).toBe(404);
    expect((await t.api().post(`/v1/abonnementen/${abonnementId}/hervatting`).set(...bearer(await t.token('werkshop')))).status).toBe(404); // not its own
    const res = await t.api().post(`/v1/abonnementen/${abonnementId}/hervatting`).set(...bearer(gem));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('actief');
    const events = await tot(() => r.van(pad), (v) => v.length >= 3);
    expect(events.map((e) => e.event.data.berichtId)).toEqual([b1, b1, b2]);
    expect(r.fouten).toEqual([]);
  });

  it('subscription URLs: private and link-local targets are refused; a party sees only its own subscriptions', async () => {
    const gem = await t.token('gemeente-hengelo');
    for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/latest', 'ftp://127.0.0.1/x', 'http://user:pw@127.0.0.1/x']) {
      const res = await t.api().post('/v1/abonnementen').set(...bearer(gem)).send({ url, soorten: ['bericht'] });
      expect(res.status, url).toBe(400);
    }
    expect((await t.api().post('/v1/abonnementen').set(...bearer(gem)).send({ url: `${basis}/x`, soorten: ['alles'] })).status).toBe(400);
    const eigen = await abonneer('werkshop', `/eigen-${adapter}`, { soorten: ['signaal'] });
    expect((await t.api().get(`/v1/abonnementen/${eigen}`).set(...bearer(gem))).status).toBe(404);
    const lijst = await t.api().get('/v1/abonnementen').set(...bearer(await t.token('werkshop')));
    expect(lijst.body.resultaten.map((x: { abonnementId: string }) => x.abonnementId)).toEqual([eigen]);
    expect(lijst.body.resultaten[0].geheim).toBeUndefined();
  });
});
