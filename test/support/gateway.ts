/**
 * Test fixture: a real gateway on a real port with its own SQLite file (or, with `adapter:
 * 'postgres'`, its own PostgreSQL database of this test run) and the real embedded OpenID Provider;
 * tokens come from that provider through openid-client (private_key_jwt), exactly as an integrating
 * party gets them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { fetchAccessToken, readDevClientKey } from '../../src/auth/client.js';
import type { ConfigOverrides } from '../../src/config.js';
import { startGateway, type Gateway, type StartOptions } from '../../src/gateway.js';
import { camel } from '../../src/store/postgres-sql.js';
import { createTestDatabase, pgQuery, type TestDatabase } from './postgres.js';

export type Adapter = 'sqlite' | 'postgres';

export interface TestGateway {
  gw: Gateway;
  dataDir: string;
  api: () => ReturnType<typeof request>;
  token(clientId: string): Promise<string>;
  /** The store adapter this gateway runs on. */
  adapter: Adapter;
  /** PostgreSQL only: the database URL. */
  databaseUrl: string | null;
  /** A read-only view of the gateway's SQLite database file, opened per call (SQLite only). */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  /** The same on either adapter: `?` placeholders, SQL both engines understand, camelCase keys back. */
  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** Open a trajectory as gemeente-hengelo with roc-van-twente (taal) and werkshop (participatie). */
  openTraject(toewijzingen?: { partij: string; rol: string; vanaf: string; tot?: string }[]): Promise<string>;
  close(): Promise<void>;
}

export async function startTestGateway(options: { overrides?: ConfigOverrides; logger?: StartOptions['logger']; now?: StartOptions['now']; adapter?: Adapter } = {}): Promise<TestGateway> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-test-'));
  const adapter = options.adapter ?? 'sqlite';
  const pg: TestDatabase | null = adapter === 'postgres' ? await createTestDatabase() : null;
  const gw = await startGateway({
    env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', databaseUrl: pg?.url ?? null, ...options.overrides }, logger: options.logger, now: options.now,
  });
  const tokens = new Map<string, Promise<string>>();
  const t: TestGateway = {
    gw,
    dataDir,
    adapter,
    databaseUrl: pg?.url ?? null,
    api: () => request(gw.url),
    token(clientId) {
      let p = tokens.get(clientId);
      if (!p) {
        p = fetchAccessToken({ issuer: gw.config.issuer, clientId, jwk: readDevClientKey(dataDir, clientId) }).then((r) => r.accessToken);
        tokens.set(clientId, p);
      }
      return p;
    },
    async rows(sql, ...params) {
      if (!pg) return t.query(sql, ...params);
      let n = 0;
      return (await pgQuery(pg.url, sql.replace(/\?/g, () => `$${++n}`), params)).map((r) => camel(r as Record<string, unknown>));
    },
    query(sql, ...params) {
      if (pg) throw new Error('query() reads the SQLite file; use rows() on PostgreSQL');
      const db = new Database(path.join(dataDir, 'doelpoort.db'), { readonly: true, fileMustExist: true });
      try {
        return db.prepare(sql).all(...params) as never;
      } finally {
        db.close();
      }
    },
    async openTraject(toewijzingen = DEFAULT_TOEWIJZINGEN) {
      const res = await t.api().post('/v1/trajecten').set('Authorization', `Bearer ${await t.token('gemeente-hengelo')}`)
        .send({ leerroute: 'B1', startdatum: '2026-01-05', toewijzingen });
      if (res.status !== 201) throw new Error(`openTraject: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.trajectId as string;
    },
    async close() {
      await gw.stop();
      await pg?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

export const DEFAULT_TOEWIJZINGEN = [
  { partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-01-05' },
  { partij: 'werkshop', rol: 'participatie', vanaf: '2026-01-05' },
];

/** One valid message content per type (the examples in schemas/examples/ are the fuller set). */
export const VOORBEELDEN = {
  aanwezigheid: {
    periode: { van: '2026-11-02', tot: '2026-11-08' },
    totalen: [{
      activiteit: 'formele-taalles',
      minuten: { gepland: 540, aanwezig: 360, teLaat: 0, geoorloofdAfwezig: 0, ongeoorloofdAfwezig: 180, ziek: 0, afwezig: 0, vervallen: 0, onbekend: 0 },
    }],
  },
  taalvoortgang: {
    leerroute: 'B1',
    niveaus: [{ vaardigheid: 'spreken', niveau: 'A2', peildatum: '2026-11-10', vastgesteldMet: 'toets' }],
    mijlpaal: { soort: 'niveau-behaald', niveau: 'A2', vaardigheden: ['spreken'], datum: '2026-11-10' },
    examens: [{ onderdeel: 'knm', uitslag: 'behaald', datum: '2026-10-01' }],
    toelichting: 'Oefent veel met de buren.',
  },
  plaatsing: {
    plaatsingId: 'WS-2026-0142',
    status: 'gestart',
    vorm: 'werkervaringsplaats',
    sector: 'zorg-en-welzijn',
    urenPerWeek: 16,
    startdatum: '2026-11-16',
    taalrijk: 'ja',
    werkgever: { naam: 'Zorggroep Twente', kvkNummer: '12345678' },
    belemmeringen: ['geen'],
  },
} as const;

export function envelop(berichttype: keyof typeof VOORBEELDEN, trajectId: string, inhoud: unknown = VOORBEELDEN[berichttype], schemaversie = '1.0') {
  return { berichtId: crypto.randomUUID(), berichttype, schemaversie, trajectId, gebeurtenisTijdstip: '2026-11-20T10:00:00+01:00', inhoud };
}

export const bearer = (token: string) => ['Authorization', `Bearer ${token}`] as const;

/** A W3C traceparent with a fresh trace id, to find a request's audit record. */
export function newTraceparent(): { header: string; traceId: string } {
  const traceId = crypto.randomBytes(16).toString('hex');
  return { header: `00-${traceId}-${crypto.randomBytes(8).toString('hex')}-01`, traceId };
}
