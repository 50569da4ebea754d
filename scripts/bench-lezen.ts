/**
 * The read benchmarks of issue 14, part of `npm run bench` (and alone: `npm run bench:lezen`).
 *
 * Per adapter (SQLite; PostgreSQL unless BENCH_PG=0), one gateway in this process on its own data,
 * the load generator (autocannon) in a child process of its own per run, real access tokens — so this
 * process's CPU time per answer is the gateway's (or the echo's) cost per request, a figure that other
 * load on the machine moves far less than requests per second (PostgreSQL's own CPU is not in it):
 *
 * - data: 500 trajectories of gemeente-hengelo, roc-van-twente assigned (taal) to all, werkshop
 *   (participatie) to 1 % of them (5); BENCH_LEZEN_BERICHTEN messages (default 200,000;
 *   BENCH_LEZEN_1M=1: 1,000,000) of roc-van-twente, round robin over the trajectories, written
 *   straight into the database with a valid chain (sealed records, scope rows) — so werkshop's
 *   trajectories hold 1 % of all messages; the trajectory read holds 1/500 of them;
 * - `echo-get` (a bare express 5 GET of a small JSON) and `echo-node` (bare node:http) at 64
 *   connections: the baselines, in the same run;
 * - `lezen-20` and `lezen-100`: GET /v1/berichten?doel=trajectbegeleiding&trajectId=…&limiet=20|100
 *   as the owning gemeente, at 16, 64 and 256 connections; `lezen-20-halftempo`: the page of 20 at 64
 *   connections offered half the rate the closed loop reached (latency when not saturated);
 * - `publiceren` alone (64 connections, roc-van-twente, a new berichtId per request), then `gemengd`:
 *   64 publishing and 64 reading a page of 20 at the same time;
 * - `feed`: GET /v1/berichten?doel=bemiddeling (a page of 100, no trajectId) as werkshop, whose
 *   messages are 1 % of all, at 64 connections;
 * - `stand`: GET /v1/trajecten/{id}/stand?doel=trajectbegeleiding at 64 connections, on a trajectory
 *   whose state was built by 40 messages published through the API.
 *
 * Each scenario runs BENCH_LEZEN_RUNS times (default 3) for BENCH_LEZEN_SECONDS (default 5) after a
 * 1 s warm-up; reported: min/median/max of requests/s and of p99, the ratio to the express echo, the
 * load average at the start and end of each run and the CPU other processes used during it
 * (/proc/stat minus this process). Every answer must be 2xx; the targets of issue 14 are printed as
 * met or not, never enforced. BENCH_LEZEN_ALLEEN=lezen-20,feed runs only the named scenarios (and
 * the echoes); BENCH_PROFILE=1 writes a CPU profile of the gateway thread during the first measured
 * run of each scenario to .bench/lezen-<adapter>-<scenario>-<connections>.cpuprofile and prints its summary.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Options, Result } from 'autocannon';
import Database from 'better-sqlite3';
import express from 'express';
import pg from 'pg';
import { GENESIS_HASH, seal, type AuditInput } from '../src/audit/record.js';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { NO_RATE_LIMITS, projectRoot } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { openPostgresStore } from '../src/store/postgres.js';
import { openPool, types } from '../src/store/postgres-sql.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { verifieerKeten } from '../src/audit/verify.js';
import { postgresLogboekReader } from '../src/store/postgres-logboek.js';
import { openSqliteLogboek } from '../src/store/sqlite-logboek.js';
import { benchDatabase } from './bench-schaal.js';
import { profiel } from './profiel.js';

type Log = (line: string) => void;
type Adapter = 'sqlite' | 'postgres';

const SETUP_PUBLISH = path.resolve(import.meta.dirname, 'bench-publish-request.cjs');
const VOORBEELD = (soort: string, naam: string) => JSON.parse(fs.readFileSync(path.join(projectRoot(), 'schemas', 'examples', soort, naam), 'utf8')) as Record<string, unknown>;
const TRAJECTEN = 500;
const WERKSHOP_TRAJECTEN = 5; // 1 %
const GEMEENTE = 'gemeente-hengelo';
const AFZENDER = 'roc-van-twente';
const TIMEOUT_SECONDS = 30;

export interface Meting {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Load average (1 min) at the start and the end of the measured run. */
  load: [number, number];
  /** Cores used by other processes during the run (null where /proc/stat is not there). */
  andereCores: number | null;
  /** CPU time of this process (the gateway, or the echo; not the load generator) per answer, µs. */
  cpuUsPerVerzoek: number | null;
  /**
   * Measured in the server, from the request's arrival to the answer's last byte handed to the
   * socket: what the gateway spends, without the load generator's own waits for a core.
   */
  serverP50Ms: number | null;
  serverP99Ms: number | null;
}

