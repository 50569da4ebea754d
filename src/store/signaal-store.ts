/**
 * The storage side of issue 10 (signals, the trajectory state, subscriptions): the rows and the `Tx`
 * methods both adapters add for them, kept out of `store.ts` so that the message and logboek part of
 * the interface stays as it is. `Tx` extends `SignaalTx`; the contract suite (`test/store/contract.ts`)
 * proves the same behaviour on SQLite and PostgreSQL.
 *
 * Guarantees every adapter gives:
 * - `trajectstand`: one JSON state per trajectory; read with `voorBijwerken` inside the publish
 *   transaction it is locked (`FOR UPDATE` on PostgreSQL; SQLite's single writer already serialises).
 * - `signalen`: the database itself refuses a second OPEN signal of one kind on one trajectory (and
 *   provider) — a unique partial index on `(trajectId, soort, coalesce(aanbieder, ''))` where open.
 * - `signalen()` pages newest first by `volgorde`, which only grows: a cursor never skips a signal.
 * - `lease(naam)`: one holder per name for the rest of the transaction across replicas
 *   (`pg_try_advisory_xact_lock`); always true on SQLite, whose transaction is the file's one writer.
 */
import type { Signaal } from '../signalen/types.js';
import type { TrajectRow } from './store.js';

/** The stored state of one trajectory (`src/stand`), as JSON text with its shape version. */
export interface TrajectstandRow {
  trajectId: string;
  /** `JSON.stringify(stand)`. */
  stand: string;
  versie: number;
  bijgewerktOp: string;
}

/** A signal as stored, with its paging key and the trajectory's gemeente. */
export interface SignaalRij extends Signaal {
  /** Grows with every new signal; newest first pages walk it downwards. */
  volgorde: number;
  gemeente: string;
}

export interface SignaalQuery {
  /** The owning gemeente: signals on its trajectories only. */
  gemeente: string;
  status?: Signaal['status'];
  /** Only these kinds (the kinds the reader may read). */
  soorten: readonly string[];
  /** Only signals with `volgorde` below this (newest first); null: from the newest. */
  voor: number | null;
  limit: number;
}

export interface TrajectQuery {
  /** The caller's party: trajectories it owns or is actively assigned to on `vandaag`. */
  partij: string;
  vandaag: string;
  status?: 'lopend' | 'afgesloten';
  /** Only trajectIds after this one (byte order); '' from the start. */
  na: string;
  limit: number;
}

/** A trajectory with its stored state (null before its first message). */
export interface TrajectOverzichtRij extends TrajectRow {
  stand: string | null;
}

/** One step of an employee on the pages of a party (the user audit trail), linked to the logboek by `traceId`. */
export interface GebruikersspoorRow {
  traceId: string;
  partij: string;
  medewerker: string;
  actie: string;
  tijdstip: string;
}

export interface SignaalTx extends AbonnementTx {
  /** Add a step to the user audit trail (in the transaction of the logboek record it belongs to). */
  insertGebruikersspoor(row: GebruikersspoorRow): Promise<void>;
  /** The steps with this trace id, of this party only. */
  gebruikersspoor(partij: string, traceId: string): Promise<GebruikersspoorRow[]>;
  /** The stored state; with `voorBijwerken` the row is locked for the rest of the transaction (PostgreSQL `FOR UPDATE`). */
  trajectstand(trajectId: string, voorBijwerken?: boolean): Promise<TrajectstandRow | undefined>;
  /** Insert or replace the state of a trajectory. */
  bewaarTrajectstand(row: TrajectstandRow): Promise<void>;
  /** The open signals of these trajectories, oldest first. */
  openSignalen(trajectIds: readonly string[]): Promise<Signaal[]>;
  /** One signal with its trajectory's gemeente. */
  signaal(signaalId: string): Promise<SignaalRij | undefined>;
  /** Insert a new signal or update the stored one with the same id; a second open one of a kind is refused by the database. */
  bewaarSignaal(signaal: Signaal): Promise<void>;
  /** A gemeente's signals, newest first. */
  signalen(q: SignaalQuery): Promise<SignaalRij[]>;
  /** The trajectories a party owns or is actively assigned to, by trajectId, with their stored state. */
  trajecten(q: TrajectQuery): Promise<TrajectOverzichtRij[]>;
  /**
   * For the scheduler: open trajectories (by trajectId, after `na`) with a not-ended assignment of one of
   * `rollen` that lasts until at least `vanaf`, or with an open signal of one of `soorten`.
   */
  trajectenVoorPlanner(q: { rollen: readonly string[]; soorten: readonly string[]; vanaf: string; na: string; limit: number }): Promise<string[]>;
  /** Try to be the one holder of `naam` for the rest of this transaction (across replicas). */
  lease(naam: string): Promise<boolean>;
}

/** Stored columns of a signal (JSON as text). */
export interface SignaalDbRij {
  volgorde: number;
  signaalId: string;
  trajectId: string;
  soort: string;
  aanbieder: string | null;
  status: string;
  geopendOp: string;
  bijgewerktOp: string;
  berichtIds: string;
  codes: string;
  afgehandeldOp: string | null;
  uitkomst: string | null;
  gemeente?: string;
}

export function toSignaal(r: SignaalDbRij): Signaal {
  return {
    signaalId: r.signaalId, soort: r.soort as Signaal['soort'], trajectId: r.trajectId, aanbieder: r.aanbieder, status: r.status as Signaal['status'],
    geopendOp: r.geopendOp, bijgewerktOp: r.bijgewerktOp, berichtIds: JSON.parse(r.berichtIds) as string[], codes: JSON.parse(r.codes) as Signaal['codes'],
    afgehandeldOp: r.afgehandeldOp, uitkomst: r.uitkomst as Signaal['uitkomst'],
  };
}

