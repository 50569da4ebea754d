/**
 * Store: owns persistence behind one interface. The rest of the gateway only sees `Store` and
 * `Tx`; the SQLite adapter (`sqlite.ts`) is the embedded default, the PostgreSQL adapter
 * (`postgres.ts`) serves several replicas on one database. Both pass one contract suite
 * (`test/store/contract.ts`). Every method of `Tx` returns a promise so that an adapter with a
 * network round trip fits the same shape. Design and reasons: docs/storage.md.
 *
 * The one rule: data and its audit record are written in the same `transaction()`. The promise of
 * `transaction()` resolves only after the commit is durable on disk. The chain head lives in the
 * database (`logboek_hoofd`), locked by the appending transaction, never in process memory.
 *
 * Reads (issue 14) decide and project in a `snapshot()`: one consistent view of committed data on a
 * reader connection of their own, outside the writer's batch; their audit record is then appended
 * with `transaction()` like any other, and the answer leaves after that commit.
 */
import type { AuditInput, AuditRecord } from '../audit/record.js';
import type { Doelgroep, Regime, Relatie, ToewijzingRol } from '../policy/types.js';
import type { SignaalTx } from './signaal-store.js';
import type { VersieTx } from './versie-store.js';
import type { KenmerkTx } from './kenmerk-store.js';
import type { BewaringTx } from './bewaring-store.js';
import type { MonitoringTx } from './monitoring-store.js';

export interface TrajectRow {
  trajectId: string;
  gemeente: string;
  leerroute: string;
  startdatum: string;
  aangemaaktOp: string;
  /** When its gemeente closed it (all assignments ended then), or null while open. */
  afgeslotenOp?: string | null;
  afsluitreden?: string | null;
  /** The legal regime (definities `Regime`); rows from before issue 12 migrated to `wi2021`. */
  regime?: Regime;
  /** The target group (definities `Doelgroep`); rows from before issue 12 migrated to `onbekend`. */
  doelgroep?: Doelgroep;
  /** The closing outcome for monitoring (api/afsluiting `uitkomst`), as JSON text, or null. */
  afsluituitkomst?: string | null;
}

/** A change of a trajectory by its gemeente (PATCH /v1/trajecten/{trajectId}); absent fields stay. */
export interface TrajectWijziging {
  leerroute?: string;
  regime?: Regime;
  doelgroep?: Doelgroep;
}

export interface ToewijzingRow {
  trajectId: string;
  partij: string;
  rol: ToewijzingRol;
  vanaf: string;
  tot: string | null;
  beeindigdOp: string | null;
}

/** A participant's consent as the gemeente recorded it; withdrawal keeps the row. */
export interface ToestemmingRow {
  toestemmingId: string;
  trajectId: string;
  /** The receiving party. */
  ontvanger: string;
  doel: string;
  gegevenscategorieen: string[];
  gegevenOp: string;
  /** Last valid day, YYYY-MM-DD inclusive. */
  geldigTot: string;
  ingetrokkenOp: string | null;
  bewijs: { vorm: string; kenmerk?: string } | null;
  /** The party (gemeente) that recorded it. */
  vastgelegdDoor: string;
  /** The policy version in force when it was recorded. */
  beleidsversie: string;
  /** The consent text the participant agreed to (issue 13); null for consents recorded before texts were versioned. */
  toestemmingstekst: ToestemmingstekstVersie | null;
}

/** Which consent text (`policies/toestemmingsteksten.json`) was agreed to, with the hash of its words. */
export interface ToestemmingstekstVersie {
  id: string;
  versie: string;
  taal: string;
  sha256: string;
}

/**
 * A signed consent receipt as issued (issue 13): a compact JWS over the receipt's canonical JSON,
 * signed with the logboek key `sleutel`. Written once, when the consent is given or withdrawn, and
 * handed out unchanged afterwards, so a later key rotation or register change never alters it.
 */
export interface OntvangstbewijsRow {
  ontvangstbewijsId: string;
  toestemmingId: string;
  gebeurtenis: 'gegeven' | 'ingetrokken';
  uitgegevenOp: string;
  /** The `kid` of the logboek key that signed it. */
  sleutel: string;
  jws: string;
}

export interface BerichtRow {
  volgnummer: number;
  berichtId: string;
  berichttype: string;
  /** The schema version (MAJOR.MINOR) the sender named. */
  schemaversie: string;
  trajectId: string;
  afzender: string;
  gebeurtenisTijdstip: string;
  ontvangenOp: string;
  /** The message content as JSON text. */
  inhoud: string;
  /** SHA-256 over the canonical envelope, to tell a replay from a conflicting reuse of `berichtId`. */
  inhoudHash: string;
  auditId: number;
  auditHash: string;
  /**
   * Issue 13: when the content was removed under a retention term or an erasure (docs/bewaring.md), or
   * null/absent while it is kept. The row then is a tombstone: `inhoud` is 'null' and `inhoudHash` ''.
   */
  verwijderdOp?: string | null;
  /** The rule it was removed under, as JSON text (`Verwijdering` in `bewaring/termijnen.ts`), or null. */
  verwijdering?: string | null;
}

