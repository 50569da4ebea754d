/**
 * `npm run bench:logboek`: the logboek's speed targets (issue 6), measured on this machine.
 *
 * 1. Verification: records per second over a chain of ≥ 1,000,000 properly chained records
 *    (generated with `seal` into a temporary SQLite file, with a signed checkpoint at the end).
 * 2. A filtered query by trajectId over those records: p50/p95/p99 in the store, and end to end
 *    through a real gateway started on the same file (token check, scope, audit record with fsync).
 * 3. The publish rate with the logboek's write path (scope index, checkpoints) — compare with the
 *    skeleton's number in docs/performance.md.
 * 4. "Who read this data category" (issue 13): the officer's search by `gegevenscategorie`, in the
 *    store — a rare category (2 % of the records), a common one, and the same with more filters.
 *
 * Options (environment): BENCH_RECORDS (default 1,000,000), BENCH_TRAJECTEN (default 20,000),
 * BENCH_QUERIES (default 500), BENCH_PUBLISH_SECONDS (default 10; 0 skips), BENCH_HTTP=0 skips the HTTP query, BENCH_KEEP=1 keeps the file,
 * BENCH_DATA=<kept folder> reuses one.
 * `benchLogboek()` is exported for `npm run bench` to call.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { ondertekenControlepunt } from '../src/audit/controlepunt.js';
import { GENESIS_HASH, seal, type AuditInput } from '../src/audit/record.js';
import { logboekSleutels } from '../src/audit/sleutels.js';
import { verifieerKeten } from '../src/audit/verify.js';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { NO_RATE_LIMITS, projectRoot } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { openSqliteLogboek } from '../src/store/sqlite-logboek.js';
import { MIGRATIONS } from '../src/store/sqlite-migrations.js';
import { auditRij } from '../src/store/rijen.js';
import type { LogboekZoekvraag } from '../src/store/store.js';

/** The part of autocannon's API used here (the package ships no types). */
type Autocannon = (opts: {
  url: string; connections: number; duration: number;
  requests: Array<{ method: string; path: string; headers: Record<string, string>; setupRequest: (req: Record<string, unknown>) => Record<string, unknown> }>;
}) => Promise<{ non2xx: number; requests: { average: number }; latency: { p99: number }; statusCodeStats?: Record<string, { count: number }> }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LogboekBenchResult {
  records: number;
  generateSeconds: number;
  /** recordsPerSecond: wall clock, best run; perCpuSecond: records per CPU-second (all threads), which does not depend on other load. */
  verification: { recordsPerSecond: number; runs: number[]; perCpuSecond: number; threads: number; geldig: boolean };
  machine: { cpus: number; model: string; loadAverage: number[] };
  query: { store: Percentiles; http: Percentiles | null; resultsPerQuery: number };
  categorie: Record<string, Percentiles & { results: number }>;
  publish: { requestsPerSecond: number; p99Ms: number; seconds: number } | null;
}

interface Percentiles { p50: number; p95: number; p99: number; n: number }

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

function percentiles(samples: number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => Number(s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2));
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), n: s.length };
}

const PARTIJEN = ['roc-van-twente', 'werkshop', 'gemeente-hengelo', 'taalschool-oost'] as const;

