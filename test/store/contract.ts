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
import type { Signaal } from '../../src/signalen/types.js';
import type { AbonnementRow } from '../../src/store/signaal-store.js';
import { StoreUnavailableError, type BerichtRow, type Store, type ToestemmingRow, type Tx } from '../../src/store/store.js';
import { feitenUitBericht, type Bron } from '../../src/monitoring/feiten.js';
import { kwartaal, weeknummer } from '../../src/monitoring/kwartaal.js';

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

    it('the feed over all trajectories walks the per-party index: only the party\'s own trajectories, in volgnummer order, a later assignment brings the earlier messages, an ended one hides them', async () => {
      // A party with few messages among many: its feed must not depend on other parties' messages.
      const { eigen, anders, later } = await store.transaction(async (tx) => {
        const eigen = await openTraject(tx, 'gemeente-hengelo', [{ partij: 'taalschool-oost' }]);
        const anders = await openTraject(tx, 'gemeente-hengelo', [{ partij: 'roc-van-twente' }]);
        const later = await openTraject(tx, 'gemeente-enschede', [{ partij: 'roc-van-twente' }]);
        return { eigen, anders, later };
      });
      const v: Record<string, number[]> = { eigen: [], anders: [], later: [] };
      for (let i = 0; i < 12; i++) {
        const [t, naam] = i % 4 === 0 ? [eigen, 'eigen'] : i % 4 === 1 ? [later, 'later'] : [anders, 'anders'];
        v[naam]!.push((await (i % 2 ? second : store).transaction((tx) => publish(tx, t, 'roc-van-twente'))).volgnummer);
      }
      const feed = (partij: string, na = 0, limit = 100) => store.snapshot((tx) => tx.berichten({ partij, vandaag: VANDAAG, berichttypen: ['aanwezigheid'], na, limit }))
        .then((rs) => rs.map((r) => r.volgnummer).filter((n) => [...v.eigen!, ...v.anders!, ...v.later!].includes(n)));
      expect(await feed('taalschool-oost')).toEqual(v.eigen);
      expect(await feed('gemeente-enschede')).toEqual(v.later);
      expect(await feed('werkshop')).toEqual([]);
      // Paging: a cursor in the middle of the party's own rows.
      expect(await feed('taalschool-oost', v.eigen![0]!, 1)).toEqual([v.eigen![1]]);
      // Assigned later (on another replica): the trajectory's earlier messages enter the party's feed.
      await second.transaction((tx) => tx.insertToewijzing({ trajectId: later, partij: 'taalschool-oost', rol: 'taal', vanaf: '2026-01-05', tot: null, beeindigdOp: null }));
      expect(await feed('taalschool-oost')).toEqual([...v.eigen!, ...v.later!].sort((a, b) => a - b));
      // Ended: the rows stay in the index, the relation (checked per row) hides them.
      await store.transaction((tx) => tx.beeindigToewijzingen(later, 'taalschool-oost', null, now()));
      expect(await feed('taalschool-oost')).toEqual(v.eigen);
      // A new message on a trajectory enters the feed of every party that may stand in relation to it.
      v.eigen!.push((await second.transaction((tx) => publish(tx, eigen, 'taalschool-oost'))).volgnummer);
      expect(await feed('taalschool-oost')).toEqual(v.eigen);
      expect(await feed('gemeente-hengelo')).toEqual([...v.eigen!, ...v.anders!].sort((a, b) => a - b));
    });

    it('a snapshot: committed data only, one view for all its lookups, the writer never waited for, nothing written', async () => {
      const row = (trajectId: string): ToestemmingRow => ({
        toestemmingId: crypto.randomUUID(), trajectId, ontvanger: 'roc-van-twente', doel: 'lesafstemming', gegevenscategorieen: ['plaatsing'], gegevenOp: now(),
        geldigTot: '2027-01-01', ingetrokkenOp: null, bewijs: null, vastgelegdDoor: 'gemeente-hengelo', beleidsversie: 'v1', toestemmingstekst: null,
      });
      const t = await store.transaction((tx) => openTraject(tx, 'gemeente-hengelo', [{ partij: 'roc-van-twente' }]));
      const toestemming = row(t);
      await store.transaction((tx) => tx.insertToestemming(toestemming));
      const leesNu = () => store.snapshot(async (tx) => ({
        ingetrokken: (await tx.toestemmingen(t, { ontvanger: 'roc-van-twente', doel: 'lesafstemming' }))[0]!.ingetrokkenOp,
        relatie: (await tx.relatie(t, 'roc-van-twente', VANDAAG))!.toewijzingen,
      }));

      // Committed before the snapshot began (on another replica): it counts.
      await second.transaction((tx) => tx.trekToestemmingIn(toestemming.toestemmingId, '2026-11-21T00:00:00.000Z'));
      expect(await leesNu()).toEqual({ ingetrokken: '2026-11-21T00:00:00.000Z', relatie: ['taal'] });

      // Committed while a snapshot is open: that snapshot keeps its view for every later lookup; the next sees it.
      const binnen = await store.snapshot(async (tx) => {
        const voor = await tx.relatie(t, 'roc-van-twente', VANDAAG);
        await second.transaction((w) => w.beeindigToewijzingen(t, 'roc-van-twente', null, now())); // the writer does not wait for the reader
        const na = await tx.relatie(t, 'roc-van-twente', VANDAAG);
        const toewijzingen = await tx.toewijzingen(t);
        return { voor: voor!.toewijzingen, na: na!.toewijzingen, beeindigd: toewijzingen.map((w) => w.beeindigdOp) };
      });
      expect(binnen).toEqual({ voor: ['taal'], na: ['taal'], beeindigd: [null] });
      expect((await leesNu()).relatie).toEqual([]);

      // A batch in progress is invisible to a snapshot until it commits.
      let open!: () => void;
      const poort = new Promise<void>((r) => (open = r));
      let bezig!: () => void;
      const begonnen = new Promise<void>((r) => (bezig = r));
      const nieuw = crypto.randomUUID();
      const schrijven = store.transaction(async (tx) => {
        await tx.insertTraject({ trajectId: nieuw, gemeente: 'gemeente-hengelo', leerroute: 'B1', startdatum: '2026-01-05', aangemaaktOp: now() }, []);
        bezig();
        await poort;
      });
      await begonnen;
      expect(await store.snapshot((tx) => tx.traject(nieuw))).toBeUndefined();
      open();
      await schrijven;
      expect((await store.snapshot((tx) => tx.traject(nieuw)))?.trajectId).toBe(nieuw);

      // Nothing is written through a snapshot, whatever the caller tries.
      await expect(store.snapshot((tx) => (tx as unknown as Tx).insertTraject({ trajectId: crypto.randomUUID(), gemeente: 'x', leerroute: 'B1', startdatum: '2026-01-05', aangemaaktOp: now() }, [])))
        .rejects.toBeInstanceOf(StoreUnavailableError);
      await expectLinearChain(store);
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
        toestemmingstekst: { id: 'toestemming-lesafstemming', versie: '1.0', taal: 'nl', sha256: 'a'.repeat(64) },
      });
      const result = await store.transaction(async (tx) => {
        const t = await openTraject(tx);
        const a = row(t, 'werkshop', 'trajectbegeleiding');
        const b = row(t, 'roc-van-twente', 'trajectbegeleiding');
        await tx.insertToestemming(a);
        await tx.insertToestemming(b);
        const ingetrokken = await tx.trekToestemmingIn(a.toestemmingId, '2026-11-21T00:00:00.000Z');
        const nogmaals = await tx.trekToestemmingIn(a.toestemmingId, '2026-11-22T00:00:00.000Z');
        return {
          a, ingetrokken, nogmaals, alle: await tx.toestemmingen(t), voor: await tx.toestemmingen(t, { ontvanger: 'werkshop', doel: 'trajectbegeleiding' }),
          een: await tx.toestemming(t, b.toestemmingId), anders: await tx.toestemmingen(t, { ontvanger: 'WERKSHOP', doel: 'trajectbegeleiding' }),
        };
      });
      expect(result.alle.map((r) => r.ontvanger)).toEqual(['werkshop', 'roc-van-twente']);
      expect(result.voor).toEqual([{ ...result.a, ingetrokkenOp: '2026-11-21T00:00:00.000Z' }]);
      expect([result.ingetrokken, result.nogmaals]).toEqual([true, false]);
      expect(result.een?.bewijs).toEqual({ vorm: 'schriftelijk', kenmerk: 'X-1' });
      expect(result.een?.toestemmingstekst).toEqual({ id: 'toestemming-lesafstemming', versie: '1.0', taal: 'nl', sha256: 'a'.repeat(64) });
      expect(result.anders).toEqual([]);
    });

    it('consent receipts: stored once per consent and event, listed per trajectory or consent, oldest first', async () => {
      const toestemming = (trajectId: string): ToestemmingRow => ({
        toestemmingId: crypto.randomUUID(), trajectId, ontvanger: 'roc-van-twente', doel: 'lesafstemming', gegevenscategorieen: ['participatievorm'], gegevenOp: now(),
        geldigTot: '2027-01-01', ingetrokkenOp: null, bewijs: null, vastgelegdDoor: 'gemeente-hengelo', beleidsversie: 'v1', toestemmingstekst: null,
      });
      const bewijs = (toestemmingId: string, gebeurtenis: 'gegeven' | 'ingetrokken') => ({
        ontvangstbewijsId: crypto.randomUUID(), toestemmingId, gebeurtenis, uitgegevenOp: now(), sleutel: 'logboek-k1', jws: `h.${gebeurtenis}-${toestemmingId}.s`,
      });
      const { t, a, b, anders, rijen } = await store.transaction(async (tx) => {
        const t = await openTraject(tx);
        const u = await openTraject(tx);
        const a = toestemming(t);
        const b = toestemming(t);
        const c = toestemming(u);
        for (const x of [a, b, c]) await tx.insertToestemming(x);
        const rijen = [bewijs(a.toestemmingId, 'gegeven'), bewijs(b.toestemmingId, 'gegeven'), bewijs(a.toestemmingId, 'ingetrokken'), bewijs(c.toestemmingId, 'gegeven')];
        for (const r of rijen) await tx.insertOntvangstbewijs(r);
        return { t, a, b, anders: c, rijen };
      });
      const gelezen = await store.transaction(async (tx) => ({
        traject: await tx.ontvangstbewijzen(t), a: await tx.ontvangstbewijzen(t, a.toestemmingId), b: await tx.ontvangstbewijzen(t, b.toestemmingId),
        // The trajectory scopes the lookup: another trajectory's consent id finds nothing here.
        vreemd: await tx.ontvangstbewijzen(t, anders.toestemmingId), leeg: await tx.toestemming(t, crypto.randomUUID()),
      }));
      expect(gelezen.traject).toEqual(rijen.slice(0, 3));
      expect(gelezen.a).toEqual([rijen[0], rijen[2]]);
      expect(gelezen.b).toEqual([rijen[1]]);
      expect(gelezen.vreemd).toEqual([]);
      expect(gelezen.leeg).toBeUndefined();
      // A second receipt for the same consent and event is refused; the first stays.
      await expect(store.transaction((tx) => tx.insertOntvangstbewijs(bewijs(a.toestemmingId, 'gegeven')))).rejects.toThrow();
      expect(await store.transaction((tx) => tx.ontvangstbewijzen(t, a.toestemmingId))).toEqual([rijen[0], rijen[2]]);
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

    it('issue 13: record version 2 round-trips (start, parent span or null, categories, a processing activity always); the category index drives a search, with the scope', async () => {
      const start = new Date(Date.now() - 10).toISOString();
      const { a, b, c, t } = await store.transaction(async (tx) => {
        const t = await openTraject(tx, 'gemeente-enschede');
        const a = await tx.appendAudit(input({ actie: 'bericht-lezen', partij: 'gemeente-enschede', trajectIds: [t], starttijdstip: start, parentSpanId: 'a'.repeat(16),
          doel: 'trajectbegeleiding', verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:trajectbegeleiding', gegevenscategorieen: ['werkgever', 'belemmeringen-en-uitval', 'werkgever'] }));
        const b = await tx.appendAudit(input({ actie: 'traject-openen', partij: 'gemeente-enschede', trajectIds: [t], gegevenscategorieen: [] }));
        const c = await tx.appendAudit(input({ actie: 'bericht-lezen', partij: 'roc-van-twente', trajectIds: [], gegevenscategorieen: ['belemmeringen-en-uitval'] }));
        return { a, b, c, t };
      });
      // Sealed: version 2, categories sorted and unique, the action's activity where no doel was known.
      expect(a).toMatchObject({ recordversie: 2, starttijdstip: start, parentSpanId: 'a'.repeat(16), gegevenscategorieen: ['belemmeringen-en-uitval', 'werkgever'] });
      expect(b).toMatchObject({ parentSpanId: null, verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:trajectbeheer', gegevenscategorieen: [] });
      expect(b.starttijdstip).toBe(b.tijdstip);
      // Read back exactly as sealed, so the hash recomputes.
      for (const r of [a, b, c]) expect(await store.logboek.recordOpId(r.id)).toEqual(r);
      const cat = (scope: string | null, categorie: string, extra: object = {}) =>
        store.logboek.zoeken({ scope, gegevenscategorie: categorie, volgorde: 'nieuwste-eerst', limit: 10, ...extra }).then((rs) => rs.map((r) => r.id).filter((id) => id >= a.id));
      expect(await cat(null, 'belemmeringen-en-uitval')).toEqual([c.id, a.id]);
      expect(await cat('gemeente-enschede', 'belemmeringen-en-uitval')).toEqual([a.id]);
      expect(await cat('roc-van-twente', 'belemmeringen-en-uitval')).toEqual([c.id]);
      expect(await cat(null, 'werkgever', { trajectId: t })).toEqual([a.id]);
      expect(await cat(null, 'taalniveau')).toEqual([]);
      expect(await cat(null, 'belemmeringen-en-uitval', { volgorde: 'oudste-eerst', na: a.id })).toEqual([c.id]);
    });

    it('disclosure index: derived disclosures (state, signals, an accepted notification) one row per trajectory; content reads per message; refusals, failed deliveries and system records none', async () => {
      const { ids, t, u } = await store.transaction(async (tx) => {
        const t = await openTraject(tx, 'gemeente-enschede', [{ partij: 'werkshop', rol: 'participatie' }]);
        const u = await openTraject(tx, 'gemeente-enschede', [{ partij: 'werkshop', rol: 'participatie' }]);
        const { berichtId } = await publish(tx, t, 'werkshop');
        const g = { partij: 'gemeente-enschede', doel: 'trajectbegeleiding' };
        const ids = [
          (await tx.appendAudit(input({ ...g, actie: 'stand-lezen', trajectIds: [t], velden: ['/stand/aanwezigheid'] }))).id,
          (await tx.appendAudit(input({ ...g, actie: 'trajecten-lezen', trajectIds: [t, u, t] }))).id,
          (await tx.appendAudit(input({ ...g, actie: 'signalen-lezen', trajectIds: [t], berichtIds: [berichtId] }))).id,
          (await tx.appendAudit(input({ ...g, actie: 'melding-afleveren', trajectIds: [t], berichtIds: [berichtId], status: 204 }))).id,
          (await tx.appendAudit(input({ ...g, actie: 'melding-afleveren', trajectIds: [t], berichtIds: [berichtId], status: 500 }))).id,
          (await tx.appendAudit(input({ ...g, actie: 'stand-lezen', trajectIds: [t], besluit: 'geweigerd', status: 403 }))).id,
          (await tx.appendAudit(input({ ...g, actie: 'stand-lezen', trajectIds: [t], partij: null }))).id,
        ];
        return { ids, t, u };
      });
      const rij = (v: { auditId: number; berichttype: string; afzender: string }) => [ids.indexOf(v.auditId), v.berichttype, v.afzender];
      const opT = (await store.logboek.verstrekkingen(t, { na: ids[0]! - 1, limit: 20 })).map(rij);
      expect(opT).toEqual([[0, 'stand', ''], [1, 'stand', ''], [2, 'signaal', ''], [3, 'melding', '']]);
      expect((await store.logboek.verstrekkingen(u, { na: 0, limit: 20 })).map(rij)).toEqual([[1, 'stand', '']]);
      const [stand] = await store.logboek.verstrekkingen(t, { na: ids[0]! - 1, limit: 1 });
      expect(stand).toEqual(expect.objectContaining({ partij: 'gemeente-enschede', doel: 'trajectbegeleiding', velden: ['/stand/aanwezigheid'] }));
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

    it('trajectory state: absent until written, one row per trajectory, replaced on write, read for update', async () => {
      const t = await store.transaction((tx) => openTraject(tx));
      expect(await store.transaction((tx) => tx.trajectstand(t))).toBeUndefined();
      await store.transaction((tx) => tx.bewaarTrajectstand({ trajectId: t, stand: '{"v":1}', versie: 1, bijgewerktOp: '2026-11-20T10:00:00.000Z' }));
      await second.transaction(async (tx) => {
        expect(await tx.trajectstand(t, true)).toEqual({ trajectId: t, stand: '{"v":1}', versie: 1, bijgewerktOp: '2026-11-20T10:00:00.000Z' });
        await tx.bewaarTrajectstand({ trajectId: t, stand: '{"v":2}', versie: 1, bijgewerktOp: '2026-11-20T11:00:00.000Z' });
      });
      expect((await store.transaction((tx) => tx.trajectstand(t)))?.stand).toBe('{"v":2}');
      await expect(store.transaction((tx) => tx.bewaarTrajectstand({ trajectId: crypto.randomUUID(), stand: '{}', versie: 1, bijgewerktOp: now() }))).rejects.toThrow();
    });

    it('signals: the database refuses a second open one per kind (and provider); closed ones stay; worklist newest first per gemeente', async () => {
      const t = await store.transaction((tx) => openTraject(tx, 'gemeente-hengelo'));
      const ander = await store.transaction((tx) => openTraject(tx, 'gemeente-enschede'));
      const sig = (over: Partial<Signaal> = {}): Signaal => ({
        signaalId: crypto.randomUUID(), soort: 'verzuim', trajectId: t, aanbieder: 'roc-van-twente', status: 'open', geopendOp: '2026-11-20T10:00:00.000Z',
        bijgewerktOp: '2026-11-20T10:00:00.000Z', berichtIds: ['b1'], codes: {}, afgehandeldOp: null, uitkomst: null, ...over,
      });
      const a = sig();
      await store.transaction((tx) => tx.bewaarSignaal(a));
      await expect(second.transaction((tx) => tx.bewaarSignaal(sig()))).rejects.toThrow();
      const b = sig({ aanbieder: 'werkshop' });
      const c = sig({ soort: 'niveau-behaald', aanbieder: null, codes: { niveau: 'A2', vaardigheden: ['spreken'] } });
      await second.transaction(async (tx) => {
        await tx.bewaarSignaal(b);
        await tx.bewaarSignaal(c);
      });
      await expect(store.transaction((tx) => tx.bewaarSignaal(sig({ soort: 'niveau-behaald', aanbieder: null })))).rejects.toThrow();
      await store.transaction((tx) => tx.bewaarSignaal(sig({ trajectId: ander })));
      // An update keeps the row (same id), a close frees the kind for a new open signal.
      await store.transaction((tx) => tx.bewaarSignaal({ ...a, bijgewerktOp: '2026-11-21T10:00:00.000Z', berichtIds: ['b1', 'b2'] }));
      await store.transaction((tx) => tx.bewaarSignaal({ ...a, status: 'afgehandeld', afgehandeldOp: '2026-11-22T10:00:00.000Z', uitkomst: 'gesprek-gevoerd', bijgewerktOp: '2026-11-22T10:00:00.000Z', berichtIds: ['b1', 'b2'] }));
      const d = sig({ geopendOp: '2026-11-23T10:00:00.000Z' });
      await second.transaction((tx) => tx.bewaarSignaal(d));

      const open = await store.transaction((tx) => tx.openSignalen([t]));
      expect(open.map((x) => x.signaalId)).toEqual([b.signaalId, c.signaalId, d.signaalId]);
      expect(open[1]).toEqual(c);
      const gesloten = await store.transaction((tx) => tx.signaal(a.signaalId));
      expect(gesloten).toMatchObject({ status: 'afgehandeld', uitkomst: 'gesprek-gevoerd', berichtIds: ['b1', 'b2'], gemeente: 'gemeente-hengelo', geopendOp: a.geopendOp });
      expect(await store.transaction((tx) => tx.signaal(crypto.randomUUID()))).toBeUndefined();

      const alle = ['verzuim', 'niveau-behaald'];
      const lijst = await store.transaction((tx) => tx.signalen({ gemeente: 'gemeente-hengelo', soorten: alle, voor: null, limit: 100 }));
      const hier = lijst.filter((x) => x.trajectId === t).map((x) => x.signaalId);
      expect(hier).toEqual([d.signaalId, c.signaalId, b.signaalId, a.signaalId]);
      expect(lijst.every((x) => x.gemeente === 'gemeente-hengelo' && x.trajectId !== ander)).toBe(true);
      const volgordes = lijst.map((x) => x.volgorde);
      expect([...volgordes].sort((x, y) => y - x)).toEqual(volgordes);
      const pagina = await second.transaction((tx) => tx.signalen({ gemeente: 'gemeente-hengelo', soorten: alle, voor: lijst[1]!.volgorde, limit: 1 }));
      expect(pagina.map((x) => x.signaalId)).toEqual([lijst[2]!.signaalId]);
      const openVerzuim = await store.transaction((tx) => tx.signalen({ gemeente: 'gemeente-hengelo', status: 'open', soorten: ['verzuim'], voor: null, limit: 100 }));
      expect(openVerzuim.filter((x) => x.trajectId === t).map((x) => x.signaalId)).toEqual([d.signaalId, b.signaalId]);
      const afgehandeld = await store.transaction((tx) => tx.signalen({ gemeente: 'gemeente-hengelo', status: 'afgehandeld', soorten: alle, voor: null, limit: 100 }));
      expect(afgehandeld.filter((x) => x.trajectId === t).map((x) => x.signaalId)).toEqual([a.signaalId]);
    });

    it('trajectory list: owned or actively assigned, by status, paged by trajectId, with the stored state; the scheduler finds its trajectories', async () => {
      const gemeente = `gemeente-${crypto.randomUUID().slice(0, 8)}`;
      const partij = `aanbieder-${crypto.randomUUID().slice(0, 8)}`;
      const ids = await store.transaction(async (tx) => [
        await openTraject(tx, gemeente, [{ partij, rol: 'taal' }]),
        await openTraject(tx, gemeente, [{ partij, rol: 'taal', vanaf: '2026-01-01', tot: '2026-02-01' }]),
        await openTraject(tx, gemeente),
      ]);
      await store.transaction(async (tx) => {
        await tx.sluitTraject(ids[2]!, now(), 'afgerond');
        await tx.bewaarTrajectstand({ trajectId: ids[0]!, stand: '{"s":1}', versie: 1, bijgewerktOp: now() });
      });
      const sorted = [...ids].sort();
      const alle = await second.transaction((tx) => tx.trajecten({ partij: gemeente, vandaag: VANDAAG, na: '', limit: 10 }));
      expect(alle.map((r) => r.trajectId)).toEqual(sorted);
      expect(alle.find((r) => r.trajectId === ids[0])?.stand).toBe('{"s":1}');
      expect(alle.find((r) => r.trajectId === ids[1])?.stand).toBeNull();
      expect(alle.find((r) => r.trajectId === ids[2])).toMatchObject({ afsluitreden: 'afgerond', gemeente });
      const eerste = await store.transaction((tx) => tx.trajecten({ partij: gemeente, vandaag: VANDAAG, na: '', limit: 1 }));
      const rest = await store.transaction((tx) => tx.trajecten({ partij: gemeente, vandaag: VANDAAG, na: eerste[0]!.trajectId, limit: 10 }));
      expect([...eerste, ...rest].map((r) => r.trajectId)).toEqual(sorted);
      const lopend = await store.transaction((tx) => tx.trajecten({ partij: gemeente, vandaag: VANDAAG, status: 'lopend', na: '', limit: 10 }));
      expect(lopend.map((r) => r.trajectId).sort()).toEqual([ids[0], ids[1]].sort());
      const afgesloten = await store.transaction((tx) => tx.trajecten({ partij: gemeente, vandaag: VANDAAG, status: 'afgesloten', na: '', limit: 10 }));
      expect(afgesloten.map((r) => r.trajectId)).toEqual([ids[2]]);
      // The provider: only the trajectory whose assignment is active today.
      const aanbieder = await store.transaction((tx) => tx.trajecten({ partij, vandaag: VANDAAG, na: '', limit: 10 }));
      expect(aanbieder.map((r) => r.trajectId)).toEqual([ids[0]]);

      const gepland = await store.transaction(async (tx) => {
        const out: string[] = [];
        for (let na = ''; ;) {
          const page = await tx.trajectenVoorPlanner({ rollen: ['taal'], soorten: ['uit-beeld'], vanaf: VANDAAG, na, limit: 50 });
          out.push(...page);
          if (page.length < 50) break;
          na = page.at(-1)!;
        }
        return out;
      });
      expect(gepland).toContain(ids[0]);
      expect(gepland).not.toContain(ids[1]); // its assignment ended before today
      expect(gepland).not.toContain(ids[2]); // closed
      expect(await store.transaction((tx) => tx.lease('uit-beeld'))).toBe(true);
    });

    it('subscriptions: per party, by kind, paused and removed; the outbox in order per subscription; attempts newest first', async () => {
      const partij = `partij-${crypto.randomUUID().slice(0, 8)}`;
      const ab = (over: Partial<AbonnementRow> = {}): AbonnementRow => ({
        abonnementId: crypto.randomUUID(), partij, url: 'https://ontvanger.example/hook', geheim: 'whsec_x', soorten: ['bericht'], berichttypen: null,
        status: 'actief', aangemaaktOp: now(), gewijzigdOp: now(), ...over,
      });
      const a = ab();
      const b = ab({ soorten: ['signaal'], berichttypen: ['aanwezigheid'] });
      await store.transaction(async (tx) => {
        await tx.insertAbonnement(a);
        await tx.insertAbonnement(b);
      });
      expect(await second.transaction((tx) => tx.abonnement(a.abonnementId))).toEqual(a);
      expect((await store.transaction((tx) => tx.abonnementen(partij))).map((x) => x.abonnementId)).toEqual([a.abonnementId, b.abonnementId]);
      const voorSignaal = await store.transaction((tx) => tx.abonnementenVoor('signaal'));
      expect(voorSignaal.map((x) => x.abonnementId)).toContain(b.abonnementId);
      expect(voorSignaal.map((x) => x.abonnementId)).not.toContain(a.abonnementId);

      const t = await store.transaction((tx) => openTraject(tx));
      const event = (i: number) => ({ abonnementId: a.abonnementId, eventId: crypto.randomUUID(), event: `{"i":${i}}`, trajectId: t, doel: 'trajectbegeleiding', volgendePogingOp: '2026-11-20T10:00:00.000Z' });
      const e1 = event(1);
      const e2 = event(2);
      await store.transaction(async (tx) => {
        await tx.insertUitgaand(e1);
        await tx.insertUitgaand(e2);
      });
      await expect(second.transaction((tx) => tx.insertUitgaand(e1))).rejects.toThrow(); // one row per event and subscription
      expect(await store.transaction((tx) => tx.abonnementenMetWerk('2026-11-20T09:59:59.999Z', 100))).not.toContain(a.abonnementId);
      expect(await store.transaction((tx) => tx.abonnementenMetWerk('2026-11-20T10:00:00.000Z', 100))).toContain(a.abonnementId);
      const eerste = await second.transaction((tx) => tx.volgendeUitgaand(a.abonnementId));
      expect(eerste).toMatchObject({ eventId: e1.eventId, status: 'wachtend', pogingen: 0, afgeleverdOp: null, event: '{"i":1}' });
      // A failed attempt moves the first event later: the second waits behind it (order per subscription).
      await store.transaction(async (tx) => {
        await tx.werkUitgaandBij(eerste!.volgnummer, { status: 'wachtend', pogingen: 1, volgendePogingOp: '2026-11-20T11:00:00.000Z', afgeleverdOp: null });
        await tx.insertAflevering({ abonnementId: a.abonnementId, eventId: e1.eventId, tijdstip: '2026-11-20T10:00:01.000Z', statuscode: 500, duurMs: 12, fout: null });
      });
      expect(await store.transaction((tx) => tx.abonnementenMetWerk('2026-11-20T10:30:00.000Z', 100))).not.toContain(a.abonnementId);
      expect((await store.transaction((tx) => tx.volgendeUitgaand(a.abonnementId)))?.eventId).toBe(e1.eventId);
      await store.transaction(async (tx) => {
        await tx.werkUitgaandBij(eerste!.volgnummer, { status: 'afgeleverd', pogingen: 2, volgendePogingOp: '2026-11-20T11:00:00.000Z', afgeleverdOp: '2026-11-20T11:00:01.000Z' });
        await tx.insertAflevering({ abonnementId: a.abonnementId, eventId: e1.eventId, tijdstip: '2026-11-20T11:00:01.000Z', statuscode: 204, duurMs: 3, fout: null });
      });
      expect((await second.transaction((tx) => tx.volgendeUitgaand(a.abonnementId)))?.eventId).toBe(e2.eventId);
      expect((await store.transaction((tx) => tx.afleveringen(a.abonnementId, 10))).map((x) => [x.statuscode, x.duurMs, x.fout])).toEqual([[204, 3, null], [500, 12, null]]);

      // Paused: no work; resumed: due again with attempts reset; removed: waiting events dropped.
      await store.transaction((tx) => tx.zetAbonnementStatus(a.abonnementId, 'gepauzeerd', now()));
      expect(await store.transaction((tx) => tx.abonnementenMetWerk('2026-12-01T00:00:00.000Z', 100))).not.toContain(a.abonnementId);
      await store.transaction(async (tx) => {
        await tx.zetAbonnementStatus(a.abonnementId, 'actief', now());
        await tx.herplanUitgaand(a.abonnementId, '2026-11-25T00:00:00.000Z');
      });
      expect(await store.transaction((tx) => tx.volgendeUitgaand(a.abonnementId))).toMatchObject({ eventId: e2.eventId, pogingen: 0, volgendePogingOp: '2026-11-25T00:00:00.000Z' });
      await store.transaction(async (tx) => {
        await tx.zetAbonnementStatus(a.abonnementId, 'verwijderd', now());
        await tx.vervalUitgaand(a.abonnementId);
      });
      expect(await store.transaction((tx) => tx.volgendeUitgaand(a.abonnementId))).toBeUndefined();
      expect((await store.transaction((tx) => tx.abonnementen(partij))).map((x) => x.abonnementId)).toEqual([b.abonnementId]);
      expect((await store.transaction((tx) => tx.abonnementenVoor('bericht'))).map((x) => x.abonnementId)).not.toContain(a.abonnementId);
    });

    it('the user audit trail: per party and trace id, in order', async () => {
      const traceId = crypto.randomBytes(16).toString('hex');
      await store.transaction(async (tx) => {
        await tx.insertGebruikersspoor({ traceId, partij: 'gemeente-hengelo', medewerker: 'km-hengelo', actie: 'stand-lezen', tijdstip: '2026-11-20T10:00:00.000Z' });
        await tx.insertGebruikersspoor({ traceId, partij: 'gemeente-hengelo', medewerker: 'km-hengelo', actie: 'signaal-afhandelen', tijdstip: '2026-11-20T10:00:01.000Z' });
      });
      expect((await second.transaction((tx) => tx.gebruikersspoor('gemeente-hengelo', traceId))).map((r) => r.actie)).toEqual(['stand-lezen', 'signaal-afhandelen']);
      expect(await store.transaction((tx) => tx.gebruikersspoor('roc-van-twente', traceId))).toEqual([]);
    });

    it('message versions (issue 11): a correction marks the current message once, a withdrawal once; what no longer counts; the valid placement history', async () => {
      const { t, a, b, c, pl } = await store.transaction(async (tx) => {
        const t = await openTraject(tx);
        const a = (await publish(tx, t, 'roc-van-twente')).berichtId;
        const b = (await publish(tx, t, 'roc-van-twente')).berichtId;
        const c = (await publish(tx, t, 'roc-van-twente')).berichtId;
        const pl = [] as string[];
        for (const status of ['voorgesteld', 'gestart', 'gewijzigd']) pl.push((await publish(tx, t, 'werkshop', { berichttype: 'plaatsing', inhoud: JSON.stringify({ plaatsingId: 'P1', status }) })).berichtId);
        return { t, a, b, c, pl };
      });
      expect(await store.transaction((tx) => tx.berichtVersies('roc-van-twente', [a, b]))).toEqual([]);
      // b replaces a (version 2); a second replacement of a loses; c cannot replace a either.
      expect(await store.transaction((tx) => tx.vervangBericht('roc-van-twente', a, b, 2))).toBe(true);
      expect(await second.transaction((tx) => tx.vervangBericht('roc-van-twente', a, c, 2))).toBe(false);
      const versies = await second.transaction((tx) => tx.berichtVersies('roc-van-twente', [a, b, c]));
      expect(versies.sort((x, y) => x.versie - y.versie)).toEqual([
        { afzender: 'roc-van-twente', berichtId: a, versie: 1, vervangt: null, vervangenDoor: b, ingetrokkenOp: null, intrekkingReden: null },
        { afzender: 'roc-van-twente', berichtId: b, versie: 2, vervangt: a, vervangenDoor: null, ingetrokkenOp: null, intrekkingReden: null },
      ]);
      // Withdrawing: once; a replaced message cannot be withdrawn.
      expect(await store.transaction((tx) => tx.trekBerichtIn('roc-van-twente', a, '2026-11-20T10:00:00.000Z', 'overig'))).toBe(false);
      expect(await store.transaction((tx) => tx.trekBerichtIn('roc-van-twente', c, '2026-11-20T10:00:00.000Z', 'dubbel-verzonden'))).toBe(true);
      expect(await second.transaction((tx) => tx.trekBerichtIn('roc-van-twente', c, '2026-11-21T10:00:00.000Z', 'overig'))).toBe(false);
      const [ingetrokken] = await store.transaction((tx) => tx.berichtVersies('roc-van-twente', [c]));
      expect(ingetrokken).toMatchObject({ versie: 1, ingetrokkenOp: '2026-11-20T10:00:00.000Z', intrekkingReden: 'dubbel-verzonden' });
      // What no longer counts: per sender and id (another sender's same id is another message).
      const weg = await store.transaction((tx) => tx.vervallenBerichten([a, b, c].flatMap((id) => [{ afzender: 'roc-van-twente', berichtId: id }, { afzender: 'werkshop', berichtId: id }])));
      expect([...weg].sort()).toEqual([`roc-van-twente ${a}`, `roc-van-twente ${c}`].sort());
      // The placement history without what no longer counts, newest first.
      await store.transaction((tx) => tx.trekBerichtIn('werkshop', pl[2]!, '2026-11-20T10:00:00.000Z', 'overig'));
      const geldig = await second.transaction((tx) => tx.geldigePlaatsingen(t, 'werkshop', 'P1'));
      expect(geldig.map((r) => [r.berichtId, JSON.parse(r.inhoud).status])).toEqual([[pl[1], 'gestart'], [pl[0], 'voorgesteld']]);
      expect(typeof geldig[0]!.volgnummer).toBe('number');
    });

    it('kenmerken (issue 11): one per provider and trajectory, unique per provider, read back for that provider only; the assignment list and the current message of a period', async () => {
      const { a, b, w } = await store.transaction(async (tx) => {
        const a = await openTraject(tx, 'gemeente-hengelo', [{ partij: 'roc-van-twente' }, { partij: 'werkshop', rol: 'participatie' }]);
        const b = await openTraject(tx, 'gemeente-hengelo', [{ partij: 'roc-van-twente', tot: '2026-02-01' }]);
        const inhoud = (van: string) => JSON.stringify({ periode: { van, tot: '2026-11-08' }, totalen: [] });
        const w1 = (await publish(tx, a, 'roc-van-twente', { inhoud: inhoud('2026-11-02') })).berichtId;
        const w2 = (await publish(tx, a, 'roc-van-twente', { inhoud: inhoud('2026-11-02') })).berichtId;
        await publish(tx, a, 'roc-van-twente', { inhoud: inhoud('2026-11-03') });
        return { a, b, w: [w1, w2] };
      });
      expect(await store.transaction((tx) => tx.zetKenmerk('roc-van-twente', a, 'K-1', '2026-11-20T10:00:00.000Z'))).toBe('ok');
      expect(await second.transaction((tx) => tx.zetKenmerk('roc-van-twente', b, 'K-1', '2026-11-20T10:00:00.000Z'))).toBe('bezet');
      expect(await store.transaction((tx) => tx.zetKenmerk('werkshop', a, 'K-1', '2026-11-20T10:00:00.000Z'))).toBe('ok');
      expect(await store.transaction((tx) => tx.zetKenmerk('roc-van-twente', a, 'K-2', '2026-11-20T11:00:00.000Z'))).toBe('ok'); // replaced
      expect(await second.transaction((tx) => tx.zetKenmerk('roc-van-twente', b, 'K-1', '2026-11-20T10:00:00.000Z'))).toBe('ok'); // freed
      expect(await second.transaction((tx) => tx.trajectMetKenmerk('roc-van-twente', 'K-2'))).toBe(a);
      expect(await second.transaction((tx) => tx.trajectMetKenmerk('taalschool-oost', 'K-2'))).toBeUndefined();
      expect([...(await store.transaction((tx) => tx.kenmerkenVan('roc-van-twente', [a, b])))].sort()).toEqual([[a, 'K-2'], [b, 'K-1']].sort());
      const lijst = await store.transaction((tx) => tx.toewijzingenLijst({ partij: 'roc-van-twente', als: 'aanbieder', vandaag: '2026-11-20', na: 0, limit: 1000 }));
      const eigen = lijst.filter((r) => r.trajectId === a || r.trajectId === b);
      expect(eigen.map((r) => [r.trajectId, r.kenmerk, r.tot])).toEqual([[a, 'K-2', null], [b, 'K-1', '2026-02-01']]);
      const actief = await store.transaction((tx) => tx.toewijzingenLijst({ partij: 'roc-van-twente', als: 'aanbieder', status: 'actief', vandaag: '2026-11-20', na: 0, limit: 1000 }));
      expect(actief.some((r) => r.trajectId === b)).toBe(false);
      const gemeente = await store.transaction((tx) => tx.toewijzingenLijst({ partij: 'gemeente-hengelo', als: 'gemeente', vandaag: '2026-11-20', na: 0, limit: 1000 }));
      expect(gemeente.filter((r) => r.trajectId === a).map((r) => [r.partij, r.kenmerk])).toEqual([['roc-van-twente', null], ['werkshop', null]]);
      expect(await store.transaction((tx) => tx.verwijderKenmerk('roc-van-twente', a))).toBe(true);
      expect(await store.transaction((tx) => tx.verwijderKenmerk('roc-van-twente', a))).toBe(false);
      // The current message of one period: the latest that still counts.
      expect((await store.transaction((tx) => tx.huidigPeriodebericht('roc-van-twente', a, '2026-11-02', '2026-11-08')))?.berichtId).toBe(w[1]);
      await store.transaction((tx) => tx.trekBerichtIn('roc-van-twente', w[1]!, '2026-11-20T10:00:00.000Z', 'overig'));
      const huidig = await second.transaction((tx) => tx.huidigPeriodebericht('roc-van-twente', a, '2026-11-02', '2026-11-08'));
      expect(huidig?.berichtId).toBe(w[0]);
      expect(typeof huidig?.volgnummer).toBe('number');
      expect(await store.transaction((tx) => tx.huidigPeriodebericht('werkshop', a, '2026-11-02', '2026-11-08'))).toBeUndefined();
    });

    it('retention (issue 13): bounded candidates after the mark, content removed once (across instances), tombstones keep the rest, derived and related rows go', async () => {
      const OUD = '2019-06-30T10:00:00.000Z';
      const { t, open, m, pl, periode } = await store.transaction(async (tx) => {
        const t = await openTraject(tx, 'gemeente-hengelo', [{ partij: 'roc-van-twente' }, { partij: 'werkshop', rol: 'participatie' }]);
        const open = await openTraject(tx, 'gemeente-hengelo');
        const m = [] as Array<{ volgnummer: number; berichtId: string; record: AuditRecord }>;
        for (let i = 0; i < 3; i++) m.push(await publish(tx, t, 'roc-van-twente', { inhoud: JSON.stringify({ periode: { van: `2019-01-0${i + 1}`, tot: '2019-01-08' }, totalen: [] }) }));
        const pl = await publish(tx, t, 'werkshop', { berichttype: 'plaatsing', inhoud: JSON.stringify({ plaatsingId: 'P9', status: 'gestart' }) });
        await publish(tx, open, 'roc-van-twente');
        await tx.sluitTraject(t, OUD, 'afgerond');
        return { t, open, m, pl, periode: m[0]!.berichtId };
      });
      // Candidates: closed before the bound (or any, with null), only with messages after the mark; the scan is bounded.
      const alle = async (afgeslotenVoor: string | null, limit = 1000) => {
        const uit: string[] = [];
        for (let na = ''; ;) {
          const page = await store.transaction((tx) => tx.trajectenVoorBewaring({ na, limit, afgeslotenVoor }));
          expect(page.trajecten.length).toBeLessThanOrEqual(limit);
          uit.push(...page.trajecten.map((x) => x.trajectId));
          if (page.volgende === null) return uit;
          na = page.volgende;
        }
      };
      expect(await alle('2020-01-01T00:00:00.000Z')).toContain(t);
      expect(await alle('2020-01-01T00:00:00.000Z', 1)).toContain(t);
      expect(await alle('2019-01-01T00:00:00.000Z')).not.toContain(t);
      expect(await alle('2020-01-01T00:00:00.000Z')).not.toContain(open);
      expect(await alle(null)).toEqual(expect.arrayContaining([t, open]));
      const [kandidaat] = (await store.transaction((tx) => tx.trajectenVoorBewaring({ na: '', limit: 100_000, afgeslotenVoor: '2020-01-01T00:00:00.000Z' }))).trajecten.filter((x) => x.trajectId === t);
      expect(kandidaat).toEqual({ trajectId: t, gemeente: 'gemeente-hengelo', afgeslotenOp: OUD, bewaringVolgnummer: 0 });
      // The messages as the purge sees them: facts, never content.
      const rijen = await second.transaction((tx) => tx.berichtenVoorBewaring(t, 0, 10));
      expect(rijen.map((r) => r.berichtId)).toEqual([...m.map((x) => x.berichtId), pl.berichtId]);
      expect(rijen[0]).toEqual({ volgnummer: m[0]!.volgnummer, berichtId: m[0]!.berichtId, afzender: 'roc-van-twente', berichttype: 'aanwezigheid', trajectId: t, ontvangenOp: expect.any(String), verwijderdOp: null });
      expect(Object.keys(rijen[0]!)).not.toContain('inhoud');
      expect((await store.transaction((tx) => tx.berichtenVoorBewaring(t, m[1]!.volgnummer, 1))).map((r) => r.berichtId)).toEqual([m[2]!.berichtId]);
      // Removed once: two instances at the same time, each change counted once in all.
      const nummers = [m[0]!.volgnummer, pl.volgnummer];
      const op = '2026-11-20T03:00:00.000Z';
      const reden = '{"grond":"bewaartermijn","logboek":1,"termijnen":[]}';
      const [een, twee] = await Promise.all([store, second].map((st) => st.transaction((tx) => tx.verwijderInhoud(nummers, op, reden))));
      expect([...een!, ...twee!].sort((a, b) => a - b)).toEqual([...nummers].sort((a, b) => a - b));
      expect(await store.transaction((tx) => tx.verwijderInhoud(nummers, op, reden))).toEqual([]);
      // The tombstone: no content, no content hash; the rest (and the receipt) as it was.
      const graf = await second.transaction((tx) => tx.bericht('roc-van-twente', periode));
      expect(graf).toMatchObject({ berichtId: periode, berichttype: 'aanwezigheid', trajectId: t, afzender: 'roc-van-twente', inhoud: 'null', inhoudHash: '', verwijderdOp: op, verwijdering: reden, auditId: m[0]!.record.id, auditHash: m[0]!.record.hash });
      expect((await store.transaction((tx) => tx.bericht('roc-van-twente', m[1]!.berichtId)))).toMatchObject({ verwijderdOp: null, verwijdering: null, inhoudHash: 'h' });
      const feed = await store.transaction((tx) => tx.berichten({ partij: 'gemeente-hengelo', vandaag: VANDAAG, berichttypen: ['aanwezigheid', 'plaatsing'], trajectId: t, na: 0, limit: 10 }));
      expect(feed.map((r) => [r.berichtId, r.verwijderdOp])).toEqual([[periode, op], [m[1]!.berichtId, null], [m[2]!.berichtId, null], [pl.berichtId, op]]);
      expect((await store.transaction((tx) => tx.berichtenMetId(periode)))[0]!.verwijderdOp).toBe(op);
      // Lookups that need content never return a tombstone.
      expect(await store.transaction((tx) => tx.geldigePlaatsingen(t, 'werkshop', 'P9'))).toEqual([]);
      expect(await store.transaction((tx) => tx.huidigPeriodebericht('roc-van-twente', t, '2019-01-01', '2019-01-08'))).toBeUndefined();
      expect((await store.transaction((tx) => tx.huidigPeriodebericht('roc-van-twente', t, '2019-01-02', '2019-01-08')))?.berichtId).toBe(m[1]!.berichtId);
      expect(await second.transaction((tx) => tx.inhoudTelling(t))).toEqual({ bewaard: 2, verwijderd: 2 });
      // A read naming a tombstone and a live message: only the live one's type and sender enter the disclosure index.
      const lees = await store.transaction((tx) => tx.appendAudit(input({ actie: 'berichten-lezen', partij: 'gemeente-hengelo', trajectIds: [t], berichtIds: [pl.berichtId, m[1]!.berichtId], velden: ['/inhoud/periode'] })));
      expect((await store.logboek.verstrekkingen(t, { na: lees.id - 1, limit: 10 })).map((v) => [v.auditId, v.berichttype, v.afzender])).toEqual([[lees.id, 'aanwezigheid', 'roc-van-twente']]);
      // The mark: a trajectory whose messages after it are all tombstones is no longer a candidate.
      await store.transaction((tx) => tx.zetBewaringVolgnummer(t, m[0]!.volgnummer));
      await store.transaction((tx) => tx.zetBewaringVolgnummer(t, 1)); // never moves back
      expect((await store.transaction((tx) => tx.trajectenVoorBewaring({ na: '', limit: 100_000, afgeslotenVoor: null }))).trajecten.find((x) => x.trajectId === t)?.bewaringVolgnummer).toBe(m[0]!.volgnummer);
      await second.transaction((tx) => tx.verwijderInhoud([m[1]!.volgnummer, m[2]!.volgnummer], op, reden));
      await second.transaction((tx) => tx.zetBewaringVolgnummer(t, pl.volgnummer));
      expect(await alle(null)).not.toContain(t);
      expect(await alle(null)).toContain(open);
      // Signals of a trajectory (open and closed), deleted by id; kenmerken of the trajectory; consent records scanned and deleted.
      const sig = (soort: Signaal['soort'], status: Signaal['status']): Signaal => ({
        signaalId: crypto.randomUUID(), soort, trajectId: t, aanbieder: null, status, geopendOp: OUD, bijgewerktOp: OUD, berichtIds: [periode], codes: {},
        afgehandeldOp: status === 'open' ? null : OUD, uitkomst: status === 'open' ? null : 'geen-actie-nodig',
      });
      const [s1, s2] = [sig('plaatsing-beeindigd', 'afgehandeld'), sig('niveau-behaald', 'open')];
      await store.transaction(async (tx) => {
        await tx.bewaarSignaal(s1);
        await tx.bewaarSignaal(s2);
        await tx.zetKenmerk('roc-van-twente', t, `K-${t}`, OUD);
      });
      expect((await second.transaction((tx) => tx.signalenVanTraject(t))).map((x) => x.signaalId)).toEqual([s1.signaalId, s2.signaalId]);
      expect(await store.transaction((tx) => tx.verwijderSignalen([s1.signaalId, s2.signaalId, 'bestaat-niet']))).toBe(2);
      expect(await store.transaction((tx) => tx.signalenVanTraject(t))).toEqual([]);
      expect(await store.transaction((tx) => tx.verwijderKenmerken(t))).toBe(1);
      expect(await store.transaction((tx) => tx.trajectMetKenmerk('roc-van-twente', `K-${t}`))).toBeUndefined();
      const c: ToestemmingRow = {
        toestemmingId: crypto.randomUUID(), trajectId: t, ontvanger: 'roc-van-twente', doel: 'lesafstemming', gegevenscategorieen: ['participatievorm'], gegevenOp: OUD,
        geldigTot: '2019-12-31', ingetrokkenOp: '2019-02-01T10:00:00.000Z', bewijs: { vorm: 'schriftelijk' }, vastgelegdDoor: 'gemeente-hengelo', beleidsversie: 'v1',
        toestemmingstekst: null,
      };
      await store.transaction(async (tx) => {
        await tx.insertToestemming(c);
        for (const gebeurtenis of ['gegeven', 'ingetrokken'] as const) {
          await tx.insertOntvangstbewijs({ ontvangstbewijsId: crypto.randomUUID(), toestemmingId: c.toestemmingId, gebeurtenis, uitgegevenOp: OUD, sleutel: 'k', jws: 'a.b.c' });
        }
      });
      const gezien: Array<{ toestemmingId: string; afgeslotenOp: string | null }> = [];
      for (let na = ''; ;) {
        const page = await second.transaction((tx) => tx.toestemmingenVoorBewaring({ na, limit: 2 }));
        expect(page.toestemmingen.length).toBeLessThanOrEqual(2);
        gezien.push(...page.toestemmingen);
        if (page.volgende === null) break;
        na = page.volgende;
      }
      expect(gezien.find((x) => x.toestemmingId === c.toestemmingId)).toEqual({ ...c, afgeslotenOp: OUD });
      expect(new Set(gezien.map((x) => x.toestemmingId)).size).toBe(gezien.length);
      // Its signed receipts go with it (they hold what it said).
      expect(await store.transaction((tx) => tx.verwijderToestemmingen([c.toestemmingId]))).toBe(1);
      expect(await store.transaction((tx) => tx.toestemming(t, c.toestemmingId))).toBeUndefined();
      expect(await second.transaction((tx) => tx.ontvangstbewijzen(t, c.toestemmingId))).toEqual([]);
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

    // Issue 13: the monitoring facts and the reads a quarter's figures are summed from.
    describe('monitoring facts', () => {
      const gemeente = `gemeente-monitoring-${crypto.randomUUID().slice(0, 8)}`;
      const ander = `gemeente-ander-${crypto.randomUUID().slice(0, 8)}`;
      let t1: string;
      let t2: string;
      let t3: string;
      const bron = (trajectId: string, afzender: string, berichttype: string, inhoud: unknown, over: Partial<Bron> = {}): Bron => ({
        berichtId: crypto.randomUUID(), berichttype, trajectId, afzender, gebeurtenisTijdstip: '2026-11-20T10:00:00+01:00', ontvangenOp: now(), inhoud: JSON.stringify(inhoud), ...over,
      });
      const minuten = (gepland: number, aanwezig: number, ongeoorloofdAfwezig = gepland - aanwezig) => ({
        gepland, aanwezig, teLaat: 0, geoorloofdAfwezig: 0, ongeoorloofdAfwezig, ziek: 0, afwezig: 0, vervallen: 0, onbekend: 0,
      });
      const week = (trajectId: string, afzender: string, van: string, tot: string, totalen: unknown[]) => bron(trajectId, afzender, 'aanwezigheid', { periode: { van, tot }, totalen });

      beforeAll(async () => {
        await store.transaction(async (tx) => {
          t1 = await openTraject(tx, gemeente, [{ partij: 'roc-van-twente', vanaf: '2026-09-01' }, { partij: 'werkshop', rol: 'participatie', vanaf: '2026-11-01', tot: '2026-11-30' }]);
          t2 = await openTraject(tx, gemeente);
          t3 = await openTraject(tx, ander, [{ partij: 'roc-van-twente', vanaf: '2026-09-01' }]);
          const feiten = [
            week(t1, 'roc-van-twente', '2026-10-05', '2026-10-11', [{ activiteit: 'formele-taalles', minuten: minuten(540, 360) }, { activiteit: 'conversatieles', minuten: minuten(90, 90) }]),
            week(t1, 'roc-van-twente', '2026-10-12', '2026-10-18', [{ activiteit: 'formele-taalles', minuten: { ...minuten(540, 500, 0), ziek: 40, vroegVertrokken: 0 } }]),
            week(t1, 'roc-van-twente', '2026-09-28', '2026-10-04', [{ activiteit: 'formele-taalles', minuten: minuten(100, 0) }]),
            week(t1, 'roc-van-twente', '2026-09-21', '2026-09-27', [{ activiteit: 'formele-taalles', minuten: minuten(999, 999) }]), // before the quarter's weeks
            week(t2, 'werkshop', '2026-12-28', '2027-01-03', [{ activiteit: 'werkplek', minuten: minuten(600, 600) }]), // the quarter's last week
            week(t3, 'roc-van-twente', '2026-10-05', '2026-10-11', [{ activiteit: 'formele-taalles', minuten: minuten(540, 540) }]), // another gemeente
            bron(t1, 'roc-van-twente', 'taalvoortgang', {
              leerroute: 'B1', niveaus: [{ vaardigheid: 'spreken', niveau: 'A1', peildatum: '2026-10-01', vastgesteldMet: 'toets' }, { vaardigheid: 'lezen', niveau: 'A2', peildatum: '2026-10-01', vastgesteldMet: 'toets' }],
              examens: [{ onderdeel: 'knm', uitslag: 'gepland' }],
            }, { gebeurtenisTijdstip: '2026-10-02T09:00:00+02:00' }),
            bron(t1, 'roc-van-twente', 'taalvoortgang', {
              leerroute: 'B1', niveaus: [{ vaardigheid: 'spreken', niveau: 'A2', peildatum: '2026-12-15', vastgesteldMet: 'toets' }, { vaardigheid: 'lezen', niveau: 'B1', peildatum: '2027-01-10', vastgesteldMet: 'toets' }],
              examens: [{ onderdeel: 'knm', uitslag: 'behaald', datum: '2026-12-01' }],
            }),
            bron(t1, 'roc-van-twente', 'knelpunt', { knelpuntId: 'KN-1', datum: '2026-10-20', knelpunten: ['vervoer', 'rooster'] }),
            bron(t1, 'werkshop', 'knelpunt', { knelpuntId: 'KN-2', datum: '2027-01-20', knelpunten: ['gezondheid'] }),
            bron(t2, 'roc-van-twente', 'knelpunt', { knelpuntId: 'KN-3', datum: '2026-10-20', knelpunten: ['geen'] }),
            bron(t3, 'roc-van-twente', 'knelpunt', { knelpuntId: 'KN-4', datum: '2026-10-20', knelpunten: ['vervoer'] }),
            bron(t1, 'werkshop', 'plaatsing', { plaatsingId: 'P-1', status: 'voorgesteld', vorm: 'werkervaringsplaats', sector: 'zorg-en-welzijn', urenPerWeek: 16, startdatum: '2026-11-09', taalrijk: 'ja', belemmeringen: ['geen'] },
              { gebeurtenisTijdstip: '2026-11-01T09:00:00+01:00' }),
            bron(t1, 'werkshop', 'plaatsing', { plaatsingId: 'P-1', status: 'gestart', vorm: 'werkervaringsplaats', sector: 'zorg-en-welzijn', urenPerWeek: 16, startdatum: '2026-11-09', taalrijk: 'ja', belemmeringen: ['geen'] },
              { gebeurtenisTijdstip: '2026-11-09T09:00:00+01:00' }),
            bron(t1, 'werkshop', 'plaatsing', { plaatsingId: 'P-1', status: 'beeindigd', vorm: 'werkervaringsplaats', sector: 'zorg-en-welzijn', urenPerWeek: 16, startdatum: '2026-11-09', einddatum: '2027-01-20', eindreden: 'afgerond', taalrijk: 'ja', belemmeringen: ['geen'] },
              { gebeurtenisTijdstip: '2027-01-20T09:00:00+01:00' }),
          ];
          // Received in this order, a second apart.
          const begin = Date.now();
          for (const [i, f] of feiten.entries()) await tx.bewaarMonitoringFeiten(feitenUitBericht({ ...f, ontvangenOp: new Date(begin + i * 1000).toISOString() }));
        });
      });

      const q4 = kwartaal('2026-Q4')!;

      it('attendance: per trajectory and activity, the periods whose first day lies in the range; another gemeente never counts', async () => {
        const rows = await store.transaction((tx) => tx.monitoringAanwezigheid({ gemeente, kwartaal: '2026-Q4' }));
        const som = (trajectId: string, activiteit: string) => rows.find((r) => r.trajectId === trajectId && r.activiteit === activiteit);
        expect(som(t1, 'formele-taalles')).toMatchObject({ gepland: 1180, aanwezig: 860, ongeoorloofdAfwezig: 280, ziek: 40, vroegVertrokken: 0, onbekend: 0 });
        expect(som(t1, 'conversatieles')).toMatchObject({ gepland: 90, aanwezig: 90 });
        expect(som(t2, 'werkplek')).toMatchObject({ gepland: 600, aanwezig: 600 });
        expect(rows.map((r) => r.trajectId)).not.toContain(t3);
        expect(rows).toHaveLength(3);
      });

      it('levels and exams: the latest on or before the date; placements: the latest event on or before it', async () => {
        const [niveaus, examens, plaatsingen, later] = await store.transaction(async (tx) => [
          await tx.monitoringNiveaus({ gemeente, tot: q4.tot }),
          await tx.monitoringExamens({ gemeente, tot: q4.tot }),
          await tx.monitoringPlaatsingen({ gemeente, tot: q4.tot }),
          await tx.monitoringPlaatsingen({ gemeente, tot: '2027-03-31' }),
        ] as const);
        expect(niveaus).toEqual([{ trajectId: t1, vaardigheid: 'lezen', niveau: 'A2' }, { trajectId: t1, vaardigheid: 'spreken', niveau: 'A2' }]);
        expect(examens).toEqual([{ trajectId: t1, onderdeel: 'knm', uitslag: 'behaald' }]);
        expect(plaatsingen).toEqual([{ trajectId: t1, afzender: 'werkshop', plaatsingId: 'P-1', vorm: 'werkervaringsplaats', status: 'gestart', startdatum: '2026-11-09', einddatum: null, eindreden: null }]);
        expect(later[0]).toMatchObject({ status: 'beeindigd', einddatum: '2027-01-20', eindreden: 'afgerond' });
        expect(await store.transaction((tx) => tx.monitoringNiveaus({ gemeente, tot: '2026-09-30' }))).toEqual([]);
      });

      it('barriers: every code reported on or before the date, per trajectory; "geen" is a code of its own', async () => {
        const rows = await store.transaction((tx) => tx.monitoringKnelpunten({ gemeente, tot: q4.tot }));
        expect(rows).toEqual([{ trajectId: t1, code: 'rooster' }, { trajectId: t1, code: 'vervoer' }, { trajectId: t2, code: 'geen' }].sort((a, b) => (a.trajectId + a.code < b.trajectId + b.code ? -1 : 1)));
      });

      it('the start cohort: first attendance with minutes present and first placement that began', async () => {
        const rows = await store.transaction((tx) => tx.monitoringEersteDeelname({ gemeente, van: '2026-01-01', tot: '2026-03-31' }));
        expect(rows.find((r) => r.trajectId === t1)).toEqual({ trajectId: t1, startdatum: '2026-01-05', eersteAanwezigheid: '2026-09-21', eerstePlaatsing: '2026-11-09' });
        expect(rows.find((r) => r.trajectId === t2)).toEqual({ trajectId: t2, startdatum: '2026-01-05', eersteAanwezigheid: '2026-12-28', eerstePlaatsing: null });
        expect(rows.map((r) => r.trajectId)).not.toContain(t3);
      });

      it('assignments in the attendance parts and the weeks their reports cover (bits by week index)', async () => {
        const [toewijzingen, weken] = await store.transaction(async (tx) => [
          await tx.monitoringToewijzingen({ gemeente, van: q4.van, tot: q4.tot, beeindigdVanaf: q4.van, rollen: ['taal', 'participatie'] }),
          await tx.monitoringGemeldeWeken({ gemeente, eerste: weeknummer(q4.weken[0]!.maandag), aantal: q4.weken.length }),
        ] as const);
        expect(toewijzingen.map((w) => [w.trajectId, w.partij, w.rol])).toEqual([[t1, 'roc-van-twente', 'taal'], [t1, 'werkshop', 'participatie']].sort((a, b) => (a.join() < b.join() ? -1 : 1)));
        // Q4 2026's weeks start on Monday 28 September: the weeks of 28/9, 5/10, 12/10 are 0, 1, 2; 28/12 is the last (13).
        expect(q4.weken).toHaveLength(14);
        expect(weken.find((w) => w.trajectId === t1 && w.afzender === 'roc-van-twente')?.masker).toBe(0b111);
        expect(weken.find((w) => w.trajectId === t2 && w.afzender === 'werkshop')?.masker).toBe(1 << 13);
        expect(weken.map((w) => w.trajectId)).not.toContain(t3);
      });

      it('a trajectory\'s facts are removed together (before a rebuild); the others stay', async () => {
        await store.transaction((tx) => tx.wisMonitoringFeiten(t2));
        const rows = await store.transaction((tx) => tx.monitoringAanwezigheid({ gemeente, kwartaal: '2026-Q4' }));
        expect(rows.map((r) => r.trajectId)).toEqual([t1, t1]);
        expect((await store.transaction((tx) => tx.monitoringAanwezigheid({ gemeente: ander, kwartaal: '2026-Q4' }))).map((r) => r.trajectId)).toEqual([t3]);
      });
    });
  });
}
