/**
 * The audit guarantee of the skeleton: one record per attempt, in the same transaction as the data,
 * names but never values, a linear SHA-256 chain — and fail closed when the record cannot be written.
 */
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashRecord, GENESIS_HASH, type AuditRecord } from '../src/audit/record.js';
import { createLogger } from '../src/logger.js';
import { toAuditRecord, type AuditRow } from '../src/store/rijen.js';
import { bearer, envelop, newTraceparent, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
const logLines: string[] = [];
let trajectId: string;

beforeAll(async () => {
  const sink = new Writable({ write(chunk, _enc, cb) { logLines.push(String(chunk)); cb(); } });
  t = await startTestGateway({ logger: createLogger('debug', sink as never) });
  trajectId = await t.openTraject();
});
afterAll(() => t.close());

/** The stored rows, read back as the records that were sealed (the stored form: src/store/rijen.ts). */
function records(): AuditRecord[] {
  return t.query<AuditRow>('SELECT * FROM logboek ORDER BY id').map(toAuditRecord);
}

describe('one record per attempt', () => {
  it('a scripted scenario of allowed and refused calls leaves exactly one record per call', async () => {
    const roc = await t.token('roc-van-twente');
    const g = await t.token('gemeente-hengelo');
    const ok = envelop('taalvoortgang', trajectId);
    const calls: Array<(tp: string) => Promise<{ status: number }>> = [
      (tp) => t.api().post('/v1/berichten').set(...bearer(roc)).set('traceparent', tp).send(ok),
      (tp) => t.api().post('/v1/berichten').set(...bearer(roc)).set('traceparent', tp).send(ok), // replay
      (tp) => t.api().post('/v1/berichten').set(...bearer(roc)).set('traceparent', tp).send(envelop('plaatsing', trajectId)), // 403
      (tp) => t.api().post('/v1/berichten').set(...bearer(roc)).set('traceparent', tp).send({ rommel: true }), // 400
      (tp) => t.api().post('/v1/berichten').set('traceparent', tp).send(ok), // 401
      (tp) => t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}`).set(...bearer(g)).set('traceparent', tp),
      (tp) => t.api().get('/v1/berichten?trajectId=' + trajectId).set(...bearer(g)).set('traceparent', tp), // 400 no doel
      (tp) => t.api().get(`/v1/berichten/${ok.berichtId}?doel=handhaving`).set(...bearer(g)).set('traceparent', tp), // 403
      (tp) => t.api().get(`/v1/trajecten/${trajectId}`).set(...bearer(g)).set('traceparent', tp),
    ];
    const expected = [201, 200, 403, 400, 401, 200, 400, 403, 200];
    for (const [i, call] of calls.entries()) {
      const trace = newTraceparent();
      const res = await call(trace.header);
      expect(res.status, `call ${i}`).toBe(expected[i]);
      const recs = t.query<{ status: number }>('SELECT status FROM logboek WHERE traceId = ?', trace.traceId);
      expect(recs, `call ${i}`).toEqual([{ status: expected[i] }]);
    }
  });

  it('public documents and health checks touch no personal data and are not audited', async () => {
    const before = records().length;
    await t.api().get('/v1/openapi.json');
    await t.api().get('/health/live');
    expect(records().length).toBe(before);
  });
});

describe('the chain', () => {
  it('is linear: ids without gaps, each record commits to its predecessor, each hash recomputes', () => {
    const all = records();
    expect(all.length).toBeGreaterThan(5);
    let previous = GENESIS_HASH;
    all.forEach((r, i) => {
      expect(r.id).toBe(i + 1);
      expect(r.vorigeHash).toBe(previous);
      const { hash, ...rest } = r;
      expect(hashRecord(rest)).toBe(hash);
      previous = hash;
    });
  });

  it('a changed field no longer recomputes to its hash', () => {
    const [first] = records();
    const { hash, ...rest } = first!;
    expect(hashRecord({ ...rest, besluit: first!.besluit === 'toegestaan' ? 'geweigerd' : 'toegestaan' })).not.toBe(hash);
  });

  it('records carry the Logboek Dataverwerkingen essentials: trace and span id, processing activity, data subject, policy version', () => {
    const rec = records().find((r) => r.actie === 'bericht-publiceren' && r.besluit === 'toegestaan')!;
    expect(rec.recordversie).toBe(2);
    expect(rec.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(rec.spanId).toMatch(/^[0-9a-f]{16}$/);
    // The first call of the scenario sent a traceparent: its parent-id is the record's parent span, not its own span.
    expect(rec.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
    expect(rec.parentSpanId).not.toBe(rec.spanId);
    expect(Date.parse(rec.starttijdstip!)).toBeLessThanOrEqual(Date.parse(rec.tijdstip));
    expect(rec.gegevenscategorieen).toEqual(['didactische-toelichting', 'examenresultaten', 'taalniveau']);
    expect(rec.verwerkingsactiviteit).toBe('urn:doelpoort:verwerkingsactiviteit:trajectbegeleiding');
    expect(rec.trajectIds).toEqual([trajectId]);
    expect(rec.beleidsversie).toMatch(/^2026\.11\.1\+[0-9a-f]{16}$/);
    expect(rec.client).toBe('roc-van-twente');
  });
});

describe('names, never values', () => {
  it('neither the logboek nor the process log contains message content or tokens', async () => {
    const marker = `GEHEIM-${Date.now()}`;
    const token = await t.token('roc-van-twente');
    const body = envelop('taalvoortgang', trajectId, { leerroute: 'B1', niveaus: [{ vaardigheid: 'lezen', niveau: 'A1', peildatum: '2026-11-01', vastgesteldMet: 'toets' }], toelichting: marker });
    expect((await t.api().post('/v1/berichten').set(...bearer(token)).send(body)).status).toBe(201);
    await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}`).set(...bearer(await t.token('gemeente-hengelo')));
    await t.api().get(`/v1/berichten?doel=trajectbegeleiding&access_token=${token}`);
    const logboek = JSON.stringify(t.query('SELECT * FROM logboek'));
    expect(logboek).not.toContain(marker);
    expect(logboek).toContain('/inhoud/toelichting');
    const processLog = logLines.join('');
    expect(processLog.length).toBeGreaterThan(0);
    expect(processLog).not.toContain(marker);
    expect(processLog).not.toContain(token);
    expect(processLog).not.toContain(token.split('.')[1]!);
  });
});

