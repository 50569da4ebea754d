/**
 * A read-only SQLite connection on its own worker thread, for the logboek's reads in the gateway.
 * better-sqlite3 is synchronous: a search that scans (a rare filter, the weekly overview of a large
 * log) would otherwise stop every other request — publishes included — for as long as it runs. Here
 * the main thread sends SQL text and parameters and awaits the rows; the statements are prepared once
 * in the worker. The query building stays in `sqlite-logboek.ts`.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqlLezer } from './sqlite-logboek.js';

// Plain JavaScript, run with `eval: true`, so it works the same under tsx, vitest and the compiled build.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const cache = new Map();
parentPort.on('message', ({ id, sql, params, raw }) => {
  try {
    const key = (raw ? 'r|' : 'o|') + sql;
    let st = cache.get(key);
    if (!st) { st = db.prepare(sql).raw(raw); cache.set(key, st); }
    const rows = Array.isArray(params) ? st.all(...params) : st.all(params);
    parentPort.postMessage({ id, rows });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e), code: e && e.code });
  }
});
`;

const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');

export class SqlLezerFout extends Error {
  override name = 'SqlLezerFout';
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

export function workerLezer(file: string): SqlLezer {
  let worker: Worker | null = null;
  let next = 1;
  const pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }>();

  function start(): Worker {
    const w = new Worker(WORKER, { eval: true, workerData: { file, sqlite: sqlitePath } });
    w.on('message', (m: { id: number; rows?: unknown[]; error?: string; code?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error !== undefined) p.reject(new SqlLezerFout(m.error, m.code));
      else p.resolve(m.rows!);
    });
    const fail = (e: Error) => {
      if (worker === w) worker = null; // the next query starts a fresh one
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new SqlLezerFout(`logboek reader stopped (${code})`)));
    // Idle, it does not keep the process alive; a pending query holds it with ref().
    w.unref();
    return w;
  }

  return {
    file,
    all(sql, params, raw = false) {
      worker ??= start();
      const w = worker;
      const id = next++;
      return new Promise<unknown[]>((resolve, reject) => {
        w.ref();
        pending.set(id, {
          resolve: (rows) => { if (!pending.size) w.unref(); resolve(rows); },
          reject: (e) => { if (!pending.size) w.unref(); reject(e); },
        });
        w.postMessage({ id, sql, params, raw });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
