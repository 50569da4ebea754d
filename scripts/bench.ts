/**
 * `npm run bench`: load test of the real gateway, in-process, against a bare express 5 baseline.
 *
 * Starts the gateway (embedded issuer, fresh SQLite file in a temp folder, logging off), gets real
 * access tokens through the OAuth client-credentials flow, opens one trajectory and then measures
 * with autocannon (each scenario after a warm-up that is not reported):
 *
 * - echo      POST the publish envelope to a bare express.json() + res.json(req.body) server;
 * - publish   POST /v1/berichten as roc-van-twente, a new berichtId per request (set by
 *             bench-publish-request.cjs), so every 201 is a new message + audit record made durable
 *             (WAL, synchronous=FULL, group commit); the envelope is the repository's example
 *             schemas/examples/aanwezigheid/geldig-week-taalaanbieder.json;
 * - read      GET /v1/berichten?doel=trajectbegeleiding&trajectId=…&limiet=20 as gemeente-hengelo;
 * - echo-get  GET of a small JSON from the bare express server.
 *
 * After the gateway has stopped, it opens the database read-only and checks that the number of
 * stored messages equals the number of 201s the gateway issued, and that the audit chain is
 * contiguous; times the policy decision alone (benchPolicy() of scripts/bench-policy.ts); and
 * measures the logboek at 1,000,000 records (benchLogboek() of scripts/bench-logboek.ts; BENCH_LOGBOEK=0 skips it);
 * runs two gateway processes on one PostgreSQL database (benchReplicas() of scripts/bench-schaal.ts:
 * publishes/s together, read p99 at 64 connections, the ratio to this run's SQLite publish figure;
 * BENCH_PG=0 skips it, BENCH_PG_URL names the server's admin URL, default
 * postgres://postgres@127.0.0.1:5432/postgres); and measures publish rate and read p99 at 10,000 and
 * 200,000 stored messages on both adapters (benchGroei(); BENCH_GROEI=0 skips it, BENCH_GROEI_1M=1
 * adds 1,000,000, BENCH_GROEI_SECONDS sets the measured seconds per run, default 5); and the reads of
 * issue 14 on both adapters (benchLezen() of scripts/bench-lezen.ts: pages of 20 and 100 at 16/64/256
 * connections, mixed with publishes, the feed of a party with 1 % of the messages, the state, each
 * against the express echo of the same run; BENCH_LEZEN=0 skips it, BENCH_LEZEN_1M=1 uses 1,000,000
 * messages instead of 200,000).
 * Results are printed and written to .bench/results.json.
 *
 * Environment: BENCH_SECONDS (measured seconds per scenario, default 10), BENCH_CONNECTIONS
 * (default 50), BENCH_WORKERS (autocannon worker threads, default 1; 0 runs the load generator on
 * the gateway's own event loop), BENCH_PROFILE=1 (CPU-profile the main thread — gateway and echo
 * server — during each measured run: .bench/<scenario>.cpuprofile and a self-time summary; the
 * profiler slows the run, so its numbers are not comparable).
 *
 * Exit code 0 when every check passes; 1 when any run (warm-up included) had a non-2xx answer, a
 * connection error or a timeout, or a check failed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Options, type Result } from 'autocannon';
import Database from 'better-sqlite3';
import express from 'express';
import { GENESIS_HASH, hashRecord, type AuditRecord } from '../src/audit/record.js';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { NO_RATE_LIMITS, projectRoot } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { benchLogboek } from './bench-logboek.js';
import { benchPolicy } from './bench-policy.js';
import { profiel } from './profiel.js';
import { benchLezen } from './bench-lezen.js';
import { benchGroei, benchReplicas, PG_ADMIN_URL, postgresAvailable } from './bench-schaal.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
/** A request without an answer after this long counts as an error (autocannon's default is 10 s; slow reads exceed it). */
const TIMEOUT_SECONDS = 30;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const PROFILE = process.env.BENCH_PROFILE === '1';
// Access tokens of the embedded issuer live 300 s; each scenario gets fresh ones, so one scenario must fit.
if (!Number.isInteger(SECONDS) || SECONDS < 1 || SECONDS > 240) throw new Error(`BENCH_SECONDS must be 1…240, got "${process.env.BENCH_SECONDS}"`);
if (!Number.isInteger(CONNECTIONS) || CONNECTIONS < 1) throw new Error(`BENCH_CONNECTIONS must be a positive integer`);
if (!Number.isInteger(WORKERS) || WORKERS < 0) throw new Error(`BENCH_WORKERS must be 0 or more`);

