/**
 * The logboek's scope rule, written once: which parties' privacy officers may see a record. They are
 * the ACTING party, the gemeente OWNING each trajectory of the record, and the SENDER of each message
 * of the record. It is decided when the record is written (a trajectory could change hands later; the
 * record keeps who was responsible then). The adapters only look the facts up and store the result.
 *
 * A `berichtId` is unique per sender, not globally: a message of a record is one with that id on one
 * of the record's trajectories; if two senders used the same id on the same trajectory, both see it.
 */
import type { AuditRecord } from './record.js';

/** The facts the rule needs, looked up by the adapter inside the appending transaction (in one go). */
export interface ScopeFeiten {
  /**
   * The gemeente of each existing trajectory among `trajectIds`, and the senders of the messages with
   * one of `berichtIds` on one of `trajectIds`.
   */
  (trajectIds: readonly string[], berichtIds: readonly string[]): Promise<{ gemeenten: string[]; afzenders: string[] }>;
}

/** The parties in whose scope `record` falls, without duplicates, sorted. */
export async function logboekScope(record: Pick<AuditRecord, 'partij' | 'trajectIds' | 'berichtIds'>, feiten: ScopeFeiten): Promise<string[]> {
  const partijen = new Set<string>();
  if (record.partij !== null) partijen.add(record.partij);
  if (record.trajectIds.length) {
    const { gemeenten, afzenders } = await feiten(record.trajectIds, record.berichtIds);
    for (const g of gemeenten) partijen.add(g);
    for (const a of afzenders) partijen.add(a);
  }
  return [...partijen].sort();
}
