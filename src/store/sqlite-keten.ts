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
 * order, the array columns re-embedded as JSON — in the form of the row's record version (a version-1
 * row without the fields of version 2, audit/record.ts). Equal to `canonicalize()` for every record the
 * gateway writes; any difference only sends that record down the verifier's exact path.
 */
export const CANONICAL_SQL = `CASE WHEN recordversie IS NULL THEN json_object('actie',actie,'beleidsversie',beleidsversie,'berichtIds',json(berichtIds),'berichttype',berichttype,
  'besluit',besluit,'client',client,'doel',doel,'grondslag',grondslag,'id',id,'partij',partij,'reden',reden,'regel',regel,'spanId',spanId,
  'status',status,'tijdstip',tijdstip,'traceId',traceId,'trajectIds',json(trajectIds),'velden',json(velden),
  'verwerkingsactiviteit',verwerkingsactiviteit,'vorigeHash',vorigeHash)
  ELSE json_object('actie',actie,'beleidsversie',beleidsversie,'berichtIds',json(berichtIds),'berichttype',berichttype,
  'besluit',besluit,'client',client,'doel',doel,'gegevenscategorieen',json(gegevenscategorieen),'grondslag',grondslag,'id',id,
  'parentSpanId',parentSpanId,'partij',partij,'recordversie',recordversie,'reden',reden,'regel',regel,'spanId',spanId,'starttijdstip',starttijdstip,
  'status',status,'tijdstip',tijdstip,'traceId',traceId,'trajectIds',json(trajectIds),'velden',json(velden),
  'verwerkingsactiviteit',verwerkingsactiviteit,'vorigeHash',vorigeHash) END`;

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
// SQLite hands over a slice of records as ONE row (their hashes, links and canonical forms concatenated):
// per record only a SHA-256 over a view of one buffer, no row objects. group_concat keeps the scan
// order of the id range; were it ever to differ, the links would not match and the exact walk takes over.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const Database = require(workerData.sqlite);
const { file, na, tot, sql, posities, slice } = workerData;
const want = new Set(posities);
const db = new Database(file, { readonly: true, fileMustExist: true });
const st = db.prepare(sql).raw();
const sha = typeof crypto.hash === 'function' ? (b) => crypto.hash('sha256', b) : (b) => crypto.createHash('sha256').update(b).digest('hex');
const out = { eersteId: null, eersteVorigeHash: null, laatsteId: null, laatsteHash: null, aantal: 0, verdacht: null, posities: [] };
let prev = null;
outer: for (let lo = na; lo < tot; lo += slice) {
  const [min, max, count, hashes, vorige, blob, lens] = st.get(lo, Math.min(lo + slice, tot));
  if (count === 0) break;
  if (out.eersteId === null) { out.eersteId = min; out.eersteVorigeHash = vorige.slice(0, 64); prev = out.eersteVorigeHash; }
  if (min !== (out.laatsteId === null ? min : out.laatsteId + 1) || max - min + 1 !== count
      || hashes.length !== 64 * count || vorige.length !== 64 * count || vorige.slice(0, 64) !== prev
      || vorige.slice(64) !== hashes.slice(0, hashes.length - 64)) { out.verdacht = min; break; }
  let off = 0;
  let i = 0;
  for (const l of lens.split(',')) {
    const len = +l;
    const h = hashes.slice(i * 64, i * 64 + 64);
    if (sha(blob.subarray(off, off + len)) !== h) { out.verdacht = min + i; break outer; }
    if (want.has(min + i)) out.posities.push([min + i, h]);
    off += len;
    i++;
  }
  out.aantal += count;
  out.laatsteId = max;
  out.laatsteHash = hashes.slice(-64);
  prev = out.laatsteHash;
}
db.close();
parentPort.postMessage(out);
`;

/**
 * The fast pass's canonical form, cheaper than json_object: free text (`reden`, `grondslag`) through
 * json_quote, the columns the gateway writes from a closed alphabet (ids, hashes, timestamps, enum
 * values) between plain quotes, NULL as null, the array columns as stored. For every record the
 * gateway writes this is exactly RFC 8785 (a test proves the pass clean on a real log). It cannot hide
 * a change to such a record either: as long as the original values hold no `"`, the string determines
 * the values (a moved separator would have to occur in an original value), so any change to a record
 * changes its form and so its hash. A value outside the alphabet only sends the check to the exact walk.
 */
const q = (c: string) => `'"',${c},'"'`;
const nq = (c: string) => `coalesce('"'||${c}||'"','null')`;
export const FAST_CANONICAL_SQL = `CASE WHEN recordversie IS NULL THEN concat('{"actie":',${q('actie')},',"beleidsversie":',${q('beleidsversie')},',"berichtIds":',berichtIds,
  ',"berichttype":',${nq('berichttype')},',"besluit":',${q('besluit')},',"client":',${nq('client')},',"doel":',${nq('doel')},
  ',"grondslag":',json_quote(grondslag),',"id":',id,',"partij":',${nq('partij')},',"reden":',json_quote(reden),',"regel":',${nq('regel')},
  ',"spanId":',${q('spanId')},',"status":',status,',"tijdstip":',${q('tijdstip')},',"traceId":',${q('traceId')},
  ',"trajectIds":',trajectIds,',"velden":',velden,',"verwerkingsactiviteit":',${nq('verwerkingsactiviteit')},',"vorigeHash":',${q('vorigeHash')},'}')
  ELSE concat('{"actie":',${q('actie')},',"beleidsversie":',${q('beleidsversie')},',"berichtIds":',berichtIds,
  ',"berichttype":',${nq('berichttype')},',"besluit":',${q('besluit')},',"client":',${nq('client')},',"doel":',${nq('doel')},
  ',"gegevenscategorieen":',coalesce(gegevenscategorieen,'null'),',"grondslag":',json_quote(grondslag),',"id":',id,
  ',"parentSpanId":',${nq('parentSpanId')},',"partij":',${nq('partij')},',"recordversie":',recordversie,',"reden":',json_quote(reden),',"regel":',${nq('regel')},
  ',"spanId":',${q('spanId')},',"starttijdstip":',${nq('starttijdstip')},',"status":',status,',"tijdstip":',${q('tijdstip')},',"traceId":',${q('traceId')},
  ',"trajectIds":',trajectIds,',"velden":',velden,',"verwerkingsactiviteit":',${nq('verwerkingsactiviteit')},',"vorigeHash":',${q('vorigeHash')},'}') END`;

const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');

function runRange(file: string, na: number, tot: number, posities: number[]): Promise<BereikUitkomst> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        file, na, tot, posities, sqlite: sqlitePath, slice: 2000,
        sql: `SELECT min(id), max(id), count(*), group_concat(hash, ''), group_concat(vorigeHash, ''),
                     CAST(group_concat(pre, '') AS BLOB), group_concat(octet_length(pre), ',')
                FROM (SELECT id, hash, vorigeHash, ${FAST_CANONICAL_SQL} AS pre FROM logboek WHERE id > ? AND id <= ? ORDER BY id)`,
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
export async function snelleKetencontrole(
  file: string, tot: number, posities: number[],
  opties: { threads?: number; minPerThread?: number } = {},
): Promise<SnelleControle> {
  const hashesOp = new Map<number, string>();
  if (tot === 0) return { schoon: true, aantal: 0, laatsteHash: GENESIS_HASH, hashesOp };
  const threads = opties.threads ?? Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
  const parts = Math.max(1, Math.min(threads, Math.floor(tot / (opties.minPerThread ?? 50_000))));
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
