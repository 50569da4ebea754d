/**
 * The logboek's scope rule, written once: which parties' privacy officers may see a record. They are
 * the ACTING party, the gemeente OWNING each trajectory of the record, and the SENDER of each message
 * of the record with the gemeente owning that message's trajectory — whoever the caller was, so a
 * refused attempt on a message is visible to the officers of the parties it concerns. It is decided when the record is written (a trajectory could change hands later; the
 * record keeps who was responsible then). The SQLite adapter looks the facts up and stores this
 * function's result; the PostgreSQL adapter evaluates the same union over the same facts inside the
 * record's INSERT (no round trip under the head lock; see `postgres.ts`). The storage contract checks
 * both against the same expectations.
 *
 * A `berichtId` is unique per sender, not globally: a message of a record is one with that id on one
 * of the record's trajectories (on any trajectory when the record names none, e.g. a refused read by
 * id); if two senders used the same id there, both see it.
 */
import type { AuditRecord } from './record.js';

/** The facts the rule needs, looked up by the adapter inside the appending transaction (in one go). */
export interface ScopeFeiten {
  /**
   * The messages of the record: those with one of `berichtIds` on one of `trajectIds` (on any
   * trajectory when `trajectIds` is empty). Returns the gemeente of each existing trajectory among
   * `trajectIds` and of each such message's trajectory, and the senders of those messages.
   */
  (trajectIds: readonly string[], berichtIds: readonly string[]): Promise<{ gemeenten: string[]; afzenders: string[] }>;
}

/** The parties in whose scope `record` falls, without duplicates, sorted. */
export async function logboekScope(record: Pick<AuditRecord, 'partij' | 'trajectIds' | 'berichtIds'>, feiten: ScopeFeiten): Promise<string[]> {
  const partijen = new Set<string>();
  if (record.partij !== null) partijen.add(record.partij);
  if (record.trajectIds.length || record.berichtIds.length) {
    const { gemeenten, afzenders } = await feiten(record.trajectIds, record.berichtIds);
    for (const g of gemeenten) partijen.add(g);
    for (const a of afzenders) partijen.add(a);
  }
  return [...partijen].sort();
}

/** Actions that disclose message content (the overview's "gelezen", and the right of access). */
export const LEES_ACTIES = ['berichten-lezen', 'bericht-lezen'] as const;

/**
 * Whether a record is a disclosure of message content to a party: an allowed read that named
 * messages. Such records are indexed per trajectory for the participant's access report (AVG art. 15),
 * with the type and sender of each message of the record's trajectories it names.
 */
export function isVerstrekking(record: Pick<AuditRecord, 'besluit' | 'partij' | 'actie' | 'berichtIds'>): boolean {
  return record.besluit === 'toegestaan' && record.partij !== null && (LEES_ACTIES as readonly string[]).includes(record.actie) && record.berichtIds.length > 0;
}
