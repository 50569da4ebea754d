/**
 * The same gateway on both storage adapters: a representative set of HTTP scenarios (publish,
 * idempotent resend, purpose-bound read, consent, control characters, the logboek's search and
 * verification) runs once on SQLite and once on PostgreSQL with the same expectations. Then, on
 * PostgreSQL only, tampering: a record edited, deleted or the tail cut off in the database is
 * detected and named by `doelpoort logboek verifieer postgres://…` (and DATABASE_URL) and by the API,
 * with the same words as on a SQLite file (test/logboek-verificatie.test.ts). Last, two replicas on
 * one PostgreSQL database: tokens, reads, idempotency and placement transitions across them.
 */
import crypto from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logboekCommand } from '../src/audit/cli.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { dutchDate } from '../src/http/services.js';
import { pgQuery } from './support/postgres.js';
import { bearer, envelop, newTraceparent, startTestGateway, VOORBEELDEN, type Adapter, type TestGateway } from './support/gateway.js';

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await logboekCommand(args, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

describe.each<Adapter>(['sqlite', 'postgres'])('the gateway on %s', (adapter) => {
  let t: TestGateway;
  let trajectId: string;
  const post = async (client: string, body: unknown) => t.api().post('/v1/berichten').set(...bearer(await t.token(client))).send(body as object);
  const get = async (client: string, url: string) => t.api().get(url).set(...bearer(await t.token(client)));

  beforeAll(async () => {
    t = await startTestGateway({ adapter, overrides: { controlepuntSeconden: 0 } });
    trajectId = await t.openTraject();
  });
  afterAll(() => t.close());

  it('publish: 201 with a receipt naming its audit record, stored once', async () => {
    const body = envelop('aanwezigheid', trajectId);
    const res = await post('roc-van-twente', body);
    expect(res.status).toBe(201);
    const rows = await t.rows<{ afzender: string; auditId: number }>('SELECT afzender, auditId FROM berichten WHERE berichtId = ?', body.berichtId);
    expect(rows).toEqual([{ afzender: 'roc-van-twente', auditId: res.body.logboek.id }]);
    const [rec] = await t.rows<{ actie: string; hash: string }>('SELECT actie, hash FROM logboek WHERE id = ?', res.body.logboek.id);
    expect(rec).toEqual({ actie: 'bericht-publiceren', hash: res.body.logboek.hash });
  });

  it('idempotent resend: 200 with the first receipt; other content 409; another sender with the same id stores its own', async () => {
    const body = envelop('aanwezigheid', trajectId);
    const first = await post('roc-van-twente', body);
    const again = await post('roc-van-twente', body);
    expect(again.status).toBe(200);
    expect(again.body.logboek).toEqual(first.body.logboek);
    expect((await post('roc-van-twente', { ...body, gebeurtenisTijdstip: '2026-11-21T10:00:00+01:00' })).status).toBe(409);
    expect((await post('werkshop', body)).status).toBe(201);
    expect((await t.rows('SELECT volgnummer FROM berichten WHERE berichtId = ?', body.berichtId))).toHaveLength(2);
  });

  it('concurrent resends of one message store it once', async () => {
    const body = envelop('taalvoortgang', trajectId);
    const answers = await Promise.all(Array.from({ length: 8 }, () => post('roc-van-twente', body)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(await t.rows('SELECT volgnummer FROM berichten WHERE berichtId = ?', body.berichtId)).toHaveLength(1);
  });

  it('read: one message by id and the feed, projected per doel; a message id of another sender picks the one I may read', async () => {
    const body = envelop('taalvoortgang', trajectId);
    expect((await post('roc-van-twente', body)).status).toBe(201);
    const een = await get('werkshop', `/v1/berichten/${body.berichtId}?doel=bemiddeling`);
    expect(een.status).toBe(200);
    expect(Object.keys(een.body.inhoud).sort()).toEqual(['leerroute', 'niveaus']);
    const feed = await get('gemeente-hengelo', `/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}`);
    expect(feed.status).toBe(200);
    expect(feed.body.resultaten.map((m: { berichtId: string }) => m.berichtId)).toContain(body.berichtId);
    // The same berichtId used by a sender on a trajectory I have no relation with: I still get the one I may read.
    const ander = await t.openTraject([{ partij: 'taalschool-oost', rol: 'taal', vanaf: '2026-01-05' }]);
    expect((await post('taalschool-oost', { ...envelop('taalvoortgang', ander), berichtId: body.berichtId })).status).toBe(201);
    const weer = await get('werkshop', `/v1/berichten/${body.berichtId}?doel=bemiddeling`);
    expect(weer.status).toBe(200);
    expect(weer.body.trajectId).toBe(trajectId);
    // The other sender has no consent for lesafstemming on its own trajectory: refused, and not handed the first sender's message.
    const eigen = await get('taalschool-oost', `/v1/berichten/${body.berichtId}?doel=lesafstemming`);
    expect(eigen.status).toBe(403);
    expect(JSON.stringify(eigen.body)).not.toContain(trajectId);
  });

  it('consent: recorded, a consent-based read works, and after withdrawal it no longer does', async () => {
    expect((await post('werkshop', envelop('plaatsing', trajectId))).status).toBe(201);
    const lees = () => get('roc-van-twente', `/v1/berichten?doel=lesafstemming&trajectId=${trajectId}`);
    expect((await lees()).status).toBe(403);
    const geldigTot = dutchDate(new Date(Date.now() + 90 * 86_400_000));
    const res = await t.api().post(`/v1/trajecten/${trajectId}/toestemmingen`).set(...bearer(await t.token('gemeente-hengelo')))
      .send({ ontvanger: 'roc-van-twente', doel: 'lesafstemming', geldigTot, bewijs: { vorm: 'schriftelijk', kenmerk: 'Z-1' } });
    expect(res.status).toBe(201);
    expect((await lees()).status).toBe(200);
    const uit = await t.api().delete(`/v1/trajecten/${trajectId}/toestemmingen/${res.body.toestemmingId}`).set(...bearer(await t.token('gemeente-hengelo')));
    expect(uit.status).toBeLessThan(300);
    expect((await lees()).status).toBe(403);
  });

  it('control characters in free text: 400 naming the field, nothing stored, on every adapter', async () => {
    const body = envelop('taalvoortgang', trajectId, { ...(envelop('taalvoortgang', trajectId).inhoud as object), toelichting: 'nul\u0000byte' });
    const res = await post('roc-van-twente', body);
    expect(res.status).toBe(400);
    expect(res.body.invalidParams).toEqual([expect.objectContaining({ name: '/inhoud/toelichting', code: 'stuurteken' })]);
    expect(await t.rows('SELECT volgnummer FROM berichten WHERE berichtId = ?', body.berichtId)).toEqual([]);
    const ok = envelop('taalvoortgang', trajectId, { ...(envelop('taalvoortgang', trajectId).inhoud as object), toelichting: 'regel 1\n\tregel 2\r\n' });
    expect((await post('roc-van-twente', ok)).status).toBe(201);
  });

  it('the logboek: an officer searches by trajectory within scope; verification passes through the API and the CLI', async () => {
    const trace = newTraceparent();
    expect((await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}`).set(...bearer(await t.token('gemeente-hengelo'))).set('traceparent', trace.header)).status).toBe(200);
    const search = await get('fg-hengelo', `/v1/logboek?trajectId=${trajectId}&limiet=500`);
    expect(search.status).toBe(200);
    expect(search.body.resultaten.some((r: { traceId: string }) => r.traceId === trace.traceId)).toBe(true);
    // ROC's officer sees the gemeente's read too (ROC sent messages it disclosed); an officer of no party involved would not.
    const roc = await get('fg-roc', `/v1/logboek?trajectId=${trajectId}&partij=gemeente-hengelo&limiet=500`);
    expect(roc.body.resultaten.some((r: { traceId: string }) => r.traceId === trace.traceId)).toBe(true);
    await t.gw.services.logboek.controlepunten.nu();
    const api = await get('fg-hengelo', '/v1/logboek/verificatie');
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ geldig: true, eersteFout: null });
    const r = await cli('verifieer', t.databaseUrl ?? `${t.dataDir}/doelpoort.db`);
    expect(r.out).toContain('Resultaat: GELDIG');
    expect(r.code).toBe(0);
  });
});

describe('PostgreSQL: a record edited, deleted or the tail cut off is detected and named as in SQLite', () => {
  let t: TestGateway;
  let url: string;
  let N: number;
  const sql = (text: string, ...params: unknown[]) => pgQuery(url, text, params);

  beforeAll(async () => {
    t = await startTestGateway({ adapter: 'postgres', overrides: { controlepuntSeconden: 0 } });
    url = t.databaseUrl!;
    const traject = await t.openTraject();
    const roc = await t.token('roc-van-twente');
    const g = await t.token('gemeente-hengelo');
    for (let i = 0; i < 6; i++) {
      expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('aanwezigheid', traject))).status).toBe(201);
      expect((await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`).set(...bearer(g))).status).toBe(200);
    }
    N = (await t.gw.services.logboek.controlepunten.nu())!.aantal;
  });
  afterAll(() => t.close());

  async function verifieer(): Promise<{ cli: { code: number; out: string }; env: { code: number; out: string }; api: { geldig: boolean; eersteFout: { id: number; reden: string } | null } }> {
    const viaCli = await cli('verifieer', url);
    const before = process.env.DATABASE_URL;
    process.env.DATABASE_URL = url;
    try {
      const viaEnv = await cli('verifieer');
      const res = await t.api().get('/v1/logboek/verificatie').set(...bearer(await t.token('fg-hengelo')));
      expect(res.status).toBe(200);
      return { cli: viaCli, env: viaEnv, api: res.body };
    } finally {
      if (before === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before;
    }
  }

  function expectNamed(v: Awaited<ReturnType<typeof verifieer>>, id: number, reden: RegExp): void {
    for (const r of [v.cli, v.env]) {
      expect(r.code, r.out).toBe(1);
      const line = r.out.split('\n').find((l) => l.startsWith('Resultaat:'))!;
      expect(line).toContain(`eerste fout bij record ${id}:`);
      expect(line.replace(/^.*?record \d+: /, '')).toMatch(reden);
    }
    expect(v.api.geldig).toBe(false);
    expect(v.api.eersteFout!.id).toBe(id);
    expect(v.api.eersteFout!.reden).toMatch(reden);
  }

  /** Keep rows aside, tamper, check, put them back: each case starts from the honest log. */
  async function bewaar(where: string, ...params: unknown[]): Promise<() => Promise<void>> {
    const tag = `bewaard_${crypto.randomBytes(4).toString('hex')}`;
    for (const table of ['logboek', 'logboek_betrokkene', 'logboek_scope', 'logboek_verstrekking', 'logboek_categorie']) {
      const col = table === 'logboek' ? 'id' : 'auditid';
      await sql(`CREATE TABLE ${tag}_${table} AS SELECT * FROM ${table} WHERE ${where.replace(/\bid\b/g, col)}`, ...params);
    }
    return async () => {
      await sql(`DELETE FROM logboek_categorie WHERE ${where.replace(/\bid\b/g, 'auditid')}`, ...params);
      await sql(`DELETE FROM logboek_scope WHERE ${where.replace(/\bid\b/g, 'auditid')}`, ...params);
      await sql(`DELETE FROM logboek_verstrekking WHERE ${where.replace(/\bid\b/g, 'auditid')}`, ...params);
      await sql(`DELETE FROM logboek_betrokkene WHERE ${where.replace(/\bid\b/g, 'auditid')}`, ...params);
      await sql(`DELETE FROM logboek WHERE ${where}`, ...params);
      for (const table of ['logboek', 'logboek_betrokkene', 'logboek_scope', 'logboek_verstrekking', 'logboek_categorie']) {
        await sql(`INSERT INTO ${table} SELECT * FROM ${tag}_${table}`);
        await sql(`DROP TABLE ${tag}_${table}`);
      }
    };
  }

  async function verwijder(where: string, ...params: unknown[]): Promise<void> {
    await sql(`DELETE FROM logboek_categorie WHERE ${where.replace(/\bid\b/g, 'auditid')}`, ...params);
    await sql(`DELETE FROM logboek_scope WHERE ${where.replace(/\bid\b/g, 'auditid')}`, ...params);
    await sql(`DELETE FROM logboek_verstrekking WHERE ${where.replace(/\bid\b/g, 'auditid')}`, ...params);
    await sql(`DELETE FROM logboek_betrokkene WHERE ${where.replace(/\bid\b/g, 'auditid')}`, ...params);
    await sql(`DELETE FROM logboek WHERE ${where}`, ...params);
  }

  it('the honest log verifies', async () => {
    const v = await verifieer();
    expect(v.cli.out).toContain('Resultaat: GELDIG');
    expect(v.env.code).toBe(0);
    expect(v.api.geldig).toBe(true);
  });

  it('a field edited', async () => {
    const terug = await bewaar('id = $1', 5);
    await sql("UPDATE logboek SET besluit = CASE besluit WHEN 'toegestaan' THEN 'geweigerd' ELSE 'toegestaan' END WHERE id = 5");
    try {
      expectNamed(await verifieer(), 5, /^hash klopt niet/);
    } finally {
      await terug();
    }
  });

  it('a record deleted', async () => {
    const terug = await bewaar('id = $1', 7);
    await verwijder('id = $1', 7);
    try {
      expectNamed(await verifieer(), 7, /^ontbrekend record \(id-gat\): record 7 ontbreekt/);
    } finally {
      await terug();
    }
  });

  it('the tail cut off below the checkpoint', async () => {
    const terug = await bewaar('id > $1', N - 3);
    await verwijder('id > $1', N - 3);
    try {
      expectNamed(await verifieer(), N - 2, /^afgekapt na controlepunt/);
    } finally {
      await terug();
    }
  });
});

describe('two replicas on one PostgreSQL database', () => {
  let a: TestGateway;
  let b: Gateway;
  beforeAll(async () => {
    a = await startTestGateway({ adapter: 'postgres', overrides: { controlepuntSeconden: 0 } });
    // Replica B: the same database, the same key material (data folder), the same public URL (so the same issuer).
    b = await startGateway({ env: {}, overrides: { port: 0, dataDir: a.dataDir, logLevel: 'silent', databaseUrl: a.databaseUrl, publicUrl: a.gw.url, controlepuntSeconden: 0 } });
  });
  afterAll(async () => {
    await b.stop();
    await a.close();
  });
  const naar = (gw: Gateway) => request(gw.url);

  it('a token from one replica is accepted by the other; a message published through A is read through B at once', async () => {
    const trajectId = await a.openTraject();
    const body = envelop('taalvoortgang', trajectId);
    const pub = await naar(a.gw).post('/v1/berichten').set(...bearer(await a.token('roc-van-twente'))).send(body);
    expect(pub.status).toBe(201);
    const lees = await naar(b).get(`/v1/berichten/${body.berichtId}?doel=trajectbegeleiding`).set(...bearer(await a.token('gemeente-hengelo')));
    expect(lees.status).toBe(200);
    expect(lees.body.inhoud).toEqual(body.inhoud);
  });

  it('the same berichtId sent to A and B at the same moment stores one message', async () => {
    const trajectId = await a.openTraject();
    const body = envelop('aanwezigheid', trajectId);
    const token = await a.token('roc-van-twente');
    const answers = await Promise.all([a.gw, b, a.gw, b].map((gw) => naar(gw).post('/v1/berichten').set(...bearer(token)).send(body)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(await a.rows('SELECT volgnummer FROM berichten WHERE berichtId = ?', body.berichtId)).toHaveLength(1);
  });

  it('two conflicting placement transitions on A and B cannot both succeed', async () => {
    const trajectId = await a.openTraject();
    const token = await a.token('werkshop');
    const p = (status: string, extra: object = {}) => envelop('plaatsing', trajectId, { ...VOORBEELDEN.plaatsing, plaatsingId: 'WS-R-1', status, ...extra });
    expect((await naar(a.gw).post('/v1/berichten').set(...bearer(token)).send(p('gestart'))).status).toBe(201);
    const [eind, uitval] = await Promise.all([
      naar(a.gw).post('/v1/berichten').set(...bearer(token)).send(p('beeindigd', { einddatum: '2027-03-31', eindreden: 'doorstroom-betaald-werk' })),
      naar(b).post('/v1/berichten').set(...bearer(token)).send(p('uitgevallen', { einddatum: '2027-01-22', eindreden: 'gezondheid' })),
    ]);
    expect([eind.status, uitval.status].sort()).toEqual([201, 409]);
  });

  it('the chain both replicas wrote is one and verifies', async () => {
    await Promise.all([a.gw.services.logboek.controlepunten.nu(), b.services.logboek.controlepunten.nu()]);
    const res = await naar(b).get('/v1/logboek/verificatie').set(...bearer(await a.token('fg-hengelo')));
    expect(res.body).toMatchObject({ geldig: true, eersteFout: null });
    const aantallen = (await a.rows<{ aantal: number }>('SELECT aantal FROM logboek_controlepunten ORDER BY id')).map((r) => r.aantal);
    expect(new Set(aantallen).size).toBe(aantallen.length);
  });
});
