/**
 * Audit: owns the shape of a logboek record and its place in the hash chain. A record names who did
 * what, about which trajectory, for which doel on which legal basis, what was decided and which field
 * NAMES left the gateway — never a value. Each record's `hash` is SHA-256 over its canonical JSON
 * (RFC 8785) including `vorigeHash`, so each record commits to everything before it.
 */
import crypto from 'node:crypto';
import { canonicalize } from './canonical.js';

/** Every action the logboek records (the UI has a Dutch label for each). */
export const AUDIT_ACTIES = [
  'authenticeren',
  'traject-openen',
  'traject-lezen',
  'bericht-publiceren',
  'berichten-lezen',
  'bericht-lezen',
  'toewijzing-toevoegen',
  'toewijzing-beeindigen',
  'traject-afsluiten',
  'toestemming-vastleggen',
  'toestemming-intrekken',
  'toestemmingen-lezen',
  'beleid-toetsen',
  // The logboek's own reads are records too (issue 6): who looked at the log, exported or verified it.
  'logboek-lezen',
  'logboek-exporteren',
  'logboek-verifieren',
  'inzage-opstellen',
  // A request to a path under a trajectory that matches no route (probing), or refused before routing (431).
  'traject-verkennen',
  'verzoek-weigeren',
  // Issue 10: the trajectory list and state, the signals, subscriptions and their deliveries.
  'trajecten-lezen',
  'stand-lezen',
  'signalen-lezen',
  'signaal-afhandelen',
  'signaal-lezen',
  'abonnement-aanmaken',
  'abonnementen-lezen',
  'abonnement-verwijderen',
  'abonnement-hervatten',
  'afleveringen-lezen',
  'melding-afleveren',
  // Issue 11: the sender withdraws a message sent in error.
  'bericht-intrekken',
  // Issue 11: a provider's assignments and its own references.
  'toewijzingen-lezen',
  'kenmerk-vastleggen',
  'kenmerk-verwijderen',
  'bundel-aanleveren',
  // Issue 12: the gemeente changes route, regime or target group of a trajectory.
  'traject-wijzigen',
  // Issue 13: a quarter's aggregated figures (no data subjects), their CSV export, the CBS delivery per trajectory.
  'monitoring-lezen',
  'monitoring-exporteren',
  'cbs-levering-opstellen',
] as const;
export type AuditActie = (typeof AUDIT_ACTIES)[number];

/** What the pipeline knows about an attempt when it is recorded. */
export interface AuditInput {
  tijdstip: string;
  traceId: string;
  spanId: string;
  actie: AuditActie;
  partij: string | null;
  client: string | null;
  /** The data subjects concerned (Logboek Dataverwerkingen: betrokkene); never a BSN. */
  trajectIds: string[];
  berichttype: string | null;
  berichtIds: string[];
  doel: string | null;
  /** The doel's processing-activity URI (Logboek Dataverwerkingen: processing activity id). */
  verwerkingsactiviteit: string | null;
  grondslag: string | null;
  besluit: 'toegestaan' | 'geweigerd';
  regel: string | null;
  reden: string;
  /** JSON pointers of the disclosed or stored fields; names only. */
  velden: string[];
  /** HTTP status of the answer. */
  status: number;
  beleidsversie: string;
}

export interface AuditRecord extends AuditInput {
  id: number;
  vorigeHash: string;
  hash: string;
}

/** The `vorigeHash` of the very first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Compute the hash of a record from all its fields but `hash`. */
export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  return crypto.createHash('sha256').update(canonicalize(record)).digest('hex');
}

/** Seal an input as the next link after `previous`. */
export function seal(input: AuditInput, id: number, vorigeHash: string): AuditRecord {
  const unsealed = { ...input, id, vorigeHash };
  return { ...unsealed, hash: hashRecord(unsealed) };
}
