/**
 * Nothing lives in one replica's memory (issue 9): two gateways on one PostgreSQL database behind a
 * balancer that sends each request to the other replica in turn (no stickiness). The privacy
 * officer's login (authorization code + PKCE through the real provider's login page) works with its
 * steps spread over both replicas, and the signed-in page session then works on each; a client
 * assertion used at replica A is refused at replica B; sessions and used assertions survive a restart
 * of the gateway on the same database. Starting a replica prints no in-memory-adapter warning.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readDevClientKey } from '../src/auth/client.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { createTestDatabase, pgQuery, type TestDatabase } from './support/postgres.js';
import { loginAt } from './support/privacy.js';
import { startRoundRobin, type RoundRobin } from './support/round-robin.js';

let db: TestDatabase;
let dataDir: string;
let rr: RoundRobin;
const upstreams: string[] = [];
let replicas: Gateway[] = [];
const warnings: string[] = [];

/** A replica on the shared database and data folder, public under the balancer's URL. */
const replica = () => startGateway({
  env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', databaseUrl: db.url, publicUrl: rr.url, controlepuntSeconden: 0 },
});

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-replicas-'));
  // The balancer first (its URL is the replicas' public URL, so issuer and redirects match); its
  // upstreams are filled in once the replicas listen.
  rr = await startRoundRobin(upstreams);
  const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.join(' ')));
  try {
    replicas = await Promise.all([replica(), replica()]);
  } finally {
    warn.mockRestore();
  }
  upstreams.push(...replicas.map((r) => r.url));
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await rr?.close();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const cookieOf = (agent: ReturnType<typeof request.agent>) => {
  const jar = (agent as unknown as { jar: { getCookie(name: string, access: object): { value: string } | undefined } }).jar;
  const c = jar.getCookie('doelpoort_privacy', { domain: '127.0.0.1', path: '/privacy', secure: false, script: false });
  if (!c) throw new Error('no session cookie');
  return `doelpoort_privacy=${c.value}`;
};

async function assertion(clientId: string): Promise<string> {
  const jwk = readDevClientKey(dataDir, clientId) as jose.JWK & { alg?: string; kid?: string };
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ iss: clientId, sub: clientId, aud: `${rr.url}/oidc`, jti: crypto.randomUUID(), iat: now, exp: now + 120 })
    .setProtectedHeader({ alg: jwk.alg ?? 'ES256', kid: jwk.kid }).sign(await jose.importJWK(jwk, jwk.alg ?? 'ES256'));
}
const tokenRequest = (url: string, clientAssertion: string) => request(url).post('/oidc/token').type('form').send({
  grant_type: 'client_credentials', client_id: 'gemeente-hengelo',
  client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion,
});

let officerCookie: string;
let usedAssertion: string;

describe('two replicas behind a balancer without stickiness', () => {
  it('the embedded provider keeps its state in the database: no in-memory adapter warning at start', () => {
    expect(warnings.filter((w) => /in-memory adapter/i.test(w))).toEqual([]);
  });

  it('the officer logs in with consecutive requests alternating between the replicas, and the page session works on both', async () => {
    const from = rr.served.length;
    const { agent, landed } = await loginAt(rr.url, 'fg-hengelo');
    expect(landed.status).toBe(200);
    expect(landed.text).toContain('Ingelogd als');
    // The login's steps (start, authorize, interaction, login form, resume, callback, page) went to both replicas in turn.
    const steps = rr.served.slice(from);
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(new Set(steps)).toEqual(new Set([0, 1]));
    officerCookie = cookieOf(agent);
    // The same session on each replica directly.
    for (const r of replicas) {
      const page = await request(r.url).get('/privacy/logboek').set('Cookie', officerCookie);
      expect(page.status).toBe(200);
      expect(page.text).toContain('(fg-hengelo)');
    }
    // And through the balancer, twice (one per replica).
    for (let i = 0; i < 2; i++) expect((await agent.get('/privacy/logboek')).text).toContain('Ingelogd als');
  });

  it('a client assertion used at replica A is refused at replica B', async () => {
    usedAssertion = await assertion('gemeente-hengelo');
    expect((await tokenRequest(replicas[0]!.url, usedAssertion)).status).toBe(200);
    const replay = await tokenRequest(replicas[1]!.url, usedAssertion);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_client');
    // A fresh assertion is fine on B (the refusal is about the replay, not about B).
    expect((await tokenRequest(replicas[1]!.url, await assertion('gemeente-hengelo'))).status).toBe(200);
  });

  it('after a restart of the gateway on the same database the officer is still signed in and the used assertion stays used', async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    upstreams.length = 0;
    replicas = [await replica()];
    upstreams.push(replicas[0]!.url);
    const page = await request(replicas[0]!.url).get('/privacy/logboek').set('Cookie', officerCookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('(fg-hengelo)');
    const replay = await tokenRequest(replicas[0]!.url, usedAssertion);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_client');
  });
});

