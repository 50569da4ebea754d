/**
 * The storage contract: one suite that every adapter must pass (SQLite in `sqlite.contract.test.ts`,
 * PostgreSQL in `postgres.contract.test.ts`). It talks to `Store`/`Tx`/`LogboekReader`/`SharedState`
 * only, so the same input must give the same answer on both. With `multiInstance` the fixture opens
 * several store instances on one database (PostgreSQL: replicas), and the concurrency cases run across
 * them; SQLite in one process runs them on one instance (one writer per file by design).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashRecord, type AuditInput, type AuditRecord } from '../../src/audit/record.js';
import type { BerichtRow, Store, ToestemmingRow, Tx } from '../../src/store/store.js';

export interface StoreFixture {
  /** Open a store instance on the fixture's database (call again for a second instance). */
  open(): Promise<Store>;
  /** Several instances may write concurrently (PostgreSQL). */
  multiInstance: boolean;
  cleanup(): Promise<void>;
}

const VANDAAG = '2026-11-20';
const now = () => new Date().toISOString();

function input(over: Partial<AuditInput> = {}): AuditInput {
  return {
    tijdstip: now(), traceId: crypto.randomBytes(16).toString('hex'), spanId: crypto.randomBytes(8).toString('hex'), actie: 'bericht-publiceren',
    partij: 'roc-van-twente', client: 'roc-van-twente', trajectIds: [], berichttype: null, berichtIds: [], doel: null, verwerkingsactiviteit: null,
    grondslag: null, besluit: 'toegestaan', regel: 'test', reden: 'contract', velden: [], status: 200, beleidsversie: 'test', ...over,
  };
}

async function openTraject(tx: Tx, gemeente = 'gemeente-hengelo', toewijzingen: Array<{ partij: string; rol?: 'taal' | 'participatie'; vanaf?: string; tot?: string | null }> = []): Promise<string> {
  const trajectId = crypto.randomUUID();
  await tx.insertTraject({ trajectId, gemeente, leerroute: 'B1', startdatum: '2026-01-05', aangemaaktOp: now() },
    toewijzingen.map((w) => ({ trajectId, partij: w.partij, rol: w.rol ?? 'taal', vanaf: w.vanaf ?? '2026-01-05', tot: w.tot ?? null, beeindigdOp: null })));
  return trajectId;
}

/** Publish as the gateway does: the record first (under the head lock), then the message naming it. */
async function publish(tx: Tx, trajectId: string, afzender: string, over: Partial<BerichtRow> = {}): Promise<{ volgnummer: number; record: AuditRecord; berichtId: string }> {
  const berichtId = over.berichtId ?? crypto.randomUUID();
  const record = await tx.appendAudit(input({ partij: afzender, trajectIds: [trajectId], berichtIds: [berichtId], berichttype: over.berichttype ?? 'aanwezigheid', status: 201 }));
  const volgnummer = await tx.insertBericht({
    berichtId, berichttype: 'aanwezigheid', schemaversie: '1.0', trajectId, afzender, gebeurtenisTijdstip: '2026-11-20T10:00:00+01:00',
    ontvangenOp: now(), inhoud: '{"a":1}', inhoudHash: 'h', auditId: record.id, auditHash: record.hash, ...over,
  });
  return { volgnummer, record, berichtId };
}

/** The whole chain is linear: ids 1…n, each linked to the one before, each hash correct. */
async function expectLinearChain(store: Store): Promise<number> {
  let vorige = GENESIS_HASH;
  let n = 0;
  for (;;) {
    const page = await store.logboek.zoeken({ scope: null, na: n, volgorde: 'oudste-eerst', limit: 500 });
    for (const r of page) {
      expect(r.id).toBe(n + 1);
      expect(r.vorigeHash).toBe(vorige);
      const { hash, ...rest } = r;
      expect(hashRecord(rest)).toBe(hash);
      vorige = hash;
      n = r.id;
    }
    if (page.length < 500) break;
  }
  expect(await store.logboek.hoofd()).toEqual({ aantal: n, laatsteHash: vorige });
  return n;
}

