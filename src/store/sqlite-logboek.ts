/**
 * The SQLite side of the logboek's reads: searching within an officer's scope, one record with its
 * chain position, the chain itself for the verifier, weekly counts, a trajectory's disclosures, and
 * the checkpoints. It works on its own (read-only) connection, so a search never waits for a group
 * commit and a verification never holds the writer; the offline CLI opens a database file with it too.
 *
 * Speed notes: the scope filter is an index range scan of `logboek_scope (partij, auditId)`; a search
 * by trajectory is a range scan of `logboek_betrokkene (trajectId, auditId)`; a trajectory's disclosures
 * (the right of access) a range scan of `logboek_verstrekking (trajectId, auditId, berichttype, afzender)`; the verifier gets each
 * record's canonical JSON built inside SQLite (`json_object`), so per record only four values cross
 * into JavaScript, and its fast pass runs on worker threads (`sqlite-keten.ts`).
 */
import Database from 'better-sqlite3';
import { GENESIS_HASH } from '../audit/record.js';
import { CANONICAL_SQL, snelleKetencontrole } from './sqlite-keten.js';
import { INVOERFOUT_STATUSSEN, type Controlepunt, type LogboekHoofd, type LogboekReader, type LogboekTelling, type Verstrekking } from './store.js';

import { LEES_ACTIES, logboekZoekSql, toAuditRecord, type AuditRow } from './rijen.js';

export { LEES_ACTIES, toAuditRecord };

/** Runs SQL on a read-only connection: directly (the CLI) or on a worker thread (the gateway). */
export interface SqlLezer {
  /** Rows as objects, or as arrays with `raw`. Parameters: an object of named values or a positional array. */
  all(sql: string, params: Record<string, unknown> | unknown[], raw?: boolean): Promise<unknown[]>;
  /** The database file. */
  readonly file: string;
  close(): Promise<void>;
}

/** A reader on this thread, with a statement cache (the offline CLI). */
export function directeLezer(db: Database.Database): SqlLezer {
  const cache = new Map<string, Database.Statement>();
  return {
    file: db.name,
    async all(sql, params, raw = false) {
      let st = cache.get(`${raw}|${sql}`);
      if (!st) cache.set(`${raw}|${sql}`, (st = db.prepare(sql).raw(raw)));
      return Array.isArray(params) ? st.all(...params) : st.all(params);
    },
    async close() {
      db.close();
    },
  };
}

const SQL = {
  record: `SELECT l.* FROM logboek l WHERE l.id = @id
             AND (@scope IS NULL OR EXISTS (SELECT 1 FROM logboek_scope s WHERE s.partij = @scope AND s.auditId = l.id))`,
  recordOpId: 'SELECT * FROM logboek WHERE id = ?',
  hashOpId: 'SELECT hash FROM logboek WHERE id = ?',
  keten: `SELECT id, vorigeHash, hash, CAST(${CANONICAL_SQL} AS BLOB) FROM logboek WHERE id > ? ORDER BY id LIMIT ?`,
  hoofd: 'SELECT id, hash FROM logboek ORDER BY id DESC LIMIT 1',
  // A page of a trajectory's disclosures: a range scan of logboek_verstrekking, one logboek row per record.
  verstrekkingen: `SELECT v.auditId, l.tijdstip, l.partij, l.doel, l.grondslag, v.berichttype, v.afzender, l.velden
         FROM logboek_verstrekking v
         JOIN logboek l ON l.id = v.auditId
        WHERE v.trajectId = @trajectId AND v.auditId > @na
        ORDER BY v.auditId, v.berichttype, v.afzender
        LIMIT @limit`,
  controlepunten: 'SELECT id, aantal, laatsteHash, tijdstip, sleutel, jws FROM logboek_controlepunten ORDER BY id',
  laatsteControlepunt: 'SELECT id, aantal, laatsteHash, tijdstip, sleutel, jws FROM logboek_controlepunten ORDER BY id DESC LIMIT 1',
  sleutels: 'SELECT kid, jwk FROM logboek_sleutels ORDER BY aangemaaktOp, kid',
};

/** A search's SQL for its combination of filters. */

