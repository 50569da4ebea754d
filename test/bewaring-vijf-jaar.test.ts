/**
 * Issue 13, the proof of "retention that is enforced", on both storage adapters: a database with five
 * years of simulated history (a fixed clock moved week by week: trajectories opened every quarter and
 * closed after 40 weeks, weekly attendance, language progress, placements, consents, the gemeente's
 * and the re-integration firm's reads), then the purge as the scheduler runs it, on later dates:
 *
 * - exactly the content whose every readable doel's term has passed goes (counted here from the dates
 *   of the simulation, not by the code under test), one logboek record per trajectory and transaction;
 * - the logboek verifies before and after, every record written before is byte for byte the same, and
 *   the checkpoint signed before the purge still holds: no record needed the content;
 * - the inzage report of a purged trajectory lists every disclosure it listed before;
 * - reads answer that the content was removed under the retention rule; the state and signals follow;
 * - consent records go at the end of their own period, not with the content;
 * - a second run changes nothing; two store instances purging at once (two replicas) remove and
 *   record every message once, in bounded transactions; an erasure on top of it verifies too.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { voerBewaartermijnenUit } from '../src/bewaring/opschoning.js';
import { bewaarregels, plusDuur } from '../src/bewaring/termijnen.js';
import { NO_RATE_LIMITS } from '../src/config.js';
import { openPostgresStore } from '../src/store/postgres.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { bearer, VOORBEELDEN, startTestGateway, type Adapter, type TestGateway } from './support/gateway.js';

const START = Date.parse('2025-01-06T09:00:00.000Z'); // a Monday (consent texts are valid from 2025)
const WEEK = 7 * 86_400_000;
const WEKEN = 260; // five years
const TRAJECTEN = 20; // one opened every 13 weeks
const LOOPTIJD = 40; // weeks until it is closed
const datum = (week: number, dag = 0) => new Date(START + week * WEEK + dag * 86_400_000).toISOString().slice(0, 10);

interface Sim {
  trajectId: string;
  open: number;
  /** The week it was closed, or null when it still runs at the end. */
  dicht: number | null;
  berichten: string[];
  toestemming: { id: string; geldigTot: string } | null;
}