export interface BerichtQuery {
  /** The caller's party: only trajectories it owns or is (actively) assigned to. */
  partij: string;
  /** `YYYY-MM-DD` of today, for assignment periods. */
  vandaag: string;
  berichttypen: readonly string[];
  trajectId?: string;
  /** Only messages received after this sequence number. */
  na: number;
  limit: number;
}

/** The outcome of a fast verification pass: clean, or "look closer". */
export interface SnelleControle {
  schoon: boolean;
  aantal: number;
  laatsteHash: string;
  /** The hash at each requested position (the checkpoints'). */
  hashesOp: Map<number, string>;
}

/** A signed checkpoint of the logboek: a JWS (ES256) over { aantal, laatsteHash, tijdstip }. */
export interface Controlepunt {
  id: number;
  /** How many records the chain had: the checkpoint covers records 1 … aantal. */
  aantal: number;
  /** The hash of record `aantal`. */
  laatsteHash: string;
  tijdstip: string;
  /** The `kid` of the signing key. */
  sleutel: string;
  jws: string;
}

/** The committed end of the chain. */
export interface LogboekHoofd {
  aantal: number;
  laatsteHash: string;
}

/** A logboek search. All filters are optional and combine with AND. */
export interface LogboekZoekvraag {
  /** Only records in this party's scope (it acted, owns a trajectory of, or supplied a message of the record); null: all. */
  scope: string | null;
  trajectId?: string;
  /** The acting party. */
  partij?: string;
  doel?: string;
  berichttype?: string;
  besluit?: 'toegestaan' | 'geweigerd';
  /** The action (`bericht-lezen`, …). */
  actie?: string;
  /** Only records whose fields lie in this data category (gegevenscategorieen.json id): the category index. */
  gegevenscategorie?: string;
  /** Refusals only: `beleid` (by policy or authentication) or `invoer` (the caller's own input error, see INVOERFOUT_STATUSSEN). */
  weigering?: 'beleid' | 'invoer';
  /** ISO instants (UTC, as stored): vanaf inclusive, tot exclusive. */
  vanaf?: string;
  tot?: string;
  /** Newest first: only ids below this. */
  voor?: number;
  /** Oldest first (for export): only ids above this. */
  na?: number;
  volgorde: 'nieuwste-eerst' | 'oudste-eerst';
  limit: number;
}

/**
 * One link of the chain as the verifier reads it. `kanoniek` is the canonical JSON (RFC 8785) of the
 * record without `hash`, as cheaply as the adapter can build it; when it does not hash to `hash` the
 * verifier recomputes from the full record before it calls the record bad.
 */
export interface KetenRij {
  id: number;
  vorigeHash: string;
  hash: string;
  kanoniek: string | Uint8Array;
  /** Set when the source already checked the hash (an export read line by line): `kanoniek` is then not used. */
  geldig?: boolean;
}

/** Reads and disclosures per day for the officer's overview; `dag` is a UTC date, or a UTC hour near midnight. */
export interface LogboekTelling {
  dag: string;
  partij: string | null;
  doel: string | null;
  actie: string;
  gelezen: number;
  /** Refused by policy or authentication. */
  geweigerd: number;
  /** Refused for the caller's own input error (malformed, conflicting, too large). */
  invoerfouten: number;
}

/** Statuses of a refusal for the caller's own input (not a policy decision): bad input, conflict, too large, wrong media type, header overflow. */
export const INVOERFOUT_STATUSSEN = [400, 409, 413, 415, 431] as const;

/** One disclosure of a trajectory's messages (for the participant's right of access). */
export interface Verstrekking {
  auditId: number;
  tijdstip: string;
  partij: string;
  doel: string | null;
  grondslag: string | null;
  berichttype: string;
  /** The party that sent the disclosed messages (where the data came from). */
  afzender: string;
  /** The record's disclosed fields (JSON pointers under /inhoud, of all its types). */
  velden: string[];
}