const OUT_DIR = path.resolve('.bench');
const SETUP_PUBLISH = path.resolve(import.meta.dirname, 'bench-publish-request.cjs');

// Bounded run time: whatever hangs, the process ends.
const watchdog = setTimeout(() => {
  console.error('bench: did not finish in time; giving up');
  process.exit(2);
}, (4 * (SECONDS + WARMUP_SECONDS) + 180 + (process.env.BENCH_LOGBOEK === '0' ? 0 : 900)
  + (process.env.BENCH_PG === '0' ? 0 : 4 * (SECONDS + WARMUP_SECONDS) + 120)
  + (process.env.BENCH_GROEI === '0' ? 0 : process.env.BENCH_GROEI_1M === '1' ? 1500 : 600)
  + (process.env.BENCH_LEZEN === '0' ? 0 : (process.env.BENCH_LEZEN_1M === '1' ? 2400 : 1200) * (process.env.BENCH_PG === '0' ? 1 : 2))) * 1000);
watchdog.unref();

const TRAJECT = {
  leerroute: 'B1',
  startdatum: '2026-01-05',
  toewijzingen: [
    { partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-01-05' },
    { partij: 'werkshop', rol: 'participatie', vanaf: '2026-01-05' },
  ],
};

/**
 * The published message: the repository's own valid weekly attendance report of a language provider
 * (kept valid by the schema tests), with this run's trajectory and the given berichtId.
 */
const EXAMPLE = path.join(projectRoot(), 'schemas', 'examples', 'aanwezigheid', 'geldig-week-taalaanbieder.json');
function envelope(trajectId: string, berichtId: string): Record<string, unknown> {
  const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
  return { ...example, berichtId, trajectId };
}

/** CPU time of the whole machine (Linux /proc/stat, in USER_HZ = 1/100 s) and of this process, to see other load. */
interface CpuSnapshot { busy: number; steal: number; own: number; at: number }
function cpuSnapshot(): CpuSnapshot | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number) as number[];
    const own = process.cpuUsage();
    return { busy: user! + nice! + system! + irq! + softirq!, steal: steal ?? 0, own: (own.user + own.system) / 1e6, at: performance.now() };
  } catch {
    return null;
  }
}
/** Average number of cores used by other processes during the interval, and stolen by the hypervisor. */
function otherLoad(a: CpuSnapshot | null, b: CpuSnapshot | null): { otherCores: number; stealCores: number } | null {
  if (!a || !b) return null;
  const seconds = (b.at - a.at) / 1000;
  const round = (x: number) => Math.max(0, Math.round(x * 100) / 100);
  return { otherCores: round(((b.busy - a.busy) / 100 - (b.own - a.own)) / seconds), stealCores: round((b.steal - a.steal) / 100 / seconds) };
}

