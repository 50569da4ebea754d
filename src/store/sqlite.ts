/**
 * The SQLite adapter (better-sqlite3, WAL, synchronous=FULL): the embedded default.
 *
 * Owns the SQLite side of `Store`/`Tx`: its statements, its migrations (`PRAGMA user_version`), its
 * reader thread. What is not SQLite lives elsewhere: batching in `group-commit.ts` (one transaction
 * per batch, a SAVEPOINT per item, promises resolve after the fsync'ed commit), sealing of records in
 * `audit/record.ts`, the relation rule in `policy/relatie.ts`, the scope rule in `audit/scope.ts`,
 * shared state in `shared-state.ts`.
 *
 * The chain head is the row `logboek_hoofd`, read inside each batch after `BEGIN IMMEDIATE` (which
 * takes SQLite's one writer lock, as `SELECT … FOR UPDATE` does on PostgreSQL) and updated by each
 * append; so two processes on one file still produce one linear chain.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { seal, type AuditInput } from '../audit/record.js';
import { logboekScope, verstrekkingSoort, type ScopeFeiten } from '../audit/scope.js';
import { relatieKandidatenSql, relatieSql, relatieVan, type Trajectkenmerken } from '../policy/relatie.js';
import { auditCommitHub, createGroupCommit, hoofdStand, queuedStore, type HoofdStand } from './group-commit.js';
import { auditRij, fromToestemming, toToestemming, type ToestemmingDbRow } from './rijen.js';
import { sharedState } from './shared-state.js';
import { StoreUnavailableError, type BerichtQuery, type BerichtRow, type Controlepunt, type LeesTx, type LogboekHoofd, type OntvangstbewijsRow, type Store, type ToewijzingRow, type Tx } from './store.js';
import { sqliteLogboekReader } from './sqlite-logboek.js';
import { workerLezer } from './sqlite-lezer.js';
import { MIGRATIONS } from './sqlite-migrations.js';
import { sqliteSignaalTx } from './sqlite-signalen.js';
import { sqliteVersieTx } from './versie-store.js';
import { sqliteKenmerkTx } from './kenmerk-store.js';
import { sqliteBewaringTx } from './bewaring-store.js';
import { sqliteMonitoringTx } from './monitoring-store.js';


export interface SqliteStoreOptions {
  /** Most items in one group commit. */
  maxBatch?: number;
  /**
   * A batch that has run this long commits after its current item; the rest goes to the next batch
   * (default 10 ms). better-sqlite3 runs on the event loop, so a batch is one stretch of the thread:
   * this bounds how long it holds every other request, and a read's record behind it.
   */
  maxBatchMs?: number;
  /** Most read connections for snapshots (default 4). */
  lezers?: number;
}