export function runStoreContract(name: string, fixture: () => Promise<StoreFixture>): void {
  describe(`storage contract: ${name}`, () => {
    let f: StoreFixture;
    let store: Store;
    let second: Store;

    beforeAll(async () => {
      f = await fixture();
      store = await f.open();
      second = f.multiInstance ? await f.open() : store;
    });
    afterAll(async () => {
      if (second !== store) await second.close();
      await store.close();
      await f.cleanup();
    });

    it('one failing item rolls back only itself, inside a batch; the others commit and the chain stays whole', async () => {
      const ids: string[] = [];
      const results = await Promise.allSettled([0, 1, 2].map((i) => store.transaction(async (tx) => {
        const t = await openTraject(tx);
        ids.push(t);
        await tx.appendAudit(input({ trajectIds: [t] }));
        if (i === 1) throw new Error('refused');
        return t;
      })));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const found = await store.transaction(async (tx) => {
        const out = [];
        for (const t of ids) out.push(await tx.traject(t));
        return out;
      });
      expect(found.map(Boolean)).toEqual([true, false, true]);
      await expectLinearChain(store);
    });

    it('concurrent appends (across instances where the adapter allows) give one linear chain', async () => {
      const before = (await store.logboek.hoofd()).aantal;
      const writes = Array.from({ length: 60 }, (_, i) => (i % 2 ? second : store).transaction(async (tx) => {
        const next = await tx.nextAuditId();
        const r = await tx.appendAudit(input());
        expect(r.id).toBe(next);
        return r.id;
      }));
      const ids = await Promise.all(writes);
      expect(new Set(ids).size).toBe(60);
      expect(await expectLinearChain(store)).toBe(before + 60);
    });

    it('feed cursors follow commit order under concurrent writers: a poller sees every message exactly once', async () => {
      const trajectId = await store.transaction((tx) => openTraject(tx, 'gemeente-hengelo'));
      const seen: number[] = [];
      let cursor = 0;
      let done = false;
      const poll = async () => {
        while (!done) {
          const rows = await store.transaction((tx) => tx.berichten({ partij: 'gemeente-hengelo', vandaag: VANDAAG, berichttypen: ['aanwezigheid'], trajectId, na: cursor, limit: 1000 }));
          for (const r of rows) seen.push(r.volgnummer);
          if (rows.length) cursor = rows[rows.length - 1]!.volgnummer;
          await new Promise((r) => setTimeout(r, 1));
        }
      };
      const poller = poll();
      const published = await Promise.all(Array.from({ length: 80 }, (_, i) => (i % 2 ? second : store).transaction((tx) => publish(tx, trajectId, 'roc-van-twente'))));
      done = true;
      await poller;
      const rest = await store.transaction((tx) => tx.berichten({ partij: 'gemeente-hengelo', vandaag: VANDAAG, berichttypen: ['aanwezigheid'], trajectId, na: cursor, limit: 1000 }));
      seen.push(...rest.map((r) => r.volgnummer));
      expect(seen).toEqual([...published.map((p) => p.volgnummer)].sort((a, b) => a - b));
      // volgnummer order is commit order: the audit ids (assigned under the same lock) rise with it.
      const byVolgnummer = [...published].sort((a, b) => a.volgnummer - b.volgnummer).map((p) => p.record.id);
      expect(byVolgnummer).toEqual([...byVolgnummer].sort((a, b) => a - b));
    });

    it('idempotency key = sender + berichtId: another sender may use the same id; the same sender may not', async () => {
      const berichtId = crypto.randomUUID();
      const trajectId = await store.transaction((tx) => openTraject(tx, 'gemeente-hengelo', [{ partij: 'roc-van-twente' }, { partij: 'werkshop', rol: 'participatie' }]));
      await store.transaction((tx) => publish(tx, trajectId, 'roc-van-twente', { berichtId }));
      await second.transaction((tx) => publish(tx, trajectId, 'werkshop', { berichtId }));
      await expect(store.transaction((tx) => publish(tx, trajectId, 'roc-van-twente', { berichtId }))).rejects.toThrow();
      const [eigen, alle, geen] = await store.transaction(async (tx) => [await tx.bericht('roc-van-twente', berichtId), await tx.berichtenMetId(berichtId), await tx.bericht('taalschool-oost', berichtId)] as const);
      expect(eigen?.afzender).toBe('roc-van-twente');
      expect(alle.map((b) => b.afzender)).toEqual(['roc-van-twente', 'werkshop']);
      expect(geen).toBeUndefined();
      await expectLinearChain(store);
    });

    it('the previous placement message: per trajectory, sender and plaatsingId, newest first', async () => {
      const found = await store.transaction(async (tx) => {
        const t = await openTraject(tx);
        const p = (afzender: string, plaatsingId: string, status: string, berichttype = 'plaatsing') =>
          publish(tx, t, afzender, { berichttype, inhoud: JSON.stringify({ plaatsingId, status }) });
        await p('werkshop', 'P1', 'voorgesteld');
        await p('werkshop', 'P1', 'gestart');
        await p('refugee-company', 'P1', 'beeindigd');
        await p('werkshop', 'P2', 'uitgevallen');
        await p('werkshop', 'P1', 'beeindigd', 'aanwezigheid');
        return [await tx.vorigePlaatsing(t, 'werkshop', 'P1'), await tx.vorigePlaatsing(t, 'werkshop', 'p1'), await tx.vorigePlaatsing(t, 'werkshop', 'P3')];
      });
      expect(JSON.parse(found[0]!.inhoud)).toEqual({ plaatsingId: 'P1', status: 'gestart' });
      expect(found[1]).toBeUndefined(); // case-sensitive on both
      expect(found[2]).toBeUndefined();
    });

    it('issue 12: a trajectory keeps its regime and target group (defaults wi2021 / onbekend); wijzigTraject changes only the fields given; the closing outcome is kept', async () => {
      const { standaard, gezet, gewijzigd, relatie } = await store.transaction(async (tx) => {
        const standaard = await openTraject(tx);
        const gezet = crypto.randomUUID();
        await tx.insertTraject({ trajectId: gezet, gemeente: 'gemeente-hengelo', leerroute: 'nog-te-bepalen', regime: 'wi2013', doelgroep: 'gezin', startdatum: '2026-01-05', aangemaaktOp: now() },
          [{ trajectId: gezet, partij: 'werkshop', rol: 'nazorg', vanaf: '2026-01-05', tot: '2026-12-31', beeindigdOp: null }]);
        await tx.wijzigTraject(gezet, { leerroute: 'Z' });
        await tx.wijzigTraject(standaard, { regime: 'vrijwillig', doelgroep: 'asiel' });
        await tx.legAfsluituitkomstVast(standaard, '{"inburgeringsplichtBehaald":"onbekend","vervolg":["geen"]}');
        return { standaard: await tx.traject(standaard), gezet: await tx.traject(gezet), gewijzigd: standaard, relatie: await tx.relatie(gezet, 'werkshop', '2026-06-01') };
      });
      expect(standaard).toMatchObject({ trajectId: gewijzigd, leerroute: 'B1', regime: 'vrijwillig', doelgroep: 'asiel', afsluituitkomst: '{"inburgeringsplichtBehaald":"onbekend","vervolg":["geen"]}' });
      expect(gezet).toMatchObject({ leerroute: 'Z', regime: 'wi2013', doelgroep: 'gezin', afsluituitkomst: null });
      expect(relatie).toEqual({ eigenaar: false, toewijzingen: ['nazorg'], regime: 'wi2013', doelgroep: 'gezin' });
    });

    it('assignment periods: owner always, assigned only inside the period and until ended; the feed follows', async () => {
      const { t, relaties, feeds } = await store.transaction(async (tx) => {
        const t = await openTraject(tx, 'gemeente-hengelo', [
          { partij: 'roc-van-twente', vanaf: '2026-02-01', tot: '2026-06-30' },
          { partij: 'werkshop', rol: 'participatie', vanaf: '2026-01-05' },
        ]);
        await publish(tx, t, 'roc-van-twente');
        const rel = (partij: string, dag: string) => tx.relatie(t, partij, dag);
        const relaties = [
          await rel('gemeente-hengelo', '2020-01-01'), await rel('roc-van-twente', '2026-01-31'), await rel('roc-van-twente', '2026-02-01'),
          await rel('roc-van-twente', '2026-06-30'), await rel('roc-van-twente', '2026-07-01'), await rel('Gemeente-Hengelo', '2026-03-01'),
          await tx.relatie(crypto.randomUUID(), 'gemeente-hengelo', VANDAAG),
        ];
        expect(await tx.beeindigToewijzingen(t, 'werkshop', null, now())).toBe(1);
        const feed = (partij: string, vandaag: string) => tx.berichten({ partij, vandaag, berichttypen: ['aanwezigheid'], trajectId: t, na: 0, limit: 10 }).then((r) => r.length);
        const feeds = [await feed('gemeente-hengelo', VANDAAG), await feed('roc-van-twente', '2026-03-01'), await feed('roc-van-twente', VANDAAG), await feed('werkshop', VANDAAG)];
        return { t, relaties, feeds };
      });
      // The relation carries the trajectory's regime and target group (issue 12; the defaults wi2021 / onbekend).
      const s = { regime: 'wi2021', doelgroep: 'onbekend' };
      expect(relaties).toEqual([
        { eigenaar: true, toewijzingen: [], ...s }, { eigenaar: false, toewijzingen: [], ...s }, { eigenaar: false, toewijzingen: ['taal'], ...s },
        { eigenaar: false, toewijzingen: ['taal'], ...s }, { eigenaar: false, toewijzingen: [], ...s }, { eigenaar: false, toewijzingen: [], ...s }, undefined,
      ]);
      expect(feeds).toEqual([1, 1, 0, 0]);
      const ws = await store.transaction((tx) => tx.toewijzingen(t));
      expect(ws.map((w) => [w.partij, w.beeindigdOp === null])).toEqual([['roc-van-twente', true], ['werkshop', false]]);
    });

    it('consent: recorded, looked up per recipient and doel, withdrawn (the row stays)', async () => {
      const row = (trajectId: string, ontvanger: string, doel: string): ToestemmingRow => ({
        toestemmingId: crypto.randomUUID(), trajectId, ontvanger, doel, gegevenscategorieen: ['aanwezigheid'], gegevenOp: now(), geldigTot: '2027-01-01',
        ingetrokkenOp: null, bewijs: { vorm: 'schriftelijk', kenmerk: 'X-1' }, vastgelegdDoor: 'gemeente-hengelo', beleidsversie: 'v1',
      });
      const result = await store.transaction(async (tx) => {
        const t = await openTraject(tx);
        const a = row(t, 'werkshop', 'trajectbegeleiding');
        const b = row(t, 'roc-van-twente', 'trajectbegeleiding');
        await tx.insertToestemming(a);
        await tx.insertToestemming(b);
        await tx.trekToestemmingIn(a.toestemmingId, '2026-11-21T00:00:00.000Z');
        return {
          a, alle: await tx.toestemmingen(t), voor: await tx.toestemmingen(t, { ontvanger: 'werkshop', doel: 'trajectbegeleiding' }),
          een: await tx.toestemming(t, b.toestemmingId), anders: await tx.toestemmingen(t, { ontvanger: 'WERKSHOP', doel: 'trajectbegeleiding' }),
        };
      });
      expect(result.alle.map((r) => r.ontvanger)).toEqual(['werkshop', 'roc-van-twente']);
      expect(result.voor).toEqual([{ ...result.a, ingetrokkenOp: '2026-11-21T00:00:00.000Z' }]);
      expect(result.een?.bewijs).toEqual({ vorm: 'schriftelijk', kenmerk: 'X-1' });
      expect(result.anders).toEqual([]);
    });

    it('logboek scope: the acting party, the owning gemeente, the sender of the message; search, record and counts', async () => {
      const { recordId, t } = await store.transaction(async (tx) => {
        const t = await openTraject(tx, 'gemeente-enschede', [{ partij: 'werkshop', rol: 'participatie' }]);
        const { berichtId } = await publish(tx, t, 'werkshop');
        const r = await tx.appendAudit(input({ actie: 'bericht-lezen', partij: 'vluchtelingenwerk-twente', trajectIds: [t], berichtIds: [berichtId], doel: 'trajectbegeleiding', berichttype: 'aanwezigheid' }));
        return { recordId: r.id, t };
      });
      const zoek = (scope: string | null, extra: object = {}) => store.logboek.zoeken({ scope, trajectId: t, volgorde: 'nieuwste-eerst', limit: 10, ...extra }).then((rs) => rs.map((r) => r.id));
      expect(await zoek('vluchtelingenwerk-twente')).toEqual([recordId]);
      expect(await zoek('gemeente-enschede')).toEqual([recordId, recordId - 1]);
      expect(await zoek('werkshop')).toEqual([recordId, recordId - 1]);
      expect(await zoek('taalschool-oost')).toEqual([]);
      expect(await zoek('Werkshop')).toEqual([]);
      expect(await zoek(null, { partij: 'werkshop' })).toEqual([recordId - 1]);
      expect(await zoek(null, { doel: 'trajectbegeleiding', besluit: 'toegestaan' })).toEqual([recordId]);
      expect((await store.logboek.record(recordId, 'taalschool-oost'))).toBeUndefined();
      const r = await store.logboek.record(recordId, 'werkshop');
      expect(r?.vorigeRecordHash).toBe(r?.record.vorigeHash);
      const tellingen = await store.logboek.tellingen({ scope: 'gemeente-enschede' });
      expect(tellingen).toEqual([expect.objectContaining({ partij: 'vluchtelingenwerk-twente', doel: 'trajectbegeleiding', gelezen: 1, geweigerd: 0 })]);
      expect(await store.logboek.verstrekkingen(t, { na: 0, limit: 10 })).toEqual([expect.objectContaining({ auditId: recordId, partij: 'vluchtelingenwerk-twente', berichttype: 'aanwezigheid' })]);
      const keten = await store.logboek.keten(recordId - 1, 5);
      expect(keten.map((k) => k.id)).toEqual([recordId]);
    });

    it('checkpoints: the lease, one per position, keys kept once', async () => {
      const hoofd = await store.logboek.hoofd();
      const punt = { aantal: hoofd.aantal, laatsteHash: hoofd.laatsteHash, tijdstip: now(), sleutel: 'k1', jws: 'x.y.z' };
      const id = await store.transaction(async (tx) => {
        expect(await tx.controlepuntLease()).toBe(true);
        expect(await tx.logboekHoofd()).toEqual(hoofd);
        await tx.bewaarSleutels([{ kid: 'k1', jwk: '{}', aangemaaktOp: now() }, { kid: 'k1', jwk: '{"x":1}', aangemaaktOp: now() }]);
        return tx.insertControlepunt(punt);
      });
      await expect(second.transaction((tx) => tx.insertControlepunt({ ...punt, jws: 'a.b.c' }))).rejects.toThrow();
      expect(await store.logboek.laatsteControlepunt()).toEqual({ id, ...punt });
      expect(await store.transaction((tx) => tx.laatsteControlepunt())).toEqual({ id, ...punt });
      expect(await store.logboek.sleutels()).toEqual([{ kid: 'k1', jwk: '{}' }]);
    });

    it('shared state: expiry, putIfAbsent, secondary lookups, grants, counters, sweep', async () => {
      const s = store.shared;
      const o = second.shared;
      const t = Date.now();
      await s.put('Session', 'a', { x: 1 }, t + 60_000, { uid: 'u1', grantId: 'g1' });
      await s.put('Session', 'b', { x: 2 }, t - 1);
      expect(await o.get('Session', 'a')).toEqual({ x: 1 });
      expect(await o.get('Session', 'b')).toBeUndefined();
      expect(await o.get('session', 'a')).toBeUndefined();
      expect(await o.findBy('Session', 'uid', 'u1')).toEqual({ x: 1 });
      await s.put('DeviceCode', 'd', 'v', t + 60_000, { userCode: 'ABCD', grantId: 'g1' });
      expect(await o.findBy('DeviceCode', 'userCode', 'ABCD')).toBe('v');
      await o.deleteByGrant('g1');
      expect(await s.get('Session', 'a')).toBeUndefined();
      expect(await s.get('DeviceCode', 'd')).toBeUndefined();
      expect(await s.putIfAbsent('jti', 'j1', true, t + 60_000)).toBe(true);
      expect(await o.putIfAbsent('jti', 'j1', true, t + 60_000)).toBe(false);
      expect(await o.putIfAbsent('Session', 'b', { x: 3 }, t + 60_000)).toBe(true); // expired counts as absent
      expect(await s.get('Session', 'b')).toEqual({ x: 3 });
      const counts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? o : s).increment('login:1.2.3.4', 1000, t + 60_000)));
      expect(counts.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(await s.increment('login:1.2.3.4', 2000, t + 60_000)).toBe(1); // another window
      expect(await o.count('login:1.2.3.4', 1000)).toBe(10); // looking does not count
      expect(await o.count('login:1.2.3.4', 1000)).toBe(10);
      expect(await o.count('login:5.6.7.8', 1000)).toBe(0);
      await s.increment('kort', 1000, t - 1); // an expired window reads as 0, and counts from 1 again
      expect(await o.count('kort', 1000)).toBe(0);
      expect(await o.increment('kort', 1000, t + 60_000)).toBe(1);
      expect(await s.increment('kort', 1000, t + 60_000, 25)).toBe(26); // a batch of hits at once
      await s.delete('jti', 'j1');
      expect(await s.get('jti', 'j1')).toBeUndefined();
      await s.put('x', 'old', 1, t - 10);
      expect(await s.sweep(t)).toBeGreaterThanOrEqual(1);
    });
  });
}
