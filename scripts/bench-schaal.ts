/**
 * The parts of `npm run bench` beyond one embedded gateway (issue 9):
 *
 * - `benchReplicas()`: two gateway PROCESSES (`node --import tsx src/main.ts`) on one PostgreSQL
 *   database of their own (created on the local server and dropped afterwards), with a shared data
 *   folder (the demo keys), one public URL (the first replica's, so one issuer), DOELPOORT_DEMO=1 and
 *   the rate limits off. autocannon loads both at once: durable publishes/s together (half the
 *   connections on each), then a read of one trajectory (page of 20) at 64 connections together.
 *   Afterwards the database is checked: stored messages ≥ the 201s received, and ONE chain
 *   (ids 1…n, every `vorigeHash` the hash before it) written by both.
 * - `benchGroei()`: publish rate and read p99 at 10,000 and 200,000 stored messages (and 1,000,000
 *   with BENCH_GROEI_1M=1) on both adapters. The messages are written straight into the database with
 *   a valid chain (each with its sealed audit record, its data subject and scope rows), in bulk
 *   (SQLite: prepared inserts in large transactions; PostgreSQL: `unnest` arrays of 5,000 rows), then
 *   an in-process gateway is started on that data and measured; the next tier extends the same data.
 *
 * Environment: BENCH_PG=0 skips everything on PostgreSQL; BENCH_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) is the server's admin URL; BENCH_GROEI=0 skips the
 * growth tiers; BENCH_GROEI_1M=1 adds the 1,000,000 tier; BENCH_GROEI_SECONDS (default 5) per
 * measured run of a tier; BENCH_REPLICA_PROFILE=1 makes each replica write a CPU profile
 * (.bench/replica-profiles/) when it stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Options, type Result } from 'autocannon';
import Database from 'better-sqlite3';
import pg from 'pg';
import { GENESIS_HASH, seal, type AuditInput } from '../src/audit/record.js';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { NO_RATE_LIMITS, projectRoot } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { openPostgresStore } from '../src/store/postgres.js';
import { types } from '../src/store/postgres-sql.js';
import { openSqliteStore } from '../src/store/sqlite.js';

const SETUP_PUBLISH = path.resolve(import.meta.dirname, 'bench-publish-request.cjs');
const EXAMPLE = path.join(projectRoot(), 'schemas', 'examples', 'aanwezigheid', 'geldig-week-taalaanbieder.json');
const TIMEOUT_SECONDS = 30;
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Log = (line: string) => void;

export interface Run {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

function summary(r: Result): Run {
  return {
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.latency.totalCount,
    non2xx: r.non2xx,
    errors: r.errors,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
  };
}

function cannon(url: string, connections: number, duration: number, options: Omit<Options, 'url'>): Promise<Result> {
  return autocannon({ url, connections, workers: 1, timeout: TIMEOUT_SECONDS, duration, ...options });
}

function envelope(trajectId: string, berichtId: string): Record<string, unknown> {
  const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
  return { ...example, berichtId, trajectId };
}

const TRAJECT = {
  leerroute: 'B1',
  startdatum: '2026-01-05',
  toewijzingen: [
    { partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-01-05' },
    { partij: 'werkshop', rol: 'participatie', vanaf: '2026-01-05' },
  ],
};

const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `doelpoort_bench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** Is the PostgreSQL server there? (The bench reports the PostgreSQL part as skipped when not.) */
export async function postgresAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function tokenFor(issuer: string, dataDir: string, clientId: string): Promise<string> {
  return (await fetchAccessToken({ issuer, clientId, jwk: readDevClientKey(dataDir, clientId) })).accessToken;
}

async function openTraject(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/v1/trajecten`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(TRAJECT),
  });
  if (res.status !== 201) throw new Error(`opening the trajectory answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { trajectId: string }).trajectId;
}

// ---------------------------------------------------------------------------------------------
// Two replicas on PostgreSQL