interface Scenario {
  name: string;
  /** CPU used by other processes / stolen during the measured run (a clean run has ~0). */
  load: ReturnType<typeof otherLoad>;
  baseline: string | null;
  url: string;
  describe: string;
  result: Result;
  warmup: Result;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function cannon(url: string, options: Omit<Options, 'url'>, duration: number): Promise<Result> {
  return autocannon({ url, connections: CONNECTIONS, workers: WORKERS || undefined, timeout: TIMEOUT_SECONDS, ...options, duration });
}

async function main(): Promise<number> {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-bench-'));
  const failures: string[] = [];

  // The gateway, with a counter of the answers it issued to POST /v1/berichten (including answers
  // the load generator no longer read because it closed the connection at the end of a run).
  const gateway = await startGateway({ env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', pressure: NO_RATE_LIMITS } });
  const issued = new Map<number, number>();
  gateway.server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== 'POST' || req.url !== '/v1/berichten') return;
    const end = res.end;
    res.end = function (this: http.ServerResponse, ...args: Parameters<typeof end>) {
      issued.set(res.statusCode, (issued.get(res.statusCode) ?? 0) + 1);
      return end.apply(this, args);
    } as typeof end;
  });

  // The baseline: bare express 5 on another port.
  const echoApp = express();
  echoApp.post('/echo', express.json(), (req, res) => { res.json(req.body); });
  echoApp.get('/klein', (_req, res) => { res.json({ status: 'ok', versie: '0.1.0', berichten: [] }); });
  const echoServer = http.createServer(echoApp);
  const echoUrl = await listen(echoServer);

  const token = async (clientId: string) =>
    (await fetchAccessToken({ issuer: gateway.config.issuer, clientId, jwk: readDevClientKey(dataDir, clientId) })).accessToken;

  const opened = await fetch(`${gateway.url}/v1/trajecten`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token('gemeente-hengelo')}`, 'content-type': 'application/json' },
    body: JSON.stringify(TRAJECT),
  });
  if (opened.status !== 201) throw new Error(`opening the trajectory answered ${opened.status}: ${await opened.text()}`);
  const { trajectId } = (await opened.json()) as { trajectId: string };

  console.log(`Doelpoort bench: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, `
    + `${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s per scenario, `
    + `load generator ${WORKERS ? `in ${WORKERS} worker thread(s)` : 'on the gateway thread'}; data in ${dataDir}`);

  const scenarios: Scenario[] = [];
  async function run(name: string, baseline: string | null, describe: string, url: string, options: () => Promise<Omit<Options, 'url'>>) {
    process.stdout.write(`  ${name}: warm-up… `);
    const warmup = await cannon(url, await options(), WARMUP_SECONDS);
    process.stdout.write(`measuring ${SECONDS} s… `);
    const opts = await options();
    const before = cpuSnapshot();
    const result = await (PROFILE ? profiel(path.join(OUT_DIR, `${name}.cpuprofile`), name, () => cannon(url, opts, SECONDS)) : cannon(url, opts, SECONDS));
    const load = otherLoad(before, cpuSnapshot());
    console.log(`${Math.round(result.requests.average)} req/s${load ? ` (other processes used ${load.otherCores} cores, steal ${load.stealCores})` : ''}`);
    scenarios.push({ name, baseline, url, describe, result, warmup, load });
  }

  const publishBody = JSON.stringify(envelope(trajectId, '@berichtId@'));
  const echoBody = JSON.stringify(envelope(trajectId, '3f0b8e0c-4c43-4c8e-9a0e-7f1f2b6d9a10'));

  await run('echo', null, 'bare express 5: express.json() + res.json(req.body), the same envelope', `${echoUrl}/echo`, async () => ({
    method: 'POST', headers: { 'content-type': 'application/json' }, body: echoBody,
  }));
  await run('publish', 'echo', 'POST /v1/berichten as roc-van-twente, new berichtId per request', `${gateway.url}/v1/berichten`, async () => ({
    headers: { authorization: `Bearer ${await token('roc-van-twente')}` },
    requests: [{ method: 'POST', path: '/v1/berichten', headers: { 'content-type': 'application/json' }, body: publishBody, setupRequest: SETUP_PUBLISH }],
  }));
  const readPath = `/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}&limiet=20`;
  // The read must return a full page, or it would measure an empty answer.
  const probe = await fetch(`${gateway.url}${readPath}`, { headers: { authorization: `Bearer ${await token('gemeente-hengelo')}` } });
  const page = (await probe.json()) as { resultaten?: unknown[] };
  if (probe.status !== 200 || page.resultaten?.length !== 20) {
    failures.push(`read: a probe answered ${probe.status} with ${page.resultaten?.length ?? 'no'} messages instead of 200 with 20`);
  }
  // The feed query's cost grows with the messages in the trajectory, so the count is part of the result.
  const messagesInTrajectory = issued.get(201) ?? 0;
  await run('read', 'echo-get', `GET /v1/berichten?doel=trajectbegeleiding&trajectId=…&limiet=20 as gemeente-hengelo, with ${messagesInTrajectory} messages in the trajectory`, `${gateway.url}${readPath}`, async () => ({
    method: 'GET', headers: { authorization: `Bearer ${await token('gemeente-hengelo')}` },
  }));
  await run('echo-get', null, 'bare express 5: GET returning a small JSON object', `${echoUrl}/klein`, async () => ({ method: 'GET' }));

  // The inzage's refusal must cost the same whether or not the trajectory exists (no timing oracle):
  // an outsider on the busy trajectory against the owner on a random id, both 403, median of sequential calls.
  const inzage = await benchInzage(gateway.url, trajectId, token);
  console.log(`inzage refusal:       outsider on the busy trajectory p50 ${inzage.outsiderP50Ms.toFixed(2)} ms, random id p50 ${inzage.randomP50Ms.toFixed(2)} ms, `
    + `ratio ${inzage.ratio.toFixed(2)}× (bar: within 2×); the owner's first page ${inzage.ownerMs.toFixed(1)} ms for ${inzage.ownerRows} disclosures`);
  if (!(inzage.ratio <= 2 && inzage.ratio >= 0.5)) failures.push(`inzage refusal: outsider/random ratio ${inzage.ratio.toFixed(2)} is outside 0.5–2`);
  if (inzage.statuses.some((st) => st !== 403)) failures.push(`inzage refusal: expected only 403, got ${[...new Set(inzage.statuses)].join(', ')}`);

