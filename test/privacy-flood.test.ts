/**
 * The privacy pages under attack (issue 15): a flood of anonymous login starts — from one address
 * (refused after 20 per window, 429) or from thousands — cannot evict a signed-in officer or another
 * address's login in progress (sessions and provider state are rows that expire, never evicted), and an absolute-form request target
 * cannot make the post-login redirect leave the site. A real gateway, real provider, real HTTP.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import * as jose from 'jose';
import request from 'supertest';
import { readDevClientKey } from '../src/auth/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, follow, formAction, loginAgent } from './support/privacy.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  // Behind a proxy on loopback, so the flood can come from another client address than the officers.
  t = await startTestGateway({ overrides: { trustProxy: 'loopback' } });
});
afterAll(() => t.close());

/** Submit the provider's login form on `loginPage` and follow every redirect by hand, recording where each points. */
async function finishLogin(agent: ReturnType<typeof request.agent>, loginPage: request.Response, user = 'fg-hengelo') {
  let res = await agent.post(formAction(loginPage.text, '/inloggen')).type('form').send({ gebruikersnaam: user, wachtwoord: DEMO_PASSWORD }).redirects(0);
  const locations: string[] = [];
  for (let i = 0; i < 10 && res.status >= 300 && res.status < 400; i++) {
    const next = new URL(res.headers.location!, t.gw.url);
    locations.push(next.href);
    if (next.origin !== new URL(t.gw.url).origin) break;
    res = await agent.get(next.pathname + next.search).redirects(0);
  }
  return { res, locations };
}

describe('a flood of anonymous login starts', () => {
  it('10,100 login starts from one address: 20 are let through, the rest get 429 with Retry-After; a signed-in officer and another address\'s pending login stay', async () => {
    // Officer A is signed in; officer B has started a login (from another address) and not finished it.
    const a = await loginAgent(t, 'fg-hengelo');
    expect(a.landed.status).toBe(200);
    const b = request.agent(t.gw.url);
    const bLoginPage = await follow(b, t.gw.url, await b.get('/privacy/inloggen').set('X-Forwarded-For', '192.0.2.10').redirects(0));
    expect(bLoginPage.status).toBe(200);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const { hostname, port } = new URL(t.gw.url);
    const one = (address: string) => new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ hostname, port, path: '/privacy/inloggen', agent, headers: { 'X-Forwarded-For': address } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      }).on('error', reject);
    });
    let sent = 0;
    const statuses = new Map<number, number>();
    let retryAfter = true;
    const window = (t: number) => Math.floor(t / 600_000);
    const began = Date.now();
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (sent < 10_100) {
        sent++;
        const res = await one('198.51.100.66');
        statuses.set(res.statusCode!, (statuses.get(res.statusCode!) ?? 0) + 1);
        if (res.statusCode === 429) retryAfter &&= Number(res.headers['retry-after']) > 0 && Number(res.headers['retry-after']) <= 600;
      }
    }));
    // 20 per address per 10-minute window (windows aligned to the clock): exactly 20, unless this run
    // happened to straddle a window boundary.
    const straddled = window(Date.now()) !== window(began);
    expect(statuses.get(303)! === 20 || (straddled && statuses.get(303)! <= 40)).toBe(true);
    expect(statuses.get(303)! + statuses.get(429)!).toBe(10_100);
    expect(statuses.size).toBe(2);
    expect(retryAfter).toBe(true);
    const asked = Date.now();
    const refusedPage = await request(t.gw.url).get('/privacy/inloggen').set('X-Forwarded-For', '198.51.100.66').redirects(0);
    if (window(asked) === window(began)) {
      expect(refusedPage.status).toBe(429);
      expect(refusedPage.text).toContain('te veel inlogpogingen gestart');
    }

    // …and 2,000 login starts from 2,000 addresses (one each) are all let through.
    sent = 0;
    const spread = new Map<number, number>();
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (sent < 2_000) {
        const i = sent++;
        const st = (await one(`203.0.${i >> 8}.${i & 255}`)).statusCode!;
        spread.set(st, (spread.get(st) ?? 0) + 1);
      }
    }));
    agent.destroy();
    expect(Object.fromEntries(spread)).toEqual({ 303: 2_000 });

    // A still reads the logboek; B finishes its login and lands on the pages.
    const aAfter = await a.agent.get('/privacy/logboek');
    expect(aAfter.status).toBe(200);
    expect(aAfter.text).toContain('Ingelogd als');
    const { res: bLanded } = await finishLogin(b, bLoginPage, 'fg-roc');
    expect(bLanded.status).toBe(200);
    expect(bLanded.text).toContain('(fg-roc)');
  }, 120_000);
});

