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
import { LogboekBezetError } from './store.js';

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

/**
 * How long one logboek query may hold the reader. SQLite cannot be interrupted from here (better-sqlite3
 * has no interrupt), so a query that runs longer is abandoned: its caller gets an error, its worker is
 * terminated (it ends when SQLite returns) and the next query gets a fresh worker at once.
 */
export const LEZER_TIMEOUT_MS = 10_000;
/** Abandoned workers still inside SQLite; beyond this many, new queries are refused at once (LEZER_BEZET). */
export const MAX_VERLATEN = 2;

export function workerLezer(file: string, options: { timeoutMs?: number } = {}): SqlLezer {
  const timeoutMs = options.timeoutMs ?? LEZER_TIMEOUT_MS;
  type Pending = { resolve: (rows: unknown[]) => void; reject: (e: Error) => void };
  let current: { w: Worker; pending: Map<number, Pending> } | null = null;
  let next = 1;
  let verlaten = 0;

  function start(): { w: Worker; pending: Map<number, Pending> } {
    const w = new Worker(WORKER, { eval: true, workerData: { file, sqlite: sqlitePath } });
    const self = { w, pending: new Map<number, Pending>() };
    w.on('message', (m: { id: number; rows?: unknown[]; error?: string; code?: string }) => {
      const p = self.pending.get(m.id);
      if (!p) return;
      self.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new SqlLezerFout(m.error, m.code));
      else p.resolve(m.rows!);
    });
    const fail = (e: Error) => {
      if (current === self) current = null; // the next query starts a fresh one
      for (const p of self.pending.values()) p.reject(e);
      self.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new SqlLezerFout(`logboek reader stopped (${code})`)));
    // Idle, it does not keep the process alive; a pending query holds it with ref().
    w.unref();
    return self;
  }

  return {
    file,
    all(sql, params, raw = false) {
      if (!current && verlaten >= MAX_VERLATEN) {
        return Promise.reject(new LogboekBezetError(`${verlaten} abandoned logboek queries are still running; try again later`, 'LEZER_BEZET'));
      }
      current ??= start();
      const self = current;
      const id = next++;
      return new Promise<unknown[]>((resolve, reject) => {
        self.w.ref();
        const timer = setTimeout(() => {
          // Abandon this worker: everything queued on it fails now, later queries go to a fresh one.
          if (current === self) current = null;
          const e = new LogboekBezetError(`logboek query took longer than ${timeoutMs} ms and was abandoned`, 'LEZER_TIMEOUT');
          for (const p of self.pending.values()) p.reject(e);
          self.pending.clear();
          self.w.unref();
          verlaten++;
          self.w.once('exit', () => verlaten--);
          void self.w.terminate();
        }, timeoutMs);
        timer.unref();
        const settle = () => {
          clearTimeout(timer);
          if (!self.pending.size) self.w.unref();
        };
        self.pending.set(id, {
          resolve: (rows) => { settle(); resolve(rows); },
          reject: (e) => { settle(); reject(e); },
        });
        self.w.postMessage({ id, sql, params, raw });
      });
    },
    async close() {
      const self = current;
      current = null;
      if (self) await self.w.terminate();
    },
  };
}
