/**
 * Audit: owns the shape of a logboek record and its place in the hash chain. A record names who did
 * what, about which trajectory, for which doel on which legal basis, what was decided and which field
 * NAMES left the gateway — never a value. Each record's `hash` is SHA-256 over its canonical JSON
 * (RFC 8785) including `vorigeHash`, so each record commits to everything before it.
 *
 * Record versions: records written before issue 13 (version 1) have no `recordversie` and none of the
 * fields it introduced; they are hashed, stored and served exactly as they were, so an upgraded
 * database still verifies. Every record sealed now is version 2: `recordversie: 2` and ALL of its
 * fields are present — `starttijdstip`, `parentSpanId` (null when the caller sent no traceparent),
 * `gegevenscategorieen`, and a `verwerkingsactiviteit` that is never null. A version-2 record with a
 * field removed, or a version-1 record with one added, no longer hashes to its `hash`.
 */
import crypto from 'node:crypto';
import { canonicalize } from './canonical.js';
import { verwerkingsactiviteitVan } from './verwerkingsactiviteiten.js';

/** Every action the logboek records (the UI has a Dutch label for each). */
export const AUDIT_ACTIES = [
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
  // Issue 13: the signed consent receipts of a consent, retrieved again by its gemeente.
  'ontvangstbewijzen-lezen',
  // Issue 13: retention enforced by the gateway (scheduler or CLI), and erasure by the gemeente (docs/bewaring.md).
  'bewaartermijn-toepassen',
  'traject-wissen',
  // Issue 13: a quarter's aggregated figures (no data subjects), their CSV export, the CBS delivery per trajectory.
  'monitoring-lezen',
  'monitoring-exporteren',
  'cbs-levering-opstellen',
] as const;
export type AuditActie = (typeof AUDIT_ACTIES)[number];

/** The version of the records `seal` writes (see the file's head). */
export const RECORDVERSIE = 2;

/** What the pipeline knows about an attempt when it is recorded. */
export interface AuditInput {
  /** When the answer was decided (the end of the unit of work); its meaning since the first record. */
  tijdstip: string;
  /** When the request or unit of work began; absent: `tijdstip`. */
  starttijdstip?: string;
  traceId: string;
  /** The gateway's own span for this unit of work. */
  spanId: string;
  /** The caller's span, from its `traceparent` (W3C parent-id); null or absent when it sent none. */
  parentSpanId?: string | null;
  actie: AuditActie;
  partij: string | null;
  client: string | null;
  /** The data subjects concerned (Logboek Dataverwerkingen: betrokkene); never a BSN. */
  trajectIds: string[];
  berichttype: string | null;
  berichtIds: string[];
  doel: string | null;
  /**
   * In: the doel's processing-activity URI when a doel is known, else null. In a sealed record: the
   * processing activity the record names (`verwerkingsactiviteiten.ts`), never null since version 2.
   */
  verwerkingsactiviteit: string | null;
  grondslag: string | null;
  besluit: 'toegestaan' | 'geweigerd';
  regel: string | null;
  reden: string;
  /** JSON pointers of the disclosed or stored fields; names only. */
  velden: string[];
  /** The data categories (gegevenscategorieen.json) those fields belong to; absent: none. */
  gegevenscategorieen?: string[];
  /** HTTP status of the answer. */
  status: number;
  beleidsversie: string;
}

export interface AuditRecord extends AuditInput {
  id: number;
  /** 2 for every record sealed since issue 13; absent on version-1 records (see the file's head). */
  recordversie?: typeof RECORDVERSIE;
  vorigeHash: string;
  hash: string;
}

/** The `vorigeHash` of the very first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Compute the hash of a record from all its fields but `hash`. */
export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  return crypto.createHash('sha256').update(canonicalize(record)).digest('hex');
}

/**
 * Seal an input as the next link after `previous`: the one place every record is built. It names the
 * processing activity (from the action and the doel), completes the version-2 fields and hashes.
 */
export function seal(input: AuditInput, id: number, vorigeHash: string): AuditRecord {
  const starttijdstip = input.starttijdstip !== undefined && input.starttijdstip < input.tijdstip ? input.starttijdstip : input.tijdstip;
  const unsealed: Omit<AuditRecord, 'hash'> = {
    id, recordversie: RECORDVERSIE, starttijdstip, tijdstip: input.tijdstip, traceId: input.traceId, spanId: input.spanId,
    parentSpanId: input.parentSpanId ?? null, actie: input.actie, partij: input.partij, client: input.client,
    trajectIds: input.trajectIds, berichttype: input.berichttype, berichtIds: input.berichtIds, doel: input.doel,
    verwerkingsactiviteit: verwerkingsactiviteitVan(input.actie, input.verwerkingsactiviteit), grondslag: input.grondslag,
    besluit: input.besluit, regel: input.regel, reden: input.reden, velden: input.velden,
    gegevenscategorieen: [...new Set(input.gegevenscategorieen ?? [])].sort(), status: input.status, beleidsversie: input.beleidsversie, vorigeHash,
  };
  return { ...unsealed, hash: hashRecord(unsealed) };
}
