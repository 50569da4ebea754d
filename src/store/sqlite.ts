/**
 * The SQLite adapter (better-sqlite3, WAL, synchronous=FULL): the embedded default.
 *
 * Group commit: `transaction()` queues the work; all work queued while the previous batch was
 * committing runs in ONE database transaction, each item inside its own SAVEPOINT so that one
 * failing item rolls back only itself. One fsync then makes the whole batch durable, and every
 * promise resolves after it. This is how the gateway keeps "201 means on disk" and still serves
 * thousands of publishes per second.
 *
 * The connection is used only by the batch loop, so the audit chain stays linear.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GENESIS_HASH, seal, type AuditInput, type AuditRecord } from '../audit/record.js';
import type { Relatie, ToewijzingRol } from '../policy/types.js';
import { StoreUnavailableError, type BerichtQuery, type BerichtRow, type Store, type Tx } from './store.js';
import { MIGRATIONS } from './sqlite-migrations.js';

interface Pending {
  work: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type AuditRow = Omit<AuditRecord, 'berichtIds' | 'velden' | 'trajectIds'> & { berichtIds: string; velden: string; trajectIds: string };

function toAuditRecord(row: AuditRow): AuditRecord {
  return {
    ...row,
    trajectIds: JSON.parse(row.trajectIds) as string[],
    berichtIds: JSON.parse(row.berichtIds) as string[],
    velden: JSON.parse(row.velden) as string[],
  };
}

export interface SqliteStoreOptions {
  /** Most items in one group commit. */
  maxBatch?: number;
}

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store & { readonly db: Database.Database } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const maxBatch = options.maxBatch ?? 1000;
  const st = {
    insertTraject: db.prepare('INSERT INTO trajecten (trajectId, gemeente, leerroute, startdatum, aangemaaktOp) VALUES (@trajectId, @gemeente, @leerroute, @startdatum, @aangemaaktOp)'),
    insertToewijzing: db.prepare('INSERT INTO toewijzingen (trajectId, partij, rol, vanaf, tot, beeindigdOp) VALUES (@trajectId, @partij, @rol, @vanaf, @tot, @beeindigdOp)'),
    traject: db.prepare('SELECT trajectId, gemeente, leerroute, startdatum, aangemaaktOp FROM trajecten WHERE trajectId = ?'),
    toewijzingen: db.prepare('SELECT trajectId, partij, rol, vanaf, tot, beeindigdOp FROM toewijzingen WHERE trajectId = ? ORDER BY id'),
    activeRoles: db.prepare(
      'SELECT rol FROM toewijzingen WHERE trajectId = ? AND partij = ? AND vanaf <= ? AND (tot IS NULL OR tot >= ?) AND beeindigdOp IS NULL',
    ).pluck(),
    bericht: db.prepare('SELECT * FROM berichten WHERE berichtId = ?'),
    insertBericht: db.prepare(
      `INSERT INTO berichten (berichtId, berichttype, schemaversie, trajectId, afzender, gebeurtenisTijdstip, ontvangenOp, inhoud, inhoudHash, auditId, auditHash)
       VALUES (@berichtId, @berichttype, @schemaversie, @trajectId, @afzender, @gebeurtenisTijdstip, @ontvangenOp, @inhoud, @inhoudHash, @auditId, @auditHash)`,
    ),
    // Matches the partial index berichten_plaatsing.
    vorigePlaatsing: db.prepare(
      `SELECT * FROM berichten
       WHERE berichttype = 'plaatsing' AND trajectId = ? AND afzender = ? AND json_extract(inhoud, '$.plaatsingId') = ?
       ORDER BY volgnummer DESC LIMIT 1`,
    ),
    feed: db.prepare(
      `SELECT b.* FROM berichten b
       WHERE b.volgnummer > @na
         AND b.berichttype IN (SELECT value FROM json_each(@typen))
         AND (@trajectId IS NULL OR b.trajectId = @trajectId)
         AND (b.trajectId IN (SELECT trajectId FROM trajecten WHERE gemeente = @partij)
              OR b.trajectId IN (SELECT trajectId FROM toewijzingen
                                 WHERE partij = @partij AND vanaf <= @vandaag AND (tot IS NULL OR tot >= @vandaag) AND beeindigdOp IS NULL))
       ORDER BY b.volgnummer
       LIMIT @limit`,
    ),
    insertAudit: db.prepare(
      `INSERT INTO logboek (id, tijdstip, traceId, spanId, actie, partij, client, trajectIds, berichttype, berichtIds, doel, verwerkingsactiviteit,
                            grondslag, besluit, regel, reden, velden, status, beleidsversie, vorigeHash, hash)
       VALUES (@id, @tijdstip, @traceId, @spanId, @actie, @partij, @client, @trajectIds, @berichttype, @berichtIds, @doel, @verwerkingsactiviteit,
               @grondslag, @besluit, @regel, @reden, @velden, @status, @beleidsversie, @vorigeHash, @hash)`,
    ),
    insertBetrokkene: db.prepare('INSERT OR IGNORE INTO logboek_betrokkene (trajectId, auditId) VALUES (?, ?)'),
    auditPage: db.prepare('SELECT * FROM logboek WHERE id > ? ORDER BY id LIMIT ?'),
    head: db.prepare('SELECT id, hash FROM logboek ORDER BY id DESC LIMIT 1'),
  };

  const last = st.head.get() as { id: number; hash: string } | undefined;
  let head = { id: last?.id ?? 0, hash: last?.hash ?? GENESIS_HASH };

  const tx: Tx = {
    async insertTraject(traject, toewijzingen) {
      st.insertTraject.run(traject);
      for (const t of toewijzingen) st.insertToewijzing.run(t);
    },
    async traject(trajectId) {
      return st.traject.get(trajectId) as ReturnType<Tx['traject']> extends Promise<infer R> ? R : never;
    },
    async toewijzingen(trajectId) {
      return st.toewijzingen.all(trajectId) as Awaited<ReturnType<Tx['toewijzingen']>>;
    },
    async relatie(trajectId, partij, vandaag): Promise<Relatie | undefined> {
      const traject = st.traject.get(trajectId) as { gemeente: string } | undefined;
      if (!traject) return undefined;
      const roles = st.activeRoles.all(trajectId, partij, vandaag, vandaag) as ToewijzingRol[];
      return { eigenaar: traject.gemeente === partij, toewijzingen: roles };
    },
    async bericht(berichtId) {
      return st.bericht.get(berichtId) as BerichtRow | undefined;
    },
    async insertBericht(row) {
      return Number(st.insertBericht.run(row).lastInsertRowid);
    },
    async berichten(q: BerichtQuery) {
      return st.feed.all({
        na: q.na,
        typen: JSON.stringify(q.berichttypen),
        trajectId: q.trajectId ?? null,
        partij: q.partij,
        vandaag: q.vandaag,
        limit: q.limit,
      }) as BerichtRow[];
    },
    async vorigePlaatsing(trajectId, afzender, plaatsingId) {
      return st.vorigePlaatsing.get(trajectId, afzender, plaatsingId) as BerichtRow | undefined;
    },
    async nextAuditId() {
      return head.id + 1;
    },
    async appendAudit(input: AuditInput) {
      const record = seal(input, head.id + 1, head.hash);
      st.insertAudit.run({
        ...record,
        trajectIds: JSON.stringify(record.trajectIds),
        berichtIds: JSON.stringify(record.berichtIds),
        velden: JSON.stringify(record.velden),
      });
      for (const trajectId of record.trajectIds) st.insertBetrokkene.run(trajectId, record.id);
      head = { id: record.id, hash: record.hash };
      return record;
    },
  };

  let queue: Pending[] = [];
  let running: Promise<void> | null = null;
  let closed = false;

  async function runBatch(batch: Pending[]): Promise<void> {
    const headBefore = head;
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      for (const item of batch) item.reject(new StoreUnavailableError(`database not writable: ${(e as Error).message}`));
      return;
    }
    try {
      for (const item of batch) {
        const itemHead = head;
        db.exec('SAVEPOINT item');
        try {
          outcomes.push({ ok: true, value: await item.work(tx) });
          db.exec('RELEASE item');
        } catch (error) {
          db.exec('ROLLBACK TO item');
          db.exec('RELEASE item');
          head = itemHead;
          // A database error inside a unit of work (a failed audit insert, a full disk) means the
          // exchange cannot be recorded: surface it as "unavailable" so the caller answers 503.
          const failure = error instanceof Database.SqliteError ? new StoreUnavailableError(`write failed: ${error.message}`) : error;
          outcomes.push({ ok: false, value: failure });
        }
      }
      db.exec('COMMIT');
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      head = headBefore;
      for (const item of batch) item.reject(new StoreUnavailableError(`commit failed: ${(e as Error).message}`));
      return;
    }
    batch.forEach((item, i) => (outcomes[i]!.ok ? item.resolve(outcomes[i]!.value) : item.reject(outcomes[i]!.value)));
  }

  function pump(): void {
    if (running || queue.length === 0) return;
    const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue;
    if (batch === queue) queue = [];
    running = runBatch(batch).finally(() => {
      running = null;
      // Work queued while this batch committed forms the next batch.
      if (queue.length) setImmediate(pump);
    });
  }

  function transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!running && queue.length === 1) setImmediate(pump);
    });
  }

  return {
    db,
    transaction,
    async writable() {
      try {
        await transaction(async () => true);
        return true;
      } catch {
        return false;
      }
    },
    auditRecords(after = 0, limit = Number.MAX_SAFE_INTEGER) {
      return transaction(async () => (st.auditPage.all(after, limit) as AuditRow[]).map(toAuditRecord));
    },
    async close() {
      while (running || queue.length) {
        if (!running) pump();
        await running;
      }
      closed = true;
      db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
