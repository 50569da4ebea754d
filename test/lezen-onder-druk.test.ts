/**
 * Reads under concurrent publishes (issue 14), on both adapters. A read decides and projects in a
 * snapshot of its own, outside the writer's batch, then its record is committed and only then does
 * the answer leave. These stories prove what must stay true while other parties keep publishing:
 *
 * - a consent withdrawn, or an assignment ended, that committed before a read began is honoured by
 *   that read — on PostgreSQL the change goes through one replica and the read through the other;
 * - a read whose record cannot be committed (the COMMIT itself fails: a deferred constraint the test
 *   adds to the database) answers 503 problem+json and discloses nothing; no record of it remains.
 *
 * Nothing here waits a fixed time: the publishing loops run back to back, and a story starts once
 * they have stored a few messages.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../src/gateway.js';
import { dutchDate } from '../src/http/services.js';
import { bearer, envelop, newTraceparent, startTestGateway, VOORBEELDEN, type TestGateway } from './support/gateway.js';
import { pgQuery } from './support/postgres.js';
import { tot } from './support/wachten.js';

/** Text that only occurs in the content of the messages read here: an answer that holds it disclosed content. */
const INHOUD = [VOORBEELDEN.plaatsing.werkgever.naam, VOORBEELDEN.taalvoortgang.toelichting, VOORBEELDEN.plaatsing.vorm];

