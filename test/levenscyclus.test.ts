/**
 * Running it: group commit under concurrency, draining on SIGTERM (a real child process), the
 * production mode against a real external issuer, and refusing to start when configuration is unsafe.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { ConfigError, loadConfig, projectRoot } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { bearer, envelop, startTestGateway, type TestGateway } from './support/gateway.js';

describe('group commit', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('300 concurrent publishes: every one 201, every one stored once, the chain still linear', async () => {
    const trajectId = await t.openTraject();
    const token = await t.token('roc-van-twente');
    const bodies = Array.from({ length: 300 }, () => envelop('aanwezigheid', trajectId));
    const responses = await Promise.all(bodies.map((b) => t.api().post('/v1/berichten').set(...bearer(token)).send(b)));
    expect(responses.map((r) => r.status)).toEqual(bodies.map(() => 201));
    expect(t.query<{ n: number }>('SELECT count(*) n FROM berichten')[0]!.n).toBe(300);
    const chain = t.query<{ id: number; vorigeHash: string; hash: string }>('SELECT id, vorigeHash, hash FROM logboek ORDER BY id');
    chain.forEach((r, i) => {
      expect(r.id).toBe(i + 1);
      if (i > 0) expect(r.vorigeHash).toBe(chain[i - 1]!.hash);
    });
    // Each receipt names the record that was written with its message.
    const byId = new Map(chain.map((r) => [r.id, r.hash]));
    for (const r of responses) expect(byId.get(r.body.logboek.id)).toBe(r.body.logboek.hash);
  });
});

describe('SIGTERM', () => {
  it('drains in-flight requests, finishes the pending commit and exits 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-sigterm-'));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot(), 'src/main.ts')], {
      env: { ...process.env, PORT: '0', DOELPOORT_DATA_DIR: dataDir, LOG_LEVEL: 'warn', OIDC_ISSUER: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /runs at (http:\/\/[^ ]+) /.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited early (${code}): ${out}`)));
      });
      const issuer = `${url}/oidc`;
      const g = (await fetchAccessToken({ issuer, clientId: 'gemeente-hengelo', jwk: readDevClientKey(dataDir, 'gemeente-hengelo') })).accessToken;
      const roc = (await fetchAccessToken({ issuer, clientId: 'roc-van-twente', jwk: readDevClientKey(dataDir, 'roc-van-twente') })).accessToken;
      const traject = await request(url).post('/v1/trajecten').set(...bearer(g))
        .send({ leerroute: 'B1', startdatum: '2026-01-05', toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-01-05' }] });
      const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 40 });
      // Warm the connections so the requests below are in flight, not waiting to connect.
      await Promise.all(Array.from({ length: 40 }, () => request(url).get('/health/live').agent(agent)));
      const inFlight = Array.from({ length: 40 }, () =>
        request(url).post('/v1/berichten').agent(agent).set(...bearer(roc)).send(envelop('aanwezigheid', traject.body.trajectId)).then((r) => r.status, () => 'afgebroken'),
      );
      await new Promise((r) => setTimeout(r, 15));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const statuses = await Promise.all(inFlight);
      expect(await exited).toBe(0);
      agent.destroy();
      const created = statuses.filter((s) => s === 201).length;
      expect(created).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 201 || s === 'afgebroken')).toBe(true);
      const db = new Database(path.join(dataDir, 'doelpoort.db'), { readonly: true });
      const stored = (db.prepare('SELECT count(*) n FROM berichten').get() as { n: number }).n;
      const published = (db.prepare("SELECT count(*) n FROM logboek WHERE actie = 'bericht-publiceren' AND status = 201").get() as { n: number }).n;
      db.close();
      expect(stored).toBe(created);
      expect(published).toBe(created);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('production mode (OIDC_ISSUER set)', () => {
  it('refuses to start without an audience and a party registry', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://login.example' })).toThrow(ConfigError);
    expect(() => loadConfig({ OIDC_ISSUER: 'https://login.example' })).toThrow(/OIDC_AUDIENCE.*DOELPOORT_POLICY_DIR/s);
    const ok = loadConfig({ OIDC_ISSUER: 'https://login.example', OIDC_AUDIENCE: 'https://doelpoort.example/v1', DOELPOORT_POLICY_DIR: '/etc/doelpoort' });
    expect(ok).toMatchObject({ mode: 'external', issuer: 'https://login.example', audience: 'https://doelpoort.example/v1' });
  });

  it('verifies tokens of an external issuer found by discovery, and has no /oidc of its own', async () => {
    const idp = await startTestGateway(); // a real OpenID Provider (the embedded one of another instance)
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-prod-'));
    const prod = await startGateway({
      env: { OIDC_ISSUER: idp.gw.config.issuer, OIDC_AUDIENCE: idp.gw.config.audience, DOELPOORT_POLICY_DIR: path.join(projectRoot(), 'policies') },
      overrides: { port: 0, dataDir, logLevel: 'silent' },
    });
    try {
      expect(prod.config.mode).toBe('external');
      const token = await idp.token('gemeente-hengelo');
      const res = await request(prod.url).post('/v1/trajecten').set(...bearer(token)).send({ leerroute: 'B1', startdatum: '2026-01-05', toewijzingen: [] });
      expect(res.status).toBe(201);
      expect((await request(prod.url).get('/oidc/.well-known/openid-configuration')).status).toBe(404);
      expect((await request(prod.url).get('/health/ready')).body.checks.issuer).toBe('up');
    } finally {
      await prod.stop();
      await idp.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
