/** The vocabulary of the policy files, as TypeScript types. Dutch names mirror the files. */
import type { Moment, Toestemmingsfeit } from '../consent/geldigheid.js';

export type PartijRol = 'gemeente' | 'taalaanbieder' | 'reintegratie' | 'maatschappelijke-begeleiding';
export type ToewijzingRol = 'taal' | 'participatie' | 'begeleiding' | 'nazorg';
/** The legal regime of a trajectory (definities `Regime`). */
export type Regime = 'wi2021' | 'wi2013' | 'vrijwillig';
/** The target group of a trajectory (definities `Doelgroep`). */
export type Doelgroep = 'asiel' | 'gezin' | 'overig' | 'onbekend';
/** Assignment roles that closing a trajectory does not end: aftercare runs on until its own `tot`. */
export const ROLLEN_NA_AFSLUITING: readonly ToewijzingRol[] = ['nazorg'];
/** Aftercare lasts at most this many months from its first day. */
export const NAZORG_MAANDEN = 12;
export type Actie = 'publiceren' | 'lezen';

export interface Partij {
  id: string;
  naam: string;
  oin: string;
  rol: PartijRol;
  clientIds: string[];
  /** How a participant reaches this party as controller (the inzage letter). */
  contact?: { adres?: string; telefoon?: string; email?: string; website?: string; functionarisGegevensbescherming?: string };
}

/** The browser client of the privacy officer's pages; its tokens name the officer in `sub`. */
export const PRIVACY_BROWSER_CLIENT = 'doelpoort-privacy';

/** A privacy officer (functionaris gegevensbescherming) of one party: reads that party's part of the logboek. */
export interface Functionaris {
  id: string;
  naam: string;
  /** The party whose officer this is. */
  partij: string;
  /** Machine clients (client credentials) that act as this officer. */
  clientIds: string[];
}

export interface Grondslag {
  soort: 'toestemming' | 'overeenkomst' | 'wettelijke-verplichting' | 'vitaal-belang' | 'publieke-taak' | 'gerechtvaardigd-belang';
  avg: string;
  wet: string | null;
}

/** A data category of the register, with the fields (JSON pointers) it covers per message type. */
export interface Gegevenscategorie {
  id: string;
  naam: string;
  omschrijving: string;
  /** A special category of personal data (AVG art. 9). */
  bijzonder: boolean;
  velden: Record<string, string[]>;
}

/**
 * One of the gateway's own processing activities in the register (`eigenVerwerkingen` in doelen.json):
 * trajectory management, consent administration, supervision of the logboek, access requests,
 * retention, access control, notifications. Not a doel: nothing is read "for" it; logboek records of
 * the actions it covers name its `uri` (src/audit/verwerkingsactiviteiten.ts).
 */
export interface EigenVerwerking {
  id: string;
  uri: string;
  naam: string;
  doel: string;
  grondslag: Grondslag;
  /** The provisions it serves, in words (e.g. AVG art. 15). */
  verantwoording: string;
  /** What it processes, in words. */
  gegevens: string[];
  /** What the privacy officer still has to confirm. */
  teBevestigen?: string;
  verantwoordelijke?: string;
}

/**
 * A consent text (`policies/toestemmingsteksten.json`): the notice a participant agrees to, per
 * consent-based doel, versioned and translated. Never changed in place — a consent record and its
 * signed receipts name `id`, `versie`, `taal` and `sha256`.
 */
export interface Toestemmingstekst {
  id: string;
  /** MAJOR.MINOR. */
  versie: string;
  /** ISO 639-1. */
  taal: string;
  doel: string;
  /** From this day (YYYY-MM-DD) it is the text offered for its doel in its language. */
  geldigVanaf: string;
  tekst: string;
  /** SHA-256 (hex) of the UTF-8 bytes of `tekst`. */
  sha256: string;
}

/** A processing activity of the register (AVG art. 30). */
export interface Doel {
  id: string;
  uri: string;
  naam: string;
  doel: string;
  grondslag: Grondslag;
  bijzondereCategorieen: boolean;
  /** The AVG art. 9 lid 2 exception; present when `bijzondereCategorieen`. */
  uitzonderingBijzondereCategorieen?: string;
  /** Ids of the data categories this activity processes; no rule may disclose more. */
  gegevenscategorieen: string[];
  /** The roles that receive data for this doel. */
  ontvangers: PartijRol[];
  bewaartermijn: string;
  /**
   * From when `bewaartermijn` runs for message content read under this doel: the end of the
   * trajectory (a message received after the end counts from its receipt) or the receipt of the
   * message. Absent: `einde-traject`. The rule itself: `src/bewaring/termijnen.ts`.
   */
  bewaartermijnVanaf?: 'einde-traject' | 'ontvangst';
  toestemmingVereist: boolean;
  /** Only aggregates: no rule may let anyone read about one participant for this doel. */
  alleenGeaggregeerd?: boolean;
  /** The controller, when it is not the register's default. */
  verantwoordelijke?: string;
  /** The regimes under which this activity has its legal basis; a read for it on a trajectory under another regime is refused. Absent: all. */
  regimes?: Regime[];
}

