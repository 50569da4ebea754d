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
 * The kinds of disclosure the right of access (AVG art. 15) lists, by the action that made them:
 * - `inhoud`: message content (a read of messages) — indexed once per disclosed message type and sender;
 * - `stand`: the trajectory's derived state (the list with summaries, the state page);
 * - `signaal`: signals (kind, dates, message ids, the kind's codes);
 * - `melding`: a notification delivered to a subscriber — metadata only ("a message of this type
 *   exists about this trajectory"), indexed when the receiver accepted it (2xx); failed attempts
 *   stay in the logboek only;
 * - `cbs-levering` (issue 13): the gemeente's quarterly delivery per trajectory for CBS (hours present
 *   and absent, route, regime, status).
 * The derived kinds are indexed once per trajectory of the record, with the pseudo message
 * type `stand`, `signaal`, `melding` or `cbs-levering` (no message schema is named so) and sender ''
 * (the gateway itself derived them from the messages). An aggregate (`monitoring-lezen`) names no
 * trajectory and is no disclosure about anyone.
 */
export type VerstrekkingSoort = 'inhoud' | 'stand' | 'signaal' | 'melding' | 'cbs-levering';

export const VERSTREKKING_ACTIES: Readonly<Record<string, VerstrekkingSoort>> = {
  'berichten-lezen': 'inhoud', 'bericht-lezen': 'inhoud',
  'trajecten-lezen': 'stand', 'stand-lezen': 'stand',
  'signalen-lezen': 'signaal', 'signaal-lezen': 'signaal',
  'melding-afleveren': 'melding',
  'cbs-levering-opstellen': 'cbs-levering',
};

/** The pseudo message types under which derived disclosures are indexed (audit/inzage.ts renders them). */
export const AFGELEIDE_TYPEN = ['stand', 'signaal', 'melding', 'cbs-levering'] as const;

/**
 * Which kind of disclosure to a party `record` is, or null when it discloses nothing: an allowed
 * action of a party (not the system) from `VERSTREKKING_ACTIES` that names messages (content) or
 * trajectories (derived kinds); a notification only when it was accepted.
 */
export function verstrekkingSoort(record: Pick<AuditRecord, 'besluit' | 'partij' | 'actie' | 'berichtIds' | 'trajectIds' | 'status'>): VerstrekkingSoort | null {
  if (record.besluit !== 'toegestaan' || record.partij === null) return null;
  const soort = Object.hasOwn(VERSTREKKING_ACTIES, record.actie) ? VERSTREKKING_ACTIES[record.actie]! : null;
  if (soort === null) return null;
  if (soort === 'inhoud') return record.berichtIds.length > 0 ? soort : null;
  if (soort === 'melding' && !(record.status >= 200 && record.status < 300)) return null;
  return record.trajectIds.length > 0 ? soort : null;
}

/** Whether a record is a disclosure to a party that the access report lists (any kind above). */
export function isVerstrekking(record: Pick<AuditRecord, 'besluit' | 'partij' | 'actie' | 'berichtIds' | 'trajectIds' | 'status'>): boolean {
  return verstrekkingSoort(record) !== null;
}
