/**
 * A placement's life cycle (voorgesteld → gestart → gewijzigd → beeindigd / uitgevallen), enforced by
 * the gateway against the previous message about the same plaatsingId from the same sender, and the
 * schema version every message names.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite.js';
import { bearer, envelop, newTraceparent, startTestGateway, VOORBEELDEN, type TestGateway } from './support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const plaatsing = (status: string, extra: Record<string, unknown> = {}) => ({ ...VOORBEELDEN.plaatsing, status, ...extra });
const EINDE = { einddatum: '2027-03-31', eindreden: 'doorstroom-betaald-werk' };

async function publish(trajectId: string, inhoud: unknown, trace = newTraceparent()) {
  const body = envelop('plaatsing', trajectId, inhoud);
  const res = await t.api().post('/v1/berichten').set(...bearer(await t.token('werkshop'))).set('traceparent', trace.header).send(body);
  return { res, body, trace };
}

describe('placement life cycle', () => {
  it('voorgesteld → gestart → gewijzigd → gewijzigd → beeindigd is accepted step by step', async () => {
    const trajectId = await t.openTraject();
    const id = 'WS-LC-1';
    const steps = [
      plaatsing('voorgesteld', { plaatsingId: id }),
      plaatsing('gestart', { plaatsingId: id }),
      plaatsing('gewijzigd', { plaatsingId: id, urenPerWeek: 12, wijzigingsreden: 'afstemming-lesrooster' }),
      plaatsing('gewijzigd', { plaatsingId: id, urenPerWeek: 16, wijzigingsreden: 'uitbreiding' }),
      plaatsing('beeindigd', { plaatsingId: id, ...EINDE }),
    ];
    for (const inhoud of steps) expect((await publish(trajectId, inhoud)).res.status, inhoud.status).toBe(201);
  });

  it('since 1.1 a running placement pauses: gestart → gepauzeerd → gewijzigd → gepauzeerd → beeindigd; a pause cannot drop out or be re-proposed', async () => {
    const trajectId = await t.openTraject();
    const id = 'WS-LC-P';
    expect((await publish(trajectId, plaatsing('gestart', { plaatsingId: id }))).res.status).toBe(201);
    expect((await publish(trajectId, plaatsing('gepauzeerd', { plaatsingId: id }))).res.status).toBe(201);
    const uitval = await publish(trajectId, plaatsing('uitgevallen', { plaatsingId: id, einddatum: '2027-01-22', eindreden: 'belastbaarheid' }));
    expect(uitval.res.status).toBe(409);
    expect(uitval.res.body.detail).toMatch(/staat op 'gepauzeerd'.*alleen 'gewijzigd' of 'beeindigd' volgen, niet 'uitgevallen'/);
    expect((await publish(trajectId, plaatsing('gewijzigd', { plaatsingId: id, wijzigingsreden: 'omzetting-contract' }))).res.status).toBe(201);
    expect((await publish(trajectId, plaatsing('gepauzeerd', { plaatsingId: id }))).res.status).toBe(201);
    expect((await publish(trajectId, plaatsing('voorgesteld', { plaatsingId: id }))).res.status).toBe(409);
    expect((await publish(trajectId, plaatsing('beeindigd', { plaatsingId: id, ...EINDE }))).res.status).toBe(201);
  });

  it('the first message about a placement must propose or start it: 409, nothing stored, audited', async () => {
    const trajectId = await t.openTraject();
    const { res, body, trace } = await publish(trajectId, plaatsing('gewijzigd', { plaatsingId: 'WS-LC-2', wijzigingsreden: 'overig' }));
    expect(res.status).toBe(409);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:doelpoort:probleem:ongeldige-statusovergang', status: 409, title: expect.any(String) });
    expect(res.body.detail).toMatch(/nog niets gemeld.*'voorgesteld' of 'gestart', niet 'gewijzigd'/);
    expect(t.query('SELECT count(*) AS n FROM berichten WHERE berichtId = ?', body.berichtId)).toEqual([{ n: 0 }]);
    expect(t.query('SELECT besluit, regel, status, partij FROM logboek WHERE traceId = ?', trace.traceId))
      .toEqual([{ besluit: 'geweigerd', regel: 'plaatsing-statusovergang', status: 409, partij: 'werkshop' }]);
  });

  it('nothing follows an end, and the life cycle does not run backwards', async () => {
    const trajectId = await t.openTraject();
    expect((await publish(trajectId, plaatsing('gestart', { plaatsingId: 'A' }))).res.status).toBe(201);
    const terug = await publish(trajectId, plaatsing('voorgesteld', { plaatsingId: 'A' }));
    expect(terug.res.status).toBe(409);
    expect(terug.res.body.detail).toMatch(/staat op 'gestart'.*alleen 'gewijzigd', 'gepauzeerd', 'beeindigd' of 'uitgevallen' volgen, niet 'voorgesteld'/);

    const einde = await publish(trajectId, plaatsing('uitgevallen', { plaatsingId: 'A', einddatum: '2027-01-22', eindreden: 'gezondheid' }));
    expect(einde.res.status).toBe(201);
    const daarna = await publish(trajectId, plaatsing('gestart', { plaatsingId: 'A' }));
    expect(daarna.res.status).toBe(409);
    expect(daarna.res.body.detail).toContain(`staat op 'uitgevallen' (bericht ${einde.body.berichtId}); daarop kan niets meer volgen (eindstatus)`);
    // A new placement gets a new id and starts its own life cycle.
    expect((await publish(trajectId, plaatsing('gestart', { plaatsingId: 'B' }))).res.status).toBe(201);
  });

  it('a replay of an accepted message is a replay, not a transition: 200 with the same receipt', async () => {
    const trajectId = await t.openTraject();
    const body = envelop('plaatsing', trajectId, plaatsing('gestart', { plaatsingId: 'WS-LC-3' }));
    const token = await t.token('werkshop');
    const first = await t.api().post('/v1/berichten').set(...bearer(token)).send(body);
    const again = await t.api().post('/v1/berichten').set(...bearer(token)).send(body);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
  });

  it('the same plaatsingId on another trajectory is another placement', async () => {
    const [een, twee] = [await t.openTraject(), await t.openTraject()];
    expect((await publish(een, plaatsing('gestart', { plaatsingId: 'GEDEELD' }))).res.status).toBe(201);
    expect((await publish(een, plaatsing('beeindigd', { plaatsingId: 'GEDEELD', ...EINDE }))).res.status).toBe(201);
    expect((await publish(twee, plaatsing('gestart', { plaatsingId: 'GEDEELD' }))).res.status).toBe(201);
  });

  it('the previous placement message is looked up per trajectory, sender and plaatsingId, newest first', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-store-'));
    const store = openSqliteStore(path.join(dir, 'db.sqlite'));
    try {
      const trajectId = crypto.randomUUID();
      let n = 0;
      const row = (afzender: string, plaatsingId: string, status: string, berichttype = 'plaatsing') => ({
        berichtId: crypto.randomUUID(), berichttype, schemaversie: '1.0', trajectId, afzender, gebeurtenisTijdstip: '2026-11-20T10:00:00+01:00',
        ontvangenOp: new Date().toISOString(), inhoud: JSON.stringify({ plaatsingId, status }), inhoudHash: String(++n), auditId: n, auditHash: 'x',
      });
      const rows = [row('werkshop', 'P1', 'voorgesteld'), row('werkshop', 'P1', 'gestart'), row('refugee-company', 'P1', 'beeindigd'), row('werkshop', 'P2', 'uitgevallen'), row('werkshop', 'P1', 'beeindigd', 'aanwezigheid')];
      const found = await store.transaction(async (tx) => {
        await tx.insertTraject({ trajectId, gemeente: 'gemeente-hengelo', leerroute: 'B1', startdatum: '2026-01-05', aangemaaktOp: new Date().toISOString() }, []);
        for (const r of rows) await tx.insertBericht(r);
        return Promise.all([tx.vorigePlaatsing(trajectId, 'werkshop', 'P1'), tx.vorigePlaatsing(trajectId, 'refugee-company', 'P1'), tx.vorigePlaatsing(trajectId, 'werkshop', 'P3')]);
      });
      expect(found.map((r) => r?.berichtId)).toEqual([rows[1]!.berichtId, rows[2]!.berichtId, undefined]);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('schemaversie', () => {
  let trajectId: string;
  beforeAll(async () => {
    trajectId = await t.openTraject();
  });
  const send = async (body: object) => t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).send(body);

  it('is required in the envelope', async () => {
    const { schemaversie: _, ...zonder } = envelop('taalvoortgang', trajectId);
    const res = await send(zonder);
    expect(res.status).toBe(400);
    expect(res.body.invalidParams).toEqual([{ name: '/schemaversie', code: 'required', reason: expect.any(String) }]);
  });

  it('a major or minor the gateway does not serve is refused, naming what it serves', async () => {
    for (const versie of ['2.0', '1.9']) {
      const res = await send(envelop('taalvoortgang', trajectId, undefined, versie));
      expect(res.status, versie).toBe(400);
      expect(res.body.invalidParams, versie).toEqual([{ name: '/schemaversie', code: 'schemaversie', reason: expect.stringMatching(/1\.1/) }]);
    }
  });

  it('is stored as MAJOR.MINOR and returned to readers', async () => {
    const body = envelop('taalvoortgang', trajectId, undefined, '1.0.0');
    expect((await send(body)).status).toBe(201);
    expect(t.query('SELECT schemaversie FROM berichten WHERE berichtId = ?', body.berichtId)).toEqual([{ schemaversie: '1.0' }]);
    const read = await t.api().get(`/v1/berichten/${body.berichtId}?doel=trajectbegeleiding`).set(...bearer(await t.token('gemeente-hengelo')));
    expect(read.body).toMatchObject({ berichtId: body.berichtId, schemaversie: '1.0', inhoud: VOORBEELDEN.taalvoortgang });
    // 1.0.0 and 1.0 name the same version: a resend with the other spelling is a replay.
    expect((await send({ ...body, schemaversie: '1.0' })).status).toBe(200);
  });
});
