/**
 * Issue 13, "the gemeente erases a trajectory" (AVG art. 17), over HTTP on both storage adapters:
 * only the owning gemeente, with a coded reason, audited refusals for everyone else; afterwards no
 * content is left anywhere a party can reach — reads by id answer 410 with when and why, lists show
 * tombstones, the state and the signals hold nothing derived from it — while the logboek verifies
 * unchanged, the inzage report still lists every disclosure that happened, a correction, resend or
 * withdrawal of an erased message is refused clearly, and asking again changes nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, envelop, startTestGateway, VOORBEELDEN, type Adapter, type TestGateway } from './support/gateway.js';

const URN = 'urn:doelpoort:verwerkingsactiviteit:bewaartermijnen';
const GEHEIM = 'Oefent veel met de buren.'; // a text only the erased taalvoortgang holds

describe.each<Adapter>(['sqlite', 'postgres'])('erasure (wissing) on %s', (adapter) => {
  let t: TestGateway;
  let traject: string;
  let ander: string;
  const ids: Record<string, string> = {};
  const as = async (client: string) => bearer(await t.token(client));
  const stuur = async (client: string, body: unknown) => {
    const res = await t.api().post('/v1/berichten').set(...(await as(client))).send(body as object);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return (body as { berichtId: string }).berichtId;
  };
  const wis = async (client: string, trajectId: string, body: unknown = { reden: 'onrechtmatig-verwerkt' }) =>
    t.api().post(`/v1/trajecten/${trajectId}/wissing`).set(...(await as(client))).send(body as object);
  const inzage = async () => {
    const res = await t.api().get(`/v1/trajecten/${traject}/inzage`).set(...(await as('gemeente-hengelo')));
    expect(res.status).toBe(200);
    return res.body.verstrekkingen as unknown[];
  };
  const records = (actie: string) => t.rows<{ id: number; partij: string | null; besluit: string; status: number; berichtIds: string; trajectIds: string; verwerkingsactiviteit: string | null; regel: string }>(
    'SELECT id, partij, besluit, status, berichtIds, trajectIds, verwerkingsactiviteit, regel FROM logboek WHERE actie = ? ORDER BY id', actie);
  let inzageVoor: unknown[];

  beforeAll(async () => {
    t = await startTestGateway({ adapter });
    traject = await t.openTraject();
    ander = await t.openTraject();
    ids.aanwezigheid = await stuur('roc-van-twente', envelop('aanwezigheid', traject)); // opens a verzuim signal (33 % unexcused)
    ids.taalvoortgang = await stuur('roc-van-twente', envelop('taalvoortgang', traject)); // a milestone: niveau-behaald
    ids.plaatsing = await stuur('werkshop', envelop('plaatsing', traject));
    ids.knelpunt = await stuur('roc-van-twente', { ...envelop('aanwezigheid', traject), berichttype: 'knelpunt', inhoud: { knelpuntId: 'KN-1', datum: '2026-11-18', knelpunten: ['vervoer'] } });
    ids.besluit = await stuur('gemeente-hengelo', {
      ...envelop('aanwezigheid', traject), berichttype: 'besluit',
      inhoud: { besluitId: 'BS-1', soort: 'voorziening', datum: '2026-11-20', voorziening: { voorziening: 'vervoer', uitkomst: 'toegekend' }, antwoordOp: { afzender: 'roc-van-twente', knelpuntId: 'KN-1' } },
    });
    ids.ander = await stuur('roc-van-twente', envelop('taalvoortgang', ander));
    // Disclosures before the erasure: the gemeente reads everything, werkshop the levels, roc its answer.
    expect((await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`).set(...(await as('gemeente-hengelo')))).body.resultaten).toHaveLength(5);
    expect((await t.api().get(`/v1/berichten?doel=bemiddeling&trajectId=${traject}`).set(...(await as('werkshop')))).body.resultaten).toHaveLength(1);
    expect((await t.api().get(`/v1/berichten/${ids.besluit}?doel=knelpunt-opvolging`).set(...(await as('roc-van-twente')))).status).toBe(200);
    const signalen = await t.api().get('/v1/signalen?doel=trajectbegeleiding').set(...(await as('gemeente-hengelo')));
    expect(signalen.body.resultaten.filter((x: { trajectId: string }) => x.trajectId === traject).map((x: { soort: string }) => x.soort).sort()).toEqual(['niveau-behaald', 'verzuim']);
    ids.signaal = signalen.body.resultaten.find((x: { trajectId: string }) => x.trajectId === traject).signaalId;
    inzageVoor = await inzage();
    expect(inzageVoor.length).toBeGreaterThan(3);
  });
  afterAll(() => t.close());

  it('is refused, and audited under the retention activity, for everyone but the owning gemeente; a bad reason is a 400 naming the codes', async () => {
    for (const client of ['roc-van-twente', 'werkshop']) {
      const res = await wis(client, traject);
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await wis('gemeente-hengelo', crypto.randomUUID())).status).toBe(403); // unknown: the same answer
    expect((await wis('fg-hengelo', traject)).status).toBe(403);
    const fout = await wis('gemeente-hengelo', traject, { reden: 'omdat het moet' });
    expect(fout.status).toBe(400);
    expect(fout.body.invalidParams[0]).toMatchObject({ name: '/reden', code: 'enum' });
    expect(fout.body.invalidParams[0].reason).toContain('onrechtmatig-verwerkt');
    expect((await wis('gemeente-hengelo', traject, { reden: 'onrechtmatig-verwerkt', toelichting: 'x' })).status).toBe(400);
    const geweigerd = await records('traject-wissen');
    expect(geweigerd.map((r) => [r.partij, r.besluit, r.status])).toEqual([
      ['roc-van-twente', 'geweigerd', 403], ['werkshop', 'geweigerd', 403], ['gemeente-hengelo', 'geweigerd', 403], ['gemeente-hengelo', 'geweigerd', 403],
      ['gemeente-hengelo', 'geweigerd', 400], ['gemeente-hengelo', 'geweigerd', 400],
    ]);
    for (const r of geweigerd) expect(r.verwerkingsactiviteit).toBe(URN);
    // Nothing happened (and this read is one more disclosure for the report).
    expect((await t.api().get(`/v1/berichten/${ids.taalvoortgang}?doel=trajectbegeleiding`).set(...(await as('gemeente-hengelo')))).body.inhoud.toelichting).toBe(GEHEIM);
    inzageVoor = await inzage();
  });

  it('the gemeente erases: one record naming every message, content gone, the inzage report and the logboek as before', async () => {
    const res = await wis('gemeente-hengelo', traject);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ trajectId: traject, reden: 'onrechtmatig-verwerkt', berichten: { gewist: 5, eerderVerwijderd: 0 }, signalenVerwijderd: 2, logboek: { id: expect.any(Number) } });
    const [record] = (await records('traject-wissen')).filter((r) => r.besluit === 'toegestaan');
    expect(record).toMatchObject({ id: res.body.logboek.id, partij: 'gemeente-hengelo', status: 200, regel: 'wissing', verwerkingsactiviteit: URN });
    expect(JSON.parse(record!.berichtIds).sort()).toEqual([ids.aanwezigheid, ids.taalvoortgang, ids.plaatsing, ids.knelpunt, ids.besluit].sort());
    expect(JSON.parse(record!.trajectIds)).toEqual([traject]);
    // Every disclosure that happened is still in the report, and nothing else.
    expect(await inzage()).toEqual(inzageVoor);
    const verificatie = await t.api().get('/v1/logboek/verificatie').set(...(await as('fg-hengelo')));
    expect(verificatie.body).toMatchObject({ geldig: true, eersteFout: null });
    // The stored rows: no content, no content hash; the other trajectory untouched.
    const rijen = await t.rows<{ berichtId: string; inhoud: string; inhoudHash: string; verwijderdOp: string | null }>('SELECT berichtId, inhoud, inhoudHash, verwijderdOp FROM berichten WHERE trajectId = ?', traject);
    expect(rijen).toHaveLength(5);
    for (const r of rijen) expect(r).toMatchObject({ inhoud: 'null', inhoudHash: '', verwijderdOp: expect.any(String) });
    expect((await t.rows<{ inhoud: string }>('SELECT inhoud FROM berichten WHERE trajectId = ?', ander))[0]!.inhoud).toContain(GEHEIM);
    if (adapter === 'sqlite') {
      // Overwritten, not only unlinked: after a checkpoint the database file no longer holds the text.
      const file = path.join(t.dataDir, 'doelpoort.db');
      const db = new Database(file);
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
      const bytes = fs.readFileSync(file).toString('latin1');
      expect(bytes.split(GEHEIM).length - 1).toBe(1); // only the other trajectory's copy
    }
  });

  it('reads: by id 410 with when and why (after the usual checks); lists show tombstones; the state and signals hold nothing of it', async () => {
    const g = await as('gemeente-hengelo');
    const een = await t.api().get(`/v1/berichten/${ids.taalvoortgang}?doel=trajectbegeleiding`).set(...g);
    expect(een.status).toBe(410);
    expect(een.headers['content-type']).toContain('application/problem+json');
    expect(een.body).toMatchObject({ type: 'urn:doelpoort:probleem:verwijderd', status: 410, verwijderd: { grond: 'wissing', reden: 'onrechtmatig-verwerkt', op: expect.any(String), logboek: expect.any(Number) } });
    expect(een.body.detail).toContain('Gewist op verzoek van de gemeente');
    // The usual checks first: no relation is 404, a doel that does not cover the type is 403.
    expect((await t.api().get(`/v1/berichten/${ids.taalvoortgang}?doel=bemiddeling`).set(...(await as('taalschool-oost')))).status).toBe(404);
    expect((await t.api().get(`/v1/berichten/${ids.taalvoortgang}?doel=handhaving`).set(...g)).status).toBe(403);
    expect((await t.api().get(`/v1/berichten/${ids.taalvoortgang}?doel=bemiddeling`).set(...(await as('werkshop')))).status).toBe(410);
    // A per-message rule (knelpunt-opvolging): by id the reader who holds the id learns it is gone; in the feed it is left out.
    expect((await t.api().get(`/v1/berichten/${ids.besluit}?doel=knelpunt-opvolging`).set(...(await as('roc-van-twente')))).status).toBe(410);
    expect((await t.api().get(`/v1/berichten?doel=knelpunt-opvolging&trajectId=${traject}`).set(...(await as('roc-van-twente')))).body.resultaten).toEqual([]);
    const lijst = await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`).set(...g);
    expect(lijst.status).toBe(200);
    expect(lijst.body.resultaten).toHaveLength(5);
    for (const r of lijst.body.resultaten) expect(r).toMatchObject({ inhoud: null, verwijderd: { grond: 'wissing' }, versie: 1 });
    expect(JSON.stringify(lijst.body)).not.toContain('Oefent');
    // Listing tombstones discloses no content: the report of disclosures does not grow.
    expect(await inzage()).toEqual(inzageVoor);
    const stand = await t.api().get(`/v1/trajecten/${traject}/stand?doel=trajectbegeleiding`).set(...g);
    expect(stand.status).toBe(200);
    const tekst = JSON.stringify(stand.body.stand);
    for (const woord of ['WS-2026-0142', 'werkervaringsplaats', 'zorg-en-welzijn', '"A2"', 'knm']) expect(tekst).not.toContain(woord);
    expect(stand.body.signalen).toEqual([]);
    const signalen = await t.api().get('/v1/signalen?doel=trajectbegeleiding').set(...g);
    expect(signalen.body.resultaten.filter((x: { trajectId: string }) => x.trajectId === traject)).toEqual([]);
    expect((await t.api().get(`/v1/signalen/${ids.signaal}?doel=trajectbegeleiding`).set(...g)).status).toBe(404);
    // The other trajectory is untouched.
    expect((await t.api().get(`/v1/berichten/${ids.ander}?doel=trajectbegeleiding`).set(...g)).body.inhoud.toelichting).toBe(GEHEIM);
  });

  it('a correction, a resend under the same id and a withdrawal of an erased message are refused clearly; a new message is stored as usual', async () => {
    const roc = await as('roc-van-twente');
    const correctie = { ...envelop('aanwezigheid', traject), vervangt: ids.aanwezigheid, schemaversie: '1.1' };
    const c = await t.api().post('/v1/berichten').set(...roc).send(correctie);
    expect(c.status).toBe(409);
    expect(c.body.detail).toContain('kan niet meer worden vervangen');
    const opnieuw = await t.api().post('/v1/berichten').set(...roc).send({ ...envelop('aanwezigheid', traject), berichtId: ids.aanwezigheid });
    expect(opnieuw.status).toBe(409);
    expect(opnieuw.body.detail).toContain('Dit berichtId is al gebruikt');
    const intrekking = await t.api().post(`/v1/berichten/${ids.aanwezigheid}/intrekking`).set(...roc).send({ reden: 'overig' });
    expect(intrekking.status).toBe(410);
    expect(intrekking.body.verwijderd).toMatchObject({ grond: 'wissing' });
    const regels = await t.rows<{ regel: string; status: number }>("SELECT regel, status FROM logboek WHERE regel = 'bericht-verwijderd' AND actie IN ('bericht-publiceren', 'bericht-intrekken') ORDER BY id");
    expect(regels.map((r) => r.status)).toEqual([409, 409, 410]);
    const nieuw = await stuur('roc-van-twente', envelop('taalvoortgang', traject));
    expect((await t.api().get(`/v1/berichten/${nieuw}?doel=trajectbegeleiding`).set(...(await as('gemeente-hengelo')))).body.inhoud.toelichting).toBe(GEHEIM);
    ids.nieuw = nieuw;
  });

  it('asking again is idempotent: it erases what arrived since, answers the same way, and is recorded again', async () => {
    const tweede = await wis('gemeente-hengelo', traject);
    expect(tweede.status).toBe(200);
    expect(tweede.body.berichten).toEqual({ gewist: 1, eerderVerwijderd: 5 });
    const derde = await wis('gemeente-hengelo', traject);
    expect(derde.body.berichten).toEqual({ gewist: 0, eerderVerwijderd: 6 });
    expect(derde.body.signalenVerwijderd).toBe(0);
    const toegestaan = (await records('traject-wissen')).filter((r) => r.besluit === 'toegestaan');
    expect(toegestaan.map((r) => JSON.parse(r.berichtIds).length)).toEqual([5, 1, 0]);
    expect((await t.api().get('/v1/logboek/verificatie').set(...(await as('fg-hengelo')))).body.geldig).toBe(true);
  });
});
