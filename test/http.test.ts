/** Conventions every response follows: API-Version, trace context, problem+json, security headers, no trailing slashes. */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, newTraceparent, startTestGateway, type TestGateway } from './support/gateway.js';

const require = createRequire(import.meta.url);
const addFormats = require('ajv-formats');

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

describe('every response', () => {
  it.each(['/v1/openapi.json', '/v1/berichten?doel=handhaving', '/v1/bestaat-niet', '/health/live', '/oidc/.well-known/openid-configuration'])(
    'carries API-Version and security headers: %s',
    async (url) => {
      const res = await t.api().get(url);
      expect(res.headers['api-version']).toBe('1.0.0');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    },
  );

  it('personal data is never cacheable', async () => {
    const res = await t.api().get('/v1/berichten?doel=handhaving').set(...bearer(await t.token('gemeente-hengelo')));
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('trace context', () => {
  it('keeps the caller\'s trace id and answers with a new span', async () => {
    const trace = newTraceparent();
    const res = await t.api().get('/v1/openapi.json').set('traceparent', trace.header);
    const [, traceId, spanId] = String(res.headers.traceparent).split('-');
    expect(traceId).toBe(trace.traceId);
    expect(spanId).not.toBe(trace.header.split('-')[2]);
  });

  it('starts a new trace for an invalid header, and problem bodies carry the trace id', async () => {
    const res = await t.api().get('/v1/bestaat-niet').set('traceparent', '00-00000000000000000000000000000000-0000000000000000-01');
    const traceId = String(res.headers.traceparent).split('-')[1];
    expect(traceId).not.toMatch(/^0+$/);
    expect(res.body.traceId).toBe(traceId);
  });
});

describe('routes', () => {
  it('no trailing-slash variants: 404 problem+json', async () => {
    for (const url of ['/v1/berichten/', '/v1/trajecten/', '/v1/openapi.json/']) {
      const res = await t.api().get(url);
      expect(res.status, url).toBe(404);
      expect(res.type).toBe('application/problem+json');
      expect(res.body).toMatchObject({ status: 404, title: expect.any(String), detail: expect.any(String) });
    }
  });
});

describe('documentation', () => {
  it('openapi.json is public OpenAPI 3.1 with CORS *, and documents the API of the skeleton', async () => {
    const res = await t.api().get('/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/trajecten', '/trajecten/{trajectId}', '/berichten', '/berichten/{berichtId}', '/schemas/{berichttype}']));
    expect(res.body.servers[0].url).toBe(`${t.gw.config.publicUrl}/v1`);
    expect(res.body.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl).toBe(`${t.gw.config.issuer}/token`);
  });

  it('personal-data endpoints do not get CORS', async () => {
    const res = await t.api().get('/v1/berichten?doel=handhaving');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each(['aanwezigheid', 'taalvoortgang', 'plaatsing'])('GET /v1/schemas/%s is a self-contained schema whose examples validate', async (type) => {
    const res = await t.api().get(`/v1/schemas/${type}`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/schema+json');
    // Strict ajv needs Doelpoort's annotation keywords declared (docs/schemas.md); other validators ignore them.
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
    addFormats(ajv);
    ajv.addVocabulary(['version', 'foutmeldingen', 'statusovergangen']);
    const validate = ajv.compile(res.body);
    expect(res.body.examples.length).toBeGreaterThan(0);
    for (const example of res.body.examples) expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
  });

  it('an unknown schema: 404', async () => {
    expect((await t.api().get('/v1/schemas/gezondheid')).status).toBe(404);
  });
});

describe('health', () => {
  it('live and ready (database writable, issuer reachable)', async () => {
    expect((await t.api().get('/health/live')).status).toBe(200);
    const ready = await t.api().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: 'up', issuer: 'up' });
  });
});
