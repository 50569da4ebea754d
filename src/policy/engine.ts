/**
 * Policy: owns the decision "may this party, in this role, with this relation to the trajectory,
 * do this action on this message type for this doel — and which fields may leave?" Deny by
 * default; an explicit `verbieden` beats any `toestaan`; a doel that only allows aggregates never
 * allows a read about one participant; a consent-based rule needs a consent that counts at the
 * moment of the decision, and discloses only the fields of the categories consented to.
 *
 * Rules are indexed once at start so that a decision is a map lookup and a short loop — no I/O.
 * `explain()` (in explain.ts) walks every rule for the same question, for people.
 */
import { beoordeel, waaromNiet } from '../consent/geldigheid.js';
import { categoryPointers, typesOf, type PolicySet } from './load.js';
import { covers, intersect } from './pointers.js';
import { PRIVACY_BROWSER_CLIENT, type Besluit, type BesluitVraag, type Doel, type Functionaris, type Gegevenscategorie, type Partij, type Regel, type Relatie } from './types.js';

export interface PolicyEngine {
  readonly set: PolicySet;
  partijByClientId(clientId: string): Partij | undefined;
  partij(id: string): Partij | undefined;
  /**
   * The privacy officer a token belongs to: its client is one of an officer's `clientIds`, or it
   * was issued to the browser client `doelpoort-privacy` and its `sub` is an officer's id.
   */
  functionaris(clientId: string, sub: string | null): Functionaris | undefined;
  doel(id: string): Doel | undefined;
  categorie(id: string): Gegevenscategorie | undefined;
  decide(vraag: BesluitVraag): Besluit;
  /** The fields a consent-based rule discloses of a type when the participant consented to `categorieen`. */
  veldenMetToestemming(regel: Regel, berichttype: string, categorieen: readonly string[]): readonly string[];
  /** Message types that some rule lets this role read for this doel (for list queries). */
  leesbareTypen(rol: Partij['rol'], doel: string): readonly string[];
  /** Whether a read of this type for this doel by this role may depend on the message itself (a rule with a `berichtvoorwaarde`). */
  perBericht(rol: Partij['rol'], doel: string, berichttype: string): boolean;
  /** Opening a trajectory: only a gemeente, which becomes its owner. */
  trajectOpenen(partij: Partij): Besluit;
  /** Seeing a trajectory (its route, dates and assignments): its gemeente and actively assigned parties. */
  trajectInzien(partij: Partij, relatie: Relatie): Besluit;
  /** Changing a trajectory (assignments, consent, closing it): its gemeente only. */
  trajectBeheren(partij: Partij, relatie: Relatie): Besluit;
  /**
   * Reading aggregated figures (issue 13) about the caller's own trajectories: only for a doel that
   * allows aggregates only (`alleenGeaggregeerd`), and only for a role among its recipients. Nothing
   * about one participant: subject-level reads for such a doel stay refused by `decide` (`alleen-geaggregeerd`).
   */
  geaggregeerdLezen(partij: Partij, doel: Doel): Besluit;
}

/** Built-in rule: nothing allowed it. */
export const STANDAARD_WEIGEREN = 'standaard-weigeren';
/** Built-in rule: the doel allows aggregates only. */
export const ALLEEN_GEAGGREGEERD = 'alleen-geaggregeerd';
/** Built-in rule: the doel has no legal basis under the trajectory's regime (register `regimes`). */
export const DOEL_REGIME = 'doel-regime';
/** Built-in rule: aggregated figures for an aggregates-only doel, for its recipients, about their own trajectories. */
export const GEAGGREGEERD_LEZEN = 'geaggregeerd-lezen';

export function relationHolds(regel: Regel, relatie: Relatie): boolean {
  if (regel.relatie === 'eigenaar') return relatie.eigenaar;
  return regel.relatie.toewijzing.some((rol) => relatie.toewijzingen.includes(rol));
}

