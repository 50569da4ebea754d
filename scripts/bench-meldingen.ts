/**
 * `npm run bench:meldingen` (also run after `npm run bench`, by the last line of scripts/bench.ts; BENCH_MELDINGEN=0 skips it there): the figures issue 10 asks for,
 * against the real gateway in-process (embedded issuer, fresh SQLite file, rate limits off, logging
 * off) and a real local receiver (node:http on 127.0.0.1, answers 204 at once):
 *
 * - publish   POST /v1/berichten (new berichtId per request) with no subscriptions and with 10 active
 *             subscriptions of the gemeente (each message then writes 10 outbox rows in its
 *             transaction, and the deliverer POSTs them meanwhile), alternated in short bursts
 *             (none, ten, none, ten, …; the median burst of each reported) so that other load on the
 *             machine hits both alike; target: with ten ≤ 10 % lower;
 * - latency   event latency to the receiver: receipt time minus the event's `time` (the publish's
 *             timestamp, taken in the request just before its transaction commits, so an upper bound
 *             of commit → delivery), p50/p99, under the publish load above and paced (one publish at
 *             a time, the next when the outbox is empty);
 * - stand     GET /v1/trajecten/{id}/stand?doel=trajectbegeleiding on a trajectory with 250 weekly
 *             attendance messages, sequential over HTTP on one keep-alive connection, p50/p99 (target
 *             p99 < 10 ms); each read is an audited read (its logboek record made durable before the answer),
 *             so the bench also times a bare durable SQLite commit on the same disk: the floor under it.
 *
 * Environment: BENCH_SECONDS (seconds per burst, default 3), BENCH_BURSTS (bursts per mode, default 3),
 * BENCH_CONNECTIONS (default 10), BENCH_STAND_N (sequential state reads, default 1000).
 * Exit code 0 when every answer was 2xx and every published event reached the receiver; 1 otherwise.
 * The targets are reported, not enforced (a loaded machine must not fail a build).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Result } from 'autocannon';
import Database from 'better-sqlite3';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { NO_RATE_LIMITS, projectRoot } from '../src/config.js';
import { startGateway } from '../src/gateway.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const BURSTS = Number(process.env.BENCH_BURSTS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const STAND_N = Number(process.env.BENCH_STAND_N ?? 1000);
const SUBSCRIPTIONS = 10;
const WEEKS = 250;
const SETUP_PUBLISH = path.resolve(import.meta.dirname, 'bench-publish-request.cjs');
const EXAMPLE = path.join(projectRoot(), 'schemas', 'examples', 'aanwezigheid', 'geldig-week-taalaanbieder.json');

const watchdog = setTimeout(() => {
  console.error('bench:meldingen: did not finish in time; giving up');
  process.exit(2);
}, (2 * BURSTS * (SECONDS + 1) + 300) * 1000);
watchdog.unref();

const quantile = (xs: number[], q: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The repository's example week, moved to the week starting `van` (lesson dates keep their weekday offsets). */
function week(trajectId: string, berichtId: string, van: string): Record<string, unknown> {
  const e = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as { inhoud: { periode: { van: string; tot: string }; lessen: Array<{ datum: string }> } };
  const oud = e.inhoud.periode.van;
  e.inhoud.lessen = e.inhoud.lessen.map((l) => ({ ...l, datum: addDays(van, (Date.parse(l.datum) - Date.parse(oud)) / 86_400_000) }));
  e.inhoud.periode = { van, tot: addDays(van, 6) };
  return { ...e, berichtId, trajectId };
}

