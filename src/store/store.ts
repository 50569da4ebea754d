/**
 * Store: owns persistence behind one interface. The rest of the gateway only sees `Store` and
 * `Tx`; the SQLite adapter (`sqlite.ts`) is the embedded default, and a PostgreSQL adapter can sit
 * beside it implementing the same two interfaces. Every method of `Tx` returns a promise so that an
 * adapter with a network round trip fits the same shape.
 *
 * The one rule: data and its audit record are written in the same `transaction()`. The promise of
 * `transaction()` resolves only after the commit is durable on disk.
 */
import type { AuditInput, AuditRecord } from '../audit/record.js';
import type { Relatie, ToewijzingRol } from '../policy/types.js';

export interface TrajectRow {
  trajectId: string;
  gemeente: string;
  leerroute: string;
  startdatum: string;
  aangemaaktOp: string;
}

export interface ToewijzingRow {
  trajectId: string;
  partij: string;
  rol: ToewijzingRol;
  vanaf: string;
  tot: string | null;
  beeindigdOp: string | null;
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

export interface Tx {
  insertTraject(traject: TrajectRow, toewijzingen: ToewijzingRow[]): Promise<void>;
  traject(trajectId: string): Promise<TrajectRow | undefined>;
  toewijzingen(trajectId: string): Promise<ToewijzingRow[]>;
  /** How `partij` stands to the trajectory today; undefined when the trajectory does not exist. */
  relatie(trajectId: string, partij: string, vandaag: string): Promise<Relatie | undefined>;
  bericht(berichtId: string): Promise<BerichtRow | undefined>;
  insertBericht(row: Omit<BerichtRow, 'volgnummer'>): Promise<number>;
  berichten(query: BerichtQuery): Promise<BerichtRow[]>;
  /** The latest `plaatsing` message from `afzender` on the trajectory about its placement `plaatsingId`. */
  vorigePlaatsing(trajectId: string, afzender: string, plaatsingId: string): Promise<BerichtRow | undefined>;
  /** The next audit id, so a receipt can name its record before the record is appended. */
  nextAuditId(): Promise<number>;
  /** Append a record to the chain (computes `vorigeHash`, `hash`). */
  appendAudit(input: AuditInput): Promise<AuditRecord>;
}

export interface Store {
  /** Run `work` in a transaction; resolves after a durable commit. A throw rolls back `work` only. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Whether the database takes writes (for /health/ready). */
  writable(): Promise<boolean>;
  /** Read the whole audit log in chain order (for verification and tests). */
  auditRecords(after?: number, limit?: number): Promise<AuditRecord[]>;
  /** Finish pending commits and close. */
  close(): Promise<void>;
}

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}
