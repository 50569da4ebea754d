/**
 * Replicas on one PostgreSQL database. Signed checkpoints: both replicas run the scheduler, exactly one
 * writes at a time, never two checkpoints for one position, every checkpoint verifies, and when one
 * replica is gone the other carries the schedule on. Start-up: migrations run once under the lock.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { controleerControlepunt, startControlepuntPlanner } from '../../src/audit/controlepunt.js';
import type { AuditInput } from '../../src/audit/record.js';
import { logboekSleutels } from '../../src/audit/sleutels.js';
import { createLogger } from '../../src/logger.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-replicas-'));
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const record = (): AuditInput => ({
  tijdstip: new Date().toISOString(), traceId: crypto.randomBytes(16).toString('hex'), spanId: crypto.randomBytes(8).toString('hex'), actie: 'beleid-toetsen',
  partij: 'gemeente-hengelo', client: 'gemeente-hengelo', trajectIds: [], berichttype: null, berichtIds: [], doel: null, verwerkingsactiviteit: null,
  grondslag: null, besluit: 'toegestaan', regel: 'r', reden: 'x', velden: [], status: 200, beleidsversie: 'v',
});
const append = (s: Store, n: number) => Promise.all(Array.from({ length: n }, () => s.transaction((tx) => tx.appendAudit(record()))));

it('two schedulers on one database: one writer at a time, one checkpoint per position, and the survivor carries on', async () => {
  const sleutels = await logboekSleutels(dir, new Date());
  const logger = createLogger('silent');
  const [a, b] = [await openPostgresStore(db.url, { poolMax: 3 }), await openPostgresStore(db.url, { poolMax: 3 })];
  const opties = { elkAantal: 5, intervalMs: 0, now: () => new Date(), logger };
  const [pa, pb] = [await startControlepuntPlanner(a, sleutels, opties), await startControlepuntPlanner(b, sleutels, opties)];

  for (let round = 0; round < 5; round++) {
    await Promise.all([append(a, 7), append(b, 6)]);
    await Promise.all([pa.nu(), pb.nu(), pa.nu(), pb.nu()]);
  }
  const hoofd = await b.logboek.hoofd();
  expect(hoofd.aantal).toBe(65);
  let punten = await b.logboek.controlepunten();
  const aantallen = punten.map((p) => p.aantal);
  expect(new Set(aantallen).size).toBe(aantallen.length);
  expect(aantallen).toEqual([...aantallen].sort((x, y) => x - y));
  expect(aantallen.at(-1)).toBe(65);
  for (const p of punten) expect((await controleerControlepunt(p.jws, sleutels.jwks)).geldig).toBe(true);

  // Replica A stops for good; B's schedule covers what is written after.
  await pa.stop();
  await a.close();
  await append(b, 4);
  await pb.nu();
  punten = await b.logboek.controlepunten();
  expect(punten.at(-1)).toMatchObject({ aantal: 69, laatsteHash: (await b.logboek.hoofd()).laatsteHash });
  await pb.stop();
  await b.close();
});

it('two replicas starting at the same moment on an empty database: migrations run once, under the advisory lock', async () => {
  const leeg = await createTestDatabase();
  try {
    const stores = await Promise.all([openPostgresStore(leeg.url, { poolMax: 2 }), openPostgresStore(leeg.url, { poolMax: 2 }), openPostgresStore(leeg.url, { poolMax: 2 })]);
    const ids = await Promise.all(stores.map((s) => s.transaction((tx) => tx.appendAudit(record())).then((r) => r.id)));
    expect(ids.sort()).toEqual([1, 2, 3]);
    for (const s of stores) await s.close();
  } finally {
    await leeg.drop();
  }
});
