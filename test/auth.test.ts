/**
 * Step 1 and 2 of the pipeline — authenticate and identify — against the real embedded provider.
 * Forged tokens are signed with real keys (the provider's own key where the point is a bad claim,
 * a foreign key where the point is a bad signature) so each test fails for exactly one reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { bearer, newTraceparent, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
let providerKey: jose.JWK & { kid: string };

beforeAll(async () => {
  t = await startTestGateway();
  providerKey = JSON.parse(fs.readFileSync(path.join(t.dataDir, 'oidc', 'jwks.json'), 'utf8')).keys[0];
});
afterAll(() => t.close());

async function forge(claims: jose.JWTPayload, opts: { key?: jose.JWK & { kid?: string }; typ?: string } = {}) {
  const jwk = opts.key ?? providerKey;
  const key = await jose.importJWK(jwk, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const payload = { client_id: 'gemeente-hengelo', iss: t.gw.config.issuer, aud: t.gw.config.audience, iat: now, exp: now + 300, ...claims };
  return new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: opts.typ ?? 'at+jwt', kid: jwk.kid }).sign(key);
}

async function refusedAuditFor(traceId: string) {
  return t.query<{ besluit: string; regel: string; status: number; client: string | null }>('SELECT besluit, regel, status, client FROM logboek WHERE traceId = ?', traceId);
}

describe('tokens from the embedded provider', () => {
  it('issues an RFC 9068 JWT access token for the gateway, also when no resource is asked for', async () => {
    const token = await t.token('gemeente-hengelo');
    expect(jose.decodeProtectedHeader(token).typ).toBe('at+jwt');
    const claims = jose.decodeJwt(token);
    expect(claims.aud).toBe(t.gw.config.audience);
    expect(claims.iss).toBe(t.gw.config.issuer);
    expect(claims.client_id).toBe('gemeente-hengelo');
  });

  it('accepts an explicit resource equal to the gateway and refuses any other resource', async () => {
    const jwk = readDevClientKey(t.dataDir, 'werkshop');
    const ok = await fetchAccessToken({ issuer: t.gw.config.issuer, clientId: 'werkshop', jwk, resource: t.gw.config.audience });
    expect(jose.decodeJwt(ok.accessToken).aud).toBe(t.gw.config.audience);
    await expect(fetchAccessToken({ issuer: t.gw.config.issuer, clientId: 'werkshop', jwk, resource: 'https://elders.example/api' })).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('refuses a client assertion signed with another client\'s key', async () => {
    const wrong = readDevClientKey(t.dataDir, 'werkshop');
    await expect(fetchAccessToken({ issuer: t.gw.config.issuer, clientId: 'gemeente-hengelo', jwk: wrong })).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('serves a valid token on a real request', async () => {
    const res = await t.api().get('/v1/berichten?doel=trajectbegeleiding').set(...bearer(await t.token('gemeente-hengelo')));
    expect(res.status).toBe(200);
  });
});

describe('refused authentication: 401 problem+json with WWW-Authenticate, audited, nothing disclosed', () => {
  it('without a token', async () => {
    const trace = newTraceparent();
    const res = await t.api().get('/v1/berichten?doel=trajectbegeleiding').set('traceparent', trace.header);
    expect(res.status).toBe(401);
    expect(res.type).toBe('application/problem+json');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="doelpoort"/);
    expect(res.body).toMatchObject({ status: 401, title: expect.any(String), detail: expect.any(String) });
    expect(await refusedAuditFor(trace.traceId)).toEqual([{ besluit: 'geweigerd', regel: 'token-ontbreekt', status: 401, client: null }]);
  });

  it.each([
    ['expired', () => forge({ exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 }), 'token-verlopen'],
    ['for another audience', () => forge({ aud: 'https://andere-api.example' }), 'token-ongeldig'],
    ['from another issuer', () => forge({ iss: 'https://nep-idp.example' }), 'token-ongeldig'],
    ['without typ at+jwt (an ID token, say)', () => forge({}, { typ: 'JWT' }), 'token-ongeldig'],
  ])('a token %s (signed with the provider\'s real key)', async (_name, make, regel) => {
    const trace = newTraceparent();
    const res = await t.api().get('/v1/berichten?doel=trajectbegeleiding').set(...bearer(await make())).set('traceparent', trace.header);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await refusedAuditFor(trace.traceId))[0]).toMatchObject({ besluit: 'geweigerd', regel, status: 401 });
  });

  it('a token signed with a foreign key that claims the provider\'s kid', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const foreign = { ...(await jose.exportJWK(privateKey)), kid: providerKey.kid };
    const res = await t.api().get('/v1/berichten?doel=trajectbegeleiding').set(...bearer(await forge({}, { key: foreign })));
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/handtekening/);
  });

  it('an unsigned token (alg: none)', async () => {
    const unsigned = new jose.UnsecuredJWT({ client_id: 'gemeente-hengelo' })
      .setIssuer(t.gw.config.issuer).setAudience(t.gw.config.audience).setIssuedAt().setExpirationTime('5m').encode();
    const res = await t.api().get('/v1/berichten?doel=trajectbegeleiding').set(...bearer(unsigned));
    expect(res.status).toBe(401);
  });

  it('an HMAC token keyed with the public key (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify({ kty: providerKey.kty, crv: providerKey.crv, x: providerKey.x, y: providerKey.y }));
    const hs = await new jose.SignJWT({ client_id: 'gemeente-hengelo' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: providerKey.kid })
      .setIssuer(t.gw.config.issuer).setAudience(t.gw.config.audience).setIssuedAt().setExpirationTime('5m').sign(secret);
    const res = await t.api().get('/v1/berichten?doel=trajectbegeleiding').set(...bearer(hs));
    expect(res.status).toBe(401);
  });

  it('garbage in the Authorization header', async () => {
    const res = await t.api().get('/v1/berichten?doel=trajectbegeleiding').set('Authorization', 'Basic Zm9vOmJhcg==');
    expect(res.status).toBe(401);
  });
});

describe('identify', () => {
  it('a valid token of a client that is no registered party gets 403 and is audited', async () => {
    const trace = newTraceparent();
    const res = await t.api().get('/v1/berichten?doel=trajectbegeleiding').set(...bearer(await forge({ client_id: 'onbekende-app' }))).set('traceparent', trace.header);
    expect(res.status).toBe(403);
    expect((await refusedAuditFor(trace.traceId))[0]).toMatchObject({ regel: 'onbekende-client', status: 403 });
  });
});

describe('tokens in the URL', () => {
  it('are refused even when valid, and the refusal is audited', async () => {
    const trace = newTraceparent();
    const token = await t.token('gemeente-hengelo');
    const res = await t.api().get(`/v1/berichten?doel=trajectbegeleiding&access_token=${token}`).set('traceparent', trace.header);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:doelpoort:probleem:token-in-query');
    expect((await refusedAuditFor(trace.traceId))[0]).toMatchObject({ regel: 'token-in-query', status: 400 });
  });
});

describe('lifetimes of assertions and tokens', () => {
  /** A client_credentials token request with a hand-made private_key_jwt assertion of gemeente-hengelo. */
  async function tokenRequest(claims: { iat?: number; exp: number }) {
    const jwk = readDevClientKey(t.dataDir, 'gemeente-hengelo') as jose.JWK & { alg?: string; kid?: string };
    const key = await jose.importJWK(jwk, jwk.alg ?? 'ES256');
    const payload: jose.JWTPayload = { iss: 'gemeente-hengelo', sub: 'gemeente-hengelo', aud: t.gw.config.issuer, jti: crypto.randomUUID(), ...claims };
    const assertion = await new jose.SignJWT(payload).setProtectedHeader({ alg: jwk.alg ?? 'ES256', kid: jwk.kid }).sign(key);
    return t.api().post('/oidc/token').type('form').send({
      grant_type: 'client_credentials',
      client_id: 'gemeente-hengelo',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
  }
  const now = () => Math.floor(Date.now() / 1000);

  it('an assertion living 4 minutes is taken', async () => {
    const res = await tokenRequest({ iat: now(), exp: now() + 240 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it.each([
    ['a year (exp − iat)', () => ({ iat: now(), exp: now() + 365 * 86400 })],
    ['10 minutes without iat (exp − now)', () => ({ exp: now() + 600 })],
    ['a backdated iat with a late exp', () => ({ iat: now() - 3600, exp: now() + 200 })],
    ['an iat in the future', () => ({ iat: now() + 600, exp: now() + 700 })],
  ])('an assertion with %s is refused', async (_name, claims) => {
    const res = await tokenRequest(claims());
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('an access token whose iat lies in the future beyond 60 s is refused; within the skew it is taken', async () => {
    const far = await t.api().get('/v1/berichten?doel=trajectbegeleiding').set(...bearer(await forge({ iat: now() + 600, exp: now() + 900 })));
    expect(far.status).toBe(401);
    expect(far.body.detail).toMatch(/toekomst/);
    const near = await t.api().get('/v1/berichten?doel=trajectbegeleiding').set(...bearer(await forge({ iat: now() + 20 })));
    expect(near.status).toBe(200);
  });
});
