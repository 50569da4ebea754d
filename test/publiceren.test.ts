/** POST /v1/berichten: who may publish what, idempotency, and bad input — each allowed and refused. */
import crypto from 'node:crypto';
import type { Test } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, envelop, newTraceparent, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
let trajectId: string;
beforeAll(async () => {
  t = await startTestGateway();
  trajectId = await t.openTraject();
});
afterAll(() => t.close());

const count = (berichtId: string) => t.query<{ n: number }>('SELECT count(*) n FROM berichten WHERE berichtId = ?', berichtId)[0]!.n;

async function publish(client: string, body: unknown, extra: (r: Test) => Test = (r) => r) {
  return extra(t.api().post('/v1/berichten').set(...bearer(await t.token(client)))).send(body as object);
}

describe('who may publish', () => {
  it.each([
    ['roc-van-twente', 'taalvoortgang'],
    ['roc-van-twente', 'aanwezigheid'],
    ['werkshop', 'plaatsing'],
    ['werkshop', 'aanwezigheid'],
  ] as const)('%s (assigned) publishes %s: 201 with a receipt naming its audit record', async (client, type) => {
    const body = envelop(type, trajectId);
    const res = await publish(client, body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ berichtId: body.berichtId, berichttype: type, trajectId, logboek: { id: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const [record] = t.query<{ hash: string; partij: string; actie: string; besluit: string }>('SELECT hash, partij, actie, besluit FROM logboek WHERE id = ?', res.body.logboek.id);
    expect(record).toEqual({ hash: res.body.logboek.hash, partij: client, actie: 'bericht-publiceren', besluit: 'toegestaan' });
    expect(t.query('SELECT afzender FROM berichten WHERE berichtId = ?', body.berichtId)).toEqual([{ afzender: client }]);
  });

  it.each([
    ['roc-van-twente', 'plaatsing', 'a taalaanbieder does not report placements'],
    ['werkshop', 'taalvoortgang', 'a reintegratie party does not report language progress'],
    ['gemeente-hengelo', 'aanwezigheid', 'a gemeente reads, it does not publish'],
    ['taalschool-oost', 'aanwezigheid', 'a taalaanbieder that is not assigned'],
  ] as const)('%s publishing %s is refused (%s): 403, nothing stored, audited', async (client, type, _why) => {
    const body = envelop(type, trajectId);
    const trace = newTraceparent();
    const res = await publish(client, body, (r) => r.set('traceparent', trace.header));
    expect(res.status).toBe(403);
    expect(res.type).toBe('application/problem+json');
    expect(count(body.berichtId)).toBe(0);
    expect(t.query('SELECT besluit, status FROM logboek WHERE traceId = ?', trace.traceId)).toEqual([{ besluit: 'geweigerd', status: 403 }]);
  });

  it('an unknown trajectory gets the same 403 as one without a relation', async () => {
    const unknown = await publish('taalschool-oost', envelop('aanwezigheid', crypto.randomUUID()));
    const unrelated = await publish('taalschool-oost', envelop('aanwezigheid', trajectId));
    expect(unknown.status).toBe(403);
    expect(unknown.body.detail).toBe(unrelated.body.detail);
  });

  it('an ended assignment (tot in the past) and one not yet started both refuse', async () => {
    const ended = await t.openTraject([{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2025-01-01', tot: '2025-12-31' }]);
    const future = await t.openTraject([{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2099-01-01' }]);
    expect((await publish('roc-van-twente', envelop('aanwezigheid', ended))).status).toBe(403);
    expect((await publish('roc-van-twente', envelop('aanwezigheid', future))).status).toBe(403);
  });

  it('an assignment in another part does not count (werkshop as begeleiding may not publish plaatsing)', async () => {
    const traject = await t.openTraject([{ partij: 'werkshop', rol: 'begeleiding', vanaf: '2026-01-01' }]);
    expect((await publish('werkshop', envelop('plaatsing', traject))).status).toBe(403);
  });
});

describe('idempotency on berichtId', () => {
  it('the same message again returns the same receipt and stores nothing twice', async () => {
    const body = envelop('aanwezigheid', trajectId);
    const first = await publish('roc-van-twente', body);
    const again = await publish('roc-van-twente', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(count(body.berichtId)).toBe(1);
  });

  it('other content under the same berichtId is a 409 and the original stays', async () => {
    const body = envelop('aanwezigheid', trajectId);
    await publish('roc-van-twente', body);
    const changed = { ...body, inhoud: { ...(body.inhoud as object), periode: { van: '2026-11-09', tot: '2026-11-15' } } };
    const res = await publish('roc-van-twente', changed);
    expect(res.status).toBe(409);
    const [row] = t.query<{ inhoud: string }>('SELECT inhoud FROM berichten WHERE berichtId = ?', body.berichtId);
    expect(JSON.parse(row!.inhoud).periode.van).toBe('2026-11-02');
  });

  it('the idempotency key is sender + berichtId: another party using the same berichtId stores its own message', async () => {
    const body = envelop('aanwezigheid', trajectId);
    const eerste = await publish('roc-van-twente', body);
    const res = await publish('werkshop', body);
    expect(res.status).toBe(201);
    expect(res.body.logboek.id).not.toBe(eerste.body.logboek.id);
    expect(t.query<{ afzender: string }>('SELECT afzender FROM berichten WHERE berichtId = ? ORDER BY volgnummer', body.berichtId).map((r) => r.afzender))
      .toEqual(['roc-van-twente', 'werkshop']);
  });
});

describe('bad input: a clear problem, nothing stored, the attempt audited, the process alive', () => {
  it('schema violations list EVERY error with its JSON pointer', async () => {
    const body = envelop('aanwezigheid', trajectId, {
      periode: { van: '2026-13-01' },
      totalen: [{ activiteit: 'zwemles', minuten: { gepland: -1, aanwezig: 0, teLaat: 0, geoorloofdAfwezig: 0, ongeoorloofdAfwezig: 0, ziek: 0, afwezig: 0, vervallen: 0, onbekend: 0 } }],
      lessen: [{ datum: '2026-11-04', activiteit: 'formele-taalles', geplandeMinuten: 180, aanwezigeMinuten: 0, status: 'ziek', reden: 'griep' }],
    });
    const trace = newTraceparent();
    const res = await publish('roc-van-twente', body, (r) => r.set('traceparent', trace.header));
    expect(res.status).toBe(400);
    expect(res.body.invalidParams.map((e: { name: string }) => e.name).sort()).toEqual(
      ['/inhoud/lessen/0/reden', '/inhoud/periode/tot', '/inhoud/periode/van', '/inhoud/totalen/0/activiteit', '/inhoud/totalen/0/minuten/gepland'].sort(),
    );
    expect(res.body.invalidParams.every((e: { reason: string }) => e.reason.length > 0)).toBe(true);
    expect(count(body.berichtId)).toBe(0);
    expect(t.query('SELECT besluit, regel, status FROM logboek WHERE traceId = ?', trace.traceId)).toEqual([{ besluit: 'geweigerd', regel: 'invoer-ongeldig', status: 400 }]);
  });

  it('the sender is never a body field', async () => {
    const res = await publish('roc-van-twente', { ...envelop('aanwezigheid', trajectId), afzender: 'gemeente-hengelo' });
    expect(res.status).toBe(400);
    expect(res.body.invalidParams).toContainEqual(expect.objectContaining({ name: '/afzender', code: 'additionalProperties' }));
  });

  it('an unknown berichttype is reported on the envelope', async () => {
    const res = await publish('roc-van-twente', { ...envelop('aanwezigheid', trajectId), berichttype: 'gezondheid' });
    expect(res.status).toBe(400);
    expect(res.body.invalidParams).toContainEqual(expect.objectContaining({ name: '/berichttype', code: 'enum' }));
  });

  it('malformed JSON is a 400 and audited', async () => {
    const trace = newTraceparent();
    const res = await t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).set('traceparent', trace.header)
      .set('Content-Type', 'application/json').send('{"berichtId": "abc", ');
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:doelpoort:probleem:ongeldige-json');
    expect(t.query('SELECT status FROM logboek WHERE traceId = ?', trace.traceId)).toEqual([{ status: 400 }]);
  });

  it('another content type is a 415', async () => {
    const res = await t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).set('Content-Type', 'text/plain').send('hallo');
    expect(res.status).toBe(415);
    expect(res.type).toBe('application/problem+json');
  });

  it('a body over 256 KiB is a 413, and the gateway keeps serving', async () => {
    const huge = envelop('taalvoortgang', trajectId, { ...{ leerroute: 'B1', niveaus: [] }, toelichting: 'x'.repeat(300 * 1024) });
    const res = await publish('roc-van-twente', huge);
    expect(res.status).toBe(413);
    expect(res.type).toBe('application/problem+json');
    expect((await publish('roc-van-twente', envelop('aanwezigheid', trajectId))).status).toBe(201);
  });

  it('an anonymous caller cannot make the gateway read a body: 401 before parsing', async () => {
    const res = await t.api().post('/v1/berichten').set('Content-Type', 'application/json').send('{ not even json');
    expect(res.status).toBe(401);
  });
});
