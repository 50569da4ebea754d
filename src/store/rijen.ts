/**
 * Stored forms shared by both adapters. A logboek record: the array fields are JSON text in a column,
 * and a row read back becomes the `AuditRecord` that was sealed (same keys, same order of values), so
 * that re-hashing it gives the stored hash. A consent: its categories, proof and agreed text as JSON text.
 */
import type { AuditRecord } from '../audit/record.js';
import { INVOERFOUT_STATUSSEN, type LogboekZoekvraag, type ToestemmingRow } from './store.js';

export type ToestemmingDbRow = Omit<ToestemmingRow, 'gegevenscategorieen' | 'bewijs' | 'toestemmingstekst'> & { gegevenscategorieen: string; bewijs: string | null; toestemmingstekst: string | null };

/** A consent row as stored → as the gateway uses it (columns other than the interface's are dropped). */
export function toToestemming(row: ToestemmingDbRow): ToestemmingRow {
  return {
    toestemmingId: row.toestemmingId, trajectId: row.trajectId, ontvanger: row.ontvanger, doel: row.doel,
    gegevenscategorieen: JSON.parse(row.gegevenscategorieen) as string[], gegevenOp: row.gegevenOp, geldigTot: row.geldigTot,
    ingetrokkenOp: row.ingetrokkenOp, bewijs: row.bewijs === null ? null : JSON.parse(row.bewijs), vastgelegdDoor: row.vastgelegdDoor, beleidsversie: row.beleidsversie,
    toestemmingstekst: row.toestemmingstekst === null || row.toestemmingstekst === undefined ? null : JSON.parse(row.toestemmingstekst),
  };
}

/** A consent as the gateway uses it → the stored columns. */
export function fromToestemming(row: ToestemmingRow): ToestemmingDbRow {
  return {
    ...row, gegevenscategorieen: JSON.stringify(row.gegevenscategorieen), bewijs: row.bewijs === null ? null : JSON.stringify(row.bewijs),
    toestemmingstekst: row.toestemmingstekst === null ? null : JSON.stringify(row.toestemmingstekst),
  };
}

export type AuditRow = Omit<AuditRecord, 'berichtIds' | 'velden' | 'trajectIds'> & { berichtIds: string; velden: string; trajectIds: string };

export function toAuditRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    tijdstip: row.tijdstip,
    traceId: row.traceId,
    spanId: row.spanId,
    actie: row.actie,
    partij: row.partij,
    client: row.client,
    trajectIds: JSON.parse(row.trajectIds) as string[],
    berichttype: row.berichttype,
    berichtIds: JSON.parse(row.berichtIds) as string[],
    doel: row.doel,
    verwerkingsactiviteit: row.verwerkingsactiviteit,
    grondslag: row.grondslag,
    besluit: row.besluit,
    regel: row.regel,
    reden: row.reden,
    velden: JSON.parse(row.velden) as string[],
    status: row.status,
    beleidsversie: row.beleidsversie,
    vorigeHash: row.vorigeHash,
    hash: row.hash,
  };
}

/** Actions that disclose message content (for the overview's "gelezen" and for the right of access). */
export { LEES_ACTIES } from '../audit/scope.js';

/**
 * A logboek search as one SQL text that both adapters run (named `@` parameters; PostgreSQL's adapter
 * numbers them): the scan is driven from the most selective index, and only the filters asked for
 * are in the WHERE clause.
 */
export function logboekZoekSql(q: LogboekZoekvraag): string {
  const desc = q.volgorde === 'nieuwste-eerst';
  // Drive the scan from the most selective index: the trajectory, else the officer's scope, else the log (newest first, so a page stops early).
  let from: string;
  let idCol: string;
  const where: string[] = [];
  if (q.trajectId) {
    from = 'logboek_betrokkene x JOIN logboek l ON l.id = x.auditId';
    idCol = 'x.auditId';
    where.push('x.trajectId = @trajectId');
    if (q.scope !== null) where.push('EXISTS (SELECT 1 FROM logboek_scope s WHERE s.partij = @scope AND s.auditId = x.auditId)');
  } else if (q.scope !== null) {
    from = 'logboek_scope x JOIN logboek l ON l.id = x.auditId';
    idCol = 'x.auditId';
    where.push('x.partij = @scope');
  } else {
    from = 'logboek l';
    idCol = 'l.id';
  }
  where.push(desc ? `${idCol} < @voor` : `${idCol} > @na`);
  if (q.partij) where.push('l.partij = @partij');
  if (q.doel) where.push('l.doel = @doel');
  if (q.berichttype) where.push('l.berichttype = @berichttype');
  if (q.besluit) where.push('l.besluit = @besluit');
  if (q.actie) where.push('l.actie = @actie');
  if (q.weigering) where.push(`l.besluit = 'geweigerd' AND l.status ${q.weigering === 'invoer' ? '' : 'NOT '}IN (${INVOERFOUT_STATUSSEN.join(',')})`);
  if (q.vanaf) where.push('l.tijdstip >= @vanaf');
  if (q.tot) where.push('l.tijdstip < @tot');
  return `SELECT l.* FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${idCol} ${desc ? 'DESC' : 'ASC'} LIMIT @limit`;
}