/** Read access to the logboek, outside the write path (a search never waits for a group commit). */
export interface LogboekReader {
  zoeken(q: LogboekZoekvraag): Promise<AuditRecord[]>;
  /** One record if it is in `scope` (null: any), with the stored hash of its predecessor (GENESIS for the first, null if missing). */
  record(id: number, scope: string | null): Promise<{ record: AuditRecord; vorigeRecordHash: string | null } | undefined>;
  /** One record regardless of scope, for the verifier's slow path. */
  recordOpId(id: number): Promise<AuditRecord | undefined>;
  /** Links of the chain with id > `na`, ascending, at most `limit`. */
  keten(na: number, limit: number): Promise<KetenRij[]>;
  hoofd(): Promise<LogboekHoofd>;
  /** Optional fast pass over records 1 … tot (in parallel); `schoon: false` sends the verifier to the exact walk. */
  snelleControle?(tot: number, posities: number[]): Promise<SnelleControle>;
  tellingen(q: { scope: string | null; vanaf?: string; tot?: string }): Promise<LogboekTelling[]>;
  /** A page of a trajectory's disclosures, oldest first, after audit record `na`: cost linear in the page. */
  verstrekkingen(trajectId: string, pagina: { na: number; limit: number }): Promise<Verstrekking[]>;
  controlepunten(): Promise<Controlepunt[]>;
  laatsteControlepunt(): Promise<Controlepunt | undefined>;
  /** The public JWKs stored beside the checkpoints (kid → JWK). */
  sleutels(): Promise<Array<{ kid: string; jwk: string }>>;
}

/** The message, consent and logboek part below; the state, signals and subscriptions in `SignaalTx` (signaal-store.ts); retention in `BewaringTx` (bewaring-store.ts); the monitoring facts in `MonitoringTx` (monitoring-store.ts). */
export interface Tx extends SignaalTx, VersieTx, KenmerkTx, BewaringTx, MonitoringTx {
  insertTraject(traject: TrajectRow, toewijzingen: ToewijzingRow[]): Promise<void>;
  traject(trajectId: string): Promise<TrajectRow | undefined>;
  toewijzingen(trajectId: string): Promise<ToewijzingRow[]>;
  /** How `partij` stands to the trajectory today; undefined when the trajectory does not exist. */
  relatie(trajectId: string, partij: string, vandaag: string): Promise<Relatie | undefined>;
  /** Add one assignment period. */
  insertToewijzing(row: ToewijzingRow): Promise<void>;
  /** End (set `beeindigdOp`) the not-yet-ended assignments of a party (all parties when null), optionally one part only; returns how many. */
  beeindigToewijzingen(trajectId: string, partij: string | null, rol: ToewijzingRol | null, tijdstip: string): Promise<number>;
  /** Mark a trajectory closed. */
  sluitTraject(trajectId: string, tijdstip: string, reden: string): Promise<void>;
  /** Issue 12: change route, regime or target group (only the fields given). */
  wijzigTraject(trajectId: string, wijziging: TrajectWijziging): Promise<void>;
  /** Issue 12: record the closing outcome (JSON text of api/afsluiting `uitkomst`). */
  legAfsluituitkomstVast(trajectId: string, uitkomst: string): Promise<void>;
  insertToestemming(row: ToestemmingRow): Promise<void>;
  /** Consent records of a trajectory, oldest first; with a filter only those for one recipient and doel. */
  toestemmingen(trajectId: string, filter?: { ontvanger: string; doel: string }): Promise<ToestemmingRow[]>;
  toestemming(trajectId: string, toestemmingId: string): Promise<ToestemmingRow | undefined>;
  /** Record the withdrawal moment (the row stays); false when it was already withdrawn (also by a concurrent request). */
  trekToestemmingIn(toestemmingId: string, tijdstip: string): Promise<boolean>;
  /** Store a signed consent receipt; one per consent and event (a second is refused). */
  insertOntvangstbewijs(row: OntvangstbewijsRow): Promise<void>;
  /** The signed receipts of a trajectory's consents (of one consent when given), oldest first. */
  ontvangstbewijzen(trajectId: string, toestemmingId?: string): Promise<OntvangstbewijsRow[]>;
  /** The message `berichtId` of sender `afzender` (idempotency key: sender + berichtId). */
  bericht(afzender: string, berichtId: string): Promise<BerichtRow | undefined>;
  /** Every message with this id, of any sender, oldest first (a reader picks the one it may read). */
  berichtenMetId(berichtId: string): Promise<BerichtRow[]>;
  insertBericht(row: Omit<BerichtRow, 'volgnummer'>): Promise<number>;
  berichten(query: BerichtQuery): Promise<BerichtRow[]>;
  /** The latest `plaatsing` message from `afzender` on the trajectory about its placement `plaatsingId`. */
  vorigePlaatsing(trajectId: string, afzender: string, plaatsingId: string): Promise<BerichtRow | undefined>;
  /** The next audit id, so a receipt can name its record before the record is appended (read under the head lock). */
  nextAuditId(): Promise<number>;
  /** Append a record to the chain: sealed by `audit/record.ts` after the locked head, scoped by `audit/scope.ts`. */
  appendAudit(input: AuditInput): Promise<AuditRecord>;
  /** The chain head as this transaction sees it (under the head lock). */
  logboekHoofd(): Promise<LogboekHoofd>;
  /** The newest stored checkpoint, as this transaction sees it. */
  laatsteControlepunt(): Promise<Controlepunt | undefined>;
  /**
   * Try to become the one writer of checkpoints for the rest of this transaction (PostgreSQL:
   * `pg_try_advisory_xact_lock`; SQLite: the writer lock already is). False: another replica is writing one.
   */
  controlepuntLease(): Promise<boolean>;
  /** Store a signed checkpoint (durable with the commit); one per `aantal` (a second one for the same position is refused). */
  insertControlepunt(c: Omit<Controlepunt, 'id'>): Promise<number>;
  /** Store public checkpoint keys (kept forever; existing kids are left as they are). */
  bewaarSleutels(keys: Array<{ kid: string; jwk: string; aangemaaktOp: string }>): Promise<void>;
}