  // Stop everything; the gateway finishes its last group commit and closes the database.
  await gateway.stop();
  await new Promise<void>((resolve) => { echoServer.close(() => resolve()); echoServer.closeAllConnections(); });

  // Any non-2xx answer or connection error from the gateway is a failed run.
  for (const s of scenarios) {
    for (const [phase, r] of [['warm-up', s.warmup], ['measured', s.result]] as const) {
      if (r.non2xx || r.errors) {
        const codes = Object.entries(r.statusCodeStats).map(([code, { count }]) => `${code}×${count}`).join(', ');
        failures.push(`${s.name} (${phase}): ${r.non2xx} non-2xx answers, ${r.errors} connection errors/timeouts (statuses: ${codes})`);
      }
    }
  }

  // Check 1: every 201 is a stored message, and nothing else was stored.
  const db = new Database(path.join(dataDir, 'doelpoort.db'), { readonly: true, fileMustExist: true });
  const stored = (db.prepare('SELECT count(*) FROM berichten').pluck().get() as number);
  const publish = scenarios.find((s) => s.name === 'publish')!;
  const seen201 = (publish.warmup.statusCodeStats['201']?.count ?? 0) + (publish.result.statusCodeStats['201']?.count ?? 0);
  const issued201 = issued.get(201) ?? 0;
  const otherIssued = [...issued].filter(([code]) => code !== 201).map(([code, n]) => `${code}×${n}`);
  const countOk = stored === issued201 && seen201 <= issued201 && issued201 - seen201 <= 2 * CONNECTIONS && otherIssued.length === 0;
  const countCheck = {
    ok: countOk,
    storedMessages: stored,
    issued201,
    received201: seen201,
    unreadAtCutOff: issued201 - seen201,
    otherAnswers: otherIssued,
  };

