/**
 * `npm run bench:monitoring`: a gemeente's quarter over 10,000 trajectories (issue 13; goal: the
 * figures answer in under a second). Per adapter (SQLite; PostgreSQL unless BENCH_PG=0):
 *
 * 1. seeds, straight through the store's own API (no HTTP, so it takes seconds, not hours), 10,000
 *    trajectories of gemeente-hengelo (BENCH_MONITORING_N) and 2,000 of another gemeente, with three
 *    quarters of weekly attendance facts from two providers, levels, exams, placements, closings and
 *    assignments — the derived rows a year of publishing leaves behind (the messages themselves are not
 *    written: no figure reads them);
 * 2. times the store's reads for 2026-Q4 and the figures with suppression, apart;
 * 3. starts a real gateway on the same data (embedded tokens, HTTP) with its clock in January 2027 and
 *    times `GET /v1/monitoring/kwartalen/2026-Q4` (JSON), the CSV export and the CBS delivery (whose one
 *    logboek record names every trajectory): 2 warm-up requests, then BENCH_MONITORING_RONDES (10).
 *
 * Results and the machine: docs/performance.md. BENCH_PG=0 skips PostgreSQL (BENCH_PG_URL names the server);
 * BENCH_MONITORING_BEWAAR=1 keeps the SQLite folder, BENCH_MONITORING_MAP=<folder> reuses one (no seeding).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { loadConfig, NO_RATE_LIMITS, projectRoot } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { feitenUitBericht, type Bron, type Monitoringfeiten } from '../src/monitoring/feiten.js';
import { leesKwartaal } from '../src/http/monitoring.js';
import { AANWEZIGHEIDSROLLEN, codelijsten, kwartaal, kwartaalcijfers, plusDagen, weeknummer, wekenbereik } from '../src/monitoring/index.js';
import { loadSchemas } from '../src/schemas/registry.js';
import { openPostgresStore } from '../src/store/postgres.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store, ToewijzingRow, TrajectRow, Tx } from '../src/store/store.js';

const N = Number(process.env.BENCH_MONITORING_N ?? 10_000);
const ANDER = Math.round(N / 5);
const RONDES = Number(process.env.BENCH_MONITORING_RONDES ?? 10);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const Q = kwartaal('2026-Q4')!;
/** Weeks with attendance: Q2, Q3 and Q4 2026. */
const WEKEN = [kwartaal('2026-Q2')!, kwartaal('2026-Q3')!, Q].flatMap((k) => k.weken);