/** A rule's `voorwaarden` on the trajectory: its regime and target group must be listed (an unknown one never matches). */
export function voorwaardenHold(regel: Regel, relatie: Relatie): boolean {
  const v = regel.voorwaarden;
  if (!v) return true;
  if (v.regimes && !(relatie.regime && v.regimes.includes(relatie.regime))) return false;
  if (v.doelgroepen && !(relatie.doelgroep && v.doelgroepen.includes(relatie.doelgroep))) return false;
  return true;
}

/** Read the value at a JSON pointer (no array steps), or undefined. */
function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const p of pointer.split('/').slice(1).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    node = node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, p) ? (node as Record<string, unknown>)[p] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * A rule's `berichtvoorwaarde` on the one message: the field it names must be the reader's party id.
 * A question about the type alone (`typeniveau`) passes; with neither, the rule does not hold.
 */
export function berichtvoorwaardeHolds(regel: Regel, vraag: BesluitVraag): boolean {
  const v = regel.berichtvoorwaarde;
  if (!v) return true;
  if (vraag.bericht === undefined) return vraag.typeniveau === true;
  return valueAt(vraag.bericht, v.partijVeld) === vraag.partij.id;
}

export function describeBerichtvoorwaarde(regel: Regel): string {
  return `alleen een bericht waarin ${regel.berichtvoorwaarde!.partijVeld} uw eigen partij noemt`;
}

export function describeVoorwaarden(regel: Regel): string {
  const v = regel.voorwaarden ?? {};
  return [v.regimes ? `regime ${v.regimes.join(' of ')}` : '', v.doelgroepen ? `doelgroep ${v.doelgroepen.join(' of ')}` : ''].filter(Boolean).join(' en ');
}

/** The register: a doel applies only under its `regimes`; a trajectory whose regime is not known to the caller is not judged here. */
export function doelGeldtVoorRegime(doel: Doel, relatie: Relatie): boolean {
  return !doel.regimes || !relatie.regime || doel.regimes.includes(relatie.regime);
}

export function regimeReason(doel: Doel, relatie: Relatie): string {
  return `Doel ${doel.id} geldt volgens het register alleen onder regime ${doel.regimes!.join(', ')}; dit traject valt onder regime ${relatie.regime}.`;
}

export function describeRelation(regel: Regel): string {
  return regel.relatie === 'eigenaar'
    ? 'de gemeente die het traject voert'
    : `toegewezen als ${regel.relatie.toewijzing.join(' of ')}`;
}

export function grondslagText(doel: Doel): string {
  return doel.grondslag.wet ? `${doel.grondslag.avg}; ${doel.grondslag.wet}` : doel.grondslag.avg;
}

export function aggregatesOnlyReason(doel: Doel): string {
  return `Doel ${doel.id} levert alleen geaggregeerde cijfers; gegevens over één deelnemer worden voor dit doel nooit verstrekt.`;
}

const NO_IDS: readonly string[] = Object.freeze([]);

