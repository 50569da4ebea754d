/** The storage contract on the PostgreSQL adapter, with two store instances (replicas) on one database. */
import crypto from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { AuditInput } from '../../src/audit/record.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { PG_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { createTestDatabase, pgQuery } from '../support/postgres.js';
import { runStoreContract } from './contract.js';

runStoreContract('postgres', async () => {
  const db = await createTestDatabase();
  return {
    multiInstance: true,
    open: () => openPostgresStore(db.url, { maxBatch: 50, poolMax: 4 }),
    cleanup: () => db.drop(),
  };
});

// PostgreSQL sends an item's audit record without waiting for its answer (one round trip less under
// the head lock): its failure must still fail exactly that item, and nothing of the item may stay.
describe('postgres: a write sent without awaiting it fails only its own item', () => {
  it('a record whose id is taken (a forged row) rejects its item with StoreUnavailableError; the item before it commits', async () => {
    const db = await createTestDatabase();
    const store = await openPostgresStore(db.url, { maxBatch: 50, poolMax: 2 });
    try {
      const t0 = crypto.randomUUID();
      const t1 = crypto.randomUUID();
      const traject = (trajectId: string) => ({ trajectId, gemeente: 'gemeente-hengelo', leerroute: 'B1', startdatum: '2026-01-05', aangemaaktOp: new Date().toISOString() });
      const audit = (trajectId: string): AuditInput => ({
        tijdstip: new Date().toISOString(), traceId: '0'.repeat(31) + '1', spanId: '0'.repeat(15) + '1', actie: 'bericht-publiceren', partij: 'roc-van-twente', client: 'roc-van-twente',
        trajectIds: [trajectId], berichttype: null, berichtIds: [], doel: null, verwerkingsactiviteit: null, grondslag: null, besluit: 'toegestaan', regel: 'test', reden: 'contract',
        velden: [], status: 200, beleidsversie: 'test',
      });
      // Item 1 commits record 1; item 2's record would be id 2, which a forger took without moving the head.
      await pgQuery(db.url, `INSERT INTO logboek (id, tijdstip, traceId, spanId, actie, besluit, reden, trajectIds, berichtIds, velden, status, beleidsversie, vorigeHash, hash)
        VALUES (2, 'x', 'x', 'x', 'x', 'toegestaan', 'vervalst', '[]', '[]', '[]', 200, 'x', 'x', 'x')`);
      const results = await Promise.allSettled([t0, t1].map((t) => store.transaction(async (tx) => {
        await tx.insertTraject(traject(t), []);
        await tx.appendAudit(audit(t)); // not awaited by the database: its error comes at the item's end
      })));
      expect(results[0]!.status).toBe('fulfilled');
      expect(results[1]!.status).toBe('rejected');
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
      const rows = await pgQuery<{ trajectid: string }>(db.url, 'SELECT trajectId FROM trajecten ORDER BY trajectId');
      expect(rows.map((r) => r.trajectid)).toEqual([t0]);
      expect(await pgQuery(db.url, 'SELECT id, hash FROM logboek_hoofd')).toEqual([{ id: 1, hash: expect.any(String) }]);
      // The forged row removed, the next item appends as record 2.
      await pgQuery(db.url, 'DELETE FROM logboek WHERE id = 2');
      const record = await store.transaction((tx) => tx.appendAudit(audit(t0)));
      expect(record.id).toBe(2);

      // Reads' records go together (one savepoint, one round trip); one that fails sends them back one by
      // one, and only it (and those after it that need its id) fail: the first commits.
      await pgQuery(db.url, `INSERT INTO logboek (id, tijdstip, traceId, spanId, actie, besluit, reden, trajectIds, berichtIds, velden, status, beleidsversie, vorigeHash, hash)
        VALUES (4, 'x', 'x', 'x', 'x', 'toegestaan', 'vervalst', '[]', '[]', '[]', 200, 'x', 'x', 'x')`);
      const samen = await Promise.allSettled([t0, t1, t0].map((t) => store.transaction((tx) => tx.appendAudit(audit(t)), { priority: true })));
      expect(samen.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
      expect((samen[0] as PromiseFulfilledResult<{ id: number }>).value.id).toBe(3);
      expect((samen[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
      expect(await pgQuery(db.url, 'SELECT id FROM logboek_hoofd')).toEqual([{ id: 3 }]);
      await pgQuery(db.url, 'DELETE FROM logboek WHERE id = 4');
      const [a, b] = await Promise.all([t0, t1].map((t) => store.transaction((tx) => tx.appendAudit(audit(t)), { priority: true })));
      expect([a!.id, b!.id].sort()).toEqual([4, 5]);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});

// Issue 14: the migration that adds the per-party feed index fills it for the messages already stored,
// on a database that stood at the migration before it (as an upgraded production database would).
describe('postgres: the feed index migration fills the index for stored messages', () => {
  it('each party\'s feed over all its trajectories is what it was before the upgrade', async () => {
    const db = await createTestDatabase();
    try {
      const feedMigratie = PG_MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE berichten_feed'));
      expect(feedMigratie).toBeGreaterThan(0);
      await pgQuery(db.url, 'CREATE TABLE doelpoort_schema (vast INTEGER PRIMARY KEY CHECK (vast = 1), versie INTEGER NOT NULL)');
      for (const m of PG_MIGRATIONS.slice(0, feedMigratie)) await pgQuery(db.url, m);
      await pgQuery(db.url, 'INSERT INTO doelpoort_schema (vast, versie) VALUES (1, $1)', [feedMigratie]);
      const [h, e] = [crypto.randomUUID(), crypto.randomUUID()];
      await pgQuery(db.url, `INSERT INTO trajecten (trajectId, gemeente, leerroute, startdatum, aangemaaktOp) VALUES
        ($1, 'gemeente-hengelo', 'B1', '2026-01-05', 'x'), ($2, 'gemeente-enschede', 'B1', '2026-01-05', 'x')`, [h, e]);
      await pgQuery(db.url, `INSERT INTO toewijzingen (trajectId, partij, rol, vanaf) VALUES ($1, 'roc-van-twente', 'taal', '2026-01-05'), ($2, 'roc-van-twente', 'taal', '2026-01-05'),
        ($2, 'werkshop', 'participatie', '2026-01-05')`, [h, e]);
      for (const t of [h, e, h, e]) {
        await pgQuery(db.url, `INSERT INTO berichten (berichtId, berichttype, schemaversie, trajectId, afzender, gebeurtenisTijdstip, ontvangenOp, inhoud, inhoudHash, auditId, auditHash)
          VALUES ($1, 'aanwezigheid', '1.0', $2, 'roc-van-twente', 'x', 'x', '{}', 'x', 1, 'x')`, [crypto.randomUUID(), t]);
      }
      const store = await openPostgresStore(db.url, { poolMax: 2 });
      try {
        const feed = (partij: string) => store.snapshot((tx) => tx.berichten({ partij, vandaag: '2026-11-20', berichttypen: ['aanwezigheid'], na: 0, limit: 100 }))
          .then((rs) => rs.map((b) => b.volgnummer));
        expect(await feed('gemeente-hengelo')).toEqual([1, 3]);
        expect(await feed('gemeente-enschede')).toEqual([2, 4]);
        expect(await feed('roc-van-twente')).toEqual([1, 2, 3, 4]);
        expect(await feed('werkshop')).toEqual([2, 4]);
        expect(await feed('taalschool-oost')).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await db.drop();
    }
  });
});

// Issue 9: a writer transaction that cannot get the chain head (another replica's batch, or here a
// session holding the row) gives up after its own lock timeout instead of waiting for ever; the
// setting is per transaction (SET LOCAL), so the store works on as soon as the lock is free.
describe('postgres: a writer waits for the chain head at most its lock timeout', () => {
  it('the batch fails with StoreUnavailableError while another session holds the head; the next one commits', async () => {
    const db = await createTestDatabase();
    const store = await openPostgresStore(db.url, { poolMax: 2, lockTimeoutMs: 200 });
    const houder = new pg.Client({ connectionString: db.url });
    await houder.connect();
    try {
      const traject = () => ({ trajectId: crypto.randomUUID(), gemeente: 'gemeente-hengelo', leerroute: 'B1', startdatum: '2026-01-05', aangemaaktOp: new Date().toISOString() });
      await houder.query('BEGIN');
      await houder.query('SELECT id FROM logboek_hoofd WHERE vast = 1 FOR UPDATE');
      const t = traject();
      const geweigerd = await store.transaction((tx) => tx.insertTraject(t, [])).then(() => null, (e: unknown) => e);
      expect(geweigerd).toBeInstanceOf(StoreUnavailableError);
      expect(String((geweigerd as Error).message)).toMatch(/lock timeout/);
      await houder.query('ROLLBACK');
      await store.transaction((tx) => tx.insertTraject(traject(), []));
      expect(await pgQuery(db.url, 'SELECT trajectId FROM trajecten WHERE trajectId = $1', [t.trajectId])).toEqual([]);
      // A snapshot needs no lock at all: it reads while the head is held.
      await houder.query('BEGIN');
      await houder.query('SELECT id FROM logboek_hoofd WHERE vast = 1 FOR UPDATE');
      expect(await store.snapshot((tx) => tx.traject(t.trajectId))).toBeUndefined();
      await houder.query('ROLLBACK');
    } finally {
      await houder.end();
      await store.close();
      await db.drop();
    }
  });
});
