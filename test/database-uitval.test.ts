/**
 * When the database goes away (a PostgreSQL that stops, as in a fail-over): requests are answered
 * 503 problem+json within a bounded time, nothing is half-stored, /health/ready says not ready, and
 * the gateway recovers by itself when the database is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, envelop, startTestGateway, type TestGateway } from './support/gateway.js';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';
import { tot } from './support/wachten.js';

let pg: PrivatePostgres;
let t: TestGateway;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  t = await startTestGateway({ overrides: { databaseUrl: pg.url, pressure: { dbTimeoutMs: 2000 } } });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await pg?.destroy();
});

describe('a database that stops and comes back', () => {
  it('answers 503 while it is gone, stores nothing half, and recovers by itself', async () => {
    const trajectId = await t.openTraject();
    const roc = await t.token('roc-van-twente');
    expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('aanwezigheid', trajectId))).status).toBe(201);

    await pg.stop();
    const ready = await tot(() => t.api().get('/health/ready'), (r) => r.status === 503);
    expect(ready.type).toMatch(/json/);
    const lost = envelop('aanwezigheid', trajectId);
    const started = Date.now();
    const refused = await t.api().post('/v1/berichten').set(...bearer(roc)).send(lost);
    expect(refused.status).toBe(503);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.body.traceId).toMatch(/^[0-9a-f]{32}$/);
    // Bounded: the configured wait (2 s) plus slack for a loaded machine, never "forever".
    expect(Date.now() - started).toBeLessThan(30_000);

    await pg.start();
    await tot(() => t.api().get('/health/ready'), (r) => r.status === 200);
    const after = await tot(
      () => t.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('aanwezigheid', trajectId)),
      (r) => r.status === 201);
    expect(after.status).toBe(201);
    // The refused message was not stored: a resend is a first delivery (201), not a repeat (200).
    expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(lost)).status).toBe(201);
    const fg = await t.token('fg-hengelo');
    expect((await t.api().get('/v1/logboek/verificatie').set(...bearer(fg))).body.geldig).toBe(true);
  });
});