/**
 * What a read may ask inside a snapshot: lookups only. Every call sees the same committed state (the
 * snapshot is taken at its first statement), so a withdrawal or an ended assignment that committed
 * before the read began counts for all of it.
 */
export type LeesTx = Pick<Tx,
  | 'traject' | 'toewijzingen' | 'relatie' | 'toestemmingen' | 'toestemming' | 'bericht' | 'berichtenMetId' | 'berichten'
  | 'berichtVersies' | 'vervallenBerichten' | 'trajectstand' | 'openSignalen' | 'signaal' | 'signalen' | 'trajecten'
  // Issue 13: a quarter's monitoring facts (a read of seconds on a large gemeente must not hold the writer).
  | 'monitoringTrajecten' | 'monitoringAanwezigheid' | 'monitoringEersteDeelname' | 'monitoringNiveaus' | 'monitoringKnelpunten'
  | 'monitoringExamens' | 'monitoringPlaatsingen' | 'monitoringToewijzingen' | 'monitoringGemeldeWeken'>;

export interface Store {
  /**
   * Run `work` in a transaction; resolves after a durable commit. A throw rolls back `work` only.
   * `priority`: small work that must not wait behind the queued writes (a read's audit record, issue
   * 14) goes ahead of them into the next batch.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>, options?: { priority?: boolean }): Promise<T>;
  /**
   * Run `work` in ONE consistent snapshot of committed data on a reader connection (SQLite: a read
   * transaction on a WAL reader; PostgreSQL: a REPEATABLE READ, READ ONLY transaction on the reader
   * pool) — never inside the writer's batch, so it waits for no write and holds no lock. Nothing is
   * written: the caller appends the read's audit record with `transaction()` afterwards.
   */
  snapshot<T>(work: (tx: LeesTx) => Promise<T>): Promise<T>;
  /** Whether the database takes writes (for /health/ready). */
  writable(): Promise<boolean>;
  /** Searching, counting and verifying the logboek, on committed data. */
  readonly logboek: LogboekReader;
  /** Short-lived state shared by all replicas, outside the group commit (see `SharedState`). */
  readonly shared: SharedState;
  /** Called after every commit of THIS instance that appended audit records, with the new committed head. */
  onAuditCommit(listener: (hoofd: LogboekHoofd) => void): void;
  /** Finish pending commits and close. */
  close(): Promise<void>;
}

/** Short-lived state shared by all replicas (sessions, provider grants, replay markers, counters); rows expire. */
export interface SharedState {
  get(kind: string, key: string): Promise<unknown | undefined>;   // undefined when absent or expired
  /** Insert or replace; `expiresAt` epoch ms; optional secondary lookups for oidc-provider (uid, userCode, grantId). */
  put(kind: string, key: string, value: unknown, expiresAt: number, index?: { uid?: string; userCode?: string; grantId?: string }): Promise<void>;
  /** Insert only if absent or expired; true when inserted (replay protection, one-time use). */
  putIfAbsent(kind: string, key: string, value: unknown, expiresAt: number): Promise<boolean>;
  findBy(kind: string, field: 'uid' | 'userCode', value: string): Promise<unknown | undefined>;
  delete(kind: string, key: string): Promise<void>;
  deleteByGrant(grantId: string): Promise<void>;
  /** Add `by` (default 1) to a counter in the fixed window starting at `windowStart` (epoch ms) and return the new count. */
  increment(key: string, windowStart: number, expiresAt: number, by?: number): Promise<number>;
  /** The count of that counter in that window without adding to it (0 when absent or expired). */
  count(key: string, windowStart: number): Promise<number>;
  /** Delete expired rows (called now and then). */
  sweep(now: number): Promise<number>;
}

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** A logboek read was abandoned after its time bound (`LEZER_TIMEOUT`), or refused while abandoned ones still run (`LEZER_BEZET`). */
export class LogboekBezetError extends Error {
  override name = 'LogboekBezetError';
  constructor(message: string, readonly code: 'LEZER_TIMEOUT' | 'LEZER_BEZET') {
    super(message);
  }
}
