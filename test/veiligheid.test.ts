/**
 * Issue 15, the holes an attacker found: the logboek holds no content or personal data, every refused
 * attempt reaches the officer who should see it, probing trajectory paths is recorded, two
 * Authorization headers and oversized headers are refused and recorded, routing is case-sensitive,
 * query integers are decimal, the roots point at the documentation, and access log lines carry the
 * trace id. Against a real gateway.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { bearer, envelop, newTraceparent, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
let trajectId: string;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) logLines.push(JSON.parse(l)); done(); } });
  t = await startTestGateway({ logger: createLogger('info', sink) });
  trajectId = await t.openTraject();
});
afterAll(() => t.close());

type Row = { id: number; actie: string; partij: string | null; trajectIds: string; berichtIds: string; regel: string | null; status: number; reden: string };
const byTrace = (traceId: string) => t.query<Row>('SELECT * FROM logboek WHERE traceId = ?', traceId);
const scopeOf = (id: number) => t.query<{ partij: string }>('SELECT partij FROM logboek_scope WHERE auditId = ? ORDER BY partij', id).map((r) => r.partij);

/** A raw request, for what supertest cannot send (two Authorization headers, oversized headers). */
function raw(path: string, headers: http.OutgoingHttpHeaders): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.gw.url}${path}`, { headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the logboek holds no content or personal data', () => {
  it('an invalid trajectId in a body is recorded as "ongeldig" with its length, never as sent', async () => {
    const trace = newTraceparent();
    const personal = 'Jan Jansen, BSN 123456782';
    const res = await t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).set('traceparent', trace.header)
      .send({ ...envelop('aanwezigheid', trajectId), trajectId: personal, berichtId: 'Piet Puk' });
    expect(res.status).toBe(400);
    const [rec] = byTrace(trace.traceId);
    expect(JSON.parse(rec!.trajectIds)).toEqual(['ongeldig (25 tekens)']);
    expect(JSON.parse(rec!.berichtIds)).toEqual([]); // a berichtId enters only once it is a UUID
    const everything = JSON.stringify(t.query('SELECT * FROM logboek')) + JSON.stringify(t.query('SELECT * FROM logboek_betrokkene'));
    expect(everything).not.toContain('123456782');
    expect(everything).not.toContain('Jansen');
  });

  it('an invalid path id is recorded the same way, also before the caller is known', async () => {
    const trace = newTraceparent();
    const res = await t.api().get(`/v1/trajecten/${encodeURIComponent('BSN 123456782')}`).set('traceparent', trace.header);
    expect(res.status).toBe(401);
    expect(JSON.parse(byTrace(trace.traceId)[0]!.trajectIds)).toEqual(['ongeldig (13 tekens)']);
  });

  it('an unknown doel carrying text is not echoed into the record', async () => {
    const trace = newTraceparent();
    const res = await t.api().get(`/v1/berichten?doel=${encodeURIComponent('Jan Jansen 123456782')}`).set(...bearer(await t.token('gemeente-hengelo'))).set('traceparent', trace.header);
    expect(res.status).toBe(400);
    expect(byTrace(trace.traceId)[0]!.reden).not.toContain('Jansen');
    expect(byTrace(trace.traceId)[0]!.reden).toContain('ongeldig, 20 tekens');
  });

  it('a Content-Type carrying text is not echoed into the record', async () => {
    const trace = newTraceparent();
    const res = await t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).set('traceparent', trace.header)
      .set('Content-Type', 'text/plain; naam=Jan Jansen').send('x');
    expect(res.status).toBe(415);
    expect(byTrace(trace.traceId)[0]!.reden).not.toContain('Jansen');
  });
});

describe('every refused attempt is visible to the officer who should see it', () => {
  it('a bad token on /v1/trajecten/{T} is linked to T and so to T\'s gemeente', async () => {
    const trace = newTraceparent();
    const res = await t.api().get(`/v1/trajecten/${trajectId}`).set('Authorization', 'Bearer nep.nep.nep').set('traceparent', trace.header);
    expect(res.status).toBe(401);
    const [rec] = byTrace(trace.traceId);
    expect(JSON.parse(rec!.trajectIds)).toEqual([trajectId]);
    expect(scopeOf(rec!.id)).toContain('gemeente-hengelo');
  });

  it('a refused read of a message is visible to the gemeente owning its trajectory, not only to its sender', async () => {
    const body = envelop('aanwezigheid', trajectId);
    expect((await t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).send(body)).status).toBe(201);
    const trace = newTraceparent();
    const res = await t.api().get(`/v1/berichten/${body.berichtId}?doel=trajectbegeleiding`).set(...bearer(await t.token('taalschool-oost'))).set('traceparent', trace.header);
    expect(res.status).toBe(404);
    const [rec] = byTrace(trace.traceId);
    expect(scopeOf(rec!.id)).toEqual(expect.arrayContaining(['gemeente-hengelo', 'roc-van-twente', 'taalschool-oost']));
  });
});

describe('probing trajectory paths', () => {
  it.each([
    ['PUT', ''], ['GET', '/berichten'], ['DELETE', ''], ['GET', '/onbekend/dieper'], ['GET', '/'],
  ])('%s /v1/trajecten/{id}%s: 404, recorded with the caller and the trajectory', async (method, rest) => {
    const trace = newTraceparent();
    const res = await t.api()[method.toLowerCase() as 'get'](`/v1/trajecten/${trajectId}${rest}`).set(...bearer(await t.token('roc-van-twente'))).set('traceparent', trace.header);
    expect(res.status).toBe(404);
    const [rec] = byTrace(trace.traceId);
    expect(rec).toMatchObject({ actie: 'traject-verkennen', partij: 'roc-van-twente', status: 404, regel: 'geen-route' });
    expect(JSON.parse(rec!.trajectIds)).toEqual([trajectId]);
    expect(scopeOf(rec!.id)).toContain('gemeente-hengelo');
  });

  it('HEAD is answered as GET without a body: 403 for an outsider, recorded as the same refusal', async () => {
    const token = await t.token('taalschool-oost');
    const trace = newTraceparent();
    const head = await t.api().head(`/v1/trajecten/${trajectId}`).set(...bearer(token)).set('traceparent', trace.header);
    const get = await t.api().get(`/v1/trajecten/${trajectId}`).set(...bearer(token));
    expect(head.status).toBe(get.status);
    expect(head.status).toBe(403);
    expect(head.text ?? '').toBe('');
    expect(byTrace(trace.traceId)[0]).toMatchObject({ actie: 'traject-lezen', status: 403 });
  });
});

describe('headers', () => {
  it('two Authorization headers: 400, recorded', async () => {
    const token = await t.token('gemeente-hengelo');
    const trace = newTraceparent();
    const res = await raw(`/v1/trajecten/${trajectId}`, { authorization: [`Bearer ${token}`, 'Bearer ander'], traceparent: trace.header } as unknown as http.OutgoingHttpHeaders);
    expect(res.status).toBe(400);
    expect(byTrace(trace.traceId)[0]).toMatchObject({ regel: 'dubbele-authorization', status: 400 });
  });

  it('headers over Node\'s limit: 431 as problem+json with WWW-Authenticate, and a record', async () => {
    const before = t.query<{ n: number }>("SELECT count(*) n FROM logboek WHERE regel = 'headers-te-groot'")[0]!.n;
    const res = await raw('/v1/berichten?doel=trajectbegeleiding', { authorization: `Bearer ${'a'.repeat(20_000)}` });
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    const body = JSON.parse(res.body);
    const recs = t.query<Row & { traceId: string }>("SELECT * FROM logboek WHERE regel = 'headers-te-groot'");
    expect(recs.length).toBe(before + 1);
    expect(recs.at(-1)).toMatchObject({ traceId: body.traceId, actie: 'verzoek-weigeren', status: 431 });
  });
});

describe('other client errors keep Node\'s answer', () => {
  it('a request that is not HTTP gets a plain 400 and the socket closes; nothing is recorded for it', async () => {
    const before = t.query<{ n: number }>('SELECT count(*) n FROM logboek')[0]!.n;
    const { hostname, port } = new URL(t.gw.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => socket.write('NIET HTTP\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(t.query<{ n: number }>('SELECT count(*) n FROM logboek')[0]!.n).toBe(before);
  });
});

describe('routing and query parameters', () => {
  it.each(['/v1/LOGBOEK', '/v1/Logboek/overzicht', '/v1/OPENAPI.json'])('%s is not a route (case-sensitive): 404', async (path) => {
    expect((await t.api().get(path).set(...bearer(await t.token('fg-hengelo')))).status).toBe(404);
  });

  it('/v1/Trajecten/{id} is not a route: 404', async () => {
    expect((await t.api().get(`/v1/Trajecten/${trajectId}`).set(...bearer(await t.token('gemeente-hengelo')))).status).toBe(404);
  });

  it.each(['1e2', '0x10', '+5', ' 7', '5.0', '0b1'])('limiet=%s: 400', async (limiet) => {
    const q = `limiet=${encodeURIComponent(limiet)}`;
    expect((await t.api().get(`/v1/logboek?${q}`).set(...bearer(await t.token('fg-hengelo')))).status).toBe(400);
    expect((await t.api().get(`/v1/berichten?doel=trajectbegeleiding&${q}`).set(...bearer(await t.token('gemeente-hengelo')))).status).toBe(400);
  });

  it('limiet=10 is fine', async () => {
    expect((await t.api().get('/v1/logboek?limiet=10').set(...bearer(await t.token('fg-hengelo')))).status).toBe(200);
  });
});

describe('for a newcomer', () => {
  it.each(['/', '/v1', '/v1/'])('%s points at the documentation in JSON', async (path) => {
    const res = await t.api().get(path);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    expect(res.body.documentatie).toBe('/v1/openapi.json');
  });

  it('access log lines carry the trace id that the error answer gives', async () => {
    const res = await t.api().get(`/v1/trajecten/${crypto.randomUUID()}`);
    expect(res.status).toBe(401);
    await expect.poll(() => logLines.find((l) => (l.req as { traceId?: string } | undefined)?.traceId === res.body.traceId)).toBeDefined();
  });

  it('a request under another host name than DOELPOORT_PUBLIC_URL is logged once, naming the setting', async () => {
    await t.api().get('/v1/openapi.json').set('Host', 'localhost:9');
    await t.api().get('/v1/openapi.json').set('Host', 'localhost:9');
    const warnings = logLines.filter((l) => String(l.msg).includes('DOELPOORT_PUBLIC_URL') && l.host === 'localhost:9');
    expect(warnings).toHaveLength(1);
  });
});