/** A seeded random generator, so both adapters get the same data. */
function willekeur(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function kies<T>(r: () => number, opties: ReadonlyArray<readonly [T, number]>): T {
  let x = r() * opties.reduce((a, [, w]) => a + w, 0);
  for (const [o, w] of opties) if ((x -= w) < 0) return o;
  return opties.at(-1)![0];
}

const dag = (r: () => number, van: string, dagen: number) => plusDagen(van, Math.floor(r() * dagen));

interface Traject { traject: TrajectRow; toewijzingen: ToewijzingRow[]; feiten: Monitoringfeiten }

/** One trajectory and the messages a year of publishing leaves, as their facts (`feitenUitBericht`, as the publish path derives them). */
function maakTraject(r: () => number, gemeente: string): Traject {
  const trajectId = crypto.randomUUID();
  const startdatum = dag(r, '2024-01-01', 1080);
  const gesloten = r() < 0.15 ? `${dag(r, '2025-06-01', 570)}T10:00:00.000Z` : null;
  const traject: TrajectRow = {
    trajectId, gemeente, startdatum, aangemaaktOp: `${startdatum}T09:00:00.000Z`,
    leerroute: kies(r, [['B1', 60], ['Z', 25], ['onderwijs', 10], ['nog-te-bepalen', 5]]),
    regime: kies(r, [['wi2021', 85], ['wi2013', 10], ['vrijwillig', 5]] as const), doelgroep: 'onbekend',
    afgeslotenOp: gesloten, afsluitreden: gesloten ? kies(r, [['afgerond', 60], ['uitgevallen', 20], ['verhuisd', 10], ['onbekend', 10]]) : null,
    afsluituitkomst: gesloten && r() < 0.7 ? JSON.stringify({ inburgeringsplichtBehaald: kies(r, [['ja', 60], ['nee', 30], ['onbekend', 10]]), vervolg: [kies(r, [['betaald-werk', 40], ['opleiding', 20], ['participatie', 20], ['geen', 10], ['onbekend', 10]])] }) : null,
  };
  const einde = gesloten ? gesloten.slice(0, 10) : '9999-12-31';
  const participatie = r() < 0.4;
  const toewijzingen: ToewijzingRow[] = [
    { trajectId, partij: 'roc-van-twente', rol: 'taal', vanaf: startdatum, tot: null, beeindigdOp: gesloten },
    ...(participatie ? [{ trajectId, partij: 'werkshop', rol: 'participatie' as const, vanaf: startdatum, tot: null, beeindigdOp: gesloten }] : []),
  ];
  const berichten: Bron[] = [];
  const bericht = (afzender: string, berichttype: string, datum: string, inhoud: unknown) => berichten.push({
    berichtId: crypto.randomUUID(), berichttype, trajectId, afzender, gebeurtenisTijdstip: `${datum}T10:00:00+01:00`, ontvangenOp: `${datum}T09:00:00.000Z`, inhoud: JSON.stringify(inhoud),
  });
  const minuten = (gepland: number) => {
    const aanwezig = Math.round(gepland * (0.7 + r() * 0.3));
    const ongeoorloofd = Math.round((gepland - aanwezig) * r());
    const ziek = Math.round((gepland - aanwezig - ongeoorloofd) * r());
    const onbekend = r() < 0.05 ? gepland - aanwezig - ongeoorloofd - ziek : 0;
    return { gepland, aanwezig, teLaat: 0, geoorloofdAfwezig: gepland - aanwezig - ongeoorloofd - ziek - onbekend, ongeoorloofdAfwezig: ongeoorloofd, ziek, afwezig: 0, vervallen: 0, onbekend };
  };
  for (const w of WEKEN) {
    if (w.maandag < startdatum || w.maandag > einde) continue;
    if (r() < 0.9) {
      const totalen = [{ activiteit: 'formele-taalles', minuten: minuten(540) }, ...(r() < 0.5 ? [{ activiteit: 'conversatieles', minuten: minuten(90) }] : [])];
      bericht('roc-van-twente', 'aanwezigheid', w.zondag, { periode: { van: w.maandag, tot: w.zondag }, totalen });
    }
    if (participatie && r() < 0.8) bericht('werkshop', 'aanwezigheid', w.zondag, { periode: { van: w.maandag, tot: w.zondag }, totalen: [{ activiteit: 'werkplek', minuten: minuten(960) }] });
  }
  const NIVEAUS = ['A0', 'A1', 'A1/A2', 'A2', 'A2/B1', 'B1'];
  for (let m = 0, k = Math.floor(r() * 5); m < k; m++) {
    const peildatum = dag(r, startdatum, 700);
    const niveaus = ['spreken', 'gesprekken-voeren', 'luisteren', 'lezen', 'schrijven'].map((vaardigheid) => ({ vaardigheid, niveau: NIVEAUS[Math.min(NIVEAUS.length - 1, m + Math.floor(r() * 3))]!, peildatum, vastgesteldMet: 'toets' }));
    const examens = r() < 0.4 ? [{ onderdeel: kies(r, [['knm', 3], ['lezen', 2], ['spreken', 2], ['ona', 1]]), uitslag: kies(r, [['behaald', 5], ['niet-behaald', 2], ['gepland', 2]]), datum: peildatum }] : [];
    bericht('roc-van-twente', 'taalvoortgang', peildatum, { leerroute: traject.leerroute === 'nog-te-bepalen' ? 'B1' : traject.leerroute, niveaus, ...(examens.length ? { examens } : {}) });
  }
  if (participatie && r() < 0.6) {
    const start = dag(r, startdatum, 400);
    const basis = { plaatsingId: 'WS-1', vorm: kies(r, [['werkervaringsplaats', 4], ['vrijwilligerswerk', 3], ['betaald-werk', 2], ['taalstage', 1]]), sector: 'zorg-en-welzijn', urenPerWeek: 16, startdatum: start, taalrijk: 'ja', belemmeringen: ['geen'] };
    bericht('werkshop', 'plaatsing', plusDagen(start, -14), { ...basis, status: 'voorgesteld' });
    bericht('werkshop', 'plaatsing', start, { ...basis, status: 'gestart' });
    if (r() < 0.4) {
      const eind = dag(r, start, 200);
      bericht('werkshop', 'plaatsing', eind, { ...basis, status: kies(r, [['beeindigd', 3], ['uitgevallen', 1]]), einddatum: eind, eindreden: kies(r, [['afgerond', 4], ['doorstroom-betaald-werk', 2], ['gezondheid', 1], ['motivatie', 1]]) });
    }
  }
  // A barrier report at intake for most: "geen" (assessed, none), codes, or nothing at all (not registered).
  if (r() < 0.7) {
    const knelpunten = kies(r, [[['geen'], 4], [['vervoer'], 2], [['kinderopvang-en-zorgtaken', 'financien-en-schulden'], 2], [['gezondheid'], 1], [['onbekend'], 1]]);
    bericht('roc-van-twente', 'knelpunt', plusDagen(startdatum, 14), { knelpuntId: 'KN-1', datum: plusDagen(startdatum, 14), knelpunten });
  }
  const feiten = berichten.map(feitenUitBericht);
  return { traject, toewijzingen, feiten: samen(feiten) };
}

function samen(lijst: readonly Monitoringfeiten[]): Monitoringfeiten {
  return {
    aanwezigheid: lijst.flatMap((f) => f.aanwezigheid), weken: lijst.flatMap((f) => f.weken), knelpunten: lijst.flatMap((f) => f.knelpunten), niveaus: lijst.flatMap((f) => f.niveaus),
    examens: lijst.flatMap((f) => f.examens), plaatsingen: lijst.flatMap((f) => f.plaatsingen),
  };
}

async function vul(store: Store): Promise<{ rijen: number; ms: number }> {
  const r = willekeur(20261129);
  const t0 = performance.now();
  let rijen = 0;
  const trajecten = [...Array.from({ length: N }, () => 'gemeente-hengelo'), ...Array.from({ length: ANDER }, () => 'gemeente-borne')];
  for (let i = 0; i < trajecten.length; i += 200) {
    const blok = trajecten.slice(i, i + 200).map((g) => maakTraject(r, g));
    await store.transaction(async (tx) => {
      for (const b of blok) await tx.insertTraject(b.traject, b.toewijzingen);
      for (const b of blok) {
        if (b.traject.afgeslotenOp) {
          await tx.sluitTraject(b.traject.trajectId, b.traject.afgeslotenOp, b.traject.afsluitreden!);
          if (b.traject.afsluituitkomst) await tx.legAfsluituitkomstVast(b.traject.trajectId, b.traject.afsluituitkomst);
        }
      }
      const alles = samen(blok.map((b) => b.feiten));
      rijen += alles.aanwezigheid.length + alles.weken.length + alles.niveaus.length + alles.examens.length + alles.plaatsingen.length;
      // PostgreSQL sends one statement per table; a block of 200 trajectories keeps each statement's JSON a few MB at most.
      await tx.bewaarMonitoringFeiten(alles);
    });
  }
  return { rijen, ms: performance.now() - t0 };
}

const mediaan = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${mediaan(xs).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)} (n=${xs.length})`;
/** CPU time (user + system, all threads of this process) in ms since `sinds`: stable where wall time follows the machine's load. */
const cpu = (sinds: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(sinds);
  return (c.user + c.system) / 1000;
};

async function storeTijden(store: Store): Promise<{ lezen: number[]; rekenen: number[]; lezenCpu: number[]; rekenenCpu: number[] }> {
  const codes = codelijsten(loadSchemas(path.join(projectRoot(), 'schemas')));
  const weken = wekenbereik(Q);
  const lezen: number[] = [];
  const rekenen: number[] = [];
  const lezenCpu: number[] = [];
  const rekenenCpu: number[] = [];
  for (let i = 0; i < 2 + RONDES; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const invoer = await store.transaction((tx) => leesKwartaal(tx, 'gemeente-hengelo', Q));
    const t1 = performance.now();
    const c1 = cpu(c0);
    const c2 = process.cpuUsage();
    const c = kwartaalcijfers({
      kwartaal: Q, gemeente: 'gemeente-hengelo', vandaag: '2027-01-12', drempel: 10, codes, datum: (t) => t.slice(0, 10),
      aanbieders: [{ id: 'roc-van-twente', naam: 'ROC van Twente' }, { id: 'taalschool-oost', naam: 'Taalschool Oost' }, { id: 'werkshop', naam: 'Werkshop' }], ...invoer,
    });
    const t2 = performance.now();
    if (i === 0) console.log(`  rows read for 2026-Q4: ${Object.entries(invoer).map(([k, v]) => `${k} ${v.length}`).join(', ')}; ${c.tabellen.reduce((n, t) => n + t.onderdrukt, 0)} cells suppressed`);
    if (i === 1) {
      // Each read on its own once, to see where the time goes.
      const gemeente = 'gemeente-hengelo';
      const los: Array<[string, (tx: Tx) => Promise<unknown[]>]> = [
        ['trajecten', (tx) => tx.monitoringTrajecten({ gemeente, van: Q.van, tot: Q.tot, afgeslotenVanaf: plusDagen(Q.van, -1) })],
        ['aanwezigheid', (tx) => tx.monitoringAanwezigheid({ gemeente, kwartaal: Q.id })],
        ['eersteDeelname', (tx) => tx.monitoringEersteDeelname({ gemeente, van: Q.van, tot: Q.tot })],
        ['niveaus', (tx) => tx.monitoringNiveaus({ gemeente, tot: Q.tot })],
        ['examens', (tx) => tx.monitoringExamens({ gemeente, tot: Q.tot })],
        ['knelpunten', (tx) => tx.monitoringKnelpunten({ gemeente, tot: Q.tot })],
        ['plaatsingen', (tx) => tx.monitoringPlaatsingen({ gemeente, tot: Q.tot })],
        ['toewijzingen', (tx) => tx.monitoringToewijzingen({ gemeente, ...weken, beeindigdVanaf: plusDagen(weken.van, -1), rollen: AANWEZIGHEIDSROLLEN })],
        ['gemeldeWeken', (tx) => tx.monitoringGemeldeWeken({ gemeente, eerste: weeknummer(Q.weken[0]!.maandag), aantal: Q.weken.length })],
      ];
      const tijden: string[] = [];
      for (const [naam, lees] of los) {
        const t = performance.now();
        await store.transaction(lees);
        tijden.push(`${naam} ${(performance.now() - t).toFixed(0)}`);
      }
      console.log(`  each read alone (ms): ${tijden.join(', ')}`);
    }
    if (i >= 2) {
      lezen.push(t1 - t0);
      rekenen.push(t2 - t1);
      lezenCpu.push(c1);
      rekenenCpu.push(cpu(c2));
    }
  }
  return { lezen, rekenen, lezenCpu, rekenenCpu };
}

async function httpTijden(dataDir: string, databaseUrl: string | null): Promise<Record<string, number[]>> {
  let klok = Date.parse('2027-01-12T09:00:00Z');
  const gateway = await startGateway({ env: {}, now: () => new Date(klok++), overrides: { port: 0, dataDir, databaseUrl, logLevel: 'silent', pressure: NO_RATE_LIMITS, signaalPlannerSeconden: 0 } });
  try {
    const token = (await fetchAccessToken({ issuer: gateway.config.issuer, clientId: 'gemeente-hengelo', jwk: readDevClientKey(dataDir, 'gemeente-hengelo') })).accessToken;
    const uit: Record<string, number[]> = {};
    const cpuUit: Record<string, number[]> = {};
    for (const [naam, pad] of [['figures (JSON)', '/v1/monitoring/kwartalen/2026-Q4?doel=monitoring'], ['figures (CSV)', '/v1/monitoring/kwartalen/2026-Q4/export?formaat=csv'], ['CBS delivery (JSON)', '/v1/cbs-verantwoording/kwartalen/2026-Q4']] as const) {
      uit[naam] = [];
      cpuUit[`${naam}, CPU`] = [];
      for (let i = 0; i < 2 + RONDES; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const res = await fetch(`${gateway.url}${pad}`, { headers: { authorization: `Bearer ${token}` } });
        const tekst = await res.text();
        const ms = performance.now() - t0;
        if (i >= 2) cpuUit[`${naam}, CPU`]!.push(cpu(c0));
        if (res.status !== 200) throw new Error(`${pad}: ${res.status} ${tekst.slice(0, 300)}`);
        if (i === 0) console.log(`  ${naam}: ${(tekst.length / 1024).toFixed(0)} KiB`);
        if (i >= 2) uit[naam]!.push(ms);
      }
    }
    return { ...uit, ...cpuUit };
  } finally {
    await gateway.stop();
  }
}

async function adapter(naam: string, open: () => Promise<Store>, dataDir: string, databaseUrl: string | null, vullen = true): Promise<void> {
  console.log(`\n${naam}: ${N.toLocaleString('en-US')} trajectories of gemeente-hengelo and ${ANDER.toLocaleString('en-US')} of another gemeente`);
  const store = await open();
  try {
    if (vullen) {
      const { rijen, ms } = await vul(store);
      console.log(`  seeded ${rijen.toLocaleString('en-US')} fact rows in ${(ms / 1000).toFixed(1)} s`);
    }
    const { lezen, rekenen, lezenCpu, rekenenCpu } = await storeTijden(store);
    console.log(`  store reads: ${fmt(lezen)}; CPU ${fmt(lezenCpu)}`);
    console.log(`  figures and suppression (pure): ${fmt(rekenen)}; CPU ${fmt(rekenenCpu)}`);
  } finally {
    await store.close();
  }
  const http = await httpTijden(dataDir, databaseUrl);
  for (const [k, v] of Object.entries(http)) console.log(`  HTTP ${k}: ${fmt(v)}`);
  const m = mediaan(http['figures (JSON)']!);
  console.log(m < 1000 ? `  OK: the quarter answers in under a second (median ${m.toFixed(0)} ms)` : `  TOO SLOW: median ${m.toFixed(0)} ms`);
  if (m >= 1000) process.exitCode = 1;
}

async function main(): Promise<void> {
  console.log(`bench:monitoring — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  loadConfig({}); // the same configuration checks as a start
  const hergebruik = process.env.BENCH_MONITORING_MAP;
  const dir = hergebruik ?? fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-bench-monitoring-'));
  try {
    await adapter('SQLite', async () => openSqliteStore(path.join(dir, 'doelpoort.db')), dir, null, hergebruik === undefined);
  } finally {
    if (process.env.BENCH_MONITORING_BEWAAR === '1' || hergebruik) console.log(`  kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  if (process.env.BENCH_PG === '0') return;
  const naam = `bench_monitoring_${crypto.randomBytes(4).toString('hex')}`;
  const beheer = new pg.Client({ connectionString: PG_URL });
  await beheer.connect();
  await beheer.query(`CREATE DATABASE ${naam}`);
  const url = new URL(PG_URL);
  url.pathname = `/${naam}`;
  const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-bench-monitoring-pg-'));
  try {
    await adapter('PostgreSQL', () => openPostgresStore(url.toString()), pgDir, url.toString());
  } finally {
    fs.rmSync(pgDir, { recursive: true, force: true });
    await beheer.query(`DROP DATABASE IF EXISTS ${naam} WITH (FORCE)`);
    await beheer.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