async function main(): Promise<number> {
  const failures: string[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-bench-meldingen-'));
  const gateway = await startGateway({ env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', pressure: NO_RATE_LIMITS, signaalPlannerSeconden: 0 } });

  // The receiver: the arrival time of each event, by id (duplicates counted once, at first arrival).
  const aankomst = new Map<string, number>();
  const latencies: number[] = [];
  let meten = false;
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const nu = Date.now();
      const e = JSON.parse(body) as { id: string; time: string };
      if (!aankomst.has(e.id)) {
        aankomst.set(e.id, nu);
        if (meten) latencies.push(nu - Date.parse(e.time));
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const token = async (clientId: string) => (await fetchAccessToken({ issuer: gateway.config.issuer, clientId, jwk: readDevClientKey(dataDir, clientId) })).accessToken;
  const call = async (method: string, url: string, client: string, body?: unknown) => {
    const res = await fetch(`${gateway.url}${url}`, { method, headers: { authorization: `Bearer ${await token(client)}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };
  const traject = async () => {
    const r = await call('POST', '/v1/trajecten', 'gemeente-hengelo', { leerroute: 'B1', startdatum: '2021-01-04', toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2021-01-04' }] });
    if (r.status !== 201) throw new Error(`opening a trajectory answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body!.trajectId as string;
  };

  console.log(`Doelpoort bench:meldingen — ${new Date().toISOString()}, ${os.cpus().length} CPUs, Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; `
    + `${BURSTS}×${SECONDS} s bursts per mode, ${CONNECTIONS} connections`);

  // 1. Publish with none vs ten subscriptions, alternating bursts.
  const pubTraject = await traject();
  const body = JSON.stringify(week(pubTraject, '@berichtId@', '2026-11-09'));
  const roc = await token('roc-van-twente');
  const burst = (): Promise<Result> => autocannon({
    url: gateway.url, connections: CONNECTIONS, duration: SECONDS, timeout: 30, headers: { authorization: `Bearer ${roc}` },
    requests: [{ method: 'POST', path: '/v1/berichten', headers: { 'content-type': 'application/json' }, body, setupRequest: SETUP_PUBLISH }],
  });
  const rates: Record<'geen' | 'tien', number[]> = { geen: [], tien: [] };
  let abonnementen: string[] = [];
  for (let i = 0; i < 2 * BURSTS + 1; i++) {
    const mode = i % 2 === 0 ? 'geen' : 'tien';
    if (mode === 'tien') {
      abonnementen = [];
      for (let s = 0; s < SUBSCRIPTIONS; s++) {
        const r = await call('POST', '/v1/abonnementen', 'gemeente-hengelo', { url: `${receiverUrl}/a${s}`, soorten: ['bericht', 'signaal'] });
        if (r.status !== 201) throw new Error(`subscribing answered ${r.status}: ${JSON.stringify(r.body)}`);
        abonnementen.push(r.body!.abonnementId as string);
      }
    }
    meten = mode === 'tien';
    const r = await burst();
    meten = false;
    if (r.non2xx || r.errors) failures.push(`publish (${mode}): ${r.non2xx} non-2xx, ${r.errors} errors`);
    if (i > 0) rates[mode].push(r.requests.average); // the first burst is the warm-up
    if (mode === 'tien') {
      // Let the deliverer catch up before the next burst without subscriptions (bounded), then unsubscribe.
      const eind = Date.now() + 60_000;
      while (Date.now() < eind && (await pending(gateway)) > 0) await new Promise((res) => setTimeout(res, 50));
      for (const id of abonnementen) await call('DELETE', `/v1/abonnementen/${id}`, 'gemeente-hengelo');
    }
    process.stdout.write(`  burst ${i} (${mode}${i === 0 ? ', warm-up' : ''}): ${Math.round(r.requests.average)} publishes/s\n`);
  }
  const onderLast = [...latencies];
  const geen = median(rates.geen);
  const tien = median(rates.tien);
  const verschil = (geen - tien) / geen;

  // 2. Paced latency: one publish at a time with ten subscriptions, on an empty outbox.
  for (let eind = Date.now() + 60_000; (await pending(gateway)) > 0 && Date.now() < eind;) await new Promise((res) => setTimeout(res, 20));
  abonnementen = [];
  for (let s = 0; s < SUBSCRIPTIONS; s++) {
    const r = await call('POST', '/v1/abonnementen', 'gemeente-hengelo', { url: `${receiverUrl}/p${s}`, soorten: ['bericht', 'signaal'] });
    abonnementen.push(r.body!.abonnementId as string);
  }
  latencies.length = 0;
  meten = true;
  for (let i = 0; i < 100; i++) {
    const r = await call('POST', '/v1/berichten', 'roc-van-twente', week(pubTraject, crypto.randomUUID(), addDays('2026-11-09', 7 * (i + 1))));
    if (r.status !== 201) failures.push(`paced publish answered ${r.status}`);
    // The next publish only when every event of this one (a message event and a signal event per subscription) is out.
    const eind = Date.now() + 20_000;
    while ((await pending(gateway)) > 0 && Date.now() < eind) await new Promise((res) => setTimeout(res, 2));
  }
  meten = false;
  const gepaced = [...latencies];
  for (const id of abonnementen) await call('DELETE', `/v1/abonnementen/${id}`, 'gemeente-hengelo');

  // 3. The state of a trajectory with 250 weekly messages.
  const standTraject = await traject();
  for (let i = 0; i < WEEKS; i++) {
    const r = await call('POST', '/v1/berichten', 'roc-van-twente', week(standTraject, crypto.randomUUID(), addDays('2021-11-01', 7 * i)));
    if (r.status !== 201) throw new Error(`week ${i} answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
  const gem = await token('gemeente-hengelo');
  const standUrl = `${gateway.url}/v1/trajecten/${standTraject}/stand?doel=trajectbegeleiding`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () => new Promise<{ status: number; ms: number; bytes: number }>((resolve, reject) => {
    const t0 = performance.now();
    http.get(standUrl, { agent, headers: { authorization: `Bearer ${gem}` } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, bytes }));
    }).on('error', reject);
  });
  for (let i = 0; i < 50; i++) await get(); // warm-up
  const standMs: number[] = [];
  let standBytes = 0;
  for (let i = 0; i < STAND_N; i++) {
    const r = await get();
    if (r.status !== 200) failures.push(`stand answered ${r.status}`);
    standMs.push(r.ms);
    standBytes = r.bytes;
  }
  agent.destroy();

  // The floor under every audited read: a bare durable commit (WAL, synchronous=FULL, as the store
  // runs) of one small row in a SQLite file beside the gateway's, timed as often as the reads.
  const floor = new Database(path.join(dataDir, 'floor.db'));
  floor.pragma('journal_mode = WAL');
  floor.pragma('synchronous = FULL');
  floor.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const insert = floor.prepare('INSERT INTO t (v) VALUES (?)');
  const commitMs: number[] = [];
  for (let i = 0; i < STAND_N; i++) {
    const t0 = performance.now();
    floor.transaction(() => insert.run('x'.repeat(600)))();
    commitMs.push(performance.now() - t0);
  }
  floor.close();

  await gateway.stop();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));

  const f = (x: number) => x.toFixed(1);
  const resultaat = {
    tijdstip: new Date().toISOString(), loadavg: os.loadavg(),
    publish: { geenPerSeconde: Math.round(geen), tienPerSeconde: Math.round(tien), lager: verschil, bursts: rates },
    latentie: {
      onderLast: { n: onderLast.length, p50: median(onderLast), p99: quantile(onderLast, 0.99) },
      gepaced: { n: gepaced.length, p50: median(gepaced), p99: quantile(gepaced, 0.99) },
    },
    stand: { weken: WEEKS, n: standMs.length, bytes: standBytes, p50: median(standMs), p99: quantile(standMs, 0.99), max: Math.max(...standMs) },
    kaleCommit: { n: commitMs.length, p50: median(commitMs), p99: quantile(commitMs, 0.99) },
  };
  console.log(`\npublish, ${CONNECTIONS} connections: ${resultaat.publish.geenPerSeconde}/s without subscriptions, ${resultaat.publish.tienPerSeconde}/s with ${SUBSCRIPTIONS} `
    + `(${(100 * verschil).toFixed(1)} % lower; target ≤ 10 %)`);
  console.log(`event latency (publish timestamp → receiver): under that load p50 ${resultaat.latentie.onderLast.p50} ms, p99 ${resultaat.latentie.onderLast.p99} ms (${onderLast.length} events); `
    + `paced p50 ${resultaat.latentie.gepaced.p50} ms, p99 ${resultaat.latentie.gepaced.p99} ms (${gepaced.length} events)`);
  console.log(`stand of a trajectory with ${WEEKS} weekly messages (${standBytes} bytes), ${STAND_N} sequential reads over HTTP: p50 ${f(resultaat.stand.p50)} ms, p99 ${f(resultaat.stand.p99)} ms, `
    + `max ${f(resultaat.stand.max)} ms (target p99 < 10 ms); a bare durable SQLite commit on the same disk: p50 ${f(resultaat.kaleCommit.p50)} ms, p99 ${f(resultaat.kaleCommit.p99)} ms`);
  fs.mkdirSync('.bench', { recursive: true });
  fs.writeFileSync(path.join('.bench', 'meldingen.json'), `${JSON.stringify(resultaat, null, 2)}\n`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (failures.length) console.error(`FAILED:\n  ${failures.join('\n  ')}`);
  return failures.length ? 1 : 0;
}

/** Outbox rows not yet delivered. */
async function pending(gateway: Awaited<ReturnType<typeof startGateway>>): Promise<number> {
  const rows = await gateway.services.store.transaction((tx) => tx.abonnementenMetWerk(new Date(Date.now() + 86_400_000).toISOString(), 1000));
  return rows.length;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error('bench:meldingen: error', e);
    process.exit(1);
  },
);
