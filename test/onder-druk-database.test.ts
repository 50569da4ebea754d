/**
 * Under pressure — database trouble: a store that hangs (a lock, a pool with no free connection),
 * one that refuses (a database that is down), and a real SQLite file locked by another connection.
 * No request waits past the deadline (DOELPOORT_DB_TIMEOUT_MS), the answer is 503 problem+json with
 * Retry-After and a trace id, nothing is half-stored, /health/ready says not ready — logged once per
 * change, without a stack — and the gateway recovers by itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { CHECK_DEADLINE_MS, createReadiness } from '../src/http/readiness.js';
import { createLogger } from '../src/logger.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { bearer, DEFAULT_TOEWIJZINGEN } from './support/gateway.js';

// Long enough that ordinary work on a loaded CI machine never meets it; short enough to keep the test quick.
const DEADLINE_MS = 1000;

/** A real SQLite store that can be made to hang (work waits for a gate) or to refuse, and to recover. */
function troubled(inner: Store) {
  let gate: { promise: Promise<void>; open: () => void } | null = null;
  let refusing = false;
  const delayed: Promise<unknown>[] = [];
  const waitGate = () => gate?.promise ?? Promise.resolve();
  const store: Store = {
    transaction(work, options) {
      if (refusing) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
      if (!gate) return inner.transaction(work, options);
      const later = gate.promise.then(() => inner.transaction(work, options));
      delayed.push(later.catch(() => undefined));
      return later;
    },
    snapshot(work) {
      if (refusing) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
      if (!gate) return inner.snapshot(work);
      const later = gate.promise.then(() => inner.snapshot(work));
      delayed.push(later.catch(() => undefined));
      return later;
    },
    async writable() {
      try {
        await store.transaction(async () => true);
        return true;
      } catch {
        return false;
      }
    },
    shared: inner.shared,
    logboek: new Proxy(inner.logboek, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (...args: unknown[]) => waitGate().then(() => (value as (...a: unknown[]) => unknown).apply(target, args)) : value;
      },
    }),
    onAuditCommit: (l) => inner.onAuditCommit(l),
    close: () => inner.close(),
  };
  return {
    store,
    hang() {
      let open!: () => void;
      const promise = new Promise<void>((r) => (open = r));
      gate = { promise, open };
    },
    refuse() {
      refusing = true;
    },
    /** Recover; resolves when the work that waited has run (and was rolled back by its deadline). */
    async recover() {
      refusing = false;
      const g = gate;
      gate = null;
      g?.open();
      await Promise.all(delayed);
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, boundMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - start > boundMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface LogLine { level: number; msg: string; err?: unknown; stack?: unknown; [k: string]: unknown }

describe('a store that hangs or refuses, and recovers', () => {
  let dataDir: string;
  let gw: Gateway;
  let db: ReturnType<typeof troubled>;
  const lines: LogLine[] = [];
  let gemeente: string;
  let fg: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-db-trouble-'));
    db = troubled(openSqliteStore(path.join(dataDir, 'doelpoort.db')));
    const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); cb(); } });
    gw = await startGateway({
      env: {}, store: db.store, logger: createLogger('info', sink),
      overrides: { port: 0, dataDir, pressure: { dbTimeoutMs: DEADLINE_MS } },
    });
    const token = (clientId: string) => fetchAccessToken({ issuer: gw.config.issuer, clientId, jwk: readDevClientKey(dataDir, clientId) }).then((r) => r.accessToken);
    [gemeente, fg] = await Promise.all([token('gemeente-hengelo'), token('fg-hengelo')]);
  });
  afterAll(async () => {
    await db.recover();
    await gw.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const count = (table: string) => {
    const file = new Database(path.join(dataDir, 'doelpoort.db'), { readonly: true });
    try {
      return (file.prepare(`SELECT count(*) n FROM ${table}`).get() as { n: number }).n;
    } finally {
      file.close();
    }
  };
  const openTraject = () => request(gw.url).post('/v1/trajecten').set(...bearer(gemeente)).send({ leerroute: 'B1', startdatum: '2026-01-05', toewijzingen: DEFAULT_TOEWIJZINGEN });
  const readinessLines = () => lines.filter((l) => /^(ready|not ready)/.test(l.msg));

  it('hanging: a write and a logboek read get 503 within the deadline; ready says why; one log line for the change; nothing stored after recovery', async () => {
    expect((await request(gw.url).get('/health/ready')).status).toBe(200);
    const trajectenBefore = count('trajecten');
    const recordsBefore = count('logboek');
    db.hang();

    const started = Date.now();
    const write = await openTraject();
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 2000);
    expect(write.status).toBe(503);
    expect(write.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(write.headers['retry-after']).toMatch(/^[0-9]+$/);
    expect(write.body).toMatchObject({ type: 'urn:doelpoort:probleem:niet-beschikbaar', status: 503 });
    expect(write.body.traceId).toMatch(/^[0-9a-f]{32}$/);

    const read = await request(gw.url).get('/v1/logboek').set(...bearer(fg));
    expect(read.status).toBe(503);
    expect(read.headers['retry-after']).toBeDefined();

    for (let i = 0; i < 4; i++) {
      const t0 = Date.now();
      const ready = await request(gw.url).get('/health/ready');
      expect(Date.now() - t0).toBeLessThan(DEADLINE_MS + 2000);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'down', checks: { database: 'down', issuer: 'up' } });
      expect(ready.body.reden).toMatch(/database/);
    }
    expect(readinessLines().map((l) => l.msg).filter((m) => m.startsWith('not ready'))).toHaveLength(1);

    // Recovery: the work that waited runs now, past its deadline, and is rolled back.
    await db.recover();
    await until('ready again', async () => ((await request(gw.url).get('/health/ready')).status === 200 ? true : undefined));
    expect(readinessLines().map((l) => l.msg)).toEqual(['ready', expect.stringMatching(/^not ready/), 'ready again']);
    expect(count('trajecten')).toBe(trajectenBefore);
    expect(count('logboek')).toBe(recordsBefore);
    expect((await openTraject()).status).toBe(201);
    expect(count('trajecten')).toBe(trajectenBefore + 1);
  });

  it('refusing (the database is down): 503 at once, not 500; ready down; recovers by itself', async () => {
    db.refuse();
    const write = await openTraject();
    expect(write.status).toBe(503);
    expect(write.body.type).toBe('urn:doelpoort:probleem:niet-beschikbaar');
    expect((await request(gw.url).get('/health/ready')).status).toBe(503);
    await db.recover();
    await until('ready', async () => ((await request(gw.url).get('/health/ready')).status === 200 ? true : undefined));
    expect((await openTraject()).status).toBe(201);
    // No probe or refusal logged a stack trace.
    expect(lines.filter((l) => JSON.stringify(l).includes('    at '))).toEqual([]);
    expect(readinessLines().map((l) => l.msg).slice(-2)).toEqual([expect.stringMatching(/^not ready/), 'ready again']);
  });
});

