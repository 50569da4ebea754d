/**
 * Upgrade in place: `test/fixtures/main-b965791.db` was written by main's code at b965791 (four
 * migrations; messages, a plaatsing, consent, a chained logboek with scope rows, a checkpoint). The
 * new code opens a copy, runs migration 5 (chain head row, berichtId unique per sender, one checkpoint
 * per position, shared state) and everything carries on: the data reads the same, the chain still
 * verifies, new records chain onto the old head, and the new rules hold on the old data. Later
 * migrations run too (issue 14's feed index is filled for the old messages).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/sqlite-migrations.js';
import { afterAll, expect, it } from 'vitest';
import { verifieerKeten } from '../../src/audit/verify.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { openSqliteLogboek } from '../../src/store/sqlite-logboek.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-upgrade-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const T1 = '11111111-1111-4111-8111-111111111111';

it('a data file made by main b965791 upgrades in place; its chain still verifies and grows', async () => {
  const file = path.join(dir, 'doelpoort.db');
  fs.copyFileSync(new URL('../fixtures/main-b965791.db', import.meta.url), file);
  const voor = new Database(file, { readonly: true });
  expect(voor.pragma('user_version', { simple: true })).toBe(4);
  const oudeBerichten = voor.prepare('SELECT * FROM berichten ORDER BY volgnummer').all();
  const oudHoofd = voor.prepare('SELECT id, hash FROM logboek ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string };
  voor.close();

  const store = openSqliteStore(file);
  try {
    const na = new Database(file, { readonly: true });
    expect(na.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    // Every message reads the same; issue 13 added the tombstone columns, empty: nothing was removed.
    expect(na.prepare('SELECT * FROM berichten ORDER BY volgnummer').all()).toEqual(oudeBerichten.map((b) => ({ ...(b as object), verwijderdOp: null, verwijdering: null })));
    expect(na.prepare('SELECT id, hash FROM logboek_hoofd').get()).toEqual(oudHoofd);
    na.close();

    expect(await store.logboek.hoofd()).toEqual({ aantal: oudHoofd.id, laatsteHash: oudHoofd.hash });
    const r = await store.transaction(async (tx) => {
      expect(await tx.nextAuditId()).toBe(oudHoofd.id + 1);
      expect(JSON.parse((await tx.vorigePlaatsing(T1, 'werkshop', 'WS-1'))!.inhoud)).toEqual({ plaatsingId: 'WS-1', status: 'gestart' });
      // Issue 12: a trajectory from before regime and target group existed migrated to wi2021 / onbekend.
      expect(await tx.relatie(T1, 'roc-van-twente', '2026-11-20')).toEqual({ eigenaar: false, toewijzingen: ['taal'], regime: 'wi2021', doelgroep: 'onbekend' });
      const [oud] = await tx.toestemmingen(T1, { ontvanger: 'roc-van-twente', doel: 'lesafstemming' });
      expect(oud).toMatchObject({ bewijs: { vorm: 'schriftelijk' }, ingetrokkenOp: null });
      // Issue 13: a consent from before versioned texts and signed receipts has neither.
      expect(oud!.toestemmingstekst).toBeNull();
      expect(await tx.ontvangstbewijzen(T1, oud!.toestemmingId)).toEqual([]);
      // Issue 14: the per-party feed index was filled for the old messages: each party's feed over all its
      // trajectories is what it was (the owner's trajectories, the assigned party's, nobody else's).
      const feed = (partij: string) => tx.berichten({ partij, vandaag: '2026-11-20', berichttypen: ['aanwezigheid', 'plaatsing'], na: 0, limit: 100 }).then((rs) => rs.map((b) => b.volgnummer));
      expect(await feed('gemeente-hengelo')).toEqual([1, 3, 5]);
      expect(await feed('gemeente-enschede')).toEqual([2, 4, 6]);
      expect(await feed('roc-van-twente')).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await feed('taalschool-oost')).toEqual([]);
      // The old message id, now sent by another party: a message of its own.
      const berichtId = 'aaaaaaaa-0000-4000-8000-000000000000';
      const record = await tx.appendAudit({
        tijdstip: new Date().toISOString(), traceId: crypto.randomBytes(16).toString('hex'), spanId: crypto.randomBytes(8).toString('hex'), actie: 'bericht-publiceren',
        partij: 'werkshop', client: 'werkshop', trajectIds: [T1], berichttype: 'aanwezigheid', berichtIds: [berichtId], doel: null, verwerkingsactiviteit: null,
        grondslag: null, besluit: 'toegestaan', regel: 'r', reden: 'Na de upgrade.', velden: [], status: 201, beleidsversie: 'v',
      });
      await tx.insertBericht({ berichtId, berichttype: 'aanwezigheid', schemaversie: '1.0', trajectId: T1, afzender: 'werkshop', gebeurtenisTijdstip: '2026-11-20T10:00:00+01:00',
        ontvangenOp: new Date().toISOString(), inhoud: '{}', inhoudHash: 'x', auditId: record.id, auditHash: record.hash });
      expect((await tx.berichtenMetId(berichtId)).map((b) => b.afzender)).toEqual(['roc-van-twente', 'werkshop']);
      return record;
    });
    expect(r.vorigeHash).toBe(oudHoofd.hash);
    // Old records keep their scope: the gemeente's officer finds the read of ROC's message, ROC's too.
    const scope = (partij: string) => store.logboek.zoeken({ scope: partij, trajectId: T1, volgorde: 'nieuwste-eerst', limit: 50 }).then((rs) => rs.map((x) => x.actie));
    expect(await scope('gemeente-hengelo')).toContain('berichten-lezen');
    expect(await scope('roc-van-twente')).toContain('berichten-lezen');
  } finally {
    await store.close();
  }

  const reader = openSqliteLogboek(file);
  try {
    const result = await verifieerKeten(reader, { controlepunten: [], jwks: { keys: [] } });
    expect(result).toMatchObject({ geldig: true, aantal: oudHoofd.id + 1, eersteFout: null });
  } finally {
    reader.close();
  }
});