describe('a flood of authorization requests at the provider', () => {
  it('2,500 pending interactions at the provider do not evict the replay record of a used client assertion (they did: replay accepted)', async () => {
    // A client assertion used once…
    const jwk = readDevClientKey(t.dataDir, 'gemeente-hengelo') as jose.JWK & { alg?: string; kid?: string };
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new jose.SignJWT({ iss: 'gemeente-hengelo', sub: 'gemeente-hengelo', aud: t.gw.config.issuer, jti: crypto.randomUUID(), iat: now, exp: now + 240 })
      .setProtectedHeader({ alg: jwk.alg ?? 'ES256', kid: jwk.kid }).sign(await jose.importJWK(jwk, jwk.alg ?? 'ES256'));
    const tokenRequest = () => t.api().post('/oidc/token').type('form').send({
      grant_type: 'client_credentials', client_id: 'gemeente-hengelo',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    });
    expect((await tokenRequest()).status).toBe(200);

    // …then 2,500 login starts that follow the redirect into the provider (each leaves an Interaction).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const { hostname, port } = new URL(t.gw.url);
    // From many addresses (20 login starts per address per window are let through).
    const get = (p: string, i: number) => new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ hostname, port, path: p, agent, headers: { 'X-Forwarded-For': `198.18.${i >> 8}.${i & 255}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      }).on('error', reject);
    });
    let sent = 0;
    let interactions = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (sent < 2_500) {
        const i = sent++;
        const start = await get('/privacy/inloggen', i);
        const auth = new URL(start.headers.location!);
        const res = await get(auth.pathname + auth.search, i);
        if (res.statusCode === 303 && /\/interactie\//.test(res.headers.location ?? '')) interactions++;
      }
    }));
    agent.destroy();
    expect(interactions).toBe(2_500);

    // The assertion is still known as used.
    const replay = await tokenRequest();
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_client');
  }, 120_000);
});

describe('the post-login redirect never leaves the site', () => {
  it('an absolute-form request target before login returns to the same page on the configured site', async () => {
    const { hostname, port } = new URL(t.gw.url);
    // GET http://evil.example/privacy/logboek?besluit=geweigerd HTTP/1.1 — as a proxy request would look.
    const started = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ hostname, port, path: 'http://evil.example/privacy/logboek?besluit=geweigerd', headers: { host: `${hostname}:${port}` } }, (res) => {
        res.resume();
        resolve(res);
      }).on('error', reject);
    });
    expect(started.statusCode).toBe(303);
    const agent = request.agent(t.gw.url);
    const cookie = ([] as string[]).concat(started.headers['set-cookie'] ?? []).find((c) => c.startsWith('doelpoort_privacy='))!;
    (agent as unknown as { jar: { setCookies(c: string[], domain: string, path: string): void } }).jar.setCookies([cookie], hostname, '/privacy');
    const loginPage = await follow(agent, t.gw.url, await agent.get(new URL(started.headers.location!).pathname + new URL(started.headers.location!).search).redirects(0));
    const { res, locations } = await finishLogin(agent, loginPage);
    expect(locations.every((l) => new URL(l).origin === new URL(t.gw.url).origin)).toBe(true);
    expect(locations.at(-1)).toBe(`${t.gw.url.replace('127.0.0.1', hostname)}/privacy/logboek?besluit=geweigerd`);
    expect(res.status).toBe(200);
  });
});