describe('fail closed', () => {
  it('when the audit record cannot be written: 503, and the message is not stored', async () => {
    const local = await startTestGateway();
    try {
      const traject = await local.openTraject();
      const db = new Database(path.join(local.dataDir, 'doelpoort.db'));
      db.exec("CREATE TRIGGER logboek_kapot BEFORE INSERT ON logboek BEGIN SELECT RAISE(ABORT, 'schijf vol'); END");
      db.close();
      const body = envelop('aanwezigheid', traject);
      const res = await local.api().post('/v1/berichten').set(...bearer(await local.token('roc-van-twente'))).send(body);
      expect(res.status).toBe(503);
      expect(res.type).toBe('application/problem+json');
      expect(local.query('SELECT * FROM berichten WHERE berichtId = ?', body.berichtId)).toEqual([]);
      // Reads disclose nothing either.
      const read = await local.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`).set(...bearer(await local.token('gemeente-hengelo')));
      expect(read.status).toBe(503);
      expect(read.body.resultaten).toBeUndefined();
      // And the process is alive: once the log is writable again, it works.
      const fix = new Database(path.join(local.dataDir, 'doelpoort.db'));
      fix.exec('DROP TRIGGER logboek_kapot');
      fix.close();
      expect((await local.api().post('/v1/berichten').set(...bearer(await local.token('roc-van-twente'))).send(body)).status).toBe(201);
    } finally {
      await local.close();
    }
  });
});
