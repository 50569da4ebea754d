/**
 * Explain: "why was I refused?" For one question, walks EVERY rule of the policy — and the two
 * built-in ones — and says per condition whether it held and why, so that a caller or a privacy
 * officer can see which rule decided and what would have to change. The decision itself comes from
 * the engine's `decide()`, so an explanation can never disagree with what the gateway does.
 */
import { beoordeel, waaromNiet, type Toestemmingsoordeel } from '../consent/geldigheid.js';
import { ALLEEN_GEAGGREGEERD, aggregatesOnlyReason, berichtvoorwaardeHolds, describeBerichtvoorwaarde, describeRelation, describeVoorwaarden, DOEL_REGIME, doelGeldtVoorRegime, regimeReason, relationHolds, STANDAARD_WEIGEREN, voorwaardenHold, type PolicyEngine } from './engine.js';
import { typesOf } from './load.js';
import type { Besluit, BesluitVraag, Regel } from './types.js';

export type VoorwaardeNaam = 'actie' | 'rol' | 'berichttype' | 'doel' | 'relatie' | 'regime' | 'bericht' | 'toestemming';

export interface Voorwaarde {
  voorwaarde: VoorwaardeNaam;
  vervuld: boolean;
  toelichting: string;
}

export interface Overweging {
  regel: string;
  effect: 'toestaan' | 'verbieden';
  /** Built into the engine rather than written in regels.json. */
  ingebouwd: boolean;
  toelichting: string;
  /** Every condition held. */
  vanToepassing: boolean;
  /** This rule decided the question. */
  doorslaggevend: boolean;
  voorwaarden: Voorwaarde[];
}

export interface Uitleg {
  besluit: Besluit;
  toestemming: Toestemmingsoordeel & { nagegaan: boolean };
  overwegingen: Overweging[];
}

export interface UitlegOpties {
  /** False when consent was deliberately not looked up (the caller may not learn about it). */
  toestemmingNagegaan?: boolean;
}

const NIET_NAGEGAAN = 'Niet nagegaan: u heeft geen relatie met dit traject (of het bestaat niet), dus toestemming kan niet gelden.';

export function explain(engine: PolicyEngine, vraag: BesluitVraag, opties: UitlegOpties = {}): Uitleg {
  const nagegaan = opties.toestemmingNagegaan ?? true;
  const besluit = engine.decide(vraag);
  const oordeel = beoordeel(vraag.toestemmingen, vraag.moment);
  const rol = vraag.partij.rol;
  const doel = vraag.doel ? engine.doel(vraag.doel) : undefined;
  const overwegingen: Overweging[] = [];

  if (vraag.actie === 'lezen' && doel) {
    const applies = Boolean(doel.alleenGeaggregeerd);
    overwegingen.push({
      regel: ALLEEN_GEAGGREGEERD, effect: 'verbieden', ingebouwd: true,
      toelichting: 'Een doel dat alleen geaggregeerde cijfers toestaat, verstrekt nooit gegevens over één deelnemer.',
      vanToepassing: applies, doorslaggevend: besluit.regel === ALLEEN_GEAGGREGEERD,
      voorwaarden: [{
        voorwaarde: 'doel', vervuld: applies,
        toelichting: applies ? aggregatesOnlyReason(doel) : `Doel ${doel.id} is geen doel voor alleen geaggregeerde cijfers.`,
      }],
    });
  }

  if (vraag.actie === 'lezen' && doel) {
    // Issue 12: the register says under which regimes a doel applies; the reasoning names the trajectory's regime.
    const buiten = !doelGeldtVoorRegime(doel, vraag.relatie);
    const regime = vraag.relatie.regime ?? 'onbekend';
    overwegingen.push({
      regel: DOEL_REGIME, effect: 'verbieden', ingebouwd: true,
      toelichting: 'Een doel geldt alleen onder de regimes waarvoor het register een grondslag noemt.',
      vanToepassing: buiten, doorslaggevend: besluit.regel === DOEL_REGIME,
      voorwaarden: [{
        voorwaarde: 'regime', vervuld: buiten,
        toelichting: buiten ? regimeReason(doel, vraag.relatie) : `Dit traject valt onder regime ${regime}${vraag.relatie.doelgroep ? ` (doelgroep ${vraag.relatie.doelgroep})` : ''}; doel ${doel.id} geldt onder ${doel.regimes?.join(', ') ?? 'elk regime'}.`,
      }],
    });
  }

  for (const regel of engine.set.regels) {
    const voorwaarden = conditions(engine, regel, vraag, oordeel, nagegaan);
    const vanToepassing = voorwaarden.every((v) => v.vervuld);
    overwegingen.push({
      regel: regel.id, effect: regel.effect, ingebouwd: false, toelichting: regel.toelichting,
      vanToepassing, doorslaggevend: besluit.regel === regel.id, voorwaarden,
    });
  }

  const anyAllow = overwegingen.some((o) => o.effect === 'toestaan' && o.vanToepassing);
  overwegingen.push({
    regel: STANDAARD_WEIGEREN, effect: 'verbieden', ingebouwd: true,
    toelichting: 'Wat geen regel toestaat, is geweigerd.',
    vanToepassing: !anyAllow, doorslaggevend: besluit.regel === STANDAARD_WEIGEREN,
    voorwaarden: [{
      voorwaarde: 'actie', vervuld: !anyAllow,
      toelichting: anyAllow ? 'Een regel staat dit toe.' : 'Geen enkele regel staat dit toe.',
    }],
  });

  return { besluit, toestemming: { ...oordeel, nagegaan }, overwegingen };
}