const RELATIE = relatieSql('b.trajectId', '@partij', '@vandaag');

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
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
  // 64 MiB of page cache instead of SQLite's default 2 MiB: each publish inserts into indexes keyed by
  // random ids (berichtId, the sender's unique key), whose pages would otherwise be read back from the
  // OS for almost every insert once the data outgrows 2 MiB (measured in the bench's growth tiers).
  db.pragma('cache_size = -65536');
  // Removed content (retention, erasure: docs/bewaring.md) is overwritten with zeros in the file, not
  // only unlinked; it costs writes only where content is freed, which publishes never do.
  db.pragma('secure_delete = ON');
  migrateSqlite(db);

  /** The batch in progress (one at a time on this connection) and the chain head it holds. */
  let batch: HoofdStand | null = null;
  const inBatch = (): HoofdStand => {
    if (!batch) throw new Error('Tx used outside its transaction');
    return batch;
  };
  const tx = sqliteTx(db, inBatch);
  const hoofd = db.prepare('SELECT id, hash FROM logboek_hoofd WHERE vast = 1');

  // Transaction control as prepared statements: db.exec parses its text on every call (two per item).
  const ctl = {
    begin: db.prepare('BEGIN IMMEDIATE'),
    savepoint: db.prepare('SAVEPOINT item'),
    release: db.prepare('RELEASE item'),
    rollbackTo: db.prepare('ROLLBACK TO item'),
    commit: db.prepare('COMMIT'),
  };

  const hub = auditCommitHub();
  const queue = createGroupCommit<HoofdStand, (tx: Tx) => Promise<unknown>>({
    async begin() {
      ctl.begin.run();
      batch = hoofdStand(hoofd.get() as { id: number; hash: string });
      return batch;
    },
    async savepoint(b) {
      ctl.savepoint.run();
      b.savepoint = b.head;
    },
    async release() {
      ctl.release.run();
    },
    async rollbackTo(b) {
      ctl.rollbackTo.run();
      ctl.release.run();
      b.head = b.savepoint;
    },
    async commit() {
      ctl.commit.run();
      batch = null;
    },
    async rollback() {
      batch = null;
      if (db.inTransaction) db.exec('ROLLBACK');
    },
    run: (_b, work) => work(tx),
    // A database error inside a unit of work (a failed audit insert, a full disk) means the exchange
    // cannot be recorded: surface it as "unavailable" so the caller answers 503.
    itemError: (error) => (error instanceof Database.SqliteError ? new StoreUnavailableError(`write failed: ${error.message}`) : error),
    committed: (b) => hub.committed(b),
  }, { maxBatch: options.maxBatch, maxBatchMs: options.maxBatchMs ?? 10 });

  // Reads of the logboek use their own connection on their own thread: they see committed data only,
  // never wait for the writer, and a long scan does not hold up other requests.
  const lezer = workerLezer(file);
  const logboek = sqliteLogboekReader(lezer);
  // Shared state goes through the queue (a savepoint of the next batch): a batch awaits async work
  // between BEGIN and COMMIT, so a statement sent straight to the connection could land inside, and be
  // rolled back with, someone else's batch. The cost is one batch's wait; the commit makes it durable.
  const shared = sharedState((sql, params) => queue.submit(async () => {
    const stmt = db.prepare(sql.replace(/\$(\d+)/g, '@p$1'));
    const named = Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v]));
    if (stmt.reader) return { rows: stmt.all(named) as Array<Record<string, unknown>>, changes: 0 };
    return { rows: [], changes: stmt.run(named).changes };
  }));

  const lezers = snapshotLezers(file, options.lezers ?? 4);

  return queuedStore(queue, hub, {
    logboek,
    shared,
    snapshot: lezers.snapshot,
    async close() {
      lezers.close();
      await lezer.close();
      db.close();
    },
  });
}

/** Only the writer's `Tx` holds a chain head; a reader that reached for one is a bug. */
const geenBatch = (): HoofdStand => {
  throw new Error('a snapshot cannot append to the logboek');
};

/**
 * The snapshots' connections: read-only, WAL, on this thread (better-sqlite3 is synchronous; a read's
 * statements are index lookups and ranges bounded by its page, so they are cheaper here than the hop to
 * a worker). Each snapshot holds one connection in a read transaction (`BEGIN`; SQLite fixes the
 * snapshot at its first statement) from its first to its last lookup, so every lookup sees the same
 * committed state, never the writer's uncommitted batch, and never waits for it. At most `max`
 * connections; a snapshot beyond that waits for a free one.
 */
function snapshotLezers(file: string, max: number): { snapshot: Store['snapshot']; close(): void } {
  interface Lezer { db: Database.Database; tx: LeesTx; begin: Database.Statement; commit: Database.Statement }
  const vrij: Lezer[] = [];
  const alle: Lezer[] = [];
  const wachtend: Array<(l: Lezer) => void> = [];
  let gesloten = false;
  const nieuw = (): Lezer => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -16384');
    const l = { db, tx: sqliteTx(db, geenBatch), begin: db.prepare('BEGIN'), commit: db.prepare('COMMIT') };
    alle.push(l);
    return l;
  };
  const vrijgeven = (l: Lezer) => {
    const volgende = wachtend.shift();
    if (volgende) volgende(l);
    else vrij.push(l);
  };
  return {
    async snapshot<T>(work: (tx: LeesTx) => Promise<T>): Promise<T> {
      if (gesloten) throw new StoreUnavailableError('store is closed');
      const l = vrij.pop() ?? (alle.length < max ? nieuw() : await new Promise<Lezer>((resolve) => wachtend.push(resolve)));
      try {
        l.begin.run();
        return await work(l.tx);
      } catch (e) {
        throw e instanceof Database.SqliteError ? new StoreUnavailableError(`read failed: ${e.message}`) : e;
      } finally {
        if (l.db.inTransaction) l.commit.run();
        vrijgeven(l);
      }
    },
    close() {
      gesloten = true;
      for (const l of alle) l.db.close();
    },
  };
}