/** Fill a fresh database with `n` chained records over `trajecten` trajectories, as the gateway would write them. */
async function generate(dataDir: string, n: number, trajecten: number): Promise<{ trajectIds: string[]; seconds: number }> {
  const t0 = performance.now();
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'doelpoort.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  for (const m of MIGRATIONS) db.exec(m);
  db.pragma(`user_version = ${MIGRATIONS.length}`);
  const trajectIds = Array.from({ length: trajecten }, () => crypto.randomUUID());
  const insTraject = db.prepare("INSERT INTO trajecten (trajectId, gemeente, leerroute, startdatum, aangemaaktOp) VALUES (?, 'gemeente-hengelo', 'B1', '2026-01-05', '2026-01-05T08:00:00.000Z')");
  const insAudit = db.prepare(`INSERT INTO logboek (id, tijdstip, traceId, spanId, actie, partij, client, trajectIds, berichttype, berichtIds,
    doel, verwerkingsactiviteit, grondslag, besluit, regel, reden, velden, status, beleidsversie, vorigeHash, hash,
    recordversie, starttijdstip, parentSpanId, gegevenscategorieen)
    VALUES (@id, @tijdstip, @traceId, @spanId, @actie, @partij, @client, @trajectIds, @berichttype, @berichtIds,
    @doel, @verwerkingsactiviteit, @grondslag, @besluit, @regel, @reden, @velden, @status, @beleidsversie, @vorigeHash, @hash,
    @recordversie, @starttijdstip, @parentSpanId, @gegevenscategorieen)`);
  const insCategorie = db.prepare('INSERT OR IGNORE INTO logboek_categorie (partij, categorie, auditId) VALUES (?, ?, ?)');
  const insBetrokkene = db.prepare('INSERT INTO logboek_betrokkene (trajectId, auditId) VALUES (?, ?)');
  const insScope = db.prepare('INSERT OR IGNORE INTO logboek_scope (partij, auditId) VALUES (?, ?)');
  let hash = GENESIS_HASH;
  const start = Date.parse('2026-01-05T08:00:00.000Z');
  const batch = 50_000;
  db.transaction(() => trajectIds.forEach((t) => insTraject.run(t)))();
  for (let from = 1; from <= n; from += batch) {
    db.transaction(() => {
      for (let id = from; id < Math.min(from + batch, n + 1); id++) {
        const traject = trajectIds[id % trajecten]!;
        const partij = PARTIJEN[id % PARTIJEN.length]!;
        const read = partij === 'gemeente-hengelo';
        const input: AuditInput = {
          tijdstip: new Date(start + id * 250).toISOString(),
          traceId: crypto.randomBytes(16).toString('hex'),
          spanId: crypto.randomBytes(8).toString('hex'),
          actie: read ? 'berichten-lezen' : 'bericht-publiceren',
          partij, client: partij, trajectIds: [traject],
          berichttype: read ? null : 'aanwezigheid',
          berichtIds: [crypto.randomUUID()],
          doel: 'trajectbegeleiding', verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:trajectbegeleiding',
          grondslag: 'AVG art. 6 lid 1 sub e; Wet inburgering 2021',
          besluit: id % 17 === 0 ? 'geweigerd' : 'toegestaan',
          regel: read ? 'lezen-trajectbegeleiding' : 'publiceren-taal',
          reden: read ? '3 bericht(en) verstrekt voor doel trajectbegeleiding.' : "Een taalaanbieder die als 'taal' aan het traject is toegewezen meldt aanwezigheid en taalvoortgang.",
          velden: read ? ['/inhoud/activiteit', '/inhoud/afwezigheden', '/inhoud/periode'] : ['/inhoud/activiteit', '/inhoud/periode'],
          // One record in 50 concerns the special category of placements (the rare case of a category search).
          gegevenscategorieen: id % 50 === 0 ? ['belemmeringen-en-uitval'] : ['deelname'],
          starttijdstip: new Date(start + id * 250 - 3).toISOString(),
          parentSpanId: id % 2 ? crypto.randomBytes(8).toString('hex') : null,
          status: read ? 200 : 201,
          beleidsversie: '2026.11.1+0123456789abcdef',
        };
        const r = seal(input, id, hash);
        hash = r.hash;
        insAudit.run(auditRij(r));
        // Per party of the record's scope, as the adapters write it.
        for (const c of r.gegevenscategorieen ?? []) for (const p of new Set([partij, 'gemeente-hengelo'])) insCategorie.run(p, c, id);
        insBetrokkene.run(traject, id);
        insScope.run(partij, id);
        insScope.run('gemeente-hengelo', id);
      }
    })();
  }
  // The chain head lives in the database (logboek_hoofd): move it as the gateway's appends do.
  db.prepare('UPDATE logboek_hoofd SET id = ?, hash = ? WHERE vast = 1').run(n, hash);
  // A signed checkpoint over the whole chain, with the data folder's own key, as the gateway writes it.
  const sleutels = await logboekSleutels(dataDir);
  const punt = await ondertekenControlepunt(sleutels, { aantal: n, laatsteHash: hash, tijdstip: new Date().toISOString() });
  db.prepare('INSERT INTO logboek_controlepunten (aantal, laatsteHash, tijdstip, sleutel, jws) VALUES (@aantal, @laatsteHash, @tijdstip, @sleutel, @jws)').run(punt);
  for (const k of sleutels.publiek) db.prepare('INSERT INTO logboek_sleutels (kid, jwk, aangemaaktOp) VALUES (@kid, @jwk, @aangemaaktOp)').run(k);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { trajectIds, seconds: (performance.now() - t0) / 1000 };
}