export interface Scenario {
  naam: string;
  verbindingen: number;
  runs: Meting[];
  /** min / median / max over the runs. */
  rps: [number, number, number];
  p99: [number, number, number];
  /** Median requests/s over the median of the express GET echo at 64 connections of this adapter's block. */
  ratioEcho: number | null;
  /** Median CPU µs of the gateway process per answer. */
  cpuUs: number;
}

export interface LeesResultaat {
  adapter: Adapter;
  berichten: number;
  genereerSeconden: number;
  scenarios: Scenario[];
  doelen: Array<{ doel: string; gemeten: string; gehaald: boolean }>;
  fouten: string[];
  /** The chain after the runs, verified by `audit/verify.ts`. */
  logboek: { records: number; geldig: boolean };
}

// ---------------------------------------------------------------------------------------------
// Machine load

interface CpuSnapshot { busy: number; own: number; at: number }
function cpuSnapshot(): CpuSnapshot | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number) as number[];
    const own = process.cpuUsage();
    return { busy: user! + nice! + system! + irq! + softirq! + (steal ?? 0), own: (own.user + own.system) / 1e6, at: performance.now() };
  } catch {
    return null;
  }
}
function otherCores(a: CpuSnapshot | null, b: CpuSnapshot | null): number | null {
  if (!a || !b) return null;
  return Math.max(0, Math.round((((b.busy - a.busy) / 100 - (b.own - a.own)) / ((b.at - a.at) / 1000)) * 100) / 100);
}
const load1 = () => Math.round(os.loadavg()[0]! * 100) / 100;

// ---------------------------------------------------------------------------------------------
// Data

interface Data {
  trajectIds: string[];
  /** The trajectories werkshop is assigned to (1 %). */
  werkshop: Set<string>;
  head: { id: number; hash: string };
  berichten: number;
}

/** The trajectories, through the store (the schema as the gateway makes it). */
async function maakTrajecten(store: Store): Promise<Data> {
  const trajectIds = Array.from({ length: TRAJECTEN }, () => crypto.randomUUID());
  const werkshop = new Set(trajectIds.slice(0, WERKSHOP_TRAJECTEN));
  await store.transaction(async (tx) => {
    for (const trajectId of trajectIds) {
      await tx.insertTraject({ trajectId, gemeente: GEMEENTE, leerroute: 'B1', startdatum: '2026-01-05', aangemaaktOp: '2026-01-05T08:00:00.000Z' }, [
        { trajectId, partij: AFZENDER, rol: 'taal', vanaf: '2026-01-05', tot: null, beeindigdOp: null },
        ...(werkshop.has(trajectId) ? [{ trajectId, partij: 'werkshop', rol: 'participatie' as const, vanaf: '2026-01-05', tot: null, beeindigdOp: null }] : []),
      ]);
    }
  });
  const head = await store.transaction(async (tx) => (await tx.logboekHoofd()));
  return { trajectIds, werkshop, head: { id: head.aantal, hash: head.laatsteHash }, berichten: 0 };
}