  // Check 2: the audit chain is contiguous (ids 1…n, each vorigeHash the previous hash), and each hash recomputes.
  let chainOk = true;
  let chainError: string | null = null;
  let rows = 0;
  let prev = { id: 0, hash: GENESIS_HASH };
  type Row = Omit<AuditRecord, 'trajectIds' | 'berichtIds' | 'velden'> & { trajectIds: string; berichtIds: string; velden: string };
  for (const row of db.prepare('SELECT * FROM logboek ORDER BY id').iterate() as IterableIterator<Row>) {
    rows++;
    const { hash, ...rest } = row;
    const recomputed = hashRecord({ ...rest, trajectIds: JSON.parse(row.trajectIds), berichtIds: JSON.parse(row.berichtIds), velden: JSON.parse(row.velden) });
    const problem = row.id !== prev.id + 1 ? `id ${row.id} follows ${prev.id}`
      : row.vorigeHash !== prev.hash ? `record ${row.id}: vorigeHash is not the hash of record ${prev.id}`
      : recomputed !== hash ? `record ${row.id}: hash does not recompute` : null;
    if (problem) { chainOk = false; chainError = problem; break; }
    prev = { id: row.id, hash };
  }
  db.close();
  const chainCheck = { ok: chainOk, records: rows, lastId: prev.id, error: chainError };
  if (!countOk) failures.push(`stored messages (${stored}) ≠ 201s issued (${issued201}), or 201s received (${seen201}) do not fit, or other answers: ${otherIssued.join(', ') || 'none'}`);
  if (!chainOk) failures.push(`audit chain broken: ${chainError}`);

  // Report.
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  const table = scenarios.map((s) => {
    const base = s.baseline ? byName.get(s.baseline) : undefined;
    return {
      scenario: s.name,
      requestsPerSecond: Math.round(s.result.requests.average),
      latencyP50Ms: s.result.latency.p50,
      latencyP99Ms: s.result.latency.p99,
      non2xx: s.result.non2xx,
      errors: s.result.errors,
      requests: s.result.latency.totalCount,
      baseline: s.baseline,
      throughputVsBaseline: base ? s.result.requests.average / base.result.requests.average : null,
      p50VsBaseline: base && base.result.latency.p50 ? s.result.latency.p50 / base.result.latency.p50 : null,
    };
  });
  const pad = (v: string, n: number) => v.padStart(n);
  console.log(`\n${'scenario'.padEnd(10)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('non-2xx', 9)}${pad('errors', 8)}${pad('answers', 10)}  vs baseline (req/s, p50)`);
  for (const t of table) {
    const vs = t.baseline ? `${t.throughputVsBaseline!.toFixed(3)}× ${t.baseline}, p50 ${t.p50VsBaseline === null ? 'n/a' : `${t.p50VsBaseline.toFixed(1)}×`}` : 'baseline';
    console.log(`${t.scenario.padEnd(10)}${pad(String(t.requestsPerSecond), 9)}${pad(String(t.latencyP50Ms), 9)}${pad(String(t.latencyP99Ms), 9)}`
      + `${pad(String(t.non2xx), 9)}${pad(String(t.errors), 8)}${pad(String(t.requests), 10)}  ${vs}`);
  }
  console.log(`\ncheck stored = 201s: ${countOk ? 'OK' : 'FAILED'} — ${stored} messages stored, ${issued201} 201s issued by the gateway, `
    + `${seen201} received by the load generator (${issued201 - seen201} unread when it closed its connections at the end of a run)`
    + `${otherIssued.length ? `; other answers: ${otherIssued.join(', ')}` : ''}`);
  console.log(`check audit chain:    ${chainOk ? 'OK' : 'FAILED'} — ${rows} records, ids 1…${prev.id} contiguous, each vorigeHash = previous hash, every hash recomputes${chainError ? `; ${chainError}` : ''}`);
  // The policy decision alone (scripts/bench-policy.ts), on the now quiet gateway thread.
  const policy = await benchPolicy();
  console.log(`policy decide():      ${policy.decisionsPerSecond.toLocaleString('en-US')} decisions/s, p50 ${policy.p50us} µs, p99 ${policy.p99us} µs per decision`);
  // The logboek at scale (scripts/bench-logboek.ts): verification speed and search over 1,000,000 records.
  // BENCH_LOGBOEK=0 skips it (it generates the records first, about a minute).
  const logboek = process.env.BENCH_LOGBOEK === '0' ? null : await benchLogboek((line) => console.log(line));

