/**
 * The right of access (GET /v1/trajecten/{id}/inzage): who may ask is decided before any work on the
 * trajectory, the report reads an index of disclosures (linear, paged), and it reads as a letter:
 * time, categories that left, basis in words, retention, origin, grouped counts, controller, rights.
 * Also: a logboek query cannot hold the reader for longer than its bound.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { workerLezer } from '../src/store/sqlite-lezer.js';
import { MIGRATIONS } from '../src/store/sqlite-migrations.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { LogboekBezetError } from '../src/store/store.js';
import { bearer, envelop, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
let traject: string;

beforeAll(async () => {
  t = await startTestGateway();
  traject = await t.openTraject();
  const roc = await t.token('roc-van-twente');
  const werkshop = await t.token('werkshop');
  expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('taalvoortgang', traject))).status).toBe(201);
  expect((await t.api().post('/v1/berichten').set(...bearer(werkshop)).send(envelop('plaatsing', traject))).status).toBe(201);
  for (let i = 0; i < 2; i++) {
    expect((await t.api().get(`/v1/berichten?doel=bemiddeling&trajectId=${traject}`).set(...bearer(werkshop))).status).toBe(200);
  }
  expect((await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`).set(...bearer(await t.token('gemeente-hengelo')))).status).toBe(200);
});
afterAll(() => t.close());

const inzage = async (client: string, id = traject, query = '') => t.api().get(`/v1/trajecten/${id}/inzage${query}`).set(...bearer(await t.token(client)));

describe('who may ask, before any work', () => {
  it('an outsider and a random id are refused without reading a single disclosure', async () => {
    const spy = vi.spyOn(t.gw.services.store.logboek, 'verstrekkingen');
    try {
      for (const [client, id] of [['roc-van-twente', traject], ['fg-roc', traject], ['gemeente-hengelo', crypto.randomUUID()]] as const) {
        expect((await inzage(client, id)).status).toBe(403);
      }
      expect(spy).not.toHaveBeenCalled();
      expect((await inzage('fg-hengelo')).status).toBe(200);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the index of disclosures', () => {
  it('every allowed read of content adds one row per type and sender; refusals and other actions none', () => {
    const rows = t.query<{ berichttype: string; afzender: string; partij: string }>(
      'SELECT v.berichttype, v.afzender, l.partij FROM logboek_verstrekking v JOIN logboek l ON l.id = v.auditId WHERE v.trajectId = ? ORDER BY v.auditId, v.berichttype', traject);
    expect(rows).toEqual([
      { berichttype: 'taalvoortgang', afzender: 'roc-van-twente', partij: 'werkshop' },
      { berichttype: 'taalvoortgang', afzender: 'roc-van-twente', partij: 'werkshop' },
      { berichttype: 'plaatsing', afzender: 'werkshop', partij: 'gemeente-hengelo' },
      { berichttype: 'taalvoortgang', afzender: 'roc-van-twente', partij: 'gemeente-hengelo' },
    ]);
  });

  it('paged: limiet bounds a page, volgende walks all of them exactly once', async () => {
    const g = await t.token('gemeente-hengelo');
    for (let i = 0; i < 25; i++) await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`).set(...bearer(g));
    const seen: string[] = [];
    let query = '?limiet=20';
    let pages = 0;
    for (;;) {
      const res = await inzage('gemeente-hengelo', traject, query);
      expect(res.status).toBe(200);
      expect(res.body.verstrekkingen.length).toBeLessThanOrEqual(20);
      seen.push(...res.body.verstrekkingen.map((v: { datum: string; tijd: string; ontvanger: string; herkomst: string }) => `${v.ontvanger}|${v.herkomst}`));
      pages++;
      if (!res.body.volgende) break;
      query = `?limiet=20&volgende=${res.body.volgende}`;
    }
    expect(pages).toBeGreaterThan(2);
    const total = t.query<{ n: number }>('SELECT count(*) n FROM logboek_verstrekking WHERE trajectId = ?', traject)[0]!.n;
    expect(seen).toHaveLength(total);
  });

  it.each(['?limiet=5000', '?limiet=1e2', '?volgende=xyz', '?pagina=2'])('%s: 400', async (query) => {
    expect((await inzage('gemeente-hengelo', traject, query)).status).toBe(400);
  });
});

describe('a letter a participant can read', () => {
  it('time, the categories that left, the basis in words, retention, origin, grouped counts, controller and rights', async () => {
    const res = await inzage('gemeente-hengelo');
    expect(res.status).toBe(200);
    const b = res.body;
    expect(b.verstrekkingen[0]).toMatchObject({ datum: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), tijd: expect.stringMatching(/^\d{2}:\d{2}$/) });
    const naarWerkshop = b.groepen.find((g: { ontvanger: string }) => g.ontvanger === 'Werkshop');
    expect(naarWerkshop).toMatchObject({
      aantal: 2, herkomst: 'ROC van Twente', gegevens: ['Taalniveau en leerroute'], bijzondereGegevens: false,
      grondslagUitleg: expect.stringMatching(/^voor een wettelijke taak van Gemeente Hengelo \(/), bewaartermijn: expect.stringMatching(/^\d+ (jaar|maanden)/),
    });
    // The message type is not what the participant is told was received: the categories are.
    expect(naarWerkshop.gegevens).not.toContain('Taalvoortgang');
    const plaatsing = b.verstrekkingen.find((v: { herkomst: string }) => v.herkomst === 'Werkshop');
    expect(plaatsing.gegevens.length).toBeGreaterThan(1);
    expect(b.verantwoordelijke).toMatchObject({ naam: 'Gemeente Hengelo', email: expect.stringContaining('@') });
    expect(b.rechten.join(' ')).toMatch(/verbeteren.*wissen.*Autoriteit Persoonsgegevens/s);
    const text = JSON.stringify(b);
    for (const identity of ['werkshop"', 'gemeente-hengelo', 'fg-', 'client']) expect(text).not.toContain(identity);
  });
});

describe('the migration that adds the index', () => {
  it('fills it from the records written before, exactly as the write path would have', async () => {
    const local = await startTestGateway();
    const file = path.join(local.dataDir, 'doelpoort.db');
    try {
      const tr = await local.openTraject();
      const roc = await local.token('roc-van-twente');
      for (const type of ['aanwezigheid', 'taalvoortgang'] as const) expect((await local.api().post('/v1/berichten').set(...bearer(roc)).send(envelop(type, tr))).status).toBe(201);
      const g = await local.token('gemeente-hengelo');
      expect((await local.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${tr}`).set(...bearer(g))).status).toBe(200);
      expect((await local.api().get(`/v1/berichten?doel=handhaving&trajectId=${tr}`).set(...bearer(roc))).status).toBe(403);
    } finally {
      await local.gw.stop();
    }
    const rows = (db: Database.Database) => db.prepare('SELECT trajectId, auditId, berichttype, afzender FROM logboek_verstrekking ORDER BY 1, 2, 3, 4').all();
    const db = new Database(file);
    const written = rows(db);
    expect(written).toHaveLength(2);
    // Back to the database before this migration (and before the ones after it: their tables and columns go too).
    const v = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE logboek_verstrekking'));
    for (const m of MIGRATIONS.slice(v + 1).reverse()) {
      for (const [, table, column] of [...m.matchAll(/ALTER TABLE (\w+) ADD COLUMN (\w+)/g)].reverse()) db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
      for (const [, table] of [...m.matchAll(/CREATE TABLE (\w+)/g)].reverse()) db.exec(`DROP TABLE ${table}`);
    }
    db.exec('DROP TABLE logboek_verstrekking');
    db.pragma(`user_version = ${v}`);
    db.close();
    const store = openSqliteStore(file);
    await store.close();
    const again = new Database(file, { readonly: true });
    try {
      expect(rows(again)).toEqual(written);
      expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    } finally {
      again.close();
      fs.rmSync(local.dataDir, { recursive: true, force: true });
    }
  });
});

describe('the logboek reader is never held longer than its bound', () => {
  it('a query running past the bound is abandoned with an error, the next query answers at once, and abandoned ones are bounded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-lezer-'));
    const file = path.join(dir, 'x.db');
    new Database(file).exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);').close();
    // A bound of 1 s against a query of several seconds (idle: ~9 s): the margins hold on a loaded machine,
    // where starting a fresh reader for the next query can itself take a few hundred milliseconds.
    const lezer = workerLezer(file, { timeoutMs: 1000 });
    const slow = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5e7) SELECT count(*) FROM c';
    try {
      const started = Date.now();
      await expect(lezer.all(slow, [])).rejects.toMatchObject({ code: 'LEZER_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(8000);
      expect(await lezer.all('SELECT x FROM t', [])).toEqual([{ x: 1 }]);
      // A second abandoned query: now two workers are stuck in SQLite, and the reader refuses new work at once…
      await expect(lezer.all(slow, [])).rejects.toMatchObject({ code: 'LEZER_TIMEOUT' });
      await expect(lezer.all('SELECT x FROM t', [])).rejects.toMatchObject({ code: 'LEZER_BEZET' });
      // …until they have finished.
      await expect.poll(() => lezer.all('SELECT x FROM t', []).then(() => 'ok', (e: { code?: string }) => e.code), { timeout: 120_000, interval: 200 }).toBe('ok');
    } finally {
      void lezer.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it('an abandoned logboek read is answered 503 with Retry-After, and recorded', async () => {
    const spy = vi.spyOn(t.gw.services.store.logboek, 'zoeken').mockRejectedValue(new LogboekBezetError('test', 'LEZER_TIMEOUT'));
    try {
      const res = await t.api().get('/v1/logboek').set(...bearer(await t.token('fg-hengelo')));
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
      expect(t.query('SELECT status, regel FROM logboek WHERE traceId = ?', res.body.traceId)).toEqual([{ status: 503, regel: 'logboek-bezet' }]);
    } finally {
      spy.mockRestore();
    }
  });
});