async function benchVerification(dataDir: string, runs = 3): Promise<LogboekBenchResult['verification']> {
  const reader = openSqliteLogboek(path.join(dataDir, 'doelpoort.db'));
  const sleutels = await logboekSleutels(dataDir);
  const controlepunten = await reader.controlepunten();
  const rates: number[] = [];
  const perCpu: number[] = [];
  let geldig = true;
  try {
    for (let i = 0; i < runs; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const result = await verifieerKeten(reader, { controlepunten, jwks: sleutels.jwks });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      geldig &&= result.geldig;
      rates.push(Math.round(result.aantal / seconds));
      perCpu.push(Math.round(result.aantal / ((cpu.user + cpu.system) / 1e6)));
    }
  } finally {
    reader.close();
  }
  const threads = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
  return { recordsPerSecond: Math.max(...rates), runs: rates, perCpuSecond: Math.max(...perCpu), threads, geldig };
}

async function benchQueryStore(dataDir: string, trajectIds: string[], queries: number): Promise<{ p: Percentiles; perQuery: number }> {
  const reader = openSqliteLogboek(path.join(dataDir, 'doelpoort.db'));
  const samples: number[] = [];
  let total = 0;
  try {
    for (let i = 0; i < queries + 20; i++) {
      const trajectId = trajectIds[Math.floor(Math.random() * trajectIds.length)]!;
      const t0 = performance.now();
      const rows = await reader.zoeken({ scope: 'gemeente-hengelo', trajectId, volgorde: 'nieuwste-eerst', limit: 51 });
      if (i >= 20) {
        samples.push(performance.now() - t0);
        total += rows.length;
      }
    }
  } finally {
    reader.close();
  }
  return { p: percentiles(samples), perQuery: total / queries };
}

/** Issue 13: the search by data category, in the store (the officer's scope, newest first, a page of 50 at a random depth). */
async function benchQueryCategorie(dataDir: string, n: number, queries: number): Promise<Record<string, Percentiles & { results: number }>> {
  const reader = openSqliteLogboek(path.join(dataDir, 'doelpoort.db'));
  const cases: Record<string, Omit<LogboekZoekvraag, 'volgorde' | 'limit' | 'voor'>> = {
    'rare category (2 %), scope gemeente-hengelo': { scope: 'gemeente-hengelo', gegevenscategorie: 'belemmeringen-en-uitval' },
    'rare category, scope werkshop (none of it in scope)': { scope: 'werkshop', gegevenscategorie: 'belemmeringen-en-uitval' },
    'rare category, no scope (offline)': { scope: null, gegevenscategorie: 'belemmeringen-en-uitval' },
    'rare category + besluit toegestaan + actie berichten-lezen': { scope: 'gemeente-hengelo', gegevenscategorie: 'belemmeringen-en-uitval', besluit: 'toegestaan', actie: 'berichten-lezen' },
    'common category (98 %) + actie berichten-lezen': { scope: 'gemeente-hengelo', gegevenscategorie: 'deelname', actie: 'berichten-lezen' },
  };
  const out: Record<string, Percentiles & { results: number }> = {};
  try {
    for (const [naam, vraag] of Object.entries(cases)) {
      const samples: number[] = [];
      let total = 0;
      for (let i = 0; i < queries + 20; i++) {
        const voor = i % 2 ? n + 1 : 1 + Math.floor(Math.random() * n); // half the first page, half a page at a random depth
        const t0 = performance.now();
        const rows = await reader.zoeken({ ...vraag, voor, volgorde: 'nieuwste-eerst', limit: 51 });
        if (i >= 20) {
          samples.push(performance.now() - t0);
          total += rows.length;
        }
      }
      out[naam] = { ...percentiles(samples), results: Math.round(total / queries) };
    }
  } finally {
    reader.close();
  }
  return out;
}