export interface ReplicaResult {
  databaseUrl: string;
  publish: { total: number; perReplica: Run[]; p99Ms: number };
  read: { total: number; perReplica: Run[]; p99Ms: number; connections: number };
  check: { ok: boolean; storedMessages: number; received201: number; records: number; brokenLinks: number; gaps: boolean };
  loadAverage: { before: number[]; after: number[] };
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`replica exited with ${child.exitCode}: ${output()}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`replica at ${url} not ready after 60 s: ${output()}`);
}

function startReplica(port: number, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  // BENCH_REPLICA_PROFILE=1: each replica writes a CPU profile to .bench/replica-profiles/ when it stops.
  const profile = process.env.BENCH_REPLICA_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve('.bench', 'replica-profiles')}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(projectRoot(), 'src', 'main.ts')], {
    cwd: projectRoot(), env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => out };
}

async function stopReplica(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

export async function benchReplicas(opts: { seconds: number; warmupSeconds: number; connections: number; readConnections: number; log: Log }): Promise<ReplicaResult> {
  const db = await benchDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-bench-pg-'));
  const ports = [await freePort(), await freePort()];
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url, DOELPOORT_DATA_DIR: dataDir, DOELPOORT_PUBLIC_URL: urls[0], DOELPOORT_DEMO: '1', LOG_LEVEL: 'silent',
    DOELPOORT_RATE_API: 'off', DOELPOORT_RATE_TOKEN: 'off', DOELPOORT_RATE_TOKEN_IP: 'off', DOELPOORT_RATE_LOGIN_ACCOUNT: 'off', DOELPOORT_RATE_LOGIN_IP: 'off',
  };
  const replicas: Array<ReturnType<typeof startReplica>> = [];
  try {
    // The first replica creates the schema and the demo keys in the shared folder; then the second.
    replicas.push(startReplica(ports[0]!, env));
    await waitReady(urls[0]!, replicas[0]!.child, replicas[0]!.output);
    replicas.push(startReplica(ports[1]!, env));
    await waitReady(urls[1]!, replicas[1]!.child, replicas[1]!.output);
    const issuer = `${urls[0]}/oidc`;
    const token = (clientId: string) => tokenFor(issuer, dataDir, clientId);
    const trajectId = await openTraject(urls[0]!, await token('gemeente-hengelo'));
    const publishBody = JSON.stringify(envelope(trajectId, '@berichtId@'));
    const before = load();

    const both = async (connections: number, duration: number, options: () => Promise<Omit<Options, 'url'>>, route: string) => {
      const o = await options();
      return Promise.all(urls.map((u) => cannon(`${u}${route}`, Math.max(1, Math.round(connections / 2)), duration, o)));
    };
    const publishOptions = async () => ({
      headers: { authorization: `Bearer ${await token('roc-van-twente')}` },
      requests: [{ method: 'POST', path: '/v1/berichten', headers: { 'content-type': 'application/json' }, body: publishBody, setupRequest: SETUP_PUBLISH }],
    });
    opts.log(`  postgres, 2 replicas: publish warm-up… `);
    const publishWarm = await both(opts.connections, opts.warmupSeconds, publishOptions, '/v1/berichten');
    const publish = await both(opts.connections, opts.seconds, publishOptions, '/v1/berichten');
    const publishTotal = publish.reduce((n, r) => n + Math.round(r.requests.average), 0);
    opts.log(`  postgres, 2 replicas: publish ${publishTotal} req/s together (${publish.map((r) => Math.round(r.requests.average)).join(' + ')}), p99 ${Math.max(...publish.map((r) => r.latency.p99))} ms`);

    const readRoute = `/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}&limiet=20`;
    const readOptions = async () => ({ method: 'GET' as const, headers: { authorization: `Bearer ${await token('gemeente-hengelo')}` } });
    await both(opts.readConnections, opts.warmupSeconds, readOptions, readRoute);
    const read = await both(opts.readConnections, opts.seconds, readOptions, readRoute);
    const readTotal = read.reduce((n, r) => n + Math.round(r.requests.average), 0);
    opts.log(`  postgres, 2 replicas: read (page of 20) ${readTotal} req/s together at ${opts.readConnections} connections, p99 ${Math.max(...read.map((r) => r.latency.p99))} ms`);
    const after = load();

    for (const r of replicas) await stopReplica(r.child);

    // One chain, every acknowledged message stored.
    const c = new pg.Client({ connectionString: db.url, types });
    await c.connect();
    let check: ReplicaResult['check'];
    try {
      const stored = Number((await c.query('SELECT count(*) AS n FROM berichten')).rows[0].n);
      const records = (await c.query('SELECT count(*) AS n, coalesce(max(id), 0) AS hoogste, coalesce(min(id), 1) AS laagste FROM logboek')).rows[0] as { n: number; hoogste: number; laagste: number };
      const broken = Number((await c.query(`SELECT count(*) AS n FROM logboek l
        LEFT JOIN logboek p ON p.id = l.id - 1 WHERE l.vorigeHash <> coalesce(p.hash, CASE WHEN l.id = 1 THEN $1 END)`, [GENESIS_HASH])).rows[0].n);
      const received201 = [...publishWarm, ...publish].reduce((n, r) => n + (r.statusCodeStats['201']?.count ?? 0), 0);
      const gaps = !(Number(records.n) === Number(records.hoogste) && Number(records.laagste) === 1);
      check = { ok: stored >= received201 && broken === 0 && !gaps, storedMessages: stored, received201, records: Number(records.n), brokenLinks: broken, gaps };
    } finally {
      await c.end();
    }
    opts.log(`  postgres, 2 replicas: check ${check.ok ? 'OK' : 'FAILED'} — ${check.storedMessages} messages stored, ${check.received201} 201s received; `
      + `${check.records} records, ids contiguous: ${!check.gaps}, broken links: ${check.brokenLinks}`);
    return {
      databaseUrl: db.url.replace(/\/\/[^@]*@/, '//'),
      publish: { total: publishTotal, perReplica: publish.map(summary), p99Ms: Math.max(...publish.map((r) => r.latency.p99)) },
      read: { total: readTotal, perReplica: read.map(summary), p99Ms: Math.max(...read.map((r) => r.latency.p99)), connections: opts.readConnections },
      check,
      loadAverage: { before, after },
    };
  } finally {
    for (const r of replicas) await stopReplica(r.child).catch(() => undefined);
    await db.drop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Growth tiers

const TRAJECTEN = 500;
const AFZENDER = 'roc-van-twente';

interface Gegenereerd {
  /** Messages stored so far, the chain head. */
  berichten: number;
  head: { id: number; hash: string };
  trajectIds: string[];
}

/** Rows for messages `van` … `tot - 1` (0-based), each with its sealed record after `head`. */
function maakRijen(van: number, tot: number, state: Gegenereerd) {
  const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as { schemaversie: string; berichttype: string; gebeurtenisTijdstip: string; inhoud: unknown };
  const inhoud = JSON.stringify(example.inhoud);
  const inhoudHash = crypto.createHash('sha256').update(inhoud).digest('hex');
  const start = Date.parse('2026-02-01T08:00:00.000Z');
  const rows = [];
  for (let i = van; i < tot; i++) {
    const trajectId = state.trajectIds[i % TRAJECTEN]!;
    const berichtId = crypto.randomUUID();
    const tijdstip = new Date(start + i * 50).toISOString();
    const input: AuditInput = {
      tijdstip, traceId: (i + 1).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), actie: 'bericht-publiceren',
      partij: AFZENDER, client: AFZENDER, trajectIds: [trajectId], berichttype: example.berichttype, berichtIds: [berichtId],
      doel: null, verwerkingsactiviteit: null, grondslag: null, besluit: 'toegestaan', regel: 'publiceren-taal',
      reden: "Een taalaanbieder die als 'taal' aan het traject is toegewezen meldt aanwezigheid en taalvoortgang.",
      velden: ['/inhoud/activiteit', '/inhoud/periode'], status: 201, beleidsversie: 'bench',
    };
    const record = seal(input, state.head.id + 1, state.head.hash);
    state.head = { id: record.id, hash: record.hash };
    rows.push({
      record,
      bericht: {
        berichtId, berichttype: example.berichttype, schemaversie: example.schemaversie, trajectId, afzender: AFZENDER,
        gebeurtenisTijdstip: example.gebeurtenisTijdstip, ontvangenOp: tijdstip, inhoud, inhoudHash, auditId: record.id, auditHash: record.hash,
      },
    });
  }
  return rows;
}

const AUDIT_KOLOMMEN = ['id', 'tijdstip', 'traceId', 'spanId', 'actie', 'partij', 'client', 'trajectIds', 'berichttype', 'berichtIds', 'doel',
  'verwerkingsactiviteit', 'grondslag', 'besluit', 'regel', 'reden', 'velden', 'status', 'beleidsversie', 'vorigeHash', 'hash'] as const;
const BERICHT_KOLOMMEN = ['berichtId', 'berichttype', 'schemaversie', 'trajectId', 'afzender', 'gebeurtenisTijdstip', 'ontvangenOp', 'inhoud', 'inhoudHash', 'auditId', 'auditHash'] as const;
const PG_TYPE: Record<string, string> = { id: 'bigint', status: 'integer', auditId: 'bigint' };

function auditWaarden(r: ReturnType<typeof maakRijen>[number]['record']): Record<string, unknown> {
  return { ...r, trajectIds: JSON.stringify(r.trajectIds), berichtIds: JSON.stringify(r.berichtIds), velden: JSON.stringify(r.velden) };
}

interface Generator {
  /** Add messages until `n` are stored. */
  vulTot(n: number): Promise<number>;
  close(): Promise<void>;
}

function sqliteGenerator(file: string, state: Gegenereerd): Generator {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // 256 MiB while generating: the random-key indexes would thrash the default 2 MiB
  const insAudit = db.prepare(`INSERT INTO logboek (${AUDIT_KOLOMMEN.join(', ')}) VALUES (${AUDIT_KOLOMMEN.map((k) => `@${k}`).join(', ')})`);
  const insBericht = db.prepare(`INSERT INTO berichten (${BERICHT_KOLOMMEN.join(', ')}) VALUES (${BERICHT_KOLOMMEN.map((k) => `@${k}`).join(', ')})`);
  const insBetrokkene = db.prepare('INSERT INTO logboek_betrokkene (trajectId, auditId) VALUES (?, ?)');
  const insScope = db.prepare('INSERT OR IGNORE INTO logboek_scope (partij, auditId) VALUES (?, ?)');
  const zetHoofd = db.prepare('UPDATE logboek_hoofd SET id = ?, hash = ? WHERE vast = 1');
  return {
    async vulTot(n) {
      const t0 = performance.now();
      for (let van = state.berichten; van < n; van += 50_000) {
        const rows = maakRijen(van, Math.min(n, van + 50_000), state);
        db.transaction(() => {
          for (const { record, bericht } of rows) {
            insAudit.run(auditWaarden(record));
            insBetrokkene.run(bericht.trajectId, record.id);
            insScope.run(AFZENDER, record.id);
            insScope.run('gemeente-hengelo', record.id);
            insBericht.run(bericht);
          }
          zetHoofd.run(state.head.id, state.head.hash);
        })();
        state.berichten = Math.min(n, van + 50_000);
      }
      db.pragma('wal_checkpoint(TRUNCATE)');
      return (performance.now() - t0) / 1000;
    },
    async close() {
      db.close();
    },
  };
}

function postgresGenerator(url: string, state: Gegenereerd): Generator {
  const client = new pg.Client({ connectionString: url, types });
  const connected = client.connect();
  const unnest = (table: string, kolommen: readonly string[]) =>
    `INSERT INTO ${table} (${kolommen.join(', ')}) SELECT * FROM unnest(${kolommen.map((k, i) => `$${i + 1}::${PG_TYPE[k] ?? 'text'}[]`).join(', ')})`;
  const insAudit = unnest('logboek', AUDIT_KOLOMMEN);
  const insBericht = unnest('berichten', BERICHT_KOLOMMEN);
  return {
    async vulTot(n) {
      await connected;
      const t0 = performance.now();
      for (let van = state.berichten; van < n; van += 5_000) {
        const rows = maakRijen(van, Math.min(n, van + 5_000), state);
        const audit = rows.map((r) => auditWaarden(r.record));
        await client.query('BEGIN');
        await client.query(insAudit, AUDIT_KOLOMMEN.map((k) => audit.map((a) => a[k])));
        await client.query('INSERT INTO logboek_betrokkene (trajectId, auditId) SELECT * FROM unnest($1::text[], $2::bigint[])',
          [rows.map((r) => r.bericht.trajectId), rows.map((r) => r.record.id)]);
        await client.query(`INSERT INTO logboek_scope (partij, auditId) SELECT p, id FROM unnest($1::bigint[]) id, unnest(ARRAY['${AFZENDER}', 'gemeente-hengelo']) p`,
          [rows.map((r) => r.record.id)]);
        await client.query(insBericht, BERICHT_KOLOMMEN.map((k) => rows.map((r) => r.bericht[k])));
        await client.query('UPDATE logboek_hoofd SET id = $1, hash = $2 WHERE vast = 1', [state.head.id, state.head.hash]);
        await client.query('COMMIT');
        state.berichten = Math.min(n, van + 5_000);
      }
      await client.query('ANALYZE');
      return (performance.now() - t0) / 1000;
    },
    async close() {
      await client.end();
    },
  };
}

export interface GroeiTier {
  adapter: 'sqlite' | 'postgres';
  storedMessages: number;
  generateSeconds: number;
  publish: Run;
  read: Run & { connections: number; messagesInTrajectory: number };
  loadAverage: number[];
}

export async function benchGroei(opts: { seconds: number; warmupSeconds: number; connections: number; readConnections: number; postgres: boolean; log: Log }): Promise<GroeiTier[]> {
  const tiers = [10_000, 200_000, ...(process.env.BENCH_GROEI_1M === '1' ? [1_000_000] : [])];
  const out: GroeiTier[] = [];
  const adapters: Array<'sqlite' | 'postgres'> = opts.postgres ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const adapter of adapters) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `doelpoort-bench-groei-${adapter}-`));
    const db = adapter === 'postgres' ? await benchDatabase() : null;
    try {
      // The schema as the gateway makes it, then the trajectories (owned by gemeente-hengelo, the sender assigned).
      const store = db ? await openPostgresStore(db.url) : openSqliteStore(path.join(dataDir, 'doelpoort.db'));
      const trajectIds = Array.from({ length: TRAJECTEN }, () => crypto.randomUUID());
      await store.transaction(async (tx) => {
        for (const trajectId of trajectIds) {
          await tx.insertTraject({ trajectId, gemeente: 'gemeente-hengelo', leerroute: 'B1', startdatum: '2026-01-05', aangemaaktOp: '2026-01-05T08:00:00.000Z' },
            [{ trajectId, partij: AFZENDER, rol: 'taal', vanaf: '2026-01-05', tot: null, beeindigdOp: null }]);
        }
      });
      await store.close();
      const state: Gegenereerd = { berichten: 0, head: { id: 0, hash: GENESIS_HASH }, trajectIds };
      for (const n of tiers) {
        const gen = db ? postgresGenerator(db.url, state) : sqliteGenerator(path.join(dataDir, 'doelpoort.db'), state);
        // The gateway's own records (opening, previous tiers' runs) moved the head: continue from it.
        Object.assign(state, await leesStand(adapter, dataDir, db?.url));
        const generateSeconds = await gen.vulTot(n);
        await gen.close();
        const gateway = await startGateway({
          env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', pressure: NO_RATE_LIMITS, ...(db ? { databaseUrl: db.url } : {}), controlepuntSeconden: 0 },
        });
        try {
          const token = (clientId: string) => tokenFor(gateway.config.issuer, dataDir, clientId);
          const publishBody = JSON.stringify(envelope(trajectIds[0]!, '@berichtId@'));
          const publishOptions = async () => ({
            headers: { authorization: `Bearer ${await token(AFZENDER)}` },
            requests: [{ method: 'POST', path: '/v1/berichten', headers: { 'content-type': 'application/json' }, body: publishBody, setupRequest: SETUP_PUBLISH }],
          });
          await cannon(`${gateway.url}/v1/berichten`, opts.connections, opts.warmupSeconds, await publishOptions());
          const publish = summary(await cannon(`${gateway.url}/v1/berichten`, opts.connections, opts.seconds, await publishOptions()));
          // The read: the oldest page of 20 of a trajectory holding n / 500 of the stored messages.
          const readUrl = `${gateway.url}/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectIds[1]}&limiet=20`;
          const readOptions = async () => ({ method: 'GET' as const, headers: { authorization: `Bearer ${await token('gemeente-hengelo')}` } });
          await cannon(readUrl, opts.readConnections, opts.warmupSeconds, await readOptions());
          const read = summary(await cannon(readUrl, opts.readConnections, opts.seconds, await readOptions()));
          const tier: GroeiTier = {
            adapter, storedMessages: n, generateSeconds: Math.round(generateSeconds * 10) / 10, publish,
            read: { ...read, connections: opts.readConnections, messagesInTrajectory: Math.ceil(n / TRAJECTEN) }, loadAverage: load(),
          };
          out.push(tier);
          opts.log(`  growth ${adapter.padEnd(8)} ${String(n).padStart(9)} messages (+${tier.generateSeconds} s to generate): publish ${publish.requestsPerSecond} req/s p99 ${publish.p99Ms} ms`
            + ` (non-2xx ${publish.non2xx}); read ${read.requestsPerSecond} req/s p50 ${read.p50Ms} ms p99 ${read.p99Ms} ms at ${opts.readConnections} connections (non-2xx ${read.non2xx}); load ${tier.loadAverage.join(' ')}`);
        } finally {
          await gateway.stop();
        }
      }
    } finally {
      await db?.drop().catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return out;
}

/** The chain head and the number of stored messages (the gateway's own publishes of earlier tiers count too). */
async function leesStand(adapter: 'sqlite' | 'postgres', dataDir: string, url?: string): Promise<{ head: { id: number; hash: string }; berichten: number }> {
  if (adapter === 'sqlite') {
    const db = new Database(path.join(dataDir, 'doelpoort.db'), { readonly: true });
    try {
      return {
        head: db.prepare('SELECT id, hash FROM logboek_hoofd WHERE vast = 1').get() as { id: number; hash: string },
        berichten: db.prepare('SELECT count(*) FROM berichten').pluck().get() as number,
      };
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: url, types });
  await c.connect();
  try {
    return {
      head: (await c.query('SELECT id, hash FROM logboek_hoofd WHERE vast = 1')).rows[0] as { id: number; hash: string },
      berichten: Number((await c.query('SELECT count(*) AS n FROM berichten')).rows[0].n),
    };
  } finally {
    await c.end();
  }
}
