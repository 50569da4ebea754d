/**
 * Policy: owns the decision "may this party, in this role, with this relation to the trajectory,
 * do this action on this message type for this doel?" Deny by default; an explicit `verbieden`
 * beats any `toestaan`. Rules are indexed once at start so that a decision is a map lookup and a
 * short loop — no I/O, no allocation beyond the answer.
 */
import type { PolicySet } from './load.js';
import { PRIVACY_BROWSER_CLIENT, type Besluit, type BesluitVraag, type Doel, type Functionaris, type Partij, type Regel, type Relatie } from './types.js';

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
  decide(vraag: BesluitVraag): Besluit;
  /** Message types that some rule lets this role read for this doel (for list queries). */
  leesbareTypen(rol: Partij['rol'], doel: string): readonly string[];
  /** Opening a trajectory: only a gemeente, which becomes its owner. */
  trajectOpenen(partij: Partij): Besluit;
  /** Seeing a trajectory (its route, dates and assignments): its gemeente and actively assigned parties. */
  trajectInzien(partij: Partij, relatie: Relatie): Besluit;
}

export const STANDAARD_WEIGEREN = 'standaard-weigeren';

function relationHolds(regel: Regel, relatie: Relatie): boolean {
  if (regel.relatie === 'eigenaar') return relatie.eigenaar;
  return regel.relatie.toewijzing.some((rol) => relatie.toewijzingen.includes(rol));
}

function describeRelation(regel: Regel): string {
  return regel.relatie === 'eigenaar'
    ? 'de gemeente die het traject voert'
    : `toegewezen als ${regel.relatie.toewijzing.join(' of ')}`;
}

export function grondslagText(doel: Doel): string {
  return doel.grondslag.wet ? `${doel.grondslag.avg}; ${doel.grondslag.wet}` : doel.grondslag.avg;
}

export function createPolicyEngine(set: PolicySet): PolicyEngine {
  const byClient = new Map<string, Partij>();
  for (const p of set.partijen) for (const c of p.clientIds) byClient.set(c, p);
  const partijen = new Map(set.partijen.map((p) => [p.id, p]));
  const doelen = new Map(set.doelen.map((d) => [d.id, d]));
  const officerByClient = new Map<string, Functionaris>();
  for (const f of set.functionarissen) for (const c of f.clientIds) officerByClient.set(c, f);
  const officerById = new Map(set.functionarissen.map((f) => [f.id, f]));

  // Index: "actie|rol|berichttype|doel" (doel empty for publiceren) → rules, forbids first.
  const index = new Map<string, Regel[]>();
  const readable = new Map<string, string[]>();
  for (const regel of set.regels) {
    const types = regel.actie === 'lezen' ? Object.keys(regel.projectie ?? {}) : (regel.berichttypen ?? []);
    for (const type of types) {
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

  function decide(vraag: BesluitVraag): Besluit {
    const { partij, actie, berichttype, relatie } = vraag;
    const key = `${actie}|${partij.rol}|${berichttype}|${actie === 'lezen' ? (vraag.doel ?? '') : ''}`;
    const candidates = index.get(key);
    const requestedDoel = vraag.doel ? (doelen.get(vraag.doel) ?? null) : null;
    if (!candidates) {
      const what = actie === 'lezen' ? `${berichttype} te lezen voor doel ${vraag.doel}` : `${berichttype} te publiceren`;
      return {
        toegestaan: false, regel: STANDAARD_WEIGEREN, doel: requestedDoel, grondslag: null, projectie: null,
        reden: `Geen regel staat een ${partij.rol} toe om ${what}.`,
      };
    }
    let nearMiss: string | null = null;
    for (const regel of candidates) {
      const doel = doelen.get(regel.doel)!;
      if (!relationHolds(regel, relatie)) {
        nearMiss ??= `Regel ${regel.id} vereist dat u ${describeRelation(regel)} bent (met een actieve toewijzing); dat is niet zo.`;
        continue;
      }
      if (regel.effect === 'verbieden') {
        return { toegestaan: false, regel: regel.id, doel, grondslag: null, projectie: null, reden: `Verboden door regel ${regel.id}: ${regel.toelichting}` };
      }
      if (regel.toestemming && !vraag.toestemming) {
        nearMiss = `Regel ${regel.id} vereist toestemming van de deelnemer voor doel ${regel.doel}; er is geen geldige toestemming.`;
        continue;
      }
      return {
        toegestaan: true,
        regel: regel.id,
        doel,
        grondslag: grondslagText(doel),
        projectie: actie === 'lezen' ? (regel.projectie?.[berichttype] ?? null) : null,
        reden: regel.toelichting,
      };
    }
    return { toegestaan: false, regel: STANDAARD_WEIGEREN, doel: requestedDoel, grondslag: null, projectie: null, reden: nearMiss ?? 'Geen regel is van toepassing.' };
  }

  const trajectBesluit = (toegestaan: boolean, regel: string, reden: string): Besluit => ({
    toegestaan, regel, doel: null, grondslag: null, projectie: null, reden,
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
    partijByClientId: (c) => byClient.get(c),
    partij: (id) => partijen.get(id),
    functionaris: (clientId, sub) =>
      officerByClient.get(clientId) ?? (clientId === PRIVACY_BROWSER_CLIENT && sub ? officerById.get(sub) : undefined),
    doel: (id) => doelen.get(id),
    decide,
    leesbareTypen: (rol, doel) => readable.get(`${rol}|${doel}`) ?? [],
  };
}