async function benchQueryHttp(dataDir: string, trajectIds: string[], queries: number): Promise<Percentiles> {
  const gw = await startGateway({ env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', controlepuntSeconden: 0, pressure: NO_RATE_LIMITS } });
  try {
    const { accessToken } = await fetchAccessToken({ issuer: gw.config.issuer, clientId: 'fg-hengelo', jwk: readDevClientKey(dataDir, 'fg-hengelo') });
    const samples: number[] = [];
    for (let i = 0; i < queries + 20; i++) {
      const trajectId = trajectIds[Math.floor(Math.random() * trajectIds.length)]!;
      const t0 = performance.now();
      const res = await fetch(`${gw.url}/v1/logboek?trajectId=${trajectId}`, { headers: { Authorization: `Bearer ${accessToken}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`query answered ${res.status}`);
      if (i >= 20) samples.push(performance.now() - t0);
    }
    return percentiles(samples);
  } finally {
    await gw.stop();
  }
}

/** Publish throughput through a real gateway (fresh data folder): every publish writes its record and scope rows. */
export async function benchPublish(seconds: number): Promise<{ requestsPerSecond: number; p99Ms: number; seconds: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-bench-publish-'));
  const gw = await startGateway({ env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', pressure: NO_RATE_LIMITS } });
  try {
    const token = async (clientId: string) => (await fetchAccessToken({ issuer: gw.config.issuer, clientId, jwk: readDevClientKey(dataDir, clientId) })).accessToken;
    const g = await token('gemeente-hengelo');
    const res = await fetch(`${gw.url}/v1/trajecten`, {
      method: 'POST', headers: { Authorization: `Bearer ${g}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ leerroute: 'B1', startdatum: '2026-01-05', toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-01-05' }] }),
    });
    const { trajectId } = (await res.json()) as { trajectId: string };
    const roc = await token('roc-van-twente');
    // The repository's own valid weekly attendance report (the same message as scripts/bench.ts publishes).
    const example = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'schemas', 'examples', 'aanwezigheid', 'geldig-week-taalaanbieder.json'), 'utf8')) as Record<string, unknown>;
    const result = await autocannon({
      url: gw.url, connections: 50, duration: seconds,
      requests: [{
        method: 'POST', path: '/v1/berichten',
        headers: { Authorization: `Bearer ${roc}`, 'Content-Type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ ...example, berichtId: crypto.randomUUID(), trajectId }) }),
      }],
    });
    if (result.non2xx > 0) throw new Error(`${result.non2xx} publishes failed: ${JSON.stringify(result.statusCodeStats)}`);
    return { requestsPerSecond: Math.round(result.requests.average), p99Ms: result.latency.p99, seconds };
  } finally {
    await gw.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchLogboek(log: (line: string) => void = console.log): Promise<LogboekBenchResult> {
  const n = env('BENCH_RECORDS', 1_000_000);
  const trajecten = env('BENCH_TRAJECTEN', 20_000);
  const queries = env('BENCH_QUERIES', 500);
  const publishSeconds = env('BENCH_PUBLISH_SECONDS', 10);
  // BENCH_DATA=<folder kept by an earlier BENCH_KEEP=1 run> skips the generation.
  const reuse = process.env.BENCH_DATA;
  const dataDir = reuse ?? fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-bench-logboek-'));
  try {
    let trajectIds: string[];
    let seconds = 0;
    if (reuse) {
      const db = new Database(path.join(reuse, 'doelpoort.db'), { readonly: true });
      trajectIds = db.prepare('SELECT trajectId FROM trajecten').pluck().all() as string[];
      db.close();
      log(`logboek: reusing ${reuse}`);
    } else {
      log(`logboek: generating ${n.toLocaleString('en')} chained records over ${trajecten.toLocaleString('en')} trajectories…`);
      ({ trajectIds, seconds } = await generate(dataDir, n, trajecten));
      log(`  generated in ${seconds.toFixed(1)} s`);
    }
    const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))) };
    const verification = await benchVerification(dataDir);
    log(`  verification: ${verification.recordsPerSecond.toLocaleString('en')} records/s wall (runs: ${verification.runs.join(', ')}; ${verification.threads} threads; valid: ${verification.geldig})`);
    log(`                ${verification.perCpuSecond.toLocaleString('en')} records per CPU-second; load average before: ${machine.loadAverage.join(' ')} on ${machine.cpus} CPUs`);
    const store = await benchQueryStore(dataDir, trajectIds, queries);
    log(`  query by trajectId, store:  p50 ${store.p.p50} ms, p95 ${store.p.p95} ms, p99 ${store.p.p99} ms (${store.perQuery.toFixed(0)} records each)`);
    const categorie = await benchQueryCategorie(dataDir, n, Math.min(queries, 200));
    for (const [naam, p] of Object.entries(categorie)) log(`  query by data category, store, ${naam}: p50 ${p.p50} ms, p95 ${p.p95} ms (${p.results} records each)`);
    const http = process.env.BENCH_HTTP === '0' ? null : await benchQueryHttp(dataDir, trajectIds, queries);
    if (http) log(`  query by trajectId, HTTP:   p50 ${http.p50} ms, p95 ${http.p95} ms, p99 ${http.p99} ms (incl. token check and the read's own audit record)`);
    const publish = publishSeconds > 0 ? await benchPublish(publishSeconds) : null;
    if (publish) log(`  publish with the logboek write path: ${publish.requestsPerSecond} req/s, p99 ${publish.p99Ms} ms`);
    return { records: n, generateSeconds: seconds, verification, machine, query: { store: store.p, http, resultsPerQuery: store.perQuery }, categorie, publish };
  } finally {
    if (process.env.BENCH_KEEP || reuse) log(`  kept: ${dataDir}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchLogboek();
  console.log(JSON.stringify(result, null, 2));
}