export function createPolicyEngine(set: PolicySet): PolicyEngine {
  const byClient = new Map<string, Partij>();
  for (const p of set.partijen) for (const c of p.clientIds) byClient.set(c, p);
  const partijen = new Map(set.partijen.map((p) => [p.id, p]));
  const doelen = new Map(set.doelen.map((d) => [d.id, d]));
  const categorieen = new Map(set.gegevenscategorieen.map((c) => [c.id, c]));
  const officerByClient = new Map<string, Functionaris>();
  for (const f of set.functionarissen) for (const c of f.clientIds) officerByClient.set(c, f);
  const officerById = new Map(set.functionarissen.map((f) => [f.id, f]));

  // Index: "actie|rol|berichttype|doel" (doel empty for publiceren) → rules, forbids first, then file order.
  const index = new Map<string, Regel[]>();
  const readable = new Map<string, string[]>();
  for (const regel of set.regels) {
    for (const type of typesOf(regel)) {
      const key = `${regel.actie}|${regel.rol}|${type}|${regel.actie === 'lezen' ? regel.doel : ''}`;
      const list = index.get(key) ?? [];
      list.push(regel);
      list.sort((a, b) => (a.effect === b.effect ? 0 : a.effect === 'verbieden' ? -1 : 1));
      index.set(key, list);
      if (regel.actie === 'lezen' && regel.effect === 'toestaan') {
        const rk = `${regel.rol}|${regel.doel}`;
        const typesForDoel = readable.get(rk) ?? [];
        if (!typesForDoel.includes(type)) typesForDoel.push(type);
        readable.set(rk, typesForDoel);
      }
    }
  }

  // A consent narrows a rule's projection to the categories consented to; cached per combination.
  const narrowed = new Map<string, readonly string[]>();
  function narrow(regel: Regel, doel: Doel, type: string, cats: readonly string[]): readonly string[] {
    const key = `${regel.id}|${type}|${cats.join(',')}`;
    let result = narrowed.get(key);
    if (!result) {
      const full = regel.projectie?.[type] ?? [];
      const consented = categoryPointers({ ...doel, gegevenscategorieen: cats.filter((c) => doel.gegevenscategorieen.includes(c)) }, categorieen, type);
      result = full.every((p) => p !== '' && covers(consented, p)) ? full : intersect(full, consented);
      narrowed.set(key, result);
    }
    return result;
  }

  const deny = (regel: string, doel: Doel | null, reden: string): Besluit => ({
    toegestaan: false, regel, doel, grondslag: null, projectie: null, toestemmingIds: NO_IDS, reden,
  });

  function decide(vraag: BesluitVraag): Besluit {
    const { partij, actie, berichttype, relatie } = vraag;
    const requestedDoel = vraag.doel ? (doelen.get(vraag.doel) ?? null) : null;
    if (actie === 'lezen' && requestedDoel?.alleenGeaggregeerd) return deny(ALLEEN_GEAGGREGEERD, requestedDoel, aggregatesOnlyReason(requestedDoel));
    if (actie === 'lezen' && requestedDoel && !doelGeldtVoorRegime(requestedDoel, relatie)) return deny(DOEL_REGIME, requestedDoel, regimeReason(requestedDoel, relatie));
    const key = `${actie}|${partij.rol}|${berichttype}|${actie === 'lezen' ? (vraag.doel ?? '') : ''}`;
    const candidates = index.get(key);
    if (!candidates) {
      const what = actie === 'lezen' ? `${berichttype} te lezen voor doel ${vraag.doel}` : `${berichttype} te publiceren`;
      return deny(STANDAARD_WEIGEREN, requestedDoel, `Geen regel staat een ${partij.rol} toe om ${what}.`);
    }
    let nearMiss: string | null = null;
    for (const regel of candidates) {
      const doel = doelen.get(regel.doel)!;
      if (!relationHolds(regel, relatie)) {
        nearMiss ??= `Regel ${regel.id} vereist dat u ${describeRelation(regel)} bent (met een actieve toewijzing); dat is niet zo.`;
        continue;
      }
      if (!voorwaardenHold(regel, relatie)) {
        nearMiss ??= `Regel ${regel.id} geldt alleen bij ${describeVoorwaarden(regel)}; dit traject heeft regime ${relatie.regime ?? 'onbekend'} en doelgroep ${relatie.doelgroep ?? 'onbekend'}.`;
        continue;
      }
      if (!berichtvoorwaardeHolds(regel, vraag)) {
        nearMiss ??= `Regel ${regel.id} geldt per bericht: ${describeBerichtvoorwaarde(regel)}; dit bericht is niet voor u.`;
        continue;
      }
      if (regel.effect === 'verbieden') return deny(regel.id, doel, `Verboden door regel ${regel.id}: ${regel.toelichting}`);
      let projectie: readonly string[] | null = actie === 'lezen' ? (regel.projectie?.[berichttype] ?? null) : null;
      let toestemmingIds = NO_IDS;
      if (regel.toestemming) {
        const oordeel = beoordeel(vraag.toestemmingen, vraag.moment);
        if (oordeel.status !== 'geldig') {
          nearMiss = `Regel ${regel.id} vereist toestemming van de deelnemer voor doel ${regel.doel}; ${waaromNiet(oordeel)}.`;
          continue;
        }
        projectie = narrow(regel, doel, berichttype, oordeel.gegevenscategorieen);
        if (projectie.length === 0) {
          nearMiss = `Regel ${regel.id}: de toestemming geldt voor ${oordeel.gegevenscategorieen.join(', ')}; daar valt geen enkel veld van ${berichttype} onder dat de regel verstrekt.`;
          continue;
        }
        toestemmingIds = oordeel.toestemmingIds;
      }
      return {
        toegestaan: true, regel: regel.id, doel, grondslag: grondslagText(doel), projectie, toestemmingIds, reden: regel.toelichting,
        ...(regel.partijdeel ? { partijdeel: { ...regel.partijdeel, partij: partij.id } } : {}),
      };
    }
    return deny(STANDAARD_WEIGEREN, requestedDoel, nearMiss ?? 'Geen regel is van toepassing.');
  }

  const trajectBesluit = (toegestaan: boolean, regel: string, reden: string): Besluit => ({
    toegestaan, regel, doel: null, grondslag: null, projectie: null, toestemmingIds: NO_IDS, reden,
  });

  return {
    set,
    trajectOpenen: (partij) =>
      partij.rol === 'gemeente'
        ? trajectBesluit(true, 'traject-openen-gemeente', 'Een gemeente opent trajecten en voert er de regie over.')
        : trajectBesluit(false, 'traject-openen-gemeente', `Alleen een gemeente kan een traject openen; u bent ${partij.rol}.`),
    trajectInzien: (_partij, relatie) =>
      relatie.eigenaar || relatie.toewijzingen.length > 0
        ? trajectBesluit(true, 'traject-inzien-betrokken', 'De gemeente van het traject en actief toegewezen partijen zien het traject.')
        : trajectBesluit(false, 'traject-inzien-betrokken', 'U bent niet de gemeente van dit traject en niet actief toegewezen.'),
    trajectBeheren: (_partij, relatie) =>
      relatie.eigenaar
        ? trajectBesluit(true, 'traject-beheren-eigenaar', 'De gemeente die het traject voert beheert toewijzingen en toestemmingen en sluit het af.')
        : trajectBesluit(false, 'traject-beheren-eigenaar', 'Alleen de gemeente die het traject voert kan dit (of het traject bestaat niet).'),
    geaggregeerdLezen: (partij, doel) => {
      const besluit = (toegestaan: boolean, reden: string): Besluit => ({
        toegestaan, regel: GEAGGREGEERD_LEZEN, doel, grondslag: toegestaan ? grondslagText(doel) : null, projectie: null, toestemmingIds: NO_IDS, reden,
      });
      if (!doel.alleenGeaggregeerd) return besluit(false, `Doel ${doel.id} is geen doel voor geaggregeerde cijfers; kwartaalcijfers zijn er alleen voor een doel dat uitsluitend geaggregeerde cijfers levert.`);
      if (!doel.ontvangers.includes(partij.rol)) return besluit(false, `Een ${partij.rol} is geen ontvanger van doel ${doel.id} (ontvangers: ${doel.ontvangers.join(', ')}).`);
      return besluit(true, `Geaggregeerde cijfers over de eigen trajecten voor doel ${doel.id}; kleine aantallen zijn onderdrukt, niets gaat over één deelnemer.`);
    },
    partijByClientId: (c) => byClient.get(c),
    partij: (id) => partijen.get(id),
    functionaris: (clientId, sub) =>
      officerByClient.get(clientId) ?? (clientId === PRIVACY_BROWSER_CLIENT && sub ? officerById.get(sub) : undefined),
    doel: (id) => doelen.get(id),
    categorie: (id) => categorieen.get(id),
    decide,
    veldenMetToestemming: (regel, berichttype, cats) => narrow(regel, doelen.get(regel.doel)!, berichttype, cats),
    leesbareTypen: (rol, doel) => readable.get(`${rol}|${doel}`) ?? [],
    perBericht: (rol, doel, berichttype) => (index.get(`lezen|${rol}|${berichttype}|${doel}`) ?? []).some((r) => r.berichtvoorwaarde !== undefined),
  };
}
