/**
 * Under pressure — rate limits against a real gateway (real embedded provider, real SQLite) with low
 * limits set through configuration: each limit is exceeded and answered 429 with `Retry-After`,
 * other clients (and other accounts) are unaffected, and an API refusal is in the logboek.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { batchedSharedRateCounter, memoryRateCounter, rateLimiter, RateLimited, sharedRateCounter } from '../src/http/rate-limit.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { createLogger } from '../src/logger.js';
import { bearer, startTestGateway, type TestGateway } from './support/gateway.js';
import { DEMO_PASSWORD, follow, formAction } from './support/privacy.js';

const MINUTE = 60_000;
const RANDOM_TRAJECT = '0b7e6c55-3c1f-4f5e-9a53-1d2b3c4d5e6f';

/** 429 problem+json whose Retry-After is at most the rest of the window (`windowS`). */
function expect429(res: request.Response, windowS = 60): void {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(windowS);
  expect(res.body).toMatchObject({ type: 'urn:doelpoort:probleem:te-veel-verzoeken', status: 429, title: 'Te veel verzoeken; wacht even.' });
  expect(res.body.traceId).toMatch(/^[0-9a-f]{32}$/);
}

describe('configuration and counting', () => {
  it('limits are N/S (per S seconds) or off, with defaults; nonsense is refused naming the variable', () => {
    const defaults = loadConfig({}).pressure;
    expect(defaults).toMatchObject({
      headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 65_000, maxConnections: 1000, dbTimeoutMs: 5000,
      rateApi: { limit: 1200, windowMs: 60_000 }, rateLoginAccount: { limit: 5, windowMs: 900_000 },
    });
    const set = loadConfig({ DOELPOORT_RATE_API: '10/2', DOELPOORT_RATE_TOKEN: 'off', DOELPOORT_DB_TIMEOUT_MS: '250' }).pressure;
    expect(set).toMatchObject({ rateApi: { limit: 10, windowMs: 2000 }, rateToken: null, dbTimeoutMs: 250 });
    expect(() => loadConfig({ DOELPOORT_RATE_API: '10 per minute' })).toThrow(/DOELPOORT_RATE_API must be N\/S/);
    expect(() => loadConfig({ DOELPOORT_MAX_CONNECTIONS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ DOELPOORT_HEADERS_TIMEOUT_MS: '9000', DOELPOORT_REQUEST_TIMEOUT_MS: '5000' })).toThrow(/must not exceed DOELPOORT_REQUEST_TIMEOUT_MS/);
  });

  it('a window starts at the first hit and ends windowMs later; Retry-After is the rest of it; keys do not share counts', async () => {
    let now = 1_000_000;
    const limiter = rateLimiter('t', { limit: 2, windowMs: 10_000 }, memoryRateCounter(), createLogger('silent'), () => now);
    await limiter.hit('a');
    now += 4000;
    await limiter.hit('a');
    await limiter.hit('b');
    now += 1500;
    const refused = await limiter.hit('a').then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimited);
    expect((refused as RateLimited).retryAfterSeconds).toBe(5); // 10 s from the first hit, 5.5 s later → 4.5 s, rounded up
    now += 4500;
    await expect(limiter.hit('a')).resolves.toBeUndefined();
  });

  it('the memory counter is bounded: with more keys than it holds, the oldest windows are dropped first', async () => {
    const counter = memoryRateCounter(10);
    await counter.hit('oud', 60_000, 0);
    expect((await counter.hit('oud', 60_000, 1)).count).toBe(2);
    for (let i = 0; i < 10; i++) await counter.hit(`ip-${i}`, 60_000, 2);
    expect((await counter.peek('ip-9', 60_000, 3)).count).toBe(1);
    expect((await counter.hit('oud', 60_000, 3)).count).toBe(1);
  });

  it('a counter that fails lets the request through (and is logged), it does not take the gateway down', async () => {
    const broken = { hit: () => Promise.reject(new Error('kapot')), peek: () => Promise.reject(new Error('kapot')) };
    const limiter = rateLimiter('t', { limit: 1, windowMs: 1000 }, broken, createLogger('silent'));
    for (let i = 0; i < 3; i++) await expect(limiter.hit('a')).resolves.toBeUndefined();
  });

  it('shared counters (one store, two replicas\' counters): windows aligned to the clock, a peek does not count', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-tellers-'));
    const store = openSqliteStore(path.join(dir, 'd.db'));
    try {
      const a = sharedRateCounter(store.shared);
      const b = sharedRateCounter(store.shared);
      const t0 = Math.floor(Date.now() / 60_000) * 60_000 + 10_000;
      expect(await a.hit('k', 60_000, t0)).toEqual({ count: 1, resetAt: t0 - 10_000 + 60_000 });
      expect(await b.hit('k', 60_000, t0 + 5_000)).toEqual({ count: 2, resetAt: t0 - 10_000 + 60_000 });
      expect(await a.peek('k', 60_000, t0 + 6_000)).toEqual({ count: 2, resetAt: t0 - 10_000 + 60_000 });
      expect((await b.peek('k', 60_000, t0 + 6_000)).count).toBe(2);
      expect((await b.hit('k', 60_000, t0 + 50_000)).count).toBe(1); // the next aligned window
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('write-behind counters: a hit answers from memory; a flush adds this replica\'s hits and learns the total; a failed flush keeps its hits', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-tellers-'));
    const store = openSqliteStore(path.join(dir, 'd.db'));
    let failNext = false;
    const flaky = {
      increment: (...args: Parameters<typeof store.shared.increment>) => (failNext ? ((failNext = false), Promise.reject(new Error('weg'))) : store.shared.increment(...args)),
      count: store.shared.count,
    };
    try {
      const now = Date.now();
      const a = batchedSharedRateCounter(flaky, 60_000);
      const b = batchedSharedRateCounter(flaky, 60_000);
      await a.hit('k', 60_000, now);
      expect((await a.hit('k', 60_000, now)).count).toBe(2);
      expect((await b.hit('k', 60_000, now)).count).toBe(1); // B has not heard of A yet
      await a.flush();
      await b.flush();
      expect((await b.peek('k', 60_000, now)).count).toBe(3); // B's flush returned the total
      failNext = true;
      await a.hit('k', 60_000, now);
      await a.flush(); // fails: the hit stays pending
      expect((await a.peek('k', 60_000, now)).count).toBe(3);
      await a.flush();
      expect((await a.peek('k', 60_000, now)).count).toBe(4);
      expect(await store.shared.count('k', Math.floor(now / 60_000) * 60_000)).toBe(4);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('per client on the API and the token endpoint', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      overrides: { pressure: { rateApi: { limit: 3, windowMs: MINUTE }, rateToken: { limit: 2, windowMs: MINUTE }, rateTokenIp: { limit: 1000, windowMs: MINUTE } } },
    });
  });
  afterAll(() => t.close());

  it('the fourth API call of a client in the window is 429 and audited under its party; another client is unaffected', async () => {
    const roc = await t.token('roc-van-twente');
    const werkshop = await t.token('werkshop');
    for (let i = 0; i < 3; i++) {
      const ok = await t.api().get(`/v1/trajecten/${RANDOM_TRAJECT}`).set(...bearer(roc));
      expect(ok.status).not.toBe(429);
    }
    const refused = await t.api().get(`/v1/trajecten/${RANDOM_TRAJECT}`).set(...bearer(roc));
    expect429(refused);
    // Another client has its own count.
    const other = await t.api().get(`/v1/trajecten/${RANDOM_TRAJECT}`).set(...bearer(werkshop));
    expect(other.status).not.toBe(429);
    // Refused like any attempt: one record, under the caller's party, with the trace id of the answer.
    const records = t.query<{ partij: string; client: string; status: number; besluit: string; regel: string }>(
      'SELECT partij, client, status, besluit, regel FROM logboek WHERE traceId = ?', refused.body.traceId,
    );
    expect(records).toEqual([{ partij: 'roc-van-twente', client: 'roc-van-twente', status: 429, besluit: 'geweigerd', regel: 'te-veel-verzoeken' }]);
  });

  it('the OpenAPI document names 429 (with Retry-After) for every authenticated operation', async () => {
    const doc = (await t.api().get('/v1/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { responses: Record<string, { headers: Record<string, unknown> }> } };
    const operations = Object.values(doc.paths).flatMap((p) => Object.values(p)).filter((o) => o.responses?.['401']);
    expect(operations.length).toBeGreaterThan(10);
    expect(operations.filter((o) => !o.responses['429'])).toEqual([]);
    expect(doc.components.responses.Probleem429!.headers['Retry-After']).toBeDefined();
    expect(doc.components.responses.Probleem503!.headers['Retry-After']).toBeDefined();
  });

  it('the token endpoint counts per client named in the form (client_id or assertion iss): the third request is 429, another client still gets a token', async () => {
    const form = { grant_type: 'client_credentials', client_id: 'vluchtelingenwerk-twente', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'geen.geldige.assertion' };
    for (let i = 0; i < 2; i++) {
      const res = await t.api().post('/oidc/token').type('form').send(form);
      expect([400, 401]).toContain(res.status);
    }
    expect429(await t.api().post('/oidc/token').type('form').send(form));
    // The same client through a (forged) assertion only, without client_id: the same count.
    const header = Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ iss: 'vluchtelingenwerk-twente', sub: 'vluchtelingenwerk-twente' })).toString('base64url');
    expect429(await t.api().post('/oidc/token').type('form').send({ ...form, client_id: undefined, client_assertion: `${header}.${payload}.c2ln` }));
    // Another client is unaffected: a real token through the real provider.
    const token = await fetchAccessToken({ issuer: t.gw.config.issuer, clientId: 'taalschool-oost', jwk: readDevClientKey(t.dataDir, 'taalschool-oost') });
    expect(token.accessToken).toMatch(/^ey/);
  });
});