describe('rate limits hold across replicas on PostgreSQL', () => {
  let pgdb: TestDatabase;
  let dir: string;
  let a: Gateway;
  let b: Gateway;
  beforeAll(async () => {
    pgdb = await createTestDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-replicas-limieten-'));
    const start = (publicUrl?: string) => startGateway({
      env: {}, overrides: {
        port: 0, dataDir: dir, logLevel: 'silent', databaseUrl: pgdb.url, publicUrl, controlepuntSeconden: 0,
        pressure: { rateApi: { limit: 3, windowMs: 3_600_000 }, rateToken: { limit: 2, windowMs: 3_600_000 }, rateTokenIp: { limit: 1000, windowMs: 3_600_000 } },
      },
    });
    a = await start();
    b = await start(a.config.publicUrl);
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await pgdb?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const assertionFor = async (clientId: string, issuer: string) => {
    const jwk = readDevClientKey(dir, clientId) as jose.JWK & { alg?: string; kid?: string };
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ iss: clientId, sub: clientId, aud: issuer, jti: crypto.randomUUID(), iat: now, exp: now + 120 })
      .setProtectedHeader({ alg: jwk.alg ?? 'ES256', kid: jwk.kid }).sign(await jose.importJWK(jwk, jwk.alg ?? 'ES256'));
  };
  const token = async (gw: Gateway, clientId: string) => request(gw.url).post('/oidc/token').type('form').send({
    grant_type: 'client_credentials', client_id: clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertionFor(clientId, a.config.issuer),
  });

  it('the token endpoint: two tokens of a client on A and B, the third on either is 429', async () => {
    expect((await token(a, 'werkshop')).status).toBe(200);
    expect((await token(b, 'werkshop')).status).toBe(200);
    expect((await token(a, 'werkshop')).status).toBe(429);
    expect((await token(b, 'werkshop')).status).toBe(429);
    expect((await token(b, 'roc-van-twente')).status).toBe(200); // another client has its own count
  });

  it('the API: three calls spread over A and B use up the limit of both (counted with write-behind)', async () => {
    const t = (await token(a, 'gemeente-hengelo')).body.access_token as string;
    const call = (gw: Gateway) => request(gw.url).get('/v1/trajecten/0b7e6c55-3c1f-4f5e-9a53-1d2b3c4d5e6f').set('Authorization', `Bearer ${t}`);
    expect((await call(a)).status).not.toBe(429);
    expect((await call(a)).status).not.toBe(429);
    expect((await call(b)).status).not.toBe(429);
    // Until both replicas' hits are in the shared row (a flush every 250 ms), poll the database, not the API.
    const deadline = Date.now() + 10_000;
    const total = async () => (await pgQuery<{ teller: string }>(pgdb.url, "SELECT teller FROM gedeelde_staat WHERE soort = '#teller' AND sleutel LIKE 'api:gemeente-hengelo@%'"))
      .reduce((n, r) => n + Number(r.teller), 0);
    while ((await total()) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await total()).toBe(3);
    // Each replica hears of the other's hits at its own next flush (≤ 250 ms after a hit of its
    // own): until then it may admit a few more — the documented overshoot of one interval — and
    // then refuses. (That the count is shared at all is the row total of 3 above: counters in
    // memory write nothing to the database.)
    for (const gw of [b, a]) {
      let admitted = 0;
      let last = await call(gw);
      while (last.status !== 429 && admitted < 50) {
        admitted++;
        await new Promise((r) => setTimeout(r, 25));
        last = await call(gw);
      }
      expect(last.status).toBe(429);
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      expect(admitted).toBeLessThanOrEqual(15);
    }
  });
});
