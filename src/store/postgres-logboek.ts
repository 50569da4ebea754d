/**
 * The PostgreSQL side of the logboek's reads (`LogboekReader`): search within an officer's scope, one
 * record with its chain position, the chain for the verifier, counts, disclosures, checkpoints and
 * keys. It runs on the pool (its own connections, committed data only), never on the writer's batch.
 * The queries are the SQLite reader's, in PostgreSQL's spelling where the two differ (JSON arrays,
 * conditional counts). There is no fast parallel pass here: the verifier walks the chain exactly,
 * computing each record's canonical form (RFC 8785) in JavaScript.
 */
import type pg from 'pg';
import { canonicalize } from '../audit/canonical.js';
import { GENESIS_HASH } from '../audit/record.js';
import { LEES_ACTIES, logboekZoekSql, toAuditRecord, type AuditRow } from './rijen.js';
import { camel, named } from './postgres-sql.js';
import { INVOERFOUT_STATUSSEN, type Controlepunt, type LogboekHoofd, type LogboekReader, type LogboekTelling, type Verstrekking } from './store.js';

const LEZEN = LEES_ACTIES.map((a) => `'${a}'`).join(',');
const INVOER = INVOERFOUT_STATUSSEN.join(',');


export function postgresLogboekReader(pool: pg.Pool): LogboekReader {
  async function rows<T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const [text, values] = named(sql, params);
    return (await pool.query(text, values)).rows.map((r) => camel<T>(r));
  }
  return {
    async zoeken(q) {
      const params: Record<string, unknown> = { voor: q.voor ?? Number.MAX_SAFE_INTEGER, na: q.na ?? 0, limit: q.limit };
      for (const k of ['scope', 'trajectId', 'partij', 'doel', 'berichttype', 'besluit', 'actie', 'gegevenscategorie', 'vanaf', 'tot'] as const) if (q[k] != null) params[k] = q[k];
      return (await rows<AuditRow>(logboekZoekSql(q), params)).map(toAuditRecord);
    },
    async record(id, scope) {
      const [row] = await rows<AuditRow>(
        `SELECT l.* FROM logboek l WHERE l.id = @id
           AND (@scope::text IS NULL OR EXISTS (SELECT 1 FROM logboek_scope s WHERE s.partij = @scope AND s.auditId = l.id))`, { id, scope });
      if (!row) return undefined;
      const [vorige] = id === 1 ? [{ hash: GENESIS_HASH }] : await rows<{ hash: string }>('SELECT hash FROM logboek WHERE id = @id', { id: id - 1 });
      return { record: toAuditRecord(row), vorigeRecordHash: vorige?.hash ?? null };
    },
    async recordOpId(id) {
      const [row] = await rows<AuditRow>('SELECT * FROM logboek WHERE id = @id', { id });
      return row ? toAuditRecord(row) : undefined;
    },
    async keten(na, limit) {
      return (await rows<AuditRow>('SELECT * FROM logboek WHERE id > @na ORDER BY id LIMIT @limit', { na, limit })).map((row) => {
        const { hash, ...rest } = toAuditRecord(row);
        return { id: row.id, vorigeHash: row.vorigeHash, hash, kanoniek: canonicalize(rest) };
      });
    },
    async hoofd(): Promise<LogboekHoofd> {
      const [row] = await rows<{ id: number; hash: string }>('SELECT id, hash FROM logboek ORDER BY id DESC LIMIT 1');
      return { aantal: row?.id ?? 0, laatsteHash: row?.hash ?? GENESIS_HASH };
    },
    async tellingen(q) {
      const where = ['TRUE'];
      if (q.scope !== null) where.push('EXISTS (SELECT 1 FROM logboek_scope x WHERE x.partij = @scope AND x.auditId = l.id)');
      if (q.vanaf) where.push('l.tijdstip >= @vanaf');
      if (q.tot) where.push('l.tijdstip < @tot');
      const params: Record<string, unknown> = {};
      if (q.scope !== null) params.scope = q.scope;
      if (q.vanaf) params.vanaf = q.vanaf;
      if (q.tot) params.tot = q.tot;
      return rows<LogboekTelling>(
        `SELECT dag, partij, doel, actie, gelezen, geweigerd, invoerfouten FROM (
           SELECT CASE WHEN substr(l.tijdstip, 12, 2) >= '21' THEN substr(l.tijdstip, 1, 13) ELSE substr(l.tijdstip, 1, 10) END AS dag,
                  l.partij AS partij, l.doel AS doel, l.actie AS actie,
                  count(*) FILTER (WHERE l.besluit = 'toegestaan' AND l.actie IN (${LEZEN}))::int AS gelezen,
                  count(*) FILTER (WHERE l.besluit = 'geweigerd' AND l.status NOT IN (${INVOER}))::int AS geweigerd,
                  count(*) FILTER (WHERE l.besluit = 'geweigerd' AND l.status IN (${INVOER}))::int AS invoerfouten
             FROM logboek l
            WHERE ${where.join(' AND ')}
            GROUP BY 1, l.partij, l.doel, l.actie) g
          WHERE gelezen > 0 OR geweigerd > 0 OR invoerfouten > 0`, params);
    },
    async verstrekkingen(trajectId, pagina) {
      // A page of a trajectory's disclosures: a range scan of logboek_verstrekking, one logboek row per record.
      const found = await rows<Omit<Verstrekking, 'velden'> & { velden: string }>(
        `SELECT v.auditId, l.tijdstip, l.partij, l.doel, l.grondslag, v.berichttype, v.afzender, l.velden
           FROM logboek_verstrekking v
           JOIN logboek l ON l.id = v.auditId
          WHERE v.trajectId = @trajectId AND v.auditId > @na
          ORDER BY v.auditId, v.berichttype, v.afzender
          LIMIT @limit`, { trajectId, na: pagina.na, limit: pagina.limit });
      return found.map((r) => ({ ...r, velden: JSON.parse(r.velden) as string[] }));
    },
    async controlepunten() {
      return rows<Controlepunt>('SELECT id, aantal, laatsteHash, tijdstip, sleutel, jws FROM logboek_controlepunten ORDER BY id');
    },
    async laatsteControlepunt() {
      return (await rows<Controlepunt>('SELECT id, aantal, laatsteHash, tijdstip, sleutel, jws FROM logboek_controlepunten ORDER BY id DESC LIMIT 1'))[0];
    },
    async sleutels() {
      return rows<{ kid: string; jwk: string }>('SELECT kid, jwk FROM logboek_sleutels ORDER BY aangemaaktOp, kid');
    },
  };
}
