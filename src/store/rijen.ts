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

export type AuditRow = Omit<AuditRecord, 'berichtIds' | 'velden' | 'trajectIds' | 'gegevenscategorieen' | 'recordversie' | 'starttijdstip' | 'parentSpanId'> & {
  berichtIds: string; velden: string; trajectIds: string;
  /** NULL on version-1 rows, as are the three after it. */
  recordversie: number | null; starttijdstip: string | null; parentSpanId: string | null; gegevenscategorieen: string | null;
};

/** A sealed record → the stored columns (the array fields as JSON text; a version-1 record's new columns NULL). */
export function auditRij(record: AuditRecord): Record<string, unknown> {
  return {
    ...record, trajectIds: JSON.stringify(record.trajectIds), berichtIds: JSON.stringify(record.berichtIds), velden: JSON.stringify(record.velden),
    recordversie: record.recordversie ?? null, starttijdstip: record.starttijdstip ?? null, parentSpanId: record.parentSpanId ?? null,
    gegevenscategorieen: record.gegevenscategorieen ? JSON.stringify(record.gegevenscategorieen) : null,
  };
}

/**
 * A stored row → the record that was sealed: a version-1 row (no `recordversie`) without the fields of
 * version 2, a version-2 row with all of them, so that re-hashing it gives the stored hash.
 */
export function toAuditRecord(row: AuditRow): AuditRecord {
  const v2 = row.recordversie === null || row.recordversie === undefined ? {} : {
    recordversie: row.recordversie as 2,
    starttijdstip: row.starttijdstip as string,
    parentSpanId: row.parentSpanId,
    gegevenscategorieen: row.gegevenscategorieen === null ? (null as unknown as string[]) : (JSON.parse(row.gegevenscategorieen) as string[]),
  };
  return {
    ...v2,
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
const CATEGORIE_FROM = 'logboek_categorie x JOIN logboek l ON l.id = x.auditId';

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
  } else if (q.gegevenscategorie && q.scope !== null) {
    // "Who read this category": the category index is kept per party of a record's scope, so an officer's
    // search is one range scan of (partij, categorie, auditId) — the scope is implied — however rare the category.
    from = CATEGORIE_FROM;
    idCol = 'x.auditId';
    where.push('x.partij = @scope', 'x.categorie = @gegevenscategorie');
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
  // Otherwise a probe: with a scope the primary key (partij, categorie, auditId), without one the index (categorie, auditId).
  if (q.gegevenscategorie && from !== CATEGORIE_FROM) {
    where.push(q.scope !== null
      ? 'EXISTS (SELECT 1 FROM logboek_categorie c WHERE c.partij = @scope AND c.categorie = @gegevenscategorie AND c.auditId = l.id)'
      : 'EXISTS (SELECT 1 FROM logboek_categorie c WHERE c.categorie = @gegevenscategorie AND c.auditId = l.id)');
  }
  if (q.weigering) where.push(`l.besluit = 'geweigerd' AND l.status ${q.weigering === 'invoer' ? '' : 'NOT '}IN (${INVOERFOUT_STATUSSEN.join(',')})`);
  if (q.vanaf) where.push('l.tijdstip >= @vanaf');
  if (q.tot) where.push('l.tijdstip < @tot');
  return `SELECT l.* FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${idCol} ${desc ? 'DESC' : 'ASC'} LIMIT @limit`;
}
