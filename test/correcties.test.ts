/**
 * Issue 11, corrections and withdrawals, on both adapters: `vervangt` replaces the sender's own
 * current message of the same type about the same trajectory; the replaced message stays readable
 * with `vervangenDoor`; lists, the trajectory state and the signals count only the latest version;
 * `POST /v1/berichten/{id}/intrekking` withdraws a message (no longer counted, content no longer
 * disclosed); subscribers get an event for both; the logboek keeps every step.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekMetLessen, type Les } from './support/signaalberichten.js';
import { bearer, envelop, startTestGateway, VOORBEELDEN, type Adapter, type TestGateway } from './support/gateway.js';

const week = (van: string, ongeoorloofd: number) => ({
  periode: { van, tot: new Date(Date.parse(`${van}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10) },
  totalen: [{ activiteit: 'formele-taalles', minuten: { ...VOORBEELDEN.aanwezigheid.totalen[0].minuten, aanwezig: 540 - ongeoorloofd, ongeoorloofdAfwezig: ongeoorloofd } }],
});

describe.each<Adapter>(['sqlite', 'postgres'])('corrections and withdrawals (%s)', (adapter) => {
  let t: TestGateway;
  let ontvanger: http.Server;
  let basis: string;
  beforeAll(async () => {
    ontvanger = http.createServer((req, res) => { req.resume(); res.writeHead(204).end(); });
    await new Promise<void>((resolve) => ontvanger.listen(0, '127.0.0.1', resolve));
    basis = `http://127.0.0.1:${(ontvanger.address() as AddressInfo).port}`;
    t = await startTestGateway({ adapter, overrides: { signaalPlannerSeconden: 0 } });
  });
  afterAll(async () => {
    await t?.close();
    ontvanger?.closeAllConnections();
    await new Promise((resolve) => ontvanger?.close(resolve));
  });

  const stuur = async (partij: string, body: unknown) => t.api().post('/v1/berichten').set(...bearer(await t.token(partij))).send(body as object);
  const lees = async (partij: string, id: string) => t.api().get(`/v1/berichten/${id}?doel=trajectbegeleiding`).set(...bearer(await t.token(partij)));
  const weken = async (trajectId: string, aanbieder = 'roc-van-twente') => {
    const [rij] = await t.rows<{ stand: string }>('SELECT stand FROM trajectstand WHERE trajectId = ?', trajectId);
    return JSON.parse(rij!.stand).aanwezigheid[aanbieder].weken.map((w: { van: string; berichtId: string }) => [w.van, w.berichtId]);
  };

  it('a correction to another week: only the new week counts; the old one stays readable with vervangenDoor; every read names its version', async () => {
    const trajectId = await t.openTraject();
    const eerste = envelop('aanwezigheid', trajectId, week('2026-11-02', 0));
    expect((await stuur('roc-van-twente', eerste)).status).toBe(201);
    expect(await weken(trajectId)).toEqual([['2026-11-02', eerste.berichtId]]);
    expect((await lees('gemeente-hengelo', eerste.berichtId)).body).toMatchObject({ versie: 1 });

    const correctie = { ...envelop('aanwezigheid', trajectId, week('2026-11-09', 0)), schemaversie: '1.0', vervangt: eerste.berichtId };
    const res = await stuur('roc-van-twente', correctie);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await weken(trajectId)).toEqual([['2026-11-09', correctie.berichtId]]);
    // Replaying the correction is idempotent and stores nothing twice.
    expect((await stuur('roc-van-twente', correctie)).status).toBe(200);
    expect(await t.rows('SELECT berichtId FROM berichten WHERE trajectId = ?', trajectId)).toHaveLength(2);

    const oud = await lees('gemeente-hengelo', eerste.berichtId);
    expect(oud.status).toBe(200);
    expect(oud.body).toMatchObject({ versie: 1, vervangenDoor: correctie.berichtId, inhoud: { periode: { van: '2026-11-02' } } });
    expect((await lees('gemeente-hengelo', correctie.berichtId)).body).toMatchObject({ versie: 2, vervangt: eerste.berichtId });
    const lijst = await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}`).set(...bearer(await t.token('gemeente-hengelo')));
    expect(lijst.body.resultaten.map((r: { berichtId: string; versie: number }) => [r.berichtId, r.versie])).toEqual([[correctie.berichtId, 2]]);

    // The replaced message cannot be replaced again: replace the latest.
    const nogmaals = await stuur('roc-van-twente', { ...envelop('aanwezigheid', trajectId, week('2026-11-16', 0)), vervangt: eerste.berichtId });
    expect(nogmaals.status).toBe(409);
    expect(nogmaals.body.detail).toContain(`al vervangen door bericht ${correctie.berichtId}`);
    const derde = { ...envelop('aanwezigheid', trajectId, week('2026-11-16', 0)), vervangt: correctie.berichtId };
    expect((await stuur('roc-van-twente', derde)).status).toBe(201);
    expect((await lees('gemeente-hengelo', derde.berichtId)).body.versie).toBe(3);
    expect(await weken(trajectId)).toEqual([['2026-11-16', derde.berichtId]]);
  });

  it('refuses a correction of another sender\'s message, another type or another trajectory (409, clear reason, audited, nothing stored)', async () => {
    const trajectId = await t.openTraject();
    const ander = await t.openTraject();
    const roc = envelop('aanwezigheid', trajectId, week('2026-11-02', 0));
    expect((await stuur('roc-van-twente', roc)).status).toBe(201);
    const tv = envelop('taalvoortgang', trajectId);
    expect((await stuur('roc-van-twente', tv)).status).toBe(201);
    const gevallen: [string, object, string][] = [
      ['werkshop', { ...envelop('plaatsing', trajectId), vervangt: roc.berichtId }, 'geen eerder bericht van u'],
      ['roc-van-twente', { ...envelop('aanwezigheid', trajectId, week('2026-11-09', 0)), vervangt: tv.berichtId }, 'een taalvoortgang-bericht'],
      ['roc-van-twente', { ...envelop('aanwezigheid', ander, week('2026-11-09', 0)), vervangt: roc.berichtId }, 'een ander traject'],
      ['roc-van-twente', { ...envelop('aanwezigheid', trajectId, week('2026-11-09', 0)), vervangt: '3f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' }, 'geen eerder bericht van u'],
    ];
    for (const [partij, body, reden] of gevallen) {
      const res = await stuur(partij, body);
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body.detail).toContain(reden);
    }
    expect(await t.rows('SELECT berichtId FROM berichten WHERE trajectId IN (?, ?)', trajectId, ander)).toHaveLength(2);
    const geweigerd = await t.rows<{ regel: string }>("SELECT regel FROM logboek WHERE actie = 'bericht-publiceren' AND regel = 'vervanging-ongeldig' AND status = 409");
    expect(geweigerd.length).toBeGreaterThanOrEqual(4);
  });

  it('a correction never makes a week count twice in the signals: 2 missed lessons moved to another week do not open verzuim', async () => {
    const trajectId = await t.openTraject();
    const lessen: Les[] = [{ status: 'ongeoorloofd-afwezig' }, { status: 'ongeoorloofd-afwezig' }, ...Array.from({ length: 10 }, () => ({ status: 'aanwezig' as const }))];
    const a = weekMetLessen({ berichtId: crypto.randomUUID(), van: '2026-11-02' }, lessen).inhoud;
    const b = weekMetLessen({ berichtId: crypto.randomUUID(), van: '2026-11-09' }, lessen).inhoud;
    const eerste = envelop('aanwezigheid', trajectId, a);
    expect((await stuur('roc-van-twente', eerste)).status).toBe(201);
    // 2 of 12 lessons (16.7 %) stay under both thresholds.
    expect(await t.rows("SELECT signaalId FROM signalen WHERE trajectId = ? AND soort = 'verzuim'", trajectId)).toEqual([]);
    const res = await stuur('roc-van-twente', { ...envelop('aanwezigheid', trajectId, b), vervangt: eerste.berichtId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // Counted twice (4 lessons ≥ 3) this would open verzuim; counted once (2) it does not.
    expect(await t.rows("SELECT signaalId FROM signalen WHERE trajectId = ? AND soort = 'verzuim'", trajectId)).toEqual([]);
    const [rij] = await t.rows<{ stand: string }>('SELECT stand FROM trajectstand WHERE trajectId = ?', trajectId);
    expect(JSON.parse(rij!.stand).aanwezigheid['roc-van-twente'].laatsteWeken.ongeoorloofdeLessen).toBe(2);
  });

  it('a placement\'s status check runs against the latest version', async () => {
    const trajectId = await t.openTraject();
    const voorgesteld = envelop('plaatsing', trajectId, { ...VOORBEELDEN.plaatsing, status: 'voorgesteld' });
    expect((await stuur('werkshop', voorgesteld)).status).toBe(201);
    const gestart = envelop('plaatsing', trajectId);
    expect((await stuur('werkshop', gestart)).status).toBe(201);
    // Correcting 'gestart' (16 → 20 hours) is checked against 'voorgesteld', not against itself.
    const correctie = { ...envelop('plaatsing', trajectId, { ...VOORBEELDEN.plaatsing, urenPerWeek: 20 }), vervangt: gestart.berichtId };
    expect((await stuur('werkshop', correctie)).status).toBe(201);
    // Withdrawing the correction leaves 'voorgesteld' as the latest that counts: 'beeindigd' directly is checked against it.
    const intrekking = await t.api().post(`/v1/berichten/${correctie.berichtId}/intrekking`).set(...bearer(await t.token('werkshop'))).send({ reden: 'onjuiste-gegevens' });
    expect(intrekking.status, JSON.stringify(intrekking.body)).toBe(200);
    const weer = await stuur('werkshop', envelop('plaatsing', trajectId));
    expect(weer.status, JSON.stringify(weer.body)).toBe(201);
  });

  it('a withdrawal: no longer counted or listed, content no longer disclosed, the logboek keeps both, subscribers told', async () => {
    const gem = await t.token('gemeente-hengelo');
    const ab = await t.api().post('/v1/abonnementen').set(...bearer(gem)).send({ url: `${basis}/hook`, soorten: ['bericht'] });
    expect(ab.status, JSON.stringify(ab.body)).toBe(201);
    const trajectId = await t.openTraject();
    const eerste = envelop('aanwezigheid', trajectId, week('2026-11-02', 0));
    const tweede = envelop('aanwezigheid', trajectId, week('2026-11-09', 0));
    expect((await stuur('roc-van-twente', eerste)).status).toBe(201);
    expect((await stuur('roc-van-twente', tweede)).status).toBe(201);
    const correctie = { ...envelop('aanwezigheid', trajectId, week('2026-11-09', 60)), vervangt: tweede.berichtId };
    expect((await stuur('roc-van-twente', correctie)).status).toBe(201);

    const intrekken = async (partij: string, id: string, body: object) => t.api().post(`/v1/berichten/${id}/intrekking`).set(...bearer(await t.token(partij))).send(body);
    expect((await intrekken('roc-van-twente', eerste.berichtId, { reden: 'per-ongeluk' })).status).toBe(400);
    expect((await intrekken('taalschool-oost', eerste.berichtId, { reden: 'overig' })).status).toBe(404);
    expect((await intrekken('roc-van-twente', tweede.berichtId, { reden: 'overig' })).status).toBe(409);
    const res = await intrekken('roc-van-twente', eerste.berichtId, { reden: 'dubbel-verzonden' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ berichtId: eerste.berichtId, versie: 1, ingetrokken: { reden: 'dubbel-verzonden' } });
    const nogmaals = await intrekken('roc-van-twente', eerste.berichtId, { reden: 'dubbel-verzonden' });
    expect(nogmaals.status).toBe(200);
    expect(nogmaals.body.ingetrokken.op).toBe(res.body.ingetrokken.op);

    expect(await weken(trajectId)).toEqual([['2026-11-09', correctie.berichtId]]);
    const gelezen = await lees('gemeente-hengelo', eerste.berichtId);
    expect(gelezen.status).toBe(200);
    expect(gelezen.body).toMatchObject({ versie: 1, inhoud: null, ingetrokken: { op: res.body.ingetrokken.op, reden: 'dubbel-verzonden' } });
    expect(JSON.stringify(gelezen.body)).not.toContain('periode');
    const lijst = await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}`).set(...bearer(gem));
    expect(lijst.body.resultaten.map((r: { berichtId: string }) => r.berichtId)).toEqual([correctie.berichtId]);
    // A withdrawn message cannot be replaced.
    expect((await stuur('roc-van-twente', { ...envelop('aanwezigheid', trajectId, week('2026-11-02', 0)), vervangt: eerste.berichtId })).status).toBe(409);

    const acties = await t.rows<{ actie: string; status: number }>("SELECT actie, status FROM logboek WHERE actie IN ('bericht-publiceren', 'bericht-intrekken') AND berichtIds LIKE ? ORDER BY id", `%${eerste.berichtId}%`);
    expect(acties.filter((a) => a.status < 300).map((a) => a.actie)).toEqual(['bericht-publiceren', 'bericht-intrekken', 'bericht-intrekken']);

    const events = await t.rows<{ event: string }>('SELECT event FROM uitgaand WHERE abonnementId = ? AND trajectId = ? ORDER BY volgnummer', ab.body.abonnementId, trajectId);
    const typen = events.map((e) => JSON.parse(e.event) as { type: string; data: { berichtId: string } }).map((e) => [e.type, e.data.berichtId]);
    expect(typen).toEqual([
      ['nl.doelpoort.bericht.ontvangen', eerste.berichtId],
      ['nl.doelpoort.bericht.ontvangen', tweede.berichtId],
      ['nl.doelpoort.bericht.vervangen', correctie.berichtId],
      ['nl.doelpoort.bericht.ingetrokken', eerste.berichtId],
    ]);
    await t.api().delete(`/v1/abonnementen/${ab.body.abonnementId}`).set(...bearer(gem)).expect(204);
  });
});
