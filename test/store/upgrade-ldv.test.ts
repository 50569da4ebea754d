/**
 * Issue 13's upgrade, on both adapters: a database whose logboek was written before record version 2
 * (records without `recordversie`, start time, parent span or categories — and some with a null
 * processing activity) is migrated in place. Then the old records still verify, new records (version 2)
 * chain onto them and the whole verifies as one chain, the category index covers the old records too
 * (filled once by the migration from their fields and message types), and tampering with an old record
 * or with a new field is still caught — each at its record.
 *
 * SQLite starts from the data file of main b965791 (test/fixtures) brought up to the migration before
 * issue 13's; PostgreSQL from an empty database brought to the same point. Issue 13's migration is found
 * by what it creates, so a renumbering on merge does not change what this tests.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { hashRecord, type AuditInput, type AuditRecord } from '../../src/audit/record.js';
import { verifieerKeten } from '../../src/audit/verify.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { PG_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { openPool } from '../../src/store/postgres-sql.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { snelleKetencontrole } from '../../src/store/sqlite-keten.js';
import { MIGRATIONS } from '../../src/store/sqlite-migrations.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, pgQuery } from '../support/postgres.js';

const T1 = '11111111-1111-4111-8111-111111111111';
/** The fixture's plaatsing of werkshop on T1 (main b965791's script: message 4). */
const PLAATSING = 'aaaaaaaa-0000-4000-8000-000000000004';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-upgrade-ldv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const eigenMigratie = (lijst: readonly string[]) => {
  const i = lijst.findIndex((m) => m.includes('CREATE TABLE logboek_categorie'));
  expect(i).toBeGreaterThan(0);
  return i;
};

/** Records as the previous main sealed them: version 1, no new fields. */
function v1Records(na: { id: number; hash: string }): AuditRecord[] {
  const base = {
    traceId: '1'.repeat(32), spanId: '2'.repeat(16), client: null, doel: 'trajectbegeleiding' as string | null,
    verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:trajectbegeleiding' as string | null, grondslag: 'AVG art. 6 lid 1 sub e',
    besluit: 'toegestaan' as const, regel: 'lezen-trajectbegeleiding', reden: 'Gelezen.', status: 200, beleidsversie: 'oud', partij: 'gemeente-hengelo',
  };
  const delen = [
    // A read of one placement: its type on the record.
    { ...base, tijdstip: '2026-11-25T09:00:00.000Z', actie: 'bericht-lezen' as const, trajectIds: [T1], berichttype: 'plaatsing', berichtIds: [PLAATSING], velden: ['/inhoud/belemmeringen', '/inhoud/status'] },
    // A feed without a type on the record: the type comes from the message it disclosed.
    { ...base, tijdstip: '2026-11-25T09:01:00.000Z', actie: 'berichten-lezen' as const, trajectIds: [T1], berichttype: null, berichtIds: [PLAATSING], velden: ['/inhoud/eindreden/0'] },
    // Opening a trajectory: no doel, no processing activity (18 of 39 records were like this).
    { ...base, tijdstip: '2026-11-25T09:02:00.000Z', actie: 'traject-openen' as const, trajectIds: [T1], berichttype: null, berichtIds: [], velden: [], doel: null, verwerkingsactiviteit: null, grondslag: null, regel: 'r', status: 201 },
  ];
  const out: AuditRecord[] = [];
  let vorige = na;
  for (const d of delen) {
    const zonderHash = { ...d, id: vorige.id + 1, vorigeHash: vorige.hash };
    const r = { ...zonderHash, hash: hashRecord(zonderHash) } as AuditRecord;
    out.push(r);
    vorige = { id: r.id, hash: r.hash };
  }
  return out;
}

const V1_KOLOMMEN = ['id', 'tijdstip', 'traceId', 'spanId', 'actie', 'partij', 'client', 'trajectIds', 'berichttype', 'berichtIds', 'doel',
  'verwerkingsactiviteit', 'grondslag', 'besluit', 'regel', 'reden', 'velden', 'status', 'beleidsversie', 'vorigeHash', 'hash'] as const;
const waarden = (r: AuditRecord) => V1_KOLOMMEN.map((k) => (Array.isArray(r[k]) ? JSON.stringify(r[k]) : r[k]));