  // PostgreSQL: two replica processes on one database, against the SQLite publish figure of this run.
  const pgWanted = process.env.BENCH_PG !== '0';
  const pgThere = pgWanted && (await postgresAvailable());
  if (pgWanted && !pgThere) failures.push(`PostgreSQL not reachable at ${PG_ADMIN_URL.replace(/\/\/[^@]*@/, '//')}: set BENCH_PG_URL, or BENCH_PG=0 to skip`);
  let replicas: Awaited<ReturnType<typeof benchReplicas>> | null = null;
  if (pgThere) {
    console.log(`\nPostgreSQL, two gateway processes on one database (${CONNECTIONS} connections publishing, 64 reading, split over both):`);
    replicas = await benchReplicas({ seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, readConnections: 64, log: (l) => console.log(l) });
    if (!replicas.check.ok) failures.push(`postgres replicas: stored ${replicas.check.storedMessages} < 201s ${replicas.check.received201}, or the chain is not one (gaps ${replicas.check.gaps}, broken links ${replicas.check.brokenLinks})`);
    for (const r of [...replicas.publish.perReplica, ...replicas.read.perReplica]) {
      if (r.non2xx || r.errors) failures.push(`postgres replicas: ${r.non2xx} non-2xx answers, ${r.errors} errors (${JSON.stringify(r.statusCodes)})`);
    }
    const sqlitePublish = scenarios.find((sc) => sc.name === 'publish')!.result.requests.average;
    console.log(`  ratio: PostgreSQL (2 replicas) / SQLite (embedded) publishes = ${(replicas.publish.total / sqlitePublish).toFixed(2)}× in this run`);
  }

  // Growth: publish rate and read p99 at 10k, 200k (and with BENCH_GROEI_1M=1, 1M) stored messages, both adapters.
  let groei: Awaited<ReturnType<typeof benchGroei>> | null = null;
  if (process.env.BENCH_GROEI !== '0') {
    const seconds = Number(process.env.BENCH_GROEI_SECONDS ?? 5);
    console.log(`\nGrowth tiers (${seconds} s per measured run, ${CONNECTIONS} connections publishing, 64 reading a page of 20 of one trajectory):`);
    groei = await benchGroei({ seconds, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, readConnections: 64, postgres: pgThere, log: (l) => console.log(l) });
    for (const t of groei) {
      if (t.publish.non2xx || t.publish.errors || t.read.non2xx || t.read.errors) failures.push(`growth ${t.adapter} ${t.storedMessages}: non-2xx or errors (${JSON.stringify(t.publish.statusCodes)}, ${JSON.stringify(t.read.statusCodes)})`);
    }
  }
  // Reads (issue 14): both adapters, each scenario three times, against the express echo of the same run.
  let lezen: Awaited<ReturnType<typeof benchLezen>> | null = null;
  if (process.env.BENCH_LEZEN !== '0') {
    console.log('\nReads (issue 14; min–max of the runs in brackets, the load average and other processes\' CPU per run):');
    lezen = await benchLezen({ adapters: pgThere ? ['sqlite', 'postgres'] : ['sqlite'], log: (l) => console.log(l) });
    for (const r of lezen) failures.push(...r.fouten);
  }
  const busy = scenarios.filter((s) => s.load && s.load.otherCores + s.load.stealCores > 0.1);
  if (busy.length) console.log(`\nNOTE: other processes or the hypervisor used CPU during ${busy.map((s) => s.name).join(', ')}; those numbers are not from a quiet machine.`);