describe('per IP on the token endpoint, per IP and per account on the login form', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      overrides: {
        pressure: {
          rateToken: null, rateTokenIp: { limit: 4, windowMs: MINUTE },
          rateLoginAccount: { limit: 3, windowMs: 15 * MINUTE }, rateLoginIp: { limit: 12, windowMs: 15 * MINUTE },
        },
      },
    });
  });
  afterAll(() => t.close());

  /** A fresh login page of the real provider: an agent with its interaction cookie and the form's action. */
  async function loginForm() {
    const agent = request.agent(t.gw.url);
    const page = await follow(agent, t.gw.url, await agent.get('/privacy/inloggen').redirects(0));
    return { agent, action: formAction(page.text, '/inloggen') };
  }

  it('after 3 wrong passwords for an account its login is refused for a while — even with the right password — and another account is unaffected', async () => {
    const { agent, action } = await loginForm();
    for (let i = 0; i < 3; i++) {
      const res = await agent.post(action).type('form').send({ gebruikersnaam: 'fg-hengelo', wachtwoord: `fout-${i}` }).redirects(0);
      expect(res.status).toBe(401);
    }
    const locked = await agent.post(action).type('form').set('Accept', 'application/json').send({ gebruikersnaam: 'fg-hengelo', wachtwoord: DEMO_PASSWORD }).redirects(0);
    expect429(locked, 900);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(60);
    // A browser gets a Dutch page.
    const page = await agent.post(action).type('form').set('Accept', 'text/html').send({ gebruikersnaam: 'FG-Hengelo', wachtwoord: DEMO_PASSWORD }).redirects(0);
    expect(page.status).toBe(429);
    expect(page.text).toContain('Te veel inlogpogingen');
    expect(page.headers['retry-after']).toBeDefined();
    // fg-roc logs in as usual (a redirect onwards, not the form again).
    const other = await loginForm();
    const ok = await other.agent.post(other.action).type('form').send({ gebruikersnaam: 'fg-roc', wachtwoord: DEMO_PASSWORD }).redirects(0);
    expect(ok.status).toBe(303);
  });

  it('per IP: login attempts above the broader limit are refused whatever the account', async () => {
    const { agent, action } = await loginForm();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await agent.post(action).type('form').set('Accept', 'application/json').send({ gebruikersnaam: `niemand-${i}`, wachtwoord: 'fout' }).redirects(0);
      statuses.push(res.status);
      if (res.status === 429) {
        expect429(res, 900);
        break;
      }
    }
    // The test above made 6 attempts from this IP (3 wrong, 2 while locked, fg-roc's login): the 13th is refused.
    expect(statuses).toHaveLength(7);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
  });

  it('per IP on the token endpoint, for requests that name no client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await t.api().post('/oidc/token').type('form').send({ grant_type: 'client_credentials' });
      statuses.push(res.status);
      if (res.status === 429) expect429(res);
    }
    // At most 4 answered (the limit), the rest refused.
    const first = statuses.indexOf(429);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThanOrEqual(4);
    expect(statuses.slice(0, first).every((s) => s === 400 || s === 401)).toBe(true);
    expect(statuses.slice(first).every((s) => s === 429)).toBe(true);
  });
});