function tellingSql(scoped: boolean, vanaf: boolean, tot: boolean): string {
  const where = ['1'];
  if (scoped) where.push('EXISTS (SELECT 1 FROM logboek_scope x WHERE x.partij = @scope AND x.auditId = l.id)');
  if (vanaf) where.push('l.tijdstip >= @vanaf');
  if (tot) where.push('l.tijdstip < @tot');
  // Group per UTC date, and per UTC hour late in the day, so the caller can place each group in
  // the right Dutch (Europe/Amsterdam) calendar week without scanning records twice.
  return `SELECT CASE WHEN substr(l.tijdstip, 12, 2) >= '21' THEN substr(l.tijdstip, 1, 13) ELSE substr(l.tijdstip, 1, 10) END AS dag,
                 l.partij AS partij, l.doel AS doel,
                 sum(l.besluit = 'toegestaan' AND l.actie IN (${LEES_ACTIES.map((a) => `'${a}'`).join(',')})) AS gelezen,
                 sum(l.besluit = 'geweigerd' AND l.status NOT IN (${INVOERFOUT_STATUSSEN.join(',')})) AS geweigerd,
                 sum(l.besluit = 'geweigerd' AND l.status IN (${INVOERFOUT_STATUSSEN.join(',')})) AS invoerfouten,
                 l.actie AS actie
            FROM logboek l
           WHERE ${where.join(' AND ')}
           GROUP BY dag, l.partij, l.doel, l.actie
          HAVING gelezen > 0 OR geweigerd > 0 OR invoerfouten > 0`;
}

export function sqliteLogboekReader(lezer: SqlLezer): LogboekReader {
  return {
    async zoeken(q) {
      const rows = (await lezer.all(logboekZoekSql(q), {
        scope: q.scope, trajectId: q.trajectId ?? null, partij: q.partij ?? null, doel: q.doel ?? null, berichttype: q.berichttype ?? null,
        besluit: q.besluit ?? null, actie: q.actie ?? null, gegevenscategorie: q.gegevenscategorie ?? null, vanaf: q.vanaf ?? null, tot: q.tot ?? null,
        voor: q.voor ?? Number.MAX_SAFE_INTEGER, na: q.na ?? 0, limit: q.limit,
      })) as AuditRow[];
      return rows.map(toAuditRecord);
    },
    async record(id, scope) {
      const [row] = (await lezer.all(SQL.record, { id, scope })) as AuditRow[];
      if (!row) return undefined;
      const [vorige] = id === 1 ? [{ hash: GENESIS_HASH }] : ((await lezer.all(SQL.hashOpId, [id - 1])) as { hash: string }[]);
      return { record: toAuditRecord(row), vorigeRecordHash: vorige?.hash ?? null };
    },
    async recordOpId(id) {
      const [row] = (await lezer.all(SQL.recordOpId, [id])) as AuditRow[];
      return row ? toAuditRecord(row) : undefined;
    },
    async keten(na, limit) {
      return ((await lezer.all(SQL.keten, [na, limit], true)) as [number, string, string, Uint8Array][])
        .map(([id, vorigeHash, hash, kanoniek]) => ({ id, vorigeHash, hash, kanoniek }));
    },
    async snelleControle(tot, posities) {
      return snelleKetencontrole(lezer.file, tot, posities);
    },
    async hoofd(): Promise<LogboekHoofd> {
      const [row] = (await lezer.all(SQL.hoofd, [])) as { id: number; hash: string }[];
      return { aantal: row?.id ?? 0, laatsteHash: row?.hash ?? GENESIS_HASH };
    },
    async tellingen(q) {
      return (await lezer.all(tellingSql(q.scope !== null, Boolean(q.vanaf), Boolean(q.tot)), { scope: q.scope, vanaf: q.vanaf ?? null, tot: q.tot ?? null })) as LogboekTelling[];
    },
    async verstrekkingen(trajectId, pagina) {
      const rows = (await lezer.all(SQL.verstrekkingen, { trajectId, na: pagina.na, limit: pagina.limit })) as Array<Omit<Verstrekking, 'velden'> & { velden: string }>;
      return rows.map((r) => ({ ...r, velden: JSON.parse(r.velden) as string[] }));
    },
    async controlepunten() {
      return (await lezer.all(SQL.controlepunten, [])) as Controlepunt[];
    },
    async laatsteControlepunt() {
      return ((await lezer.all(SQL.laatsteControlepunt, [])) as Controlepunt[])[0];
    },
    async sleutels() {
      return (await lezer.all(SQL.sleutels, [])) as Array<{ kid: string; jwk: string }>;
    },
  };
}

/** Open a database file read-only for the logboek alone (the offline CLI): nothing in the file changes. */
export function openSqliteLogboek(file: string): LogboekReader & { close(): void } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]));
  if (!tables.has('logboek')) {
    db.close();
    throw new Error(`${file} bevat geen logboek (user_version ${version})`);
  }
  // A file from before the checkpoint migration: no checkpoints, no scope index.
  if (!tables.has('logboek_controlepunten')) {
    db.close();
    throw new Error(`${file} is van vóór de controlepunten (migratie ontbreekt); start de gateway er eenmaal op`);
  }
  const reader = sqliteLogboekReader(directeLezer(db));
  return { ...reader, close: () => db.close() };
}