describe.each(['sqlite', 'postgres'] as const)('reads under concurrent publishes (%s)', (adapter) => {
  let t: TestGateway;
  /** Where the reads go: on PostgreSQL a second replica on the same database, on SQLite the one gateway. */
  let replica: Gateway | null = null;
  let lezer: () => ReturnType<typeof request>;
  let drukTraject: string;

  beforeAll(async () => {
    t = await startTestGateway({ adapter, overrides: { controlepuntSeconden: 0 } });
    if (adapter === 'postgres') {
      replica = await startGateway({ env: {}, overrides: { port: 0, dataDir: t.dataDir, logLevel: 'silent', databaseUrl: t.databaseUrl, publicUrl: t.gw.url, controlepuntSeconden: 0 } });
    }
    const url = replica?.url ?? t.gw.url;
    lezer = () => request(url);
    drukTraject = await t.openTraject();
  });
  afterAll(async () => {
    await replica?.stop();
    await t.close();
  });

  /** Run `work` while four loops publish to another trajectory back to back; every publish answers 201 or (`mag503`) 503. */
  async function onderPublicaties<T>(work: () => Promise<T>, mag503 = false): Promise<{ waarde: T; statussen: number[] }> {
    const token = await t.token('roc-van-twente');
    const statussen: number[] = [];
    let stop = false;
    const lus = async () => {
      while (!stop) statussen.push((await t.api().post('/v1/berichten').set(...bearer(token)).send(envelop('aanwezigheid', drukTraject))).status);
    };
    const lussen = [lus(), lus(), lus(), lus()];
    try {
      await tot(() => statussen.length, (n) => n >= 8);
      const waarde = await work();
      return { waarde, statussen };
    } finally {
      stop = true;
      await Promise.all(lussen);
      expect(statussen.filter((s) => s !== 201 && !(mag503 && s === 503))).toEqual([]);
    }
  }

  const geenInhoud = (body: unknown) => {
    const tekst = JSON.stringify(body);
    for (const woord of INHOUD) expect(tekst).not.toContain(woord);
  };

  it('a consent withdrawn before a read began is honoured by that read, every time', async () => {
    const traject = await t.openTraject();
    const plaatsing = envelop('plaatsing', traject);
    expect((await t.api().post('/v1/berichten').set(...bearer(await t.token('werkshop'))).send(plaatsing)).status).toBe(201);
    const gemeente = await t.token('gemeente-hengelo');
    const roc = await t.token('roc-van-twente');
    const lees = () => lezer().get(`/v1/berichten?doel=lesafstemming&trajectId=${traject}`).set(...bearer(roc));
    const leesEen = () => lezer().get(`/v1/berichten/${plaatsing.berichtId}?doel=lesafstemming`).set(...bearer(roc));

    const { waarde: rondes } = await onderPublicaties(async () => {
      const uit = [];
      for (let i = 0; i < 6; i++) {
        const gegeven = await t.api().post(`/v1/trajecten/${traject}/toestemmingen`).set(...bearer(gemeente))
          .send({ ontvanger: 'roc-van-twente', doel: 'lesafstemming', geldigTot: dutchDate(new Date(Date.now() + 90 * 86_400_000)), bewijs: { vorm: 'schriftelijk' } });
        expect(gegeven.status).toBe(201);
        const trace = newTraceparent();
        const met = await lees().set('traceparent', trace.header);
        const ingetrokken = await t.api().delete(`/v1/trajecten/${traject}/toestemmingen/${gegeven.body.toestemmingId}`).set(...bearer(gemeente));
        expect(ingetrokken.status).toBe(200);
        // The withdrawal has committed (200): the next reads, on the other replica where there is one, must see it.
        const zonder = await lees();
        const zonderEen = await leesEen();
        uit.push({ met, zonder, zonderEen, trace });
      }
      return uit;
    });
    for (const { met, zonder, zonderEen, trace } of rondes) {
      expect(met.status).toBe(200);
      expect(met.body.resultaten.map((b: { berichtId: string }) => b.berichtId)).toEqual([plaatsing.berichtId]);
      expect(met.body.resultaten[0].inhoud.vorm).toBe(VOORBEELDEN.plaatsing.vorm);
      // The record names exactly what left.
      const [record] = await t.rows<{ berichtIds: string; velden: string; status: number }>('SELECT berichtIds, velden, status FROM logboek WHERE traceId = ?', trace.traceId);
      expect(record).toMatchObject({ status: 200 });
      expect(JSON.parse(record!.berichtIds)).toEqual([plaatsing.berichtId]);
      expect(JSON.parse(record!.velden)).toEqual(['/inhoud/sector', '/inhoud/status', '/inhoud/taalrijk', '/inhoud/urenPerWeek', '/inhoud/vorm']);
      for (const r of [zonder, zonderEen]) {
        expect(r.status).toBe(403);
        expect(r.type).toBe('application/problem+json');
        expect(r.body.detail).toContain('ingetrokken');
        geenInhoud(r.body);
      }
    }
  });

  it('an assignment ended before a read began is honoured by that read, by trajectory and in the feed', async () => {
    const traject = await t.openTraject();
    const voortgang = envelop('taalvoortgang', traject);
    expect((await t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).send(voortgang)).status).toBe(201);
    const gemeente = await t.token('gemeente-hengelo');
    const werkshop = await t.token('werkshop');
    const lees = () => lezer().get(`/v1/berichten?doel=bemiddeling&trajectId=${traject}`).set(...bearer(werkshop));
    const feed = () => lezer().get('/v1/berichten?doel=bemiddeling&limiet=500').set(...bearer(werkshop));
    const stand = () => lezer().get(`/v1/trajecten/${traject}/stand?doel=bemiddeling`).set(...bearer(werkshop));

    const { waarde: rondes } = await onderPublicaties(async () => {
      const uit = [];
      for (let i = 0; i < 4; i++) {
        const met = await lees();
        const beeindigd = await t.api().delete(`/v1/trajecten/${traject}/toewijzingen/werkshop?rol=participatie`).set(...bearer(gemeente));
        expect(beeindigd.status).toBe(200);
        uit.push({ met, zonder: await lees(), feed: await feed(), stand: await stand() });
        const opnieuw = await t.api().post(`/v1/trajecten/${traject}/toewijzingen`).set(...bearer(gemeente))
          .send({ partij: 'werkshop', rol: 'participatie', vanaf: dutchDate(new Date()) });
        expect(opnieuw.status).toBe(201);
      }
      return uit;
    });
    for (const { met, zonder, feed: f, stand: s } of rondes) {
      expect(met.status).toBe(200);
      expect(met.body.resultaten.map((b: { berichtId: string }) => b.berichtId)).toEqual([voortgang.berichtId]);
      expect(zonder.status).toBe(403);
      geenInhoud(zonder.body);
      expect(f.status).toBe(200);
      expect(f.body.resultaten.filter((b: { trajectId: string }) => b.trajectId === traject)).toEqual([]);
      expect(s.status).toBe(403);
      geenInhoud(s.body);
    }
  });

  /**
   * Make every COMMIT that holds a read's record fail, on the database itself: SQLite checks a deferred
   * foreign key only at COMMIT, PostgreSQL runs a deferred constraint trigger at COMMIT. Returns the undo.
   */
  async function laatLeesCommitsFalen(): Promise<() => Promise<void>> {
    const acties = "('berichten-lezen', 'bericht-lezen', 'stand-lezen')";
    if (adapter === 'sqlite') {
      const db = new Database(path.join(t.dataDir, 'doelpoort.db'));
      db.pragma('busy_timeout = 10000');
      try {
        db.exec(`CREATE TABLE test_anker (id INTEGER PRIMARY KEY);
          CREATE TABLE test_verwijzing (anker INTEGER REFERENCES test_anker (id) DEFERRABLE INITIALLY DEFERRED);
          CREATE TRIGGER test_commit_faalt AFTER INSERT ON logboek WHEN NEW.actie IN ${acties} BEGIN INSERT INTO test_verwijzing (anker) VALUES (-1); END;`);
      } finally {
        db.close();
      }
      return async () => {
        const d = new Database(path.join(t.dataDir, 'doelpoort.db'));
        d.pragma('busy_timeout = 10000');
        try {
          d.exec('DROP TRIGGER test_commit_faalt; DROP TABLE test_verwijzing; DROP TABLE test_anker;');
        } finally {
          d.close();
        }
      };
    }
    await pgQuery(t.databaseUrl!, `CREATE FUNCTION test_weiger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'commit geweigerd (test)'; END $$;
      CREATE CONSTRAINT TRIGGER test_commit_faalt AFTER INSERT ON logboek DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.actie IN ${acties}) EXECUTE FUNCTION test_weiger();`);
    return async () => {
      await pgQuery(t.databaseUrl!, 'DROP TRIGGER test_commit_faalt ON logboek; DROP FUNCTION test_weiger();');
    };
  }

  it('a read whose record cannot be committed answers 503 and discloses nothing; publishes go on; no record of it remains', async () => {
    const traject = await t.openTraject();
    for (const [client, soort] of [['werkshop', 'plaatsing'], ['roc-van-twente', 'taalvoortgang']] as const) {
      expect((await t.api().post('/v1/berichten').set(...bearer(await t.token(client))).send(envelop(soort, traject))).status).toBe(201);
    }
    const gemeente = await t.token('gemeente-hengelo');
    const lezen = [
      `/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`,
      '/v1/berichten?doel=trajectbegeleiding&limiet=500',
      `/v1/trajecten/${traject}/stand?doel=trajectbegeleiding`,
    ];
    const telling = async () => Number((await t.rows<{ n: number }>("SELECT count(*) AS n FROM logboek WHERE actie IN ('berichten-lezen', 'stand-lezen')"))[0]!.n);
    const berichtenVoor = Number((await t.rows<{ n: number }>('SELECT count(*) AS n FROM berichten'))[0]!.n);
    const recordsVoor = await telling();

    const herstel = await laatLeesCommitsFalen();
    let statussen: number[];
    try {
      const r = await onderPublicaties(async () => {
        const antwoorden = [];
        for (let i = 0; i < 3; i++) for (const url of lezen) antwoorden.push(await lezer().get(url).set(...bearer(gemeente)));
        return antwoorden;
      }, true); // a publish that shared the failing batch fails with it (503), and is stored not at all
      statussen = r.statussen;
      for (const antwoord of r.waarde) {
        expect(antwoord.status).toBe(503);
        expect(antwoord.type).toBe('application/problem+json');
        expect(antwoord.body).toMatchObject({ type: 'urn:doelpoort:probleem:niet-beschikbaar', status: 503 });
        expect(antwoord.body.resultaten).toBeUndefined();
        expect(antwoord.body.stand).toBeUndefined();
        geenInhoud(antwoord.body);
      }
    } finally {
      await herstel();
    }
    // No record of the refused reads was committed; every publish answered 201 is stored, no other.
    expect(await telling()).toBe(recordsVoor);
    const berichtenNa = Number((await t.rows<{ n: number }>('SELECT count(*) AS n FROM berichten'))[0]!.n);
    expect(berichtenNa - berichtenVoor).toBe(statussen.filter((s) => s === 201).length);
    expect(statussen.filter((s) => s === 201).length).toBeGreaterThan(0);

    // The database takes the records again: the same read answers, with its record.
    const trace = newTraceparent();
    const weer = await lezer().get(lezen[0]!).set(...bearer(gemeente)).set('traceparent', trace.header);
    expect(weer.status).toBe(200);
    expect(weer.body.resultaten).toHaveLength(2);
    expect(await t.rows('SELECT id FROM logboek WHERE traceId = ?', trace.traceId)).toHaveLength(1);
  });
});
