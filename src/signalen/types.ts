/**
 * The vocabulary of signals (Signaal) and their rules, as TypeScript types and constants: the kinds
 * the gateway can evaluate and what each needs, the codes a signal may carry and the message field
 * each comes from, and the outcomes with which a gemeente closes a signal. Dutch names mirror
 * `policies/signalen.json` and the wire.
 */
import type { ToewijzingRol } from '../policy/types.js';

/** The kinds (soorten) the evaluator implements; a rule's `id` must be one of them. */
export const SOORTEN = ['verzuim', 'uit-beeld', 'niveau-behaald', 'streefniveau-behaald', 'plaatsing-beeindigd', 'plaatsing-uitgevallen', 'nazorg-ontbreekt'] as const;
export type Soort = (typeof SOORTEN)[number];

/** The codes a signal may carry, each with the message field it is copied from. */
export const SIGNAALCODES = {
  niveau: { berichttype: 'taalvoortgang', veld: '/mijlpaal/niveau' },
  vaardigheden: { berichttype: 'taalvoortgang', veld: '/mijlpaal/vaardigheden' },
  plaatsingId: { berichttype: 'plaatsing', veld: '/plaatsingId' },
  eindreden: { berichttype: 'plaatsing', veld: '/eindreden' },
} as const;
export type Signaalcode = keyof typeof SIGNAALCODES;

export type DrempelNaam = 'weken' | 'aandeelOngeoorloofd' | 'ongeoorloofdeLessen' | 'dagen' | 'toewijzingen' | 'vormen' | 'nazorgOntbreektBij';

/**
 * What each kind's evaluator reads and may say. The loader refuses a rule that names fewer message
 * types or categories than its kind needs (it would understate what the signal reveals), a code
 * its kind never sets, or a missing or foreign threshold.
 */
export const SOORT_EISEN: Record<Soort, { berichttypen: readonly string[]; gegevenscategorieen: readonly string[]; codes: readonly Signaalcode[]; drempels: readonly DrempelNaam[] }> = {
  verzuim: { berichttypen: ['aanwezigheid'], gegevenscategorieen: ['deelname'], codes: [], drempels: ['weken', 'aandeelOngeoorloofd', 'ongeoorloofdeLessen'] },
  'uit-beeld': { berichttypen: ['aanwezigheid'], gegevenscategorieen: ['deelname'], codes: [], drempels: ['dagen', 'toewijzingen'] },
  'niveau-behaald': { berichttypen: ['taalvoortgang'], gegevenscategorieen: ['taalniveau'], codes: ['niveau', 'vaardigheden'], drempels: [] },
  'streefniveau-behaald': { berichttypen: ['taalvoortgang'], gegevenscategorieen: ['taalniveau'], codes: ['niveau', 'vaardigheden'], drempels: [] },
  'plaatsing-beeindigd': { berichttypen: ['plaatsing'], gegevenscategorieen: ['participatievorm'], codes: ['plaatsingId', 'eindreden'], drempels: [] },
  'plaatsing-uitgevallen': { berichttypen: ['plaatsing'], gegevenscategorieen: ['participatievorm'], codes: ['plaatsingId', 'eindreden'], drempels: [] },
  'nazorg-ontbreekt': { berichttypen: ['plaatsing'], gegevenscategorieen: ['participatievorm', 'participatierooster'], codes: ['plaatsingId'], drempels: ['vormen', 'nazorgOntbreektBij'] },
};

export interface Drempels {
  weken?: number;
  aandeelOngeoorloofd?: number;
  ongeoorloofdeLessen?: number;
  dagen?: number;
  toewijzingen?: ToewijzingRol[];
  vormen?: string[];
  nazorgOntbreektBij?: string[];
}

/** One rule of `policies/signalen.json`. */
export interface Signaalregel {
  id: Soort;
  naam: string;
  omschrijving: string;
  /** The doel under which the owning gemeente reads signals of this kind. */
  doel: string;
  berichttypen: string[];
  /** What the signal's existence and codes reveal; the doel covers every one. */
  gegevenscategorieen: string[];
  perAanbieder: boolean;
  /** Providers may read the signals about their own assignments under this doel; null: never. */
  aanbieders: { doel: string; toewijzingen: ToewijzingRol[] } | null;
  codes: Signaalcode[];
  /** The gateway closes it itself (uitkomst `opgeheven`) when the condition no longer holds. */
  vanzelfOpgeheven: boolean;
  drempels: Drempels;
}

export interface SignaalregelSet {
  versie: string;
  /** SHA-256 of the file, to cite beside the policy version. */
  hash: string;
  regels: readonly Signaalregel[];
}

/** The outcomes with which a gemeente closes a signal (`POST /v1/signalen/{id}/afhandeling`). No free text. */
export const AFHANDELUITKOMSTEN = ['gesprek-gevoerd', 'maatregel-overwogen', 'voorziening-geregeld', 'geen-actie-nodig', 'doorverwezen'] as const;
export type Afhandeluitkomst = (typeof AFHANDELUITKOMSTEN)[number];
/** The outcome the gateway itself records when a self-clearing signal's condition no longer holds. */
export const OPGEHEVEN = 'opgeheven' as const;

export type SignaalCodes = Partial<{ niveau: string; vaardigheden: string[]; plaatsingId: string; eindreden: string }>;

/** A signal as stored: one open per kind per trajectory (and per provider where the kind is per provider). */
export interface Signaal {
  signaalId: string;
  soort: Soort;
  trajectId: string;
  /** The provider it is about, for kinds that are per provider; null otherwise. */
  aanbieder: string | null;
  status: 'open' | 'afgehandeld';
  geopendOp: string;
  bijgewerktOp: string;
  /** The messages it is derived from, oldest first, at most MAX_BERICHT_IDS. */
  berichtIds: string[];
  /** Only the kind's own codes (see the rule's `codes`). */
  codes: SignaalCodes;
  afgehandeldOp: string | null;
  uitkomst: Afhandeluitkomst | typeof OPGEHEVEN | null;
}

/** How many message ids a signal keeps (the newest). */
export const MAX_BERICHT_IDS = 20;