  const results = {
    date: new Date().toISOString(),
    commit: gitDescribe(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      memoryBytes: os.totalmem(),
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      dataDir,
    },
    settings: { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, timeoutSeconds: TIMEOUT_SECONDS, workers: WORKERS, profiled: PROFILE },
    scenarios: scenarios.map((s, i) => ({
      ...table[i]!,
      describe: s.describe,
      url: s.url.replace(/^http:\/\/127\.0\.0\.1:\d+/, ''),
      latency: pick(s.result.latency, ['average', 'stddev', 'min', 'p50', 'p90', 'p97_5', 'p99', 'p99_9', 'max']),
      requestsPerSecondSamples: pick(s.result.requests, ['average', 'stddev', 'min', 'p50', 'max', 'sent']),
      statusCodes: Object.fromEntries(Object.entries(s.result.statusCodeStats).map(([k, v]) => [k, v.count])),
      durationSeconds: s.result.duration,
      warmup: { requests: s.warmup.latency.totalCount, non2xx: s.warmup.non2xx, errors: s.warmup.errors },
      otherLoad: s.load,
    })),
    readWithMessagesInTrajectory: messagesInTrajectory,
    checks: { storedEquals201: countCheck, auditChain: chainCheck },
    policy,
    logboek,
    postgresReplicas: replicas && {
      ...replicas,
      ratioToSqlitePublish: replicas.publish.total / scenarios.find((sc) => sc.name === 'publish')!.result.requests.average,
    },
    growth: groei,
    reads: lezen,
    loadAverageAtEnd: os.loadavg(),
    failures,
  };
  fs.writeFileSync(path.join(OUT_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nResults written to ${path.relative(process.cwd(), path.join(OUT_DIR, 'results.json'))}`);
  fs.rmSync(dataDir, { recursive: true, force: true });

  if (failures.length) {
    console.error(`\nBENCH FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    return 1;
  }
  return 0;
}

/** The commit measured, with "+dirty" when the working tree has changes. */
/** Sequential inzage calls: outsider (roc-van-twente) on the trajectory vs the owner on random ids; both refused. */
async function benchInzage(url: string, trajectId: string, token: (clientId: string) => Promise<string>, n = 300) {
  const outsider = await token('roc-van-twente');
  const owner = await token('gemeente-hengelo');
  const statuses: number[] = [];
  const time = async (id: string, bearer: string) => {
    const t0 = performance.now();
    const res = await fetch(`${url}/v1/trajecten/${id}/inzage`, { headers: { authorization: `Bearer ${bearer}` } });
    await res.arrayBuffer();
    statuses.push(res.status);
    return performance.now() - t0;
  };
  const a: number[] = [];
  const b: number[] = [];
  // Interleaved, so that both see the same load on the machine.
  for (let i = 0; i < n; i++) {
    a.push(await time(trajectId, outsider));
    b.push(await time(crypto.randomUUID(), owner));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const t0 = performance.now();
  const page = await fetch(`${url}/v1/trajecten/${trajectId}/inzage`, { headers: { authorization: `Bearer ${owner}` } });
  const body = (await page.json()) as { verstrekkingen?: unknown[] };
  const ownerMs = performance.now() - t0;
  return { outsiderP50Ms: median(a), randomP50Ms: median(b), ratio: median(a) / median(b), ownerMs, ownerRows: body.verstrekkingen?.length ?? 0, statuses };
}

function gitDescribe(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

function pick<T extends object>(o: T, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, number>)[k]!]));
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error('bench: error', e);
    process.exit(1);
  },
);
process.on('exit', (code) => { if (process.env.BENCH_MELDINGEN !== '0') try { execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'bench-meldingen.ts')], { stdio: 'inherit' }); } catch { process.exitCode = code || 1; } }); // issue 10: then scripts/bench-meldingen.ts