describe.each<Adapter>(['sqlite', 'postgres'])('five years of history, purged on %s', (adapter) => {
  let t: TestGateway;
  let klok = new Date(START);
  const sims: Sim[] = [];
  const as = async (client: string) => bearer(await t.token(client));
  let hashesVoor: Array<{ id: number; hash: string }>;
  let verificatieVoor: { aantal: number; laatsteHash: string };
  const inzageVoor = new Map<string, unknown[]>();

  const inzage = async (trajectId: string) => {
    const res = await t.api().get(`/v1/trajecten/${trajectId}/inzage?limiet=1000`).set(...(await as('gemeente-hengelo')));
    expect(res.status).toBe(200);
    return res.body.verstrekkingen as unknown[];
  };
  const verifieer = async () => {
    const res = await t.api().get('/v1/logboek/verificatie').set(...(await as('fg-hengelo')));
    expect(res.status).toBe(200);
    return res.body as { geldig: boolean; aantal: number; laatsteHash: string; eersteFout: unknown; controlepunt: { aantal: number; geldig: boolean } | null };
  };
  const hashes = () => t.rows<{ id: number; hash: string }>('SELECT id, hash FROM logboek ORDER BY id');
  const purgeRecords = (na: number) => t.rows<{ id: number; trajectIds: string; berichtIds: string; partij: string | null; verwerkingsactiviteit: string; velden: string; reden: string }>(
    "SELECT id, trajectIds, berichtIds, partij, verwerkingsactiviteit, velden, reden FROM logboek WHERE actie = 'bewaartermijn-toepassen' AND id > ? ORDER BY id", na);
  const bewaard = async (trajectId: string) => (await t.rows<{ n: number }>('SELECT count(*) AS n FROM berichten WHERE trajectId = ? AND verwijderdOp IS NULL', trajectId))[0]!.n;
  /** Due on `vandaag` by the register, counted from the simulation: closed, and closed + 5 years before today. */
  const dueOp = (vandaag: string) => sims.filter((s) => s.dicht !== null && plusDuur(datum(s.dicht), 'P5Y') < vandaag);

  beforeAll(async () => {
    t = await startTestGateway({
      adapter, now: () => klok,
      overrides: { bewaarPlannerSeconden: 0, signaalPlannerSeconden: 0, controlepuntSeconden: 0, meldingenIntervalMs: 0, pressure: { ...NO_RATE_LIMITS } },
    });
    const [g, roc, ws] = [await as('gemeente-hengelo'), await as('roc-van-twente'), await as('werkshop')];
    const post = async (auth: readonly [string, string], url: string, body: unknown, verwacht = 201) => {
      const res = await t.api().post(url).set(...auth).send(body as object);
      expect(res.status, `${url} ${JSON.stringify(res.body)}`).toBe(verwacht);
      return res.body;
    };
    const bericht = async (auth: readonly [string, string], sim: Sim, berichttype: string, inhoud: unknown) => {
      const berichtId = crypto.randomUUID();
      await post(auth, '/v1/berichten', { berichtId, berichttype, schemaversie: '1.0', trajectId: sim.trajectId, gebeurtenisTijdstip: klok.toISOString(), inhoud });
      sim.berichten.push(berichtId);
    };
    const cursors: Record<string, string | undefined> = {};
    const leesFeed = async (auth: readonly [string, string], naam: string, doel: string) => {
      for (;;) {
        const res = await t.api().get(`/v1/berichten?doel=${doel}&limiet=500${cursors[naam] ? `&volgende=${cursors[naam]}` : ''}`).set(...auth);
        expect(res.status).toBe(200);
        cursors[naam] = res.body.volgende ?? cursors[naam];
        if (res.body.resultaten.length < 500) return;
      }
    };

    for (let week = 0; week < WEKEN; week++) {
      klok = new Date(START + week * WEEK);
      if (week % 13 === 0 && sims.length < TRAJECTEN) {
        const vanaf = datum(week);
        const body = await post(g, '/v1/trajecten', {
          leerroute: 'B1', startdatum: vanaf,
          toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf }, { partij: 'werkshop', rol: 'participatie', vanaf }],
        });
        sims.push({ trajectId: body.trajectId, open: week, dicht: null, berichten: [], toestemming: null });
      }
      await Promise.all(sims.filter((s) => s.dicht === null).map(async (s, i) => {
        const w = week - s.open;
        if (w === LOOPTIJD) {
          await post(g, `/v1/trajecten/${s.trajectId}/afsluiting`, { reden: 'afgerond' }, 200);
          s.dicht = week;
          return;
        }
        if (w >= 1) {
          const minuten = { ...VOORBEELDEN.aanwezigheid.totalen[0]!.minuten, ongeoorloofdAfwezig: w % 3 === 0 ? 180 : 0, aanwezig: w % 3 === 0 ? 360 : 540 };
          await bericht(roc, s, 'aanwezigheid', { periode: { van: datum(week - 1), tot: datum(week - 1, 6) }, totalen: [{ activiteit: 'formele-taalles', minuten }] });
        }
        if (w % 8 === 4) {
          const peil = datum(week, -1);
          await bericht(roc, s, 'taalvoortgang', {
            ...VOORBEELDEN.taalvoortgang, niveaus: [{ ...VOORBEELDEN.taalvoortgang.niveaus[0]!, peildatum: peil }],
            mijlpaal: { ...VOORBEELDEN.taalvoortgang.mijlpaal, datum: peil }, examens: [{ ...VOORBEELDEN.taalvoortgang.examens[0]!, datum: peil }],
          });
        }
        if (w === 2) await bericht(ws, s, 'plaatsing', { ...VOORBEELDEN.plaatsing, plaatsingId: `WS-${s.open}-${i}`, startdatum: datum(week) });
        if (w === 3 && sims.indexOf(s) % 4 === 0) {
          const geldigTot = datum(week, 180);
          const c = await post(g, `/v1/trajecten/${s.trajectId}/toestemmingen`, { ontvanger: 'roc-van-twente', doel: 'lesafstemming', gegevenscategorieen: ['participatievorm'], geldigTot, bewijs: { vorm: 'schriftelijk' } });
          s.toestemming = { id: c.toestemmingId, geldigTot };
        }
        if (w === 4 && s.toestemming) {
          const res = await t.api().get(`/v1/berichten?doel=lesafstemming&trajectId=${s.trajectId}`).set(...roc);
          expect(res.body.resultaten).toHaveLength(1);
        }
      }));
      if (week % 4 === 3) {
        await leesFeed(g, 'gemeente', 'trajectbegeleiding');
        await leesFeed(ws, 'werkshop', 'bemiddeling');
      }
    }
    klok = new Date('2030-01-02T09:00:00.000Z');
    // A checkpoint over the whole history, then the state of the logboek and of the reports before any purge.
    await t.gw.services.logboek.controlepunten.nu();
    hashesVoor = await hashes();
    const v = await verifieer();
    expect(v).toMatchObject({ geldig: true, eersteFout: null, controlepunt: { geldig: true, aantal: hashesVoor.length } });
    verificatieVoor = v;
    for (const s of [sims[0]!, sims[4]!, sims[10]!]) inzageVoor.set(s.trajectId, await inzage(s.trajectId));
  }, 600_000);
  afterAll(() => t.close());

  it('the history is what it should be: five years, every trajectory but the last three closed, content everywhere', async () => {
    expect(sims).toHaveLength(TRAJECTEN);
    expect(sims.filter((s) => s.dicht === null).map((s) => sims.indexOf(s))).toEqual([17, 18, 19]);
    const n = await t.rows<{ n: number }>('SELECT count(*) AS n FROM berichten WHERE verwijderdOp IS NULL');
    expect(n[0]!.n).toBe(sims.reduce((a, s) => a + s.berichten.length, 0));
    expect(n[0]!.n).toBeGreaterThan(800);
    expect(hashesVoor.length).toBeGreaterThan(1000);
    expect(inzageVoor.get(sims[0]!.trajectId)!.length).toBeGreaterThan(5);
  });

  it('on 2032-01-05 a dry run lists, and the scheduler purges, exactly the trajectories closed more than five years ago; one record each; consents at the end of their own period', async () => {
    klok = new Date('2032-01-05T02:00:00.000Z');
    const due = dueOp('2032-01-05');
    expect(due.map((s) => sims.indexOf(s))).toEqual([0, 1, 2, 3, 4]);
    const regels = bewaarregels(t.gw.services.policy.set);
    const records = (await hashes()).length;
    const proef = await voerBewaartermijnenUit(t.gw.services.store, { regels, beleidsversie: 'proef', now: () => klok, uitvoeren: false });
    expect(proef.trajecten.map((x) => x.trajectId).sort()).toEqual(due.map((s) => s.trajectId).sort());
    expect(proef.berichten).toBe(due.reduce((a, s) => a + s.berichten.length, 0));
    expect((await hashes()).length).toBe(records); // a dry run records nothing …
    expect(await bewaard(due[0]!.trajectId)).toBe(due[0]!.berichten.length); // … and changes nothing

    const rapport = await t.gw.services.bewaarPlanner.nu();
    expect(rapport.trajecten.map((x) => x.trajectId).sort()).toEqual(due.map((s) => s.trajectId).sort());
    expect(rapport.berichten).toBe(proef.berichten);
    expect(rapport.fouten).toEqual([]);
    for (const s of sims) expect(await bewaard(s.trajectId), `traject ${sims.indexOf(s)}`).toBe(due.includes(s) ? 0 : s.berichten.length);
    // One record per trajectory (each fits one transaction), naming it and exactly its messages; the system acted, under the retention activity.
    const inhoud = (await purgeRecords(hashesVoor.length)).filter((r) => JSON.parse(r.velden)[0] === '/inhoud');
    expect(inhoud).toHaveLength(due.length);
    for (const r of inhoud) {
      const s = sims.find((x) => x.trajectId === JSON.parse(r.trajectIds)[0])!;
      expect(JSON.parse(r.berichtIds).sort()).toEqual([...s.berichten].sort());
      expect(r).toMatchObject({ partij: null, verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:bewaartermijnen' });
      expect(r.reden).toContain('5 jaar na het einde van het traject');
    }
    // Every lesafstemming consent ended more than its one year (from its end) ago: all five went, each trajectory's with its own record.
    expect(rapport.toestemmingen.map((c) => c.toestemmingId).sort()).toEqual(sims.filter((s) => s.toestemming).map((s) => s.toestemming!.id).sort());
    expect((await purgeRecords(hashesVoor.length)).filter((r) => JSON.parse(r.velden)[0] === '/toestemmingen')).toHaveLength(5);
    expect(await t.rows('SELECT toestemmingId FROM toestemmingen')).toEqual([]);
  });

  it('after the purge the logboek verifies, every earlier record is unchanged, the checkpoint signed before still holds, and the inzage reports list every disclosure', async () => {
    const v = await verifieer();
    expect(v).toMatchObject({ geldig: true, eersteFout: null });
    expect(v.aantal).toBeGreaterThan(verificatieVoor.aantal);
    expect((await hashes()).slice(0, hashesVoor.length)).toEqual(hashesVoor);
    const punt = await t.rows<{ aantal: number; laatsteHash: string }>('SELECT aantal, laatsteHash FROM logboek_controlepunten ORDER BY aantal DESC LIMIT 1');
    expect(punt[0]).toEqual({ aantal: verificatieVoor.aantal, laatsteHash: verificatieVoor.laatsteHash });
    expect(v.controlepunt).toMatchObject({ aantal: verificatieVoor.aantal, geldig: true });
    const record = await t.api().get(`/v1/logboek/${verificatieVoor.aantal}`).set(...(await as('fg-hengelo')));
    expect(record.body).toMatchObject({ hash: verificatieVoor.laatsteHash, keten: { geldig: true } });
    for (const [trajectId, voor] of inzageVoor) expect(await inzage(trajectId), trajectId).toEqual(voor);
  });

  it('reads of purged content answer that it was removed under the retention rule; the rest reads as before; state and signals follow', async () => {
    const g = await as('gemeente-hengelo');
    const [weg, blijft] = [sims[0]!, sims[10]!];
    const een = await t.api().get(`/v1/berichten/${weg.berichten[0]}?doel=trajectbegeleiding`).set(...g);
    expect(een.status).toBe(410);
    expect(een.body).toMatchObject({ type: 'urn:doelpoort:probleem:verwijderd', verwijderd: { grond: 'bewaartermijn', op: '2032-01-05T02:00:00.000Z' } });
    expect(een.body.verwijderd.toelichting).toContain('5 jaar na het einde van het traject (trajectbegeleiding)');
    expect(een.body.verwijderd.toelichting).toContain(`bewaard tot en met ${plusDuur(datum(weg.dicht!), 'P5Y')}`);
    const lijst = await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${weg.trajectId}&limiet=500`).set(...g);
    expect(lijst.body.resultaten).toHaveLength(weg.berichten.length);
    for (const r of lijst.body.resultaten) expect(r).toMatchObject({ inhoud: null, verwijderd: { grond: 'bewaartermijn' } });
    const nog = await t.api().get(`/v1/berichten/${blijft.berichten[0]}?doel=trajectbegeleiding`).set(...g);
    expect(nog.status).toBe(200);
    expect(nog.body.inhoud).not.toBeNull();
    const stand = await t.api().get(`/v1/trajecten/${weg.trajectId}/stand?doel=trajectbegeleiding`).set(...g);
    expect(JSON.stringify(stand.body.stand)).not.toMatch(/formele-taalles|WS-0-|"A2"/);
    expect(JSON.stringify((await t.api().get(`/v1/trajecten/${blijft.trajectId}/stand?doel=trajectbegeleiding`).set(...g)).body.stand)).toContain('formele-taalles');
    const signalen = await t.rows<{ trajectId: string }>('SELECT trajectId FROM signalen');
    expect(signalen.some((x) => x.trajectId === weg.trajectId)).toBe(false);
    expect(signalen.some((x) => x.trajectId === blijft.trajectId)).toBe(true);
  });

  it('a second run the same day changes and records nothing', async () => {
    const voor = (await hashes()).length;
    const rapport = await t.gw.services.bewaarPlanner.nu();
    expect(rapport).toMatchObject({ berichten: 0, trajecten: [], toestemmingen: [], onderbroken: false });
    expect((await hashes()).length).toBe(voor);
  });

  it('on 2035-06-01 two store instances purge at once (as two replicas), in bounded transactions: every closed trajectory, every message once; running ones keep their content; an erasure on top verifies too', async () => {
    klok = new Date('2035-06-01T02:00:00.000Z');
    const due = dueOp('2035-06-01').filter((s) => sims.indexOf(s) > 4);
    expect(due).toHaveLength(12);
    const verwacht = due.reduce((a, s) => a + s.berichten.length, 0);
    const voor = (await hashes()).length;
    const tweede: Store = adapter === 'postgres' ? await openPostgresStore(t.databaseUrl!, { poolMax: 2 }) : openSqliteStore(path.join(t.dataDir, 'doelpoort.db'));
    try {
      const regels = bewaarregels(t.gw.services.policy.set);
      const opties = { regels, beleidsversie: 'replica', now: () => klok, uitvoeren: true, pagina: 4, perTransactie: 10 };
      const [a, b] = await Promise.all([voerBewaartermijnenUit(t.gw.services.store, opties), voerBewaartermijnenUit(tweede, opties)]);
      expect(a.berichten + b.berichten).toBe(verwacht);
      expect([...a.fouten, ...b.fouten]).toEqual([]);
    } finally {
      await tweede.close();
    }
    const records = (await purgeRecords(voor)).filter((r) => JSON.parse(r.velden)[0] === '/inhoud');
    const genoemd = records.flatMap((r) => JSON.parse(r.berichtIds) as string[]);
    expect(genoemd).toHaveLength(verwacht);
    expect(new Set(genoemd).size).toBe(verwacht); // each message removed and recorded once
    expect(genoemd.sort()).toEqual(due.flatMap((s) => s.berichten).sort());
    for (const r of records) expect(JSON.parse(r.berichtIds).length).toBeLessThanOrEqual(10); // bounded per transaction
    expect(records.length).toBeGreaterThanOrEqual(Math.ceil(verwacht / 10));
    for (const s of sims.filter((x) => x.dicht === null)) expect(await bewaard(s.trajectId)).toBe(s.berichten.length);
    // The tombstones' rule names the term; the mark moved to each purged trajectory's last message.
    const mark = await t.rows<{ trajectId: string; bewaringVolgnummer: number; laatste: number }>(
      'SELECT t.trajectId, t.bewaringVolgnummer, (SELECT max(volgnummer) FROM berichten b WHERE b.trajectId = t.trajectId) AS laatste FROM trajecten t');
    for (const m of mark.filter((x) => due.some((s) => s.trajectId === x.trajectId))) expect(Number(m.bewaringVolgnummer)).toBe(Number(m.laatste));

    const laatste = sims[19]!;
    const wis = await t.api().post(`/v1/trajecten/${laatste.trajectId}/wissing`).set(...(await as('gemeente-hengelo'))).send({ reden: 'niet-meer-nodig' });
    expect(wis.status).toBe(200);
    expect(wis.body.berichten).toEqual({ gewist: laatste.berichten.length, eerderVerwijderd: 0 });
    const v = await verifieer();
    expect(v).toMatchObject({ geldig: true, eersteFout: null });
    expect((await hashes()).slice(0, hashesVoor.length)).toEqual(hashesVoor);
    // Every disclosure listed before is still listed, in its place (later reads of the state add to the end).
    for (const [trajectId, lijst] of inzageVoor) expect((await inzage(trajectId)).slice(0, lijst.length)).toEqual(lijst);
  });
});
