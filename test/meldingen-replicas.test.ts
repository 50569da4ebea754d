/**
 * User story: "notifications survive replicas" — two gateway replicas on one PostgreSQL database
 * share the outbox: events published through either replica reach the receiver in outbox order per
 * subscription, each at least once; a replica that dies while it holds a subscription's lease loses nothing:
 * its lease lapses and the other replica delivers the event.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../src/gateway.js';
import { verify } from '../src/meldingen/standard-webhooks.js';
import { bearer, envelop, startTestGateway, type TestGateway } from './support/gateway.js';
import { tot } from './support/wachten.js';

describe('delivery with two replicas on one PostgreSQL database', () => {
  let a: TestGateway;
  let b: Gateway;
  let server: http.Server;
  let basis: string;
  let geheim = '';
  const ontvangen: Array<{ id: string; berichtId: string }> = [];
  const fouten: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        try {
          verify(geheim, req.headers, body);
          const e = JSON.parse(body);
          ontvangen.push({ id: e.id, berichtId: e.data.berichtId });
        } catch (err) {
          fouten.push((err as Error).message);
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    basis = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const overrides = { meldingenIntervalMs: 30, meldingTimeoutMs: 400, signaalPlannerSeconden: 0, controlepuntSeconden: 0 };
    a = await startTestGateway({ adapter: 'postgres', overrides });
    b = await startGateway({ env: {}, overrides: { port: 0, dataDir: a.dataDir, logLevel: 'silent', databaseUrl: a.databaseUrl, publicUrl: a.gw.url, ...overrides } });
  });
  afterAll(async () => {
    await b?.stop().catch(() => undefined);
    await a?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('events published through both replicas arrive once each, in outbox order', async () => {
    const gem = await a.token('gemeente-hengelo');
    const res = await a.api().post('/v1/abonnementen').set(...bearer(gem)).send({ url: `${basis}/r`, soorten: ['bericht'] });
    expect(res.status).toBe(201);
    geheim = res.body.geheim;
    const trajectId = await a.openTraject();
    const roc = await a.token('roc-van-twente');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const e = envelop('taalvoortgang', trajectId);
      const target = i % 2 ? `${b.url}` : a.gw.url;
      const r = await fetch(`${target}/v1/berichten`, { method: 'POST', headers: { authorization: `Bearer ${roc}`, 'content-type': 'application/json' }, body: JSON.stringify(e) });
      expect(r.status).toBe(201);
      ids.push(e.berichtId);
    }
    await tot(() => ontvangen.length, (n) => n >= 12);
    expect(fouten).toEqual([]);
    // At least once, in order: with no failures every event arrives exactly once, in publish order.
    expect(ontvangen.map((o) => o.berichtId)).toEqual(ids);
  });

  it('a subscription leased by a replica that died is delivered by the other once the lease lapses', async () => {
    const trajectId = await a.openTraject();
    const [ab] = (await a.api().get('/v1/abonnementen').set(...bearer(await a.token('gemeente-hengelo')))).body.resultaten as Array<{ abonnementId: string }>;
    // A replica that died mid-delivery leaves its lease row behind (it can no longer release it).
    await a.gw.services.store.shared.put('bezorging', ab!.abonnementId, 'dode-replica', Date.now() + 1500);
    const voor = ontvangen.length;
    const e = envelop('taalvoortgang', trajectId);
    const r = await fetch(`${b.url}/v1/berichten`, { method: 'POST', headers: { authorization: `Bearer ${await a.token('roc-van-twente')}`, 'content-type': 'application/json' }, body: JSON.stringify(e) });
    expect(r.status).toBe(201);
    await Promise.all([a.gw.services.bezorger.ronde(), b.services.bezorger.ronde()]);
    expect(ontvangen.length).toBe(voor); // the lease holds: nobody else delivers meanwhile
    await tot(() => ontvangen.slice(voor), (v) => v.some((o) => o.berichtId === e.berichtId));
    await tot(() => a.rows<{ status: string }>('SELECT status FROM uitgaand WHERE trajectId = ?', trajectId), (v) => v.length === 1 && v[0]!.status === 'afgeleverd');
    expect(fouten).toEqual([]);
  });
});