describe('the readiness probe itself', () => {
  it('answers within a second even when a check never does (a store deadline of 5 s is longer than a probe waits)', async () => {
    const readiness = createReadiness(createLogger('silent'));
    readiness.started({ database: () => new Promise<boolean>(() => undefined), issuer: async () => true });
    const t0 = Date.now();
    const report = await readiness.probe();
    expect(Date.now() - t0).toBeLessThan(CHECK_DEADLINE_MS + 2000); // bounded, with room for a loaded machine
    expect(CHECK_DEADLINE_MS).toBeLessThan(1000);
    expect(report).toMatchObject({ status: 'down', checks: { database: 'down', issuer: 'up' } });
    readiness.stopping();
    expect(await readiness.probe()).toMatchObject({ status: 'down', reden: 'De gateway stopt.' });
  });
});

describe('a real SQLite file locked by another connection', () => {
  let dataDir: string;
  let gw: Gateway;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-db-lock-'));
    gw = await startGateway({ env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', pressure: { dbTimeoutMs: DEADLINE_MS } } });
  });
  afterAll(async () => {
    await gw.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('BEGIN EXCLUSIVE elsewhere: a write is 503 and ready is down; released: ready and writing again', async () => {
    const token = (await fetchAccessToken({ issuer: gw.config.issuer, clientId: 'gemeente-hengelo', jwk: readDevClientKey(dataDir, 'gemeente-hengelo') })).accessToken;
    const other = new Database(path.join(dataDir, 'doelpoort.db'));
    try {
      other.exec('BEGIN EXCLUSIVE');
      const [write, ready] = await Promise.all([
        request(gw.url).post('/v1/trajecten').set(...bearer(token)).send({ leerroute: 'B1', startdatum: '2026-01-05', toewijzingen: [] }),
        request(gw.url).get('/health/ready'),
      ]);
      expect(write.status).toBe(503);
      expect(write.headers['retry-after']).toBeDefined();
      expect(ready.status).toBe(503);
      expect(ready.body.checks.database).toBe('down');
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    await until('ready', async () => ((await request(gw.url).get('/health/ready')).status === 200 ? true : undefined));
    const ok = await request(gw.url).post('/v1/trajecten').set(...bearer(token)).send({ leerroute: 'B1', startdatum: '2026-01-05', toewijzingen: [] });
    expect(ok.status).toBe(201);
  });
});
