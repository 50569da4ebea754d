/**
 * Stored forms shared by both adapters. A logboek record: the array fields are JSON text in a column,
 * and a row read back becomes the `AuditRecord` that was sealed (same keys, same order of values), so
 * that re-hashing it gives the stored hash. A consent: its categories and proof as JSON text.
 */
import type { AuditRecord } from '../audit/record.js';
import type { ToestemmingRow } from './store.js';

export type ToestemmingDbRow = Omit<ToestemmingRow, 'gegevenscategorieen' | 'bewijs'> & { gegevenscategorieen: string; bewijs: string | null };

/** A consent row as stored → as the gateway uses it (columns other than the interface's are dropped). */
export function toToestemming(row: ToestemmingDbRow): ToestemmingRow {
  return {
    toestemmingId: row.toestemmingId, trajectId: row.trajectId, ontvanger: row.ontvanger, doel: row.doel,
    gegevenscategorieen: JSON.parse(row.gegevenscategorieen) as string[], gegevenOp: row.gegevenOp, geldigTot: row.geldigTot,
    ingetrokkenOp: row.ingetrokkenOp, bewijs: row.bewijs === null ? null : JSON.parse(row.bewijs), vastgelegdDoor: row.vastgelegdDoor, beleidsversie: row.beleidsversie,
  };
}

/** A consent as the gateway uses it → the stored columns. */
export function fromToestemming(row: ToestemmingRow): ToestemmingDbRow {
  return { ...row, gegevenscategorieen: JSON.stringify(row.gegevenscategorieen), bewijs: row.bewijs === null ? null : JSON.stringify(row.bewijs) };
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