/** A per-party projection: the list, and the field in each element that names a party. */
export interface Partijdeel {
  lijst: string;
  partijVeld: string;
}

export interface Regel {
  id: string;
  effect: 'toestaan' | 'verbieden';
  actie: Actie;
  rol: PartijRol;
  relatie: 'eigenaar' | { toewijzing: ToewijzingRol[] };
  doel: string;
  /** publiceren, and every `verbieden` rule: the message types this rule covers. */
  berichttypen?: string[];
  /** lezen: per message type the JSON pointers that may leave the gateway ("" = the whole message). */
  projectie?: Record<string, string[]>;
  /** lezen: the participant's consent for this recipient and doel is required. */
  toestemming?: boolean;
  /** The rule applies only to trajectories with one of these regimes / target groups (each absent: any). */
  voorwaarden?: { regimes?: Regime[]; doelgroepen?: Doelgroep[] };
  /**
   * lezen: a condition on each message, not only on the trajectory — the rule allows a message only
   * when the field at `partijVeld` (a JSON pointer) names the reader's own party (e.g. a `besluit`
   * whose `/antwoordOp/afzender` is the provider that raised the knelpunt it answers).
   */
  berichtvoorwaarde?: { partijVeld: string };
  /**
   * lezen: a per-party projection — of the array at `lijst` (a JSON pointer the projection discloses)
   * only the elements whose field `partijVeld` (a pointer inside the element) names the reader's own
   * party leave the gateway (e.g. a provider's own part of a `plan`).
   */
  partijdeel?: Partijdeel;
  toelichting: string;
}

/** How the caller stands to one trajectory, at the moment of the decision. */
export interface Relatie {
  /** The caller's party is the trajectory's gemeente. */
  eigenaar: boolean;
  /** The caller's currently active assignments on the trajectory. */
  toewijzingen: ToewijzingRol[];
  /** The trajectory's regime and target group, as the store reads them with the relation (absent only where no trajectory is involved). */
  regime?: Regime;
  doelgroep?: Doelgroep;
}

export const GEEN_RELATIE: Relatie = Object.freeze({ eigenaar: false, toewijzingen: [] }) as Relatie;

export interface BesluitVraag {
  partij: Partij;
  actie: Actie;
  berichttype: string;
  /** Required for `lezen`; ignored for `publiceren` (the rule names the doel under which data is supplied). */
  doel?: string;
  relatie: Relatie;
  /**
   * The participant's consent records for this recipient, trajectory and doel — withdrawn and
   * expired ones included; the engine judges them at `moment`. Absent: none.
   */
  toestemmingen?: readonly Toestemmingsfeit[];
  /** When the decision is taken; needed to judge consent. */
  moment?: Moment;
  /**
   * The content of the one message asked about, for rules with a `berichtvoorwaarde`. Absent: the
   * question is about the type, and such a rule does not allow it — unless `typeniveau` is set.
   */
  bericht?: unknown;
  /**
   * A question about a message type before any message is known (the feed's up-front refusal): a rule
   * with a `berichtvoorwaarde` then counts as allowing, and every message is still decided on its own.
   */
  typeniveau?: boolean;
}

export interface Besluit {
  toegestaan: boolean;
  /** The rule that decided, or `standaard-weigeren` when no rule allowed it. */
  regel: string;
  doel: Doel | null;
  /** Legal basis in words, e.g. "AVG art. 6 lid 1 sub e; Wet inburgering 2021". */
  grondslag: string | null;
  /** For an allowed read: the JSON pointers that may be disclosed. */
  projectie: readonly string[] | null;
  /** For an allowed read under a rule with `partijdeel`: keep only the reader's own elements of that list. */
  partijdeel?: Partijdeel & { partij: string };
  /** The consent records an allowed read relies on (empty when the doel needs none). */
  toestemmingIds: readonly string[];
  /** Why, for a privacy officer and for the caller. */
  reden: string;
}

/** A coded reason for erasing a trajectory's message content (policies/bewaring.json, AVG art. 17). */
export interface Wisreden {
  code: string;
  /** The reason in Dutch. */
  naam: string;
  /** The ground of AVG art. 17 it rests on, e.g. "AVG art. 17 lid 1 sub d". */
  avg: string;
}