export function toSignaalRij(r: SignaalDbRij): SignaalRij {
  return { ...toSignaal(r), volgorde: r.volgorde, gemeente: r.gemeente ?? '' };
}

export function fromSignaal(s: Signaal): Omit<SignaalDbRij, 'volgorde'> {
  return {
    signaalId: s.signaalId, trajectId: s.trajectId, soort: s.soort, aanbieder: s.aanbieder, status: s.status, geopendOp: s.geopendOp,
    bijgewerktOp: s.bijgewerktOp, berichtIds: JSON.stringify(s.berichtIds), codes: JSON.stringify(s.codes), afgehandeldOp: s.afgehandeldOp, uitkomst: s.uitkomst,
  };
}

/** PostgreSQL folds unquoted names to lower case: the names of these tables' columns, back in camelCase. */
const NAMEN = ['signaalId', 'trajectId', 'geopendOp', 'bijgewerktOp', 'berichtIds', 'afgehandeldOp', 'aangemaaktOp', 'afgeslotenOp', 'afsluitreden',
  'abonnementId', 'gewijzigdOp', 'eventId', 'volgendePogingOp', 'afgeleverdOp', 'duurMs', 'traceId'];
const NAAR_CAMEL = new Map(NAMEN.map((n) => [n.toLowerCase(), n]));
export function camelRij<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const k in row) out[NAAR_CAMEL.get(k) ?? k] = row[k];
  return out as T;
}

/** A party's webhook subscription (`POST /v1/abonnementen`). */
export interface AbonnementRow {
  abonnementId: string;
  partij: string;
  url: string;
  /** The Standard Webhooks secret (`whsec_…`): needed to sign, so it is kept, and shown to the party once. */
  geheim: string;
  soorten: Array<'bericht' | 'signaal'>;
  /** Only these message types (null: all the party may read). */
  berichttypen: string[] | null;
  status: 'actief' | 'gepauzeerd' | 'verwijderd';
  aangemaaktOp: string;
  /** When it was last paused, resumed or removed. */
  gewijzigdOp: string;
}

/** One event in the outbox of one subscription, delivered in `volgnummer` order. */
export interface UitgaandRow {
  volgnummer: number;
  abonnementId: string;
  eventId: string;
  /** The serialised CloudEvent (content-free). */
  event: string;
  trajectId: string;
  /** The doel the party reads it under (in `dataref`, and in the delivery's logboek record). */
  doel: string;
  status: 'wachtend' | 'afgeleverd' | 'vervallen';
  pogingen: number;
  volgendePogingOp: string;
  afgeleverdOp: string | null;
}

/** One delivery attempt (never a payload). */
export interface AfleveringRow {
  abonnementId: string;
  eventId: string;
  tijdstip: string;
  /** The receiver's HTTP status, or null when there was none (timeout, refused, network). */
  statuscode: number | null;
  duurMs: number;
  fout: string | null;
}

export interface AbonnementTx {
  insertAbonnement(row: AbonnementRow): Promise<void>;
  abonnement(abonnementId: string): Promise<AbonnementRow | undefined>;
  /** A party's subscriptions that were not removed, oldest first. */
  abonnementen(partij: string): Promise<AbonnementRow[]>;
  /** Subscriptions (active or paused, not removed) that want events of this kind, oldest first. */
  abonnementenVoor(soort: 'bericht' | 'signaal'): Promise<AbonnementRow[]>;
  zetAbonnementStatus(abonnementId: string, status: AbonnementRow['status'], tijdstip: string): Promise<void>;
  insertUitgaand(row: Omit<UitgaandRow, 'volgnummer' | 'afgeleverdOp' | 'status' | 'pogingen'>): Promise<number>;
  /** Active subscriptions whose oldest waiting event is due at `nu`. */
  abonnementenMetWerk(nu: string, limit: number): Promise<string[]>;
  /** The oldest waiting event of a subscription (the only one that may go out next: order per subscription). */
  volgendeUitgaand(abonnementId: string): Promise<UitgaandRow | undefined>;
  werkUitgaandBij(volgnummer: number, wijziging: Pick<UitgaandRow, 'status' | 'pogingen' | 'volgendePogingOp' | 'afgeleverdOp'>): Promise<void>;
  /** Resume: every waiting event of the subscription is due at `tijdstip` with its attempts reset. */
  herplanUitgaand(abonnementId: string, tijdstip: string): Promise<void>;
  /** Removal: the waiting events are dropped (status `vervallen`). */
  vervalUitgaand(abonnementId: string): Promise<void>;
  insertAflevering(row: AfleveringRow): Promise<void>;
  /** A subscription's attempts, newest first. */
  afleveringen(abonnementId: string, limit: number): Promise<AfleveringRow[]>;
}

export interface AbonnementDbRij extends Omit<AbonnementRow, 'soorten' | 'berichttypen'> {
  soorten: string;
  berichttypen: string | null;
}
export function toAbonnement(r: AbonnementDbRij): AbonnementRow {
  return { ...r, soorten: JSON.parse(r.soorten) as AbonnementRow['soorten'], berichttypen: r.berichttypen === null ? null : (JSON.parse(r.berichttypen) as string[]) };
}
export function fromAbonnement(r: AbonnementRow): AbonnementDbRij {
  return { ...r, soorten: JSON.stringify(r.soorten), berichttypen: r.berichttypen === null ? null : JSON.stringify(r.berichttypen) };
}
