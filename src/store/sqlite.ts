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
import { StoreUnavailableError, type BerichtQuery, type BerichtRow, type LogboekHoofd, type Store, type ToestemmingRow, type Tx } from './store.js';
import { LEES_ACTIES, sqliteLogboekReader } from './sqlite-logboek.js';
import { workerLezer } from './sqlite-lezer.js';
import { MIGRATIONS } from './sqlite-migrations.js';

interface Pending {
  work: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type ToestemmingDbRow = Omit<ToestemmingRow, 'gegevenscategorieen' | 'bewijs'> & { gegevenscategorieen: string; bewijs: string | null };

function toToestemming(row: ToestemmingDbRow): ToestemmingRow {
  return { ...row, gegevenscategorieen: JSON.parse(row.gegevenscategorieen) as string[], bewijs: row.bewijs === null ? null : JSON.parse(row.bewijs) };
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

/** SQL: the caller (`@partij`) owns the message's trajectory or is actively assigned to it on `@vandaag`. */
const RELATIE = `(EXISTS (SELECT 1 FROM trajecten t WHERE t.trajectId = b.trajectId AND t.gemeente = @partij)
              OR EXISTS (SELECT 1 FROM toewijzingen w
                         WHERE w.trajectId = b.trajectId AND w.partij = @partij AND w.vanaf <= @vandaag
                           AND (w.tot IS NULL OR w.tot >= @vandaag) AND w.beeindigdOp IS NULL))`;

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store & { readonly db: Database.Database } {
  // Owner-only: the folder 0700, the database 0600 before SQLite opens it (its -wal and -shm take the
  // database file's permissions), and any of the three left by an older version narrowed as well.
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const folder = fs.statSync(path.dirname(file));
  if (folder.uid === process.getuid?.() && (folder.mode & 0o077) !== 0) fs.chmodSync(path.dirname(file), 0o700);
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
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
    traject: db.prepare('SELECT trajectId, gemeente, leerroute, startdatum, aangemaaktOp, afgeslotenOp, afsluitreden FROM trajecten WHERE trajectId = ?'),
    beeindig: db.prepare(
      `UPDATE toewijzingen SET beeindigdOp = @tijdstip
       WHERE trajectId = @trajectId AND beeindigdOp IS NULL AND (@partij IS NULL OR partij = @partij) AND (@rol IS NULL OR rol = @rol)`,
    ),
    sluit: db.prepare('UPDATE trajecten SET afgeslotenOp = ?, afsluitreden = ? WHERE trajectId = ?'),
    insertToestemming: db.prepare(
      `INSERT INTO toestemmingen (toestemmingId, trajectId, ontvanger, doel, gegevenscategorieen, gegevenOp, geldigTot, ingetrokkenOp, bewijs, vastgelegdDoor, beleidsversie)
       VALUES (@toestemmingId, @trajectId, @ontvanger, @doel, @gegevenscategorieen, @gegevenOp, @geldigTot, @ingetrokkenOp, @bewijs, @vastgelegdDoor, @beleidsversie)`,
    ),
    toestemmingen: db.prepare('SELECT * FROM toestemmingen WHERE trajectId = ? ORDER BY rowid'),
    toestemmingenVoor: db.prepare('SELECT * FROM toestemmingen WHERE trajectId = ? AND ontvanger = ? AND doel = ? ORDER BY rowid'),
    toestemming: db.prepare('SELECT * FROM toestemmingen WHERE trajectId = ? AND toestemmingId = ?'),
    trekIn: db.prepare('UPDATE toestemmingen SET ingetrokkenOp = ? WHERE toestemmingId = ? AND ingetrokkenOp IS NULL'),
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
    // Both message queries walk in `volgnummer` order and stop at LIMIT: one trajectory is a range
    // on (trajectId, volgnummer); the feed scans the rowid from the cursor on. The caller's relation
    // is checked per row with correlated EXISTS, so the planner never collects every match to sort
    // it (an `IN (…) OR IN (…)` here made SQLite read and sort a trajectory's whole history).
    feedTraject: db.prepare(
      `SELECT b.* FROM berichten b
       WHERE b.trajectId = @trajectId AND b.volgnummer > @na
         AND b.berichttype IN (SELECT value FROM json_each(@typen))
         AND ${RELATIE}
       ORDER BY b.volgnummer
       LIMIT @limit`,
    ),
    feed: db.prepare(
      `SELECT b.* FROM berichten b
       WHERE b.volgnummer > @na
         AND b.berichttype IN (SELECT value FROM json_each(@typen))
         AND ${RELATIE}
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
    // Scope, decided at write time: the acting party, the owning gemeente of each trajectory, the sender
    // of each message and the gemeente owning that message's trajectory.
    insertScope: db.prepare(
      `INSERT OR IGNORE INTO logboek_scope (partij, auditId)
         SELECT gemeente, @id FROM trajecten WHERE trajectId IN (SELECT value FROM json_each(@trajectIds))
         UNION SELECT afzender, @id FROM berichten WHERE berichtId IN (SELECT value FROM json_each(@berichtIds))
         UNION SELECT t.gemeente, @id FROM berichten m JOIN trajecten t ON t.trajectId = m.trajectId
                WHERE m.berichtId IN (SELECT value FROM json_each(@berichtIds))
         UNION SELECT @partij, @id WHERE @partij IS NOT NULL`,
    ),
    // The right of access's index: which trajectories' messages of which type and sender an allowed read disclosed.
    insertVerstrekking: db.prepare(
      `INSERT OR IGNORE INTO logboek_verstrekking (trajectId, auditId, berichttype, afzender)
         SELECT m.trajectId, @id, m.berichttype, m.afzender FROM berichten m WHERE m.berichtId IN (SELECT value FROM json_each(@berichtIds))`,
    ),
    insertControlepunt: db.prepare('INSERT INTO logboek_controlepunten (aantal, laatsteHash, tijdstip, sleutel, jws) VALUES (@aantal, @laatsteHash, @tijdstip, @sleutel, @jws)'),
    insertSleutel: db.prepare('INSERT OR IGNORE INTO logboek_sleutels (kid, jwk, aangemaaktOp) VALUES (@kid, @jwk, @aangemaaktOp)'),
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
    async insertToewijzing(row) {
      st.insertToewijzing.run(row);
    },
    async beeindigToewijzingen(trajectId, partij, rol, tijdstip) {
      return st.beeindig.run({ trajectId, partij, rol, tijdstip }).changes;
    },
    async sluitTraject(trajectId, tijdstip, reden) {
      st.sluit.run(tijdstip, reden, trajectId);
    },
    async insertToestemming(row) {
      st.insertToestemming.run({ ...row, gegevenscategorieen: JSON.stringify(row.gegevenscategorieen), bewijs: row.bewijs === null ? null : JSON.stringify(row.bewijs) });
    },
    async toestemmingen(trajectId, filter) {
      const rows = (filter ? st.toestemmingenVoor.all(trajectId, filter.ontvanger, filter.doel) : st.toestemmingen.all(trajectId)) as ToestemmingDbRow[];
      return rows.map(toToestemming);
    },
    async toestemming(trajectId, toestemmingId) {
      const row = st.toestemming.get(trajectId, toestemmingId) as ToestemmingDbRow | undefined;
      return row && toToestemming(row);
    },
    async trekToestemmingIn(toestemmingId, tijdstip) {
      st.trekIn.run(tijdstip, toestemmingId);
    },
    async bericht(berichtId) {
      return st.bericht.get(berichtId) as BerichtRow | undefined;
    },
    async insertBericht(row) {
      return Number(st.insertBericht.run(row).lastInsertRowid);
    },
    async berichten(q: BerichtQuery) {
      const params = { na: q.na, typen: JSON.stringify(q.berichttypen), partij: q.partij, vandaag: q.vandaag, limit: q.limit };
      return (q.trajectId ? st.feedTraject.all({ ...params, trajectId: q.trajectId }) : st.feed.all(params)) as BerichtRow[];
    },
    async vorigePlaatsing(trajectId, afzender, plaatsingId) {
      return st.vorigePlaatsing.get(trajectId, afzender, plaatsingId) as BerichtRow | undefined;
    },
    async nextAuditId() {
      return head.id + 1;
    },
    async appendAudit(input: AuditInput) {
      const record = seal(input, head.id + 1, head.hash);
      const trajectIds = JSON.stringify(record.trajectIds);
      const berichtIds = JSON.stringify(record.berichtIds);
      st.insertAudit.run({ ...record, trajectIds, berichtIds, velden: JSON.stringify(record.velden) });
      for (const trajectId of record.trajectIds) st.insertBetrokkene.run(trajectId, record.id);
      st.insertScope.run({ id: record.id, trajectIds, berichtIds, partij: record.partij });
      if (record.besluit === 'toegestaan' && record.partij !== null && (LEES_ACTIES as readonly string[]).includes(record.actie) && record.berichtIds.length) {
        st.insertVerstrekking.run({ id: record.id, berichtIds });
      }
      head = { id: record.id, hash: record.hash };
      return record;
    },
    async insertControlepunt(c) {
      return Number(st.insertControlepunt.run(c).lastInsertRowid);
    },
    async bewaarSleutels(keys) {
      for (const k of keys) st.insertSleutel.run(k);
    },
  };

  // Reads of the logboek use their own connection on their own thread: they see committed data only,
  // never wait for the writer, and a long scan does not hold up other requests.
  const lezer = workerLezer(file);
  const logboek = sqliteLogboekReader(lezer);
  const commitListeners: Array<(hoofd: LogboekHoofd) => void> = [];

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
    if (head.id !== headBefore.id) {
      const hoofd = { aantal: head.id, laatsteHash: head.hash };
      for (const listener of commitListeners) {
        try {
          listener(hoofd);
        } catch {
          // A listener (the checkpoint scheduler) never fails a commit that already happened.
        }
      }
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
    logboek,
    onAuditCommit(listener) {
      commitListeners.push(listener);
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
      await lezer.close();
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
