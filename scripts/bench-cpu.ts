/**
 * `npx tsx scripts/bench-cpu.ts`: CPU time of the gateway per durable publish (SQLite, embedded), a
 * figure that other load on the machine moves far less than requests per second do.
 *
 * The gateway runs in this process (logging off, rate limits off); the load generator is a SEPARATE
 * process (autocannon, a new berichtId per request as in `npm run bench`), so this process's CPU time (all its threads: the event loop, libuv's
 * pool, the logboek reader) divided by the 201s it issued is the gateway's cost per publish. The
 * same for a bare express echo of the same envelope, for the ratio. Runs BENCH_CPU_ROUNDS (default
 * 3) alternating rounds of BENCH_CPU_SECONDS (default 5) at 50 connections and prints the medians.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { NO_RATE_LIMITS, projectRoot } from '../src/config.js';
import { startGateway } from '../src/gateway.js';

const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 5);
const EXAMPLE = path.join(projectRoot(), 'schemas', 'examples', 'aanwezigheid', 'geldig-week-taalaanbieder.json');

// The load generator in its own process: autocannon with the publish scenario's setupRequest (a new berichtId per request).
const GENERATOR = `
const autocannon = require(${JSON.stringify(path.join(projectRoot(), 'node_modules', 'autocannon'))});
const o = JSON.parse(process.argv[1]);
if (o.setup) o.requests[0].setupRequest = require(o.setup);
autocannon({ url: o.url, connections: 50, duration: o.seconds, requests: o.requests }, () => process.exit(0));
`;
const SETUP_PUBLISH = path.resolve(import.meta.dirname, 'bench-publish-request.cjs');

function load(url: string, request: { method: string; headers: Record<string, string>; body: string }, setup: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const o = { url, seconds: SECONDS, requests: [request], setup: setup ? SETUP_PUBLISH : null };
    const child = spawn(process.execPath, ['-e', GENERATOR, JSON.stringify(o)], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
}

async function measure(url: string, request: Parameters<typeof load>[1], setup: boolean, answered: () => number): Promise<{ cpuUsPerRequest: number; perSecond: number }> {
  const n0 = answered();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await load(url, request, setup);
  const cpu = process.cpuUsage(c0);
  const n = answered() - n0;
  return { cpuUsPerRequest: Math.round((cpu.user + cpu.system) / n), perSecond: Math.round(n / ((performance.now() - t0) / 1000)) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-bench-cpu-'));
  const gateway = await startGateway({ env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', pressure: NO_RATE_LIMITS } });
  let published = 0;
  gateway.server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method === 'POST') res.once('finish', () => { if (res.statusCode === 201) published++; });
  });
  let echoed = 0;
  const echoApp = express();
  echoApp.post('/echo', express.json(), (req, res) => { echoed++; res.json(req.body); });
  const echo = http.createServer(echoApp);
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/echo`;

  const token = async (clientId: string) => (await fetchAccessToken({ issuer: gateway.config.issuer, clientId, jwk: readDevClientKey(dataDir, clientId) })).accessToken;
  const opened = await fetch(`${gateway.url}/v1/trajecten`, {
    method: 'POST', headers: { authorization: `Bearer ${await token('gemeente-hengelo')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ leerroute: 'B1', startdatum: '2026-01-05', toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-01-05' }] }),
  });
  const { trajectId } = (await opened.json()) as { trajectId: string };
  const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
  const body = JSON.stringify({ ...example, trajectId, berichtId: '@berichtId@' });
  const echoBody = JSON.stringify({ ...example, trajectId, berichtId: '3f0b8e0c-4c43-4c8e-9a0e-7f1f2b6d9a10' });
  const rows: Array<{ echo: Awaited<ReturnType<typeof measure>>; publish: Awaited<ReturnType<typeof measure>>; load: number[] }> = [];
  for (let i = 0; i < ROUNDS; i++) {
    const e = await measure(echoUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: echoBody }, false, () => echoed);
    const p = await measure(`${gateway.url}/v1/berichten`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await token('roc-van-twente')}` }, body,
    }, true, () => published);
    rows.push({ echo: e, publish: p, load: os.loadavg().map((x) => Math.round(x * 100) / 100) });
    console.log(`round ${i + 1}: echo ${e.perSecond}/s at ${e.cpuUsPerRequest} µs CPU each; publish ${p.perSecond}/s at ${p.cpuUsPerRequest} µs CPU each; load ${rows.at(-1)!.load.join(' ')}`);
  }
  const mEcho = median(rows.map((r) => r.echo.cpuUsPerRequest));
  const mPub = median(rows.map((r) => r.publish.cpuUsPerRequest));
  console.log(`median: echo ${mEcho} µs, publish ${mPub} µs CPU per request → one core allows ${Math.round(1e6 / mPub)} publishes/s; CPU ratio echo/publish ${(mEcho / mPub).toFixed(2)}`);
  await gateway.stop();
  await new Promise<void>((r) => echo.close(() => r()));
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
