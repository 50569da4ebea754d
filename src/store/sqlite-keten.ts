/**
 * The fast pass of logboek verification on a SQLite file: the id range is split over worker threads,
 * each with its own read-only connection, each checking in its range that ids are contiguous, that
 * every record's canonical JSON (built inside SQLite) hashes to its `hash`, and that each `vorigeHash`
 * is the hash before it. The main thread stitches the ranges together. A clean pass is a proof of the
 * whole chain; anything suspicious sends the caller to the exact, sequential walk that names the
 * first bad record and why (`audit/verify.ts`). The workers keep the event loop free meanwhile.
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { GENESIS_HASH } from '../audit/record.js';
import type { SnelleControle } from './store.js';

/**
 * RFC 8785 of a stored record without `hash`, built by SQLite: json_object with the keys in UTF-16
 * order, the array columns re-embedded as JSON. Equal to `canonicalize()` for every record the gateway
 * writes; any difference only sends that record down the verifier's exact path.
 */
export const CANONICAL_SQL = `json_object('actie',actie,'beleidsversie',beleidsversie,'berichtIds',json(berichtIds),'berichttype',berichttype,
  'besluit',besluit,'client',client,'doel',doel,'grondslag',grondslag,'id',id,'partij',partij,'reden',reden,'regel',regel,'spanId',spanId,
  'status',status,'tijdstip',tijdstip,'traceId',traceId,'trajectIds',json(trajectIds),'velden',json(velden),
  'verwerkingsactiviteit',verwerkingsactiviteit,'vorigeHash',vorigeHash)`;

interface BereikUitkomst {
  eersteId: number | null;
  eersteVorigeHash: string | null;
  laatsteId: number | null;
  laatsteHash: string | null;
  aantal: number;
  verdacht: number | null;
  posities: Array<[number, string]>;
}

// Plain JavaScript, run with `eval: true`, so it works the same under tsx, vitest and the compiled build.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const Database = require(workerData.sqlite);
const { file, na, tot, sql, posities } = workerData;
const want = new Set(posities);
const db = new Database(file, { readonly: true, fileMustExist: true });
const st = db.prepare(sql).raw();
const sha = typeof crypto.hash === 'function' ? (b) => crypto.hash('sha256', b) : (b) => crypto.createHash('sha256').update(b).digest('hex');
const out = { eersteId: null, eersteVorigeHash: null, laatsteId: null, laatsteHash: null, aantal: 0, verdacht: null, posities: [] };
let after = na;
let prev = null;
outer: for (;;) {
  const rows = st.all(after, tot, 20000);
  if (rows.length === 0) break;
  for (const r of rows) {
    const id = r[0];
    if (out.eersteId === null) { out.eersteId = id; out.eersteVorigeHash = r[1]; }
    else if (id !== out.laatsteId + 1 || r[1] !== prev) { out.verdacht = id; break outer; }
    if (sha(r[3]) !== r[2]) { out.verdacht = id; break outer; }
    if (want.has(id)) out.posities.push([id, r[2]]);
    out.aantal++;
    out.laatsteId = id;
    out.laatsteHash = r[2];
    prev = r[2];
  }
  after = rows[rows.length - 1][0];
  if (rows.length < 20000) break;
}
db.close();
parentPort.postMessage(out);
`;

const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');

function runRange(file: string, na: number, tot: number, posities: number[]): Promise<BereikUitkomst> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        file, na, tot, posities, sqlite: sqlitePath,
        sql: `SELECT id, vorigeHash, hash, CAST(${CANONICAL_SQL} AS BLOB) FROM logboek WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`,
      },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`verification worker exited with ${code}`));
    });
  });
}

/** Check records 1 … `tot` of the file in parallel ranges. */
export async function snelleKetencontrole(file: string, tot: number, posities: number[], threads = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length))): Promise<SnelleControle> {
  const hashesOp = new Map<number, string>();
  if (tot === 0) return { schoon: true, aantal: 0, laatsteHash: GENESIS_HASH, hashesOp };
  const parts = tot < 50_000 ? 1 : threads;
  const bounds = Array.from({ length: parts + 1 }, (_, i) => Math.round((tot * i) / parts));
  const uitkomsten = await Promise.all(bounds.slice(0, -1).map((na, i) => runRange(file, na, bounds[i + 1]!, posities.filter((p) => p > na && p <= bounds[i + 1]!))));
  let schoon = true;
  let vorigeHash = GENESIS_HASH;
  let aantal = 0;
  uitkomsten.forEach((u, i) => {
    const [na, hi] = [bounds[i]!, bounds[i + 1]!];
    // Each range must be whole (na+1 … hi), clean, and start where the previous one ended.
    if (u.verdacht !== null || u.eersteId !== na + 1 || u.laatsteId !== hi || u.eersteVorigeHash !== vorigeHash) schoon = false;
    vorigeHash = u.laatsteHash ?? vorigeHash;
    aantal += u.aantal;
    for (const [p, h] of u.posities) hashesOp.set(p, h);
  });
  return { schoon, aantal, laatsteHash: vorigeHash, hashesOp };
}
