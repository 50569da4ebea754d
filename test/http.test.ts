/** Conventions every response follows: API-Version, trace context, problem+json, security headers, no trailing slashes. */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseTrustProxy } from '../src/config.js';
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

  it('lists the served schema versions, and serves each major at its own path', async () => {
    const list = await t.api().get('/v1/schemas');
    expect(list.status).toBe(200);
    expect(list.headers['access-control-allow-origin']).toBe('*');
    expect(list.body.berichttypen).toContainEqual({
      berichttype: 'plaatsing', versies: [{ versie: '1.1.0', schemaversie: '1.1', deprecated: false, href: '/v1/schemas/plaatsing/v1' }],
    });
    const v1 = await t.api().get('/v1/schemas/plaatsing/v1');
    expect(v1.status).toBe(200);
    expect(v1.headers['access-control-allow-origin']).toBe('*');
    expect(v1.body).toEqual((await t.api().get('/v1/schemas/plaatsing')).body);
    expect(v1.body.$id).toBe('https://doelpoort.example/schemas/plaatsing/v1.json');
    const v9 = await t.api().get('/v1/schemas/plaatsing/v9');
    expect(v9.status).toBe(404);
    expect(v9.type).toBe('application/problem+json');
  });

  it('answers a CORS preflight for the public documents only', async () => {
    const docs = await t.api().options('/v1/schemas/plaatsing').set('Origin', 'https://school.example').set('Access-Control-Request-Method', 'GET');
    expect(docs.status).toBe(204);
    expect(docs.headers['access-control-allow-origin']).toBe('*');
    const data = await t.api().options('/v1/berichten').set('Origin', 'https://school.example').set('Access-Control-Request-Method', 'GET');
    expect(data.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the OpenAPI document (Dutch API Design Rules)', () => {
  let doc: any;
  beforeAll(async () => {
    doc = (await t.api().get('/v1/openapi.json')).body;
  });
  const operations = () => Object.entries(doc.paths as Record<string, Record<string, any>>)
    .flatMap(([p, item]) => Object.entries(item).filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map(([m, op]) => [`${m.toUpperCase()} ${p}`, op] as const));
  const resolve = (r: any) => (r.$ref ? doc.components.responses[r.$ref.split('/').pop()] : r);

  it('documents at least 8 paths, contact, servers with /v1, OAuth2 client credentials and API-Version', () => {
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(8);
    expect(doc.info.contact).toEqual({ name: expect.any(String), email: expect.any(String), url: expect.any(String) });
    expect(doc.servers.every((s: { url: string }) => s.url.endsWith('/v1'))).toBe(true);
    expect(doc.components.securitySchemes.oauth2.flows.clientCredentials).toBeDefined();
    expect(doc.components.headers['API-Version'].required).toBe(true);
  });

  it('every 2xx carries API-Version; every 4xx/5xx is problem+json with status, title and detail; every parameter is described', () => {
    const problems: string[] = [];
    for (const [name, op] of operations()) {
      for (const [code, raw] of Object.entries(op.responses as Record<string, unknown>)) {
        const r = resolve(raw);
        if (code.startsWith('2') && !r.headers?.['API-Version']) problems.push(`${name} ${code}: no API-Version`);
        if (/^[45]/.test(code)) {
          const schema = r.content?.['application/problem+json']?.schema;
          const target = schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
          if (!target || !['status', 'title', 'detail'].every((f) => target.required.includes(f))) problems.push(`${name} ${code}: not problem+json`);
        }
      }
      if ((name.startsWith('POST') || op.parameters?.length) && !op.responses['400']) problems.push(`${name}: no 400`);
      for (const p of op.parameters ?? []) if (!p.description) problems.push(`${name}: parameter ${p.name} undescribed`);
    }
    expect(problems).toEqual([]);
    const codes = new Set(operations().flatMap(([, op]) => Object.keys(op.responses)));
    for (const c of ['400', '401', '403', '404', '409', '413', '415', '503']) expect(codes.has(c), c).toBe(true);
  });

  it('the message schemas in it are the validating files, with a request example per type', () => {
    const files = t.gw.services.schemas;
    for (const type of files.berichttypen) {
      const component = doc.components.schemas[`${type.charAt(0).toUpperCase()}${type.slice(1)}V1`];
      expect(Object.keys(component.properties)).toEqual(Object.keys((files.schema(type)!.properties as object)));
    }
    expect(doc.components.schemas.Eindreden.enum).toEqual((files.files.get('definities/v1.json')!.$defs as any).Eindreden.enum);
    expect(doc.components.schemas.Envelop.properties.inhoud.anyOf).toHaveLength(6);
    const examples = doc.paths['/berichten'].post.requestBody.content['application/json'].examples;
    expect(Object.keys(examples).sort()).toEqual(['AanwezigheidV1', 'BesluitV1', 'KnelpuntV1', 'PlaatsingV1', 'PlanV1', 'TaalvoortgangV1']);
    for (const { value } of Object.values(examples) as { value: unknown }[]) expect(files.validateBericht(value).fouten).toEqual([]);
  });
});

describe('HSTS behind a TLS-terminating proxy', () => {
  it('DOELPOORT_TRUST_PROXY: off by default; true, a hop count or addresses; anything else refuses to start', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect([parseTrustProxy('true'), parseTrustProxy('1'), parseTrustProxy('loopback, 10.0.0.0/8'), parseTrustProxy('false')]).toEqual([true, 1, 'loopback, 10.0.0.0/8', false]);
    expect(() => parseTrustProxy('$(reboot)')).toThrow(ConfigError);
  });

  it('is sent when a trusted proxy says the request was https, and not when an untrusted client claims it', async () => {
    const behindProxy = await startTestGateway({ overrides: { trustProxy: 'loopback' } });
    try {
      const https = await behindProxy.api().get('/health/live').set('X-Forwarded-Proto', 'https');
      expect(https.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect((await behindProxy.api().get('/health/live')).headers['strict-transport-security']).toBeUndefined();
    } finally {
      await behindProxy.close();
    }
    const direct = await t.api().get('/health/live').set('X-Forwarded-Proto', 'https');
    expect(direct.headers['strict-transport-security']).toBeUndefined();
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