function conditions(engine: PolicyEngine, regel: Regel, vraag: BesluitVraag, oordeel: Toestemmingsoordeel, nagegaan: boolean): Voorwaarde[] {
  const out: Voorwaarde[] = [];
  const types = typesOf(regel);
  out.push({
    voorwaarde: 'actie', vervuld: regel.actie === vraag.actie,
    toelichting: regel.actie === vraag.actie ? `De regel gaat over ${regel.actie}.` : `De regel gaat over ${regel.actie}, de vraag over ${vraag.actie}.`,
  });
  out.push({
    voorwaarde: 'rol', vervuld: regel.rol === vraag.partij.rol,
    toelichting: regel.rol === vraag.partij.rol ? `U bent ${regel.rol}.` : `De regel geldt voor een ${regel.rol}; ${vraag.partij.id} is ${vraag.partij.rol}.`,
  });
  const typeOk = types.includes(vraag.berichttype);
  out.push({
    voorwaarde: 'berichttype', vervuld: typeOk,
    toelichting: typeOk ? `De regel omvat ${vraag.berichttype}.` : `De regel omvat ${types.join(', ')}, niet ${vraag.berichttype}.`,
  });
  if (regel.actie === 'lezen') {
    const ok = regel.doel === vraag.doel;
    out.push({ voorwaarde: 'doel', vervuld: ok, toelichting: ok ? `De regel geldt voor doel ${regel.doel}.` : `De regel geldt voor doel ${regel.doel}, niet voor ${vraag.doel ?? '(geen doel)'}.` });
  } else {
    out.push({ voorwaarde: 'doel', vervuld: true, toelichting: `Bij publiceren bepaalt de regel het doel: ${regel.doel}.` });
  }
  const rel = relationHolds(regel, vraag.relatie);
  out.push({
    voorwaarde: 'relatie', vervuld: rel,
    toelichting: rel ? `U bent ${describeRelation(regel)}.` : `De regel vereist dat u ${describeRelation(regel)} bent (met een actieve toewijzing); dat is niet zo.`,
  });
  if (regel.voorwaarden) {
    const ok = voorwaardenHold(regel, vraag.relatie);
    out.push({
      voorwaarde: 'regime', vervuld: ok,
      toelichting: `De regel geldt alleen bij ${describeVoorwaarden(regel)}; dit traject heeft regime ${vraag.relatie.regime ?? 'onbekend'} en doelgroep ${vraag.relatie.doelgroep ?? 'onbekend'}.`,
    });
  }
  if (regel.berichtvoorwaarde) {
    const ok = berichtvoorwaardeHolds(regel, vraag);
    out.push({
      voorwaarde: 'bericht', vervuld: ok,
      toelichting: vraag.bericht === undefined
        ? `De regel geldt per bericht (${describeBerichtvoorwaarde(regel)}); ${ok ? 'elk bericht wordt nog apart beoordeeld' : 'er is geen bericht genoemd, dus hij geldt hier niet'}.`
        : `De regel geldt per bericht: ${describeBerichtvoorwaarde(regel)}; ${ok ? 'dat is zo' : 'dit bericht noemt een andere partij of geen'}.`,
    });
  }
  if (regel.toestemming) {
    if (!nagegaan) {
      out.push({ voorwaarde: 'toestemming', vervuld: false, toelichting: NIET_NAGEGAAN });
    } else if (oordeel.status !== 'geldig') {
      out.push({ voorwaarde: 'toestemming', vervuld: false, toelichting: `Deze regel vereist toestemming van de deelnemer; ${waaromNiet(oordeel)}.` });
    } else {
      const velden = engine.veldenMetToestemming(regel, vraag.berichttype, oordeel.gegevenscategorieen);
      out.push({
        voorwaarde: 'toestemming', vervuld: velden.length > 0,
        toelichting: velden.length > 0
          ? `Geldige toestemming (${oordeel.toestemmingIds.join(', ')}) voor ${oordeel.gegevenscategorieen.join(', ')}; verstrekt worden alleen ${velden.join(', ')}.`
          : `De toestemming geldt voor ${oordeel.gegevenscategorieen.join(', ')}; daar valt geen veld van ${vraag.berichttype} onder dat deze regel verstrekt.`,
      });
    }
  }
  return out;
}