/** Messages `van` … `tot - 1`, round robin over the trajectories, each with its sealed record. */
function rijen(van: number, tot: number, data: Data) {
  const voorbeeld = VOORBEELD('taalvoortgang', 'geldig-a2-behaald.json') as { schemaversie: string; gebeurtenisTijdstip: string; inhoud: unknown };
  const inhoud = JSON.stringify(voorbeeld.inhoud);
  const inhoudHash = crypto.createHash('sha256').update(inhoud).digest('hex');
  const start = Date.parse('2026-02-01T08:00:00.000Z');
  const uit = [];
  for (let i = van; i < tot; i++) {
    const trajectId = data.trajectIds[i % TRAJECTEN]!;
    const berichtId = crypto.randomUUID();
    const tijdstip = new Date(start + i * 50).toISOString();
    const input: AuditInput = {
      tijdstip, traceId: (i + 1).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), actie: 'bericht-publiceren',
      partij: AFZENDER, client: AFZENDER, trajectIds: [trajectId], berichttype: 'taalvoortgang', berichtIds: [berichtId],
      doel: null, verwerkingsactiviteit: null, grondslag: null, besluit: 'toegestaan', regel: 'publiceren-taal',
      reden: "Een taalaanbieder die als 'taal' aan het traject is toegewezen meldt aanwezigheid en taalvoortgang.",
      velden: ['/inhoud/leerroute', '/inhoud/niveaus'], status: 201, beleidsversie: 'bench',
    };
    const record = seal(input, data.head.id + 1, data.head.hash);
    data.head = { id: record.id, hash: record.hash };
    uit.push({
      record: { ...record, trajectIds: JSON.stringify(record.trajectIds), berichtIds: JSON.stringify(record.berichtIds), velden: JSON.stringify(record.velden) },
      bericht: {
        berichtId, berichttype: 'taalvoortgang', schemaversie: voorbeeld.schemaversie, trajectId, afzender: AFZENDER,
        gebeurtenisTijdstip: voorbeeld.gebeurtenisTijdstip, ontvangenOp: tijdstip, inhoud, inhoudHash, auditId: record.id, auditHash: record.hash,
      },
    });
  }
  return uit;
}

const AUDIT = ['id', 'tijdstip', 'traceId', 'spanId', 'actie', 'partij', 'client', 'trajectIds', 'berichttype', 'berichtIds', 'doel',
  'verwerkingsactiviteit', 'grondslag', 'besluit', 'regel', 'reden', 'velden', 'status', 'beleidsversie', 'vorigeHash', 'hash'] as const;
const BERICHT = ['berichtId', 'berichttype', 'schemaversie', 'trajectId', 'afzender', 'gebeurtenisTijdstip', 'ontvangenOp', 'inhoud', 'inhoudHash', 'auditId', 'auditHash'] as const;
const PG_TYPE: Record<string, string> = { id: 'bigint', status: 'integer', auditId: 'bigint' };

/**
 * The per-party feed index (issue 14) as the store keeps it: one row per message for each party that
 * owns or is (or was) assigned to its trajectory. Filled here for the generated messages when the
 * schema has it (a store from before issue 14 has not).
 */
const FEED_VULLING = `INSERT INTO berichten_feed (partij, volgnummer)
    SELECT t.gemeente, b.volgnummer FROM berichten b JOIN trajecten t ON t.trajectId = b.trajectId WHERE b.volgnummer > @na
    UNION SELECT w.partij, b.volgnummer FROM berichten b JOIN toewijzingen w ON w.trajectId = b.trajectId WHERE b.volgnummer > @na`;

async function genereerSqlite(file: string, data: Data, n: number): Promise<void> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const insAudit = db.prepare(`INSERT INTO logboek (${AUDIT.join(', ')}) VALUES (${AUDIT.map((k) => `@${k}`).join(', ')})`);
  const insBericht = db.prepare(`INSERT INTO berichten (${BERICHT.join(', ')}) VALUES (${BERICHT.map((k) => `@${k}`).join(', ')})`);
  const insBetrokkene = db.prepare('INSERT INTO logboek_betrokkene (trajectId, auditId) VALUES (?, ?)');
  const insScope = db.prepare('INSERT OR IGNORE INTO logboek_scope (partij, auditId) VALUES (?, ?)');
  const zetHoofd = db.prepare('UPDATE logboek_hoofd SET id = ?, hash = ? WHERE vast = 1');
  const feed = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'berichten_feed'").get() ? db.prepare(FEED_VULLING.replace('INSERT INTO', 'INSERT OR IGNORE INTO')) : null;
  try {
    for (let van = data.berichten; van < n; van += 50_000) {
      const batch = rijen(van, Math.min(n, van + 50_000), data);
      db.transaction(() => {
        const na = db.prepare('SELECT coalesce(max(volgnummer), 0) FROM berichten').pluck().get() as number;
        for (const { record, bericht } of batch) {
          insAudit.run(record);
          insBetrokkene.run(bericht.trajectId, record.id);
          insScope.run(AFZENDER, record.id);
          insScope.run(GEMEENTE, record.id);
          insBericht.run(bericht);
        }
        feed?.run({ na });
        zetHoofd.run(data.head.id, data.head.hash);
      })();
      data.berichten = Math.min(n, van + 50_000);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');
  } finally {
    db.close();
  }
}