const nieuw = (): AuditInput => ({
  tijdstip: new Date().toISOString(), starttijdstip: new Date(Date.now() - 5).toISOString(), traceId: crypto.randomBytes(16).toString('hex'),
  spanId: crypto.randomBytes(8).toString('hex'), parentSpanId: crypto.randomBytes(8).toString('hex'), actie: 'bericht-lezen', partij: 'gemeente-hengelo',
  client: 'gemeente-hengelo', trajectIds: [T1], berichttype: 'plaatsing', berichtIds: [PLAATSING], doel: 'trajectbegeleiding',
  verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:trajectbegeleiding', grondslag: 'AVG art. 6 lid 1 sub e', besluit: 'toegestaan',
  regel: 'lezen-trajectbegeleiding', reden: 'Na de upgrade.', velden: ['/inhoud/eindreden'], gegevenscategorieen: ['belemmeringen-en-uitval'], status: 200, beleidsversie: 'nieuw',
});

/** What both adapters must show after the upgrade. */
async function naDeUpgrade(store: Store, oud: AuditRecord[], tamper: (sql: string, id: number) => Promise<void>, snel?: (tot: number) => Promise<boolean>) {
  const verifieer = () => verifieerKeten(store.logboek, { controlepunten: [], jwks: { keys: [] } });
  expect(await verifieer()).toMatchObject({ geldig: true, eersteFout: null });
  // Old records read back exactly as sealed: no field of version 2.
  for (const r of oud) expect((await store.logboek.recordOpId(r.id))).toEqual(r);
  // The category index covers them: the read of the placement (its own type) and the feed (the type of its message).
  const cat = async (c: string) => (await store.logboek.zoeken({ scope: null, gegevenscategorie: c, volgorde: 'oudste-eerst', limit: 100 })).map((r) => r.id);
  expect(await cat('belemmeringen-en-uitval')).toEqual([oud[0]!.id, oud[1]!.id]);
  expect(await cat('participatievorm')).toEqual([oud[0]!.id]);
  expect(await cat('taalniveau')).toEqual([]);
  // Within a scope: the index is per party of the record's scope.
  const inScope = async (partij: string) => (await store.logboek.zoeken({ scope: partij, gegevenscategorie: 'belemmeringen-en-uitval', volgorde: 'oudste-eerst', limit: 100 })).map((r) => r.id);
  expect(await inScope('werkshop')).toEqual([oud[0]!.id, oud[1]!.id]);
  expect(await inScope('roc-van-twente')).toEqual([]);

  // A new record (version 2) chains onto the old head; the whole verifies as one chain, and the index has it.
  const record = await store.transaction((tx) => tx.appendAudit(nieuw()));
  expect(record).toMatchObject({ recordversie: 2, vorigeHash: oud.at(-1)!.hash, verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:trajectbegeleiding' });
  expect(await verifieer()).toMatchObject({ geldig: true, aantal: record.id, eersteFout: null });
  expect(await cat('belemmeringen-en-uitval')).toEqual([oud[0]!.id, oud[1]!.id, record.id]);
  // SQLite's fast parallel pass builds both record versions' canonical form itself: clean on the mixed chain.
  if (snel) expect(await snel(record.id)).toBe(true);

  // Tampering is caught at its record: an old record's field, a new record's new field, a new field added to an old record.
  for (const [sql, id] of [
    ["UPDATE logboek SET reden = 'Anders.' WHERE id = ?", oud[0]!.id],
    ["UPDATE logboek SET starttijdstip = '2020-01-01T00:00:00.000Z' WHERE id = ?", record.id],
    ["UPDATE logboek SET parentSpanId = NULL WHERE id = ?", record.id],
    ["UPDATE logboek SET recordversie = 2, starttijdstip = tijdstip, gegevenscategorieen = '[]' WHERE id = ?", oud[2]!.id],
  ] as const) {
    const herstel = await store.logboek.recordOpId(id);
    await tamper(sql, id);
    const v = await verifieer();
    expect(v.geldig, sql).toBe(false);
    expect(v.eersteFout?.id, sql).toBe(id);
    // Put the row back as it was (the same columns, as stored).
    const r = herstel!;
    await tamper(`UPDATE logboek SET reden = '${r.reden}', starttijdstip = ${r.starttijdstip ? `'${r.starttijdstip}'` : 'NULL'}, parentSpanId = ${r.parentSpanId ? `'${r.parentSpanId}'` : 'NULL'},
      recordversie = ${r.recordversie ?? 'NULL'}, gegevenscategorieen = ${r.gegevenscategorieen ? `'${JSON.stringify(r.gegevenscategorieen)}'` : 'NULL'} WHERE id = ?`, id);
    expect((await verifieer()).geldig, `${sql} (restored)`).toBe(true);
  }
}

describe('upgrading a logboek of record version 1', () => {
  it('SQLite: the data file of main b965791, brought to the migration before issue 13', async () => {
    const file = path.join(dir, 'doelpoort.db');
    fs.copyFileSync(new URL('../fixtures/main-b965791.db', import.meta.url), file);
    const eigen = eigenMigratie(MIGRATIONS);
    const db = new Database(file);
    for (let v = db.pragma('user_version', { simple: true }) as number; v < eigen; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    const hoofd = db.prepare('SELECT id, hash FROM logboek_hoofd').get() as { id: number; hash: string };
    const oud = v1Records(hoofd);
    const insert = db.prepare(`INSERT INTO logboek (${V1_KOLOMMEN.join(', ')}) VALUES (${V1_KOLOMMEN.map(() => '?').join(', ')})`);
    for (const r of oud) {
      insert.run(...waarden(r));
      db.prepare('INSERT INTO logboek_betrokkene (trajectId, auditId) VALUES (?, ?)').run(T1, r.id);
      // The scope rows the previous main wrote with each record (the acting gemeente, which owns T1; the sender of the placement).
      db.prepare('INSERT OR IGNORE INTO logboek_scope (partij, auditId) VALUES (?, ?), (?, ?)').run('gemeente-hengelo', r.id, r.berichtIds.length ? 'werkshop' : 'gemeente-hengelo', r.id);
    }
    db.prepare('UPDATE logboek_hoofd SET id = ?, hash = ?').run(oud.at(-1)!.id, oud.at(-1)!.hash);
    db.close();

    const store = openSqliteStore(file);
    try {
      await naDeUpgrade(store, oud, async (sql, id) => {
        const w = new Database(file);
        w.prepare(sql).run(id);
        w.close();
      }, async (tot) => (await snelleKetencontrole(file, tot, [], { threads: 2, minPerThread: 1 })).schoon);
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: a database brought to the migration before issue 13', async () => {
    const pg = await createTestDatabase();
    try {
      const eigen = eigenMigratie(PG_MIGRATIONS);
      const pool = openPool(pg.url, { max: 1 });
      try {
        await pool.query('CREATE TABLE doelpoort_schema (vast INTEGER PRIMARY KEY CHECK (vast = 1), versie INTEGER NOT NULL)');
        for (let v = 0; v < eigen; v++) await pool.query(PG_MIGRATIONS[v]!);
        await pool.query('INSERT INTO doelpoort_schema (vast, versie) VALUES (1, $1)', [eigen]);
        await pool.query("INSERT INTO trajecten (trajectId, gemeente, leerroute, startdatum, aangemaaktOp) VALUES ($1, 'gemeente-hengelo', 'B1', '2026-01-05', '2026-11-20T09:00:00.000Z')", [T1]);
        await pool.query(`INSERT INTO berichten (berichtId, berichttype, schemaversie, trajectId, afzender, gebeurtenisTijdstip, ontvangenOp, inhoud, inhoudHash, auditId, auditHash)
          VALUES ($1, 'plaatsing', '1.0', $2, 'werkshop', '2026-11-20T10:00:00+01:00', '2026-11-20T09:00:00.000Z', '{}', 'x', 0, 'x')`, [PLAATSING, T1]);
        const oud = v1Records({ id: 0, hash: '0'.repeat(64) });
        for (const r of oud) {
          await pool.query(`INSERT INTO logboek (${V1_KOLOMMEN.join(', ')}) VALUES (${V1_KOLOMMEN.map((_, i) => `$${i + 1}`).join(', ')})`, waarden(r));
          await pool.query('INSERT INTO logboek_betrokkene (trajectId, auditId) VALUES ($1, $2)', [T1, r.id]);
          await pool.query('INSERT INTO logboek_scope (partij, auditId) VALUES ($1, $3), ($2, $3) ON CONFLICT DO NOTHING', ['gemeente-hengelo', r.berichtIds.length ? 'werkshop' : 'gemeente-hengelo', r.id]);
        }
        await pool.query('UPDATE logboek_hoofd SET id = $1, hash = $2', [oud.at(-1)!.id, oud.at(-1)!.hash]);

        const store = await openPostgresStore(pg.url);
        try {
          expect((await pgQuery<{ versie: number }>(pg.url, 'SELECT versie FROM doelpoort_schema'))[0]!.versie).toBe(PG_MIGRATIONS.length);
          await naDeUpgrade(store, oud, async (sql, id) => {
            await pgQuery(pg.url, sql.replace('?', '$1'), [id]);
          });
        } finally {
          await store.close();
        }
      } finally {
        await pool.end();
      }
    } finally {
      await pg.drop();
    }
  });
});