/**
 * The `Tx` of one connection: its prepared statements and the methods over them. The writer's `Tx`
 * holds the batch's chain head (`inBatch`); a reader's (`snapshot()`) has none and, on a read-only
 * connection, cannot write.
 */
function sqliteTx(db: Database.Database, inBatch: () => HoofdStand): Tx {
  const st = {
    insertTraject: db.prepare(`INSERT INTO trajecten (trajectId, gemeente, leerroute, startdatum, aangemaaktOp, regime, doelgroep)
      VALUES (@trajectId, @gemeente, @leerroute, @startdatum, @aangemaaktOp, coalesce(@regime, 'wi2021'), coalesce(@doelgroep, 'onbekend'))`),
    insertToewijzing: db.prepare('INSERT INTO toewijzingen (trajectId, partij, rol, vanaf, tot, beeindigdOp) VALUES (@trajectId, @partij, @rol, @vanaf, @tot, @beeindigdOp)'),
    traject: db.prepare('SELECT trajectId, gemeente, leerroute, startdatum, aangemaaktOp, afgeslotenOp, afsluitreden, regime, doelgroep, afsluituitkomst FROM trajecten WHERE trajectId = ?'),
    wijzig: db.prepare('UPDATE trajecten SET leerroute = coalesce(@leerroute, leerroute), regime = coalesce(@regime, regime), doelgroep = coalesce(@doelgroep, doelgroep) WHERE trajectId = @trajectId'),
    uitkomst: db.prepare('UPDATE trajecten SET afsluituitkomst = ? WHERE trajectId = ?'),
    beeindig: db.prepare(
      `UPDATE toewijzingen SET beeindigdOp = @tijdstip
       WHERE trajectId = @trajectId AND beeindigdOp IS NULL AND (@partij IS NULL OR partij = @partij) AND (@rol IS NULL OR rol = @rol)`,
    ),
    sluit: db.prepare('UPDATE trajecten SET afgeslotenOp = ?, afsluitreden = ? WHERE trajectId = ?'),
    insertToestemming: db.prepare(
      `INSERT INTO toestemmingen (toestemmingId, trajectId, ontvanger, doel, gegevenscategorieen, gegevenOp, geldigTot, ingetrokkenOp, bewijs, vastgelegdDoor, beleidsversie, toestemmingstekst)
       VALUES (@toestemmingId, @trajectId, @ontvanger, @doel, @gegevenscategorieen, @gegevenOp, @geldigTot, @ingetrokkenOp, @bewijs, @vastgelegdDoor, @beleidsversie, @toestemmingstekst)`,
    ),
    insertOntvangstbewijs: db.prepare(
      `INSERT INTO ontvangstbewijzen (ontvangstbewijsId, toestemmingId, gebeurtenis, uitgegevenOp, sleutel, jws)
       VALUES (@ontvangstbewijsId, @toestemmingId, @gebeurtenis, @uitgegevenOp, @sleutel, @jws)`,
    ),
    ontvangstbewijzen: db.prepare(
      `SELECT o.ontvangstbewijsId, o.toestemmingId, o.gebeurtenis, o.uitgegevenOp, o.sleutel, o.jws FROM ontvangstbewijzen o
       JOIN toestemmingen t ON t.toestemmingId = o.toestemmingId
       WHERE t.trajectId = @trajectId AND (@toestemmingId IS NULL OR o.toestemmingId = @toestemmingId) ORDER BY o.rowid`,
    ),
    toestemmingen: db.prepare('SELECT * FROM toestemmingen WHERE trajectId = ? ORDER BY rowid'),
    toestemmingenVoor: db.prepare('SELECT * FROM toestemmingen WHERE trajectId = ? AND ontvanger = ? AND doel = ? ORDER BY rowid'),
    toestemming: db.prepare('SELECT * FROM toestemmingen WHERE trajectId = ? AND toestemmingId = ?'),
    trekIn: db.prepare('UPDATE toestemmingen SET ingetrokkenOp = ? WHERE toestemmingId = ? AND ingetrokkenOp IS NULL'),
    toewijzingen: db.prepare('SELECT trajectId, partij, rol, vanaf, tot, beeindigdOp FROM toewijzingen WHERE trajectId = ? ORDER BY id'),
    bericht: db.prepare('SELECT * FROM berichten WHERE afzender = ? AND berichtId = ?'),
    berichtenMetId: db.prepare('SELECT * FROM berichten WHERE berichtId = ? ORDER BY volgnummer'),
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
    // For one trajectory the relation is the same for every row: checked on @trajectId (not per row), so
    // SQLite evaluates it once per query.
    feedTraject: db.prepare(
      `SELECT b.* FROM berichten b
       WHERE b.trajectId = @trajectId AND b.volgnummer > @na
         AND b.berichttype IN (SELECT value FROM json_each(@typen))
         AND ${relatieSql('@trajectId', '@partij', '@vandaag')}
       ORDER BY b.volgnummer
       LIMIT @limit`,
    ),
    // The feed over all the caller's trajectories walks the caller's own rows of the per-party index
    // (`berichten_feed`, primary key (partij, volgnummer)) from the cursor, each joined to its message by
    // rowid; CROSS JOIN keeps that order of the loops. The relation is still checked per row.
    feed: db.prepare(
      `SELECT b.* FROM berichten_feed f CROSS JOIN berichten b
       WHERE f.partij = @partij AND f.volgnummer > @na AND b.volgnummer = f.volgnummer
         AND b.berichttype IN (SELECT value FROM json_each(@typen))
         AND ${RELATIE}
       ORDER BY f.volgnummer
       LIMIT @limit`,
    ),
    // The index's rows of a new message: one per party that may ever stand in relation to its trajectory.
    feedBericht: db.prepare(`INSERT OR IGNORE INTO berichten_feed (partij, volgnummer) SELECT partij, @volgnummer FROM (${relatieKandidatenSql('@trajectId')})`),
    // A party assigned to a trajectory gets the trajectory's earlier messages in its index.
    feedToewijzing: db.prepare('INSERT OR IGNORE INTO berichten_feed (partij, volgnummer) SELECT @partij, volgnummer FROM berichten WHERE trajectId = @trajectId'),
    insertAudit: db.prepare(
      `INSERT INTO logboek (id, tijdstip, traceId, spanId, actie, partij, client, trajectIds, berichttype, berichtIds, doel, verwerkingsactiviteit,
                            grondslag, besluit, regel, reden, velden, status, beleidsversie, vorigeHash, hash,
                            recordversie, starttijdstip, parentSpanId, gegevenscategorieen)
       VALUES (@id, @tijdstip, @traceId, @spanId, @actie, @partij, @client, @trajectIds, @berichttype, @berichtIds, @doel, @verwerkingsactiviteit,
               @grondslag, @besluit, @regel, @reden, @velden, @status, @beleidsversie, @vorigeHash, @hash,
               @recordversie, @starttijdstip, @parentSpanId, @gegevenscategorieen)`,
    ),
    insertCategorie: db.prepare('INSERT OR IGNORE INTO logboek_categorie (partij, categorie, auditId) VALUES (?, ?, ?)'),
    insertBetrokkene: db.prepare('INSERT OR IGNORE INTO logboek_betrokkene (trajectId, auditId) VALUES (?, ?)'),
    insertScope: db.prepare('INSERT OR IGNORE INTO logboek_scope (partij, auditId) VALUES (?, ?)'),
    // The messages of a record (audit/scope.ts): with one of @b, on one of @t (any trajectory when @t is empty).
    gemeenten: db.prepare(
      `SELECT DISTINCT gemeente FROM trajecten WHERE trajectId IN (SELECT value FROM json_each(@t))
          OR trajectId IN (SELECT m.trajectId FROM berichten m WHERE m.berichtId IN (SELECT value FROM json_each(@b))
                             AND (json_array_length(@t) = 0 OR m.trajectId IN (SELECT value FROM json_each(@t))))`,
    ).pluck(),
    afzenders: db.prepare(
      `SELECT DISTINCT afzender FROM berichten WHERE berichtId IN (SELECT value FROM json_each(@b))
          AND (json_array_length(@t) = 0 OR trajectId IN (SELECT value FROM json_each(@t)))`,
    ).pluck(),
    hoofd: db.prepare('SELECT id, hash FROM logboek_hoofd WHERE vast = 1'),
    zetHoofd: db.prepare('UPDATE logboek_hoofd SET id = ?, hash = ? WHERE vast = 1'),
    laatsteControlepunt: db.prepare('SELECT id, aantal, laatsteHash, tijdstip, sleutel, jws FROM logboek_controlepunten ORDER BY aantal DESC LIMIT 1'),
    // The right of access's index (audit/scope.ts, verstrekkingSoort): which messages of the record's
    // trajectories, of which type and sender, an allowed read disclosed. A tombstone (content removed,
    // issue 13) discloses no content, so a list naming one adds no row for it.
    insertVerstrekking: db.prepare(
      `INSERT OR IGNORE INTO logboek_verstrekking (trajectId, auditId, berichttype, afzender)
         SELECT m.trajectId, @id, m.berichttype, m.afzender FROM berichten m
          WHERE m.berichtId IN (SELECT value FROM json_each(@berichtIds)) AND m.trajectId IN (SELECT value FROM json_each(@trajectIds))
            AND m.verwijderdOp IS NULL`,
    ),
    // A derived disclosure (state, signals, a notification): one row per trajectory under its pseudo type.
    insertAfgeleid: db.prepare(
      `INSERT OR IGNORE INTO logboek_verstrekking (trajectId, auditId, berichttype, afzender)
         SELECT DISTINCT value, @id, @soort, '' FROM json_each(@trajectIds)`,
    ),
    insertControlepunt: db.prepare('INSERT INTO logboek_controlepunten (aantal, laatsteHash, tijdstip, sleutel, jws) VALUES (@aantal, @laatsteHash, @tijdstip, @sleutel, @jws)'),
    insertSleutel: db.prepare('INSERT OR IGNORE INTO logboek_sleutels (kid, jwk, aangemaaktOp) VALUES (@kid, @jwk, @aangemaaktOp)'),
  };

  const feiten: ScopeFeiten = async (trajectIds, berichtIds) => {
    const p = { t: JSON.stringify(trajectIds), b: JSON.stringify(berichtIds) };
    return { gemeenten: st.gemeenten.all(p) as string[], afzenders: berichtIds.length ? (st.afzenders.all(p) as string[]) : [] };
  };

  return {
    ...sqliteSignaalTx(db),
    ...sqliteVersieTx(db),
    ...sqliteKenmerkTx(db),
    ...sqliteBewaringTx(db),
    ...sqliteMonitoringTx(db),
    async insertTraject(traject, toewijzingen) {
      st.insertTraject.run({ regime: null, doelgroep: null, ...traject });
      // A new trajectory has no messages yet: nothing for the feed index.
      for (const t of toewijzingen) st.insertToewijzing.run(t);
    },
    async traject(trajectId) {
      return st.traject.get(trajectId) as Awaited<ReturnType<Tx['traject']>>;
    },
    async toewijzingen(trajectId) {
      return st.toewijzingen.all(trajectId) as ToewijzingRow[];
    },
    async relatie(trajectId, partij, vandaag) {
      const traject = st.traject.get(trajectId) as (Trajectkenmerken & { gemeente: string }) | undefined;
      if (!traject) return undefined;
      return relatieVan(traject.gemeente, st.toewijzingen.all(trajectId) as ToewijzingRow[], partij, vandaag, traject);
    },
    async insertToewijzing(row) {
      st.insertToewijzing.run(row);
      st.feedToewijzing.run({ partij: row.partij, trajectId: row.trajectId });
    },
    async beeindigToewijzingen(trajectId, partij, rol, tijdstip) {
      return st.beeindig.run({ trajectId, partij, rol, tijdstip }).changes;
    },
    async sluitTraject(trajectId, tijdstip, reden) {
      st.sluit.run(tijdstip, reden, trajectId);
    },
    async wijzigTraject(trajectId, w) {
      st.wijzig.run({ trajectId, leerroute: w.leerroute ?? null, regime: w.regime ?? null, doelgroep: w.doelgroep ?? null });
    },
    async legAfsluituitkomstVast(trajectId, uitkomst) {
      st.uitkomst.run(uitkomst, trajectId);
    },
    async insertToestemming(row) {
      st.insertToestemming.run(fromToestemming(row));
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
      return st.trekIn.run(tijdstip, toestemmingId).changes > 0;
    },
    async insertOntvangstbewijs(row) {
      st.insertOntvangstbewijs.run({ ...row });
    },
    async ontvangstbewijzen(trajectId, toestemmingId) {
      return st.ontvangstbewijzen.all({ trajectId, toestemmingId: toestemmingId ?? null }) as OntvangstbewijsRow[];
    },
    async bericht(afzender, berichtId) {
      return st.bericht.get(afzender, berichtId) as BerichtRow | undefined;
    },
    async berichtenMetId(berichtId) {
      return st.berichtenMetId.all(berichtId) as BerichtRow[];
    },
    async insertBericht(row) {
      const volgnummer = Number(st.insertBericht.run(row).lastInsertRowid);
      st.feedBericht.run({ volgnummer, trajectId: row.trajectId });
      return volgnummer;
    },
    async berichten(q: BerichtQuery) {
      const params = { na: q.na, typen: JSON.stringify(q.berichttypen), partij: q.partij, vandaag: q.vandaag, limit: q.limit };
      return (q.trajectId ? st.feedTraject.all({ ...params, trajectId: q.trajectId }) : st.feed.all(params)) as BerichtRow[];
    },
    async vorigePlaatsing(trajectId, afzender, plaatsingId) {
      return st.vorigePlaatsing.get(trajectId, afzender, plaatsingId) as BerichtRow | undefined;
    },
    async nextAuditId() {
      return inBatch().head.id + 1;
    },
    async appendAudit(input: AuditInput) {
      const b = inBatch();
      const record = seal(input, b.head.id + 1, b.head.hash);
      const scope = await logboekScope(record, feiten);
      st.insertAudit.run(auditRij(record));
      for (const trajectId of record.trajectIds) st.insertBetrokkene.run(trajectId, record.id);
      for (const partij of scope) {
        st.insertScope.run(partij, record.id);
        for (const categorie of record.gegevenscategorieen ?? []) st.insertCategorie.run(partij, categorie, record.id);
      }
      const soort = verstrekkingSoort(record);
      if (soort === 'inhoud') st.insertVerstrekking.run({ id: record.id, berichtIds: JSON.stringify(record.berichtIds), trajectIds: JSON.stringify(record.trajectIds) });
      else if (soort !== null) st.insertAfgeleid.run({ id: record.id, soort, trajectIds: JSON.stringify(record.trajectIds) });
      st.zetHoofd.run(record.id, record.hash);
      b.head = { id: record.id, hash: record.hash };
      return record;
    },
    async logboekHoofd(): Promise<LogboekHoofd> {
      const { head } = inBatch();
      return { aantal: head.id, laatsteHash: head.hash };
    },
    async laatsteControlepunt() {
      return st.laatsteControlepunt.get() as Controlepunt | undefined;
    },
    async controlepuntLease() {
      return true; // BEGIN IMMEDIATE: this transaction is the only writer of the file
    },
    async insertControlepunt(c) {
      return Number(st.insertControlepunt.run(c).lastInsertRowid);
    },
    async bewaarSleutels(keys) {
      for (const k of keys) st.insertSleutel.run(k);
    },
  };
}

/** Apply the migrations this file has not seen yet, each in its own transaction. */
export function migrateSqlite(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