async function genereerPostgres(url: string, data: Data, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url, types });
  await c.connect();
  const unnest = (tabel: string, kolommen: readonly string[]) =>
    `INSERT INTO ${tabel} (${kolommen.join(', ')}) SELECT * FROM unnest(${kolommen.map((k, i) => `$${i + 1}::${PG_TYPE[k] ?? 'text'}[]`).join(', ')})`;
  try {
    const feed = (await c.query("SELECT to_regclass('berichten_feed') AS t")).rows[0].t !== null;
    for (let van = data.berichten; van < n; van += 5_000) {
      const batch = rijen(van, Math.min(n, van + 5_000), data);
      await c.query('BEGIN');
      const na = Number((await c.query('SELECT coalesce(max(volgnummer), 0) AS na FROM berichten')).rows[0].na);
      await c.query(unnest('logboek', AUDIT), AUDIT.map((k) => batch.map((r) => (r.record as Record<string, unknown>)[k])));
      await c.query('INSERT INTO logboek_betrokkene (trajectId, auditId) SELECT * FROM unnest($1::text[], $2::bigint[])',
        [batch.map((r) => r.bericht.trajectId), batch.map((r) => r.record.id)]);
      await c.query(`INSERT INTO logboek_scope (partij, auditId) SELECT p, id FROM unnest($1::bigint[]) id, unnest(ARRAY['${AFZENDER}', '${GEMEENTE}']) p`,
        [batch.map((r) => r.record.id)]);
      await c.query(unnest('berichten', BERICHT), BERICHT.map((k) => batch.map((r) => r.bericht[k])));
      if (feed) await c.query(`${FEED_VULLING.replace(/@na/g, '$1')} ON CONFLICT DO NOTHING`, [na]);
      await c.query('UPDATE logboek_hoofd SET id = $1, hash = $2 WHERE vast = 1', [data.head.id, data.head.hash]);
      await c.query('COMMIT');
      data.berichten = Math.min(n, van + 5_000);
    }
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Load

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

// The load generator in its own process: autocannon with the given options (a `setupRequest` named by
// its module path), the result as JSON on stdout.
const GENERATOR = `
const autocannon = require(${JSON.stringify(path.join(projectRoot(), 'node_modules', 'autocannon'))});
const o = JSON.parse(process.argv[1]);
for (const r of o.requests ?? []) if (r.setupRequest) r.setupRequest = require(r.setupRequest);
autocannon(o, (err, res) => { process.stdout.write(JSON.stringify(err ? { fout: String(err) } : res), () => process.exit(0)); });
`;

function cannon(url: string, connections: number, seconds: number, options: Omit<Options, 'url'>): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', GENERATOR, JSON.stringify({ url, connections, duration: seconds, timeout: TIMEOUT_SECONDS, ...options })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.once('error', reject);
    child.once('exit', () => {
      try {
        const r = JSON.parse(out) as Result & { fout?: string };
        if (r.fout) reject(new Error(r.fout));
        else resolve(r);
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** Answers received in a run (the latency histogram's count includes corrections at a fixed rate). */
const beantwoord = (r: Result) => Object.values(r.statusCodeStats).reduce((n, x) => n + x.count, 0);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spreiding = (xs: number[]): [number, number, number] => [Math.min(...xs), median(xs), Math.max(...xs)];

function meting(r: Result, start: number, andere: number | null, cpuUs: number | null = null, server: number[] = []): Meting {
  const op = (q: number) => (server.length ? Math.round(server[Math.min(server.length - 1, Math.floor(server.length * q))]! * 10) / 10 : null);
  server.sort((a, b) => a - b);
  return {
    requestsPerSecond: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, requests: beantwoord(r),
    non2xx: r.non2xx, errors: r.errors, load: [start, load1()], andereCores: andere, cpuUsPerVerzoek: cpuUs, serverP50Ms: op(0.5), serverP99Ms: op(0.99),
  };
}

/** The servers' own time per request (arrival → last byte to the socket), by method, while `opnemen` is set. */
let opnemen: { GET: number[]; POST: number[] } | null = null;
function volg(server: http.Server): void {
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const t0 = performance.now();
    res.once('finish', () => opnemen?.[req.method === 'POST' ? 'POST' : 'GET'].push(performance.now() - t0));
  });
}

export async function benchLezen(opts: { adapters: Adapter[]; seconds?: number; warmupSeconds?: number; runs?: number; log: Log }): Promise<LeesResultaat[]> {
  const seconds = opts.seconds ?? Number(process.env.BENCH_LEZEN_SECONDS ?? 5);
  const warmup = opts.warmupSeconds ?? 1;
  const runs = opts.runs ?? Number(process.env.BENCH_LEZEN_RUNS ?? 3);
  const n = process.env.BENCH_LEZEN_1M === '1' ? 1_000_000 : Number(process.env.BENCH_LEZEN_BERICHTEN ?? 200_000);
  const uit: LeesResultaat[] = [];

  const echoApp = express();
  echoApp.get('/klein', (_req, res) => { res.json({ status: 'ok', versie: '0.1.0', berichten: [] }); });
  const echoServer = http.createServer(echoApp);
  const nodeServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok","versie":"0.1.0","berichten":[]}');
  });
  const echoUrl = await listen(echoServer);
  const nodeUrl = await listen(nodeServer);
  volg(echoServer);
  volg(nodeServer);

  try {
    for (const adapter of opts.adapters) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `doelpoort-bench-lezen-${adapter}-`));
      const db = adapter === 'postgres' ? await benchDatabase() : null;
      let gateway: Gateway | null = null;
      const fouten: string[] = [];
      try {
        const file = path.join(dataDir, 'doelpoort.db');
        const store = db ? await openPostgresStore(db.url) : openSqliteStore(file);
        const data = await maakTrajecten(store);
        await store.close();
        const t0 = performance.now();
        if (db) await genereerPostgres(db.url, data, n);
        else await genereerSqlite(file, data, n);
        const genereerSeconden = Math.round((performance.now() - t0) / 100) / 10;
        opts.log(`  ${adapter}: ${n.toLocaleString('en-US')} messages generated in ${genereerSeconden} s (werkshop's feed: ${WERKSHOP_TRAJECTEN} of ${TRAJECTEN} trajectories)`);

        gateway = await startGateway({
          env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', pressure: NO_RATE_LIMITS, ...(db ? { databaseUrl: db.url } : {}), controlepuntSeconden: 0 },
        });
        const gw = gateway;
        volg(gw.server);
        const token = async (clientId: string) =>
          (await fetchAccessToken({ issuer: gw.config.issuer, clientId, jwk: readDevClientKey(dataDir, clientId) })).accessToken;

        // The state of one trajectory, built through the API: 20 progress reports and 20 attendance weeks.
        const standTraject = data.trajectIds[7]!;
        const roc = await token(AFZENDER);
        const publiceer = async (body: Record<string, unknown>) => {
          const res = await fetch(`${gw.url}/v1/berichten`, { method: 'POST', headers: { authorization: `Bearer ${roc}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
          if (res.status !== 201) throw new Error(`publishing for the state answered ${res.status}: ${await res.text()}`);
        };
        for (let i = 0; i < 20; i++) {
          await publiceer({ ...VOORBEELD('taalvoortgang', 'geldig-a2-behaald.json'), berichtId: crypto.randomUUID(), trajectId: standTraject });
          await publiceer({ ...VOORBEELD('aanwezigheid', 'geldig-week-taalaanbieder.json'), berichtId: crypto.randomUUID(), trajectId: standTraject });
        }

        const scenarios: Scenario[] = [];
        /** The publishes of each mixed run. */
        const gemengdPubliceren: Meting[] = [];
        const gekozen = process.env.BENCH_LEZEN_ALLEEN?.split(',');
        const scenario = async (naam: string, verbindingen: number, url: string, options: () => Promise<Omit<Options, 'url'>>, ook?: { url: string; options: () => Promise<Omit<Options, 'url'>> }) => {
          const metingen: Meting[] = [];
          if (gekozen && !gekozen.includes(naam) && !naam.startsWith('echo')) {
            const leeg: Scenario = { naam, verbindingen, runs: [], rps: [0, 0, 0], p99: [0, 0, 0], ratioEcho: null, cpuUs: 0 };
            scenarios.push(leeg);
            return leeg;
          }
          for (let r = 0; r < runs; r++) {
            await cannon(url, verbindingen, warmup, await options());
            // Both loads' options (fresh tokens) before either starts: they start and end together.
            const o = await options();
            const oo = ook ? await ook.options() : null;
            const start = load1();
            const voor = cpuSnapshot();
            const cpu0 = process.cpuUsage();
            const tijden = (opnemen = { GET: [], POST: [] });
            const meet = () => Promise.all([cannon(url, verbindingen, seconds, o), ook && oo ? cannon(ook.url, verbindingen, seconds, oo) : undefined]);
            const [res, bij] = process.env.BENCH_PROFILE === '1' && r === 0
              ? await profiel(path.join('.bench', `lezen-${adapter}-${naam}-${verbindingen}.cpuprofile`), `${adapter} ${naam} ${verbindingen}`, meet)
              : await meet();
            const cpu = process.cpuUsage(cpu0);
            opnemen = null;
            const antwoorden = beantwoord(res) + (bij ? beantwoord(bij) : 0);
            const m = meting(res, start, otherCores(voor, cpuSnapshot()), antwoorden ? Math.round((cpu.user + cpu.system) / antwoorden) : null,
              naam === 'publiceren' ? tijden.POST : tijden.GET);
            if (bij) {
              const mb = meting(bij, start, null, null, tijden.POST);
              if (mb.non2xx || mb.errors) fouten.push(`${adapter} ${naam} (its publishes): ${mb.non2xx} non-2xx, ${mb.errors} errors`);
              gemengdPubliceren.push(mb);
            }
            if (m.non2xx || m.errors) fouten.push(`${adapter} ${naam} at ${verbindingen}: ${m.non2xx} non-2xx, ${m.errors} errors (${JSON.stringify(Object.fromEntries(Object.entries(res.statusCodeStats).map(([k, v]) => [k, v.count])))})`);
            metingen.push(m);
          }
          const s: Scenario = {
            naam, verbindingen, runs: metingen, rps: spreiding(metingen.map((m) => m.requestsPerSecond)), p99: spreiding(metingen.map((m) => m.p99Ms)), ratioEcho: null,
            cpuUs: median(metingen.map((m) => m.cpuUsPerVerzoek ?? 0)),
          };
          scenarios.push(s);
          const echo = scenarios.find((x) => x.naam === 'echo-get' && x.verbindingen === 64);
          if (echo && naam !== 'echo-get' && !naam.endsWith('halftempo')) s.ratioEcho = Math.round((s.rps[1] / echo.rps[1]) * 1000) / 1000;
          opts.log(`  ${adapter} ${naam.padEnd(18)} ${String(verbindingen).padStart(3)} conn: ${s.rps[1]} req/s (${s.rps[0]}–${s.rps[2]}), p50 ${median(metingen.map((m) => m.p50Ms))} ms, p99 ${s.p99[1]} ms (${s.p99[0]}–${s.p99[2]})`
            + ` [in the server: p50 ${median(metingen.map((m) => m.serverP50Ms ?? 0))} ms, p99 ${median(metingen.map((m) => m.serverP99Ms ?? 0))} ms]`
            + `${s.ratioEcho !== null ? `, ${s.ratioEcho}× echo` : ''}, ${s.cpuUs} µs CPU per answer${ook ? ' (both loads)' : ''}; load ${metingen.map((m) => m.load[1]).join('/')}, other processes ${metingen.map((m) => m.andereCores ?? '?').join('/')} cores`);
          return s;
        };

        const gemeente = async () => ({ method: 'GET' as const, headers: { authorization: `Bearer ${await token(GEMEENTE)}` } });
        await scenario('echo-get', 64, `${echoUrl}/klein`, async () => ({ method: 'GET' }));
        await scenario('echo-node', 64, `${nodeUrl}/`, async () => ({ method: 'GET' }));
        const leesTraject = data.trajectIds[3]!;
        for (const limiet of [20, 100]) {
          const url = `${gw.url}/v1/berichten?doel=trajectbegeleiding&trajectId=${leesTraject}&limiet=${limiet}`;
          const probe = await fetch(url, (await gemeente()) as RequestInit);
          const page = (await probe.json()) as { resultaten?: unknown[] };
          if (probe.status !== 200 || page.resultaten?.length !== limiet) fouten.push(`${adapter} lezen-${limiet}: a probe answered ${probe.status} with ${page.resultaten?.length ?? 'no'} messages`);
          for (const c of [16, 64, 256]) await scenario(`lezen-${limiet}`, c, url, gemeente);
        }
        // Not saturated: the same 64 connections offered half the rate the closed loop reached. Closed-loop
        // latency is connections / throughput (Little's law); this shows what a read costs when the
        // gateway has room (autocannon corrects for coordinated omission at a fixed rate).
        const vol = scenarios.find((x) => x.naam === 'lezen-20' && x.verbindingen === 64)!;
        const tempo = Math.max(1, Math.round(vol.rps[1] / 2));
        await scenario('lezen-20-halftempo', 64, `${gw.url}/v1/berichten?doel=trajectbegeleiding&trajectId=${leesTraject}&limiet=20`,
          async () => ({ ...(await gemeente()), overallRate: tempo }));

        const publishBody = JSON.stringify({ ...VOORBEELD('aanwezigheid', 'geldig-week-taalaanbieder.json'), berichtId: '@berichtId@', trajectId: data.trajectIds[11] });
        const publiceren = async () => ({
          headers: { authorization: `Bearer ${await token(AFZENDER)}` },
          requests: [{ method: 'POST', path: '/v1/berichten', headers: { 'content-type': 'application/json' }, body: publishBody, setupRequest: SETUP_PUBLISH }],
        });
        const alleen = await scenario('publiceren', 64, `${gw.url}/v1/berichten`, publiceren);
        // Mixed: the reads measured, the publishes running beside them for the same time (their rate kept).
        const lees20 = `${gw.url}/v1/berichten?doel=trajectbegeleiding&trajectId=${leesTraject}&limiet=20`;
        const gemengd = await scenario('gemengd-lezen-20', 64, lees20, gemeente, { url: `${gw.url}/v1/berichten`, options: publiceren });
        const gp: Scenario = {
          naam: 'gemengd-publiceren', verbindingen: 64, runs: gemengdPubliceren, rps: spreiding(gemengdPubliceren.map((m) => m.requestsPerSecond)),
          p99: spreiding(gemengdPubliceren.map((m) => m.p99Ms)), ratioEcho: null, cpuUs: gemengd.cpuUs,
        };
        scenarios.push(gp);
        if (gp.runs.length) {
          opts.log(`  ${adapter} ${'gemengd-publiceren'.padEnd(18)}  64 conn: ${gp.rps[1]} req/s (${gp.rps[0]}–${gp.rps[2]}), p99 ${gp.p99[1]} ms (${gp.p99[0]}–${gp.p99[2]})`
            + ` [in the server: p99 ${median(gp.runs.map((m) => m.serverP99Ms ?? 0))} ms]; alone ${alleen.rps[1]} req/s`);
        }

        const feedUrl = `${gw.url}/v1/berichten?doel=bemiddeling`;
        const werkshop = async () => ({ method: 'GET' as const, headers: { authorization: `Bearer ${await token('werkshop')}` } });
        const feedProbe = await fetch(feedUrl, (await werkshop()) as RequestInit);
        const feedPage = (await feedProbe.json()) as { resultaten?: Array<{ trajectId: string }> };
        if (feedProbe.status !== 200 || feedPage.resultaten?.length !== 100 || feedPage.resultaten.some((b) => !data.werkshop.has(b.trajectId))) {
          fouten.push(`${adapter} feed: a probe answered ${feedProbe.status} with ${feedPage.resultaten?.length ?? 'no'} messages (expected 100 of werkshop's trajectories)`);
        }
        const feed = await scenario('feed', 64, feedUrl, werkshop);
        const standUrl = `${gw.url}/v1/trajecten/${standTraject}/stand?doel=trajectbegeleiding`;
        const stand = await scenario('stand', 64, standUrl, gemeente);

        const s = (naam: string, c: number) => scenarios.find((x) => x.naam === naam && x.verbindingen === c)!;
        const daling = 1 - gp.rps[1] / alleen.rps[1];
        const srv = (x: Scenario) => ` (in the server ${median(x.runs.map((m) => m.serverP99Ms ?? 0))} ms)`;
        const doelen = [
          { doel: 'page of 20 at 64 connections: p99 ≤ 10 ms', gemeten: `${s('lezen-20', 64).p99[1]} ms${srv(s('lezen-20', 64))}`, gehaald: s('lezen-20', 64).p99[1] <= 10 },
          { doel: 'page of 100 at 64 connections: p99 ≤ 25 ms', gemeten: `${s('lezen-100', 64).p99[1]} ms${srv(s('lezen-100', 64))}`, gehaald: s('lezen-100', 64).p99[1] <= 25 },
          { doel: 'page of 20 at 64 connections: ≥ 0.5× express GET echo', gemeten: `${s('lezen-20', 64).ratioEcho}×`, gehaald: (s('lezen-20', 64).ratioEcho ?? 0) >= 0.5 },
          { doel: 'mixed: read p99 ≤ 25 ms', gemeten: `${gemengd.p99[1]} ms${srv(gemengd)}`, gehaald: gemengd.p99[1] <= 25 },
          { doel: 'mixed: publish rate ≤ 20 % below publishing alone', gemeten: `${Math.round(daling * 100)} % (${gp.rps[1]} vs ${alleen.rps[1]}/s)`, gehaald: daling <= 0.2 },
          { doel: 'feed (1 % of the messages) at 64 connections: p99 ≤ 25 ms', gemeten: `${feed.p99[1]} ms${srv(feed)}`, gehaald: feed.p99[1] <= 25 },
          { doel: 'stand at 64 connections: p99 ≤ 10 ms', gemeten: `${stand.p99[1]} ms${srv(stand)}`, gehaald: stand.p99[1] <= 10 },
        ];
        for (const d of doelen) opts.log(`  ${adapter} target ${d.gehaald ? 'MET    ' : 'NOT MET'} ${d.doel}: ${d.gemeten}`);
        // The logboek written under this load (every read's record, every publish's) verifies, with the gateway's own verifier.
        await gw.stop();
        gateway = null;
        const pool = db ? openPool(db.url, { max: 2 }) : null;
        const lezer = pool ? { ...postgresLogboekReader(pool), close: () => void pool.end() } : openSqliteLogboek(file);
        const verificatie = await verifieerKeten(lezer, { controlepunten: [], jwks: { keys: [] } });
        lezer.close();
        if (!verificatie.geldig) fouten.push(`${adapter}: the logboek does not verify: ${JSON.stringify(verificatie.eersteFout)}`);
        opts.log(`  ${adapter} logboek: ${verificatie.aantal.toLocaleString('en-US')} records, ${verificatie.geldig ? 'verifies' : 'DOES NOT VERIFY'}`);
        uit.push({ adapter, berichten: n, genereerSeconden, scenarios, doelen, fouten, logboek: { records: verificatie.aantal, geldig: verificatie.geldig } });
      } finally {
        await gateway?.stop();
        await db?.drop().catch(() => undefined);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    for (const server of [echoServer, nodeServer]) await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  }
  return uit;
}

// `npm run bench:lezen`: this part alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const adapters: Adapter[] = process.env.BENCH_PG === '0' ? ['sqlite'] : ['sqlite', 'postgres'];
  const only = process.env.BENCH_LEZEN_ADAPTER as Adapter | undefined;
  console.log(`Reads (issue 14): ${os.cpus().length} CPUs, Node ${process.version}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  benchLezen({ adapters: only ? [only] : adapters, log: (l) => console.log(l) }).then((r) => {
    fs.mkdirSync('.bench', { recursive: true });
    fs.writeFileSync(path.join('.bench', 'lezen.json'), `${JSON.stringify({ date: new Date().toISOString(), resultaten: r }, null, 2)}\n`);
    const fouten = r.flatMap((x) => x.fouten);
    if (fouten.length) console.error(`\nBENCH FAILED:\n${fouten.map((f) => `  - ${f}`).join('\n')}`);
    process.exit(fouten.length ? 1 : 0);
  }, (e: unknown) => {
    console.error('bench:lezen: error', e);
    process.exit(1);
  });
}
