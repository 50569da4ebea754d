/**
 * The stored form of a logboek record, shared by both adapters: the array fields are JSON text in a
 * column, and a row read back becomes the `AuditRecord` that was sealed (same keys, same order of
 * values), so that re-hashing it gives the stored hash.
 */
import type { AuditRecord } from '../audit/record.js';

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
export const LEES_ACTIES = ['berichten-lezen', 'bericht-lezen'] as const;

