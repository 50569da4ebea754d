/**
 * UI: the Dutch words for the codes the logboek stores — every action (typed: a new action does not
 * compile without its label) and every rule the gateway itself applies, plus the rules of the
 * shipped policy. A rule of a deployment's own policy that has no label here is shown with its
 * `toelichting` from regels.json; no page shows a bare code without words.
 */
import type { AuditActie } from '../audit/record.js';

export const ACTIE_LABELS: Record<AuditActie, string> = {
  authenticeren: 'Aanmelden',
  'traject-openen': 'Traject openen',
  'traject-lezen': 'Traject bekijken',
  'bericht-publiceren': 'Bericht aanleveren',
  'berichten-lezen': 'Berichten lezen',
  'bericht-lezen': 'Bericht lezen',
  'toewijzing-toevoegen': 'Toewijzing toevoegen',
  'toewijzing-beeindigen': 'Toewijzing beëindigen',
  'traject-afsluiten': 'Traject afsluiten',
  'toestemming-vastleggen': 'Toestemming vastleggen',
  'toestemming-intrekken': 'Toestemming intrekken',
  'toestemmingen-lezen': 'Toestemmingen bekijken',
  'beleid-toetsen': 'Beleid toetsen (waarom geweigerd?)',
  'logboek-lezen': 'Logboek raadplegen',
  'logboek-exporteren': 'Logboek exporteren',
  'logboek-verifieren': 'Logboek verifiëren',
  'inzage-opstellen': 'Inzagerapport opstellen',
  'traject-verkennen': 'Onbekende route bij een traject (verkennen)',
  'verzoek-weigeren': 'Verzoek geweigerd vóór verwerking',
  'traject-wijzigen': 'Traject wijzigen (leerroute, regime, doelgroep)',
};

export const REGEL_LABELS: Record<string, string> = {
  // The gateway's own rules (src/http, src/auth).
  'alleen-functionaris': 'Alleen een functionaris gegevensbescherming',
  'alleen-geaggregeerd': 'Dit doel krijgt alleen totalen, geen gegevens per deelnemer',
  'buiten-bereik': 'Buiten het bereik van deze functionaris',
  'doel-onbekend': 'Onbekend doel',
  'doel-ontbreekt': 'Geen doel genoemd',
  'dubbele-authorization': 'Twee Authorization-headers',
  'functionaris-geen-partij-api': 'Een functionaris gebruikt de partij-API niet',
  'geen-bemiddeling-begeleiding': 'Geen bemiddeling zonder begeleiding',
  'geen-handhaving-zondag': 'Geen handhaving op zondag',
  'geen-lopende-toewijzing': 'Geen lopende toewijzing',
  'geen-relatie': 'Geen relatie met het traject',
  'geen-route': 'Onbekende route',
  'headers-te-groot': 'Headers te groot',
  'invoer-ongeldig': 'Ongeldige invoer',
  'invoer-te-groot': 'Invoer te groot',
  'inzage-gemeente': 'Inzage alleen door de gemeente van het traject',
  'logboek-functionaris': 'Functionaris raadpleegt het logboek',
  'onbekende-client': 'Onbekende client',
  'plaatsing-statusovergang': 'Statusovergang van de plaatsing',
  'standaard-weigeren': 'Standaard geweigerd (geen regel staat het toe)',
  'toestemming-onbekend': 'Onbekende toestemming',
  'toets-eigen-partij': 'Alleen toetsen voor de eigen partij',
  'toets-eigen-traject': 'Alleen toetsen voor een eigen traject',
  'toewijzing-overlapt': 'Toewijzing overlapt een bestaande',
  'token-in-query': 'Toegangstoken in de URL',
  'token-ongeldig': 'Ongeldig toegangstoken',
  'token-ontbreekt': 'Geen toegangstoken',
  'token-verlopen': 'Toegangstoken verlopen',
  'traject-afgesloten': 'Traject is afgesloten',
  'traject-beheren-eigenaar': 'Alleen de gemeente van het traject beheert het',
  // Kinds of problem, recorded as the rule when nothing more specific applied.
  'niet-gevonden': 'Niet gevonden',
  'geen-toegang': 'Geen toegang',
  'ongeldige-json': 'Ongeldige JSON',
  'ongeldige-parameter': 'Ongeldige parameter',
  'ongeldige-invoer': 'Ongeldige invoer',
  'verkeerd-mediatype': 'Verkeerd mediatype',
  'te-groot': 'Invoer te groot',
  conflict: 'Conflict met een eerder bericht',
  'conflict-toestand': 'Kan niet in de huidige toestand van het traject',
  'ongeldige-statusovergang': 'Ongeldige statusovergang',
  'methode-niet-toegestaan': 'Methode niet toegestaan',
  'interne-fout': 'Interne fout',
  'niet-beschikbaar': 'Niet beschikbaar',
  'logboek-bezet': 'Logboek te druk (vraag afgebroken)',
  'te-veel-verzoeken': 'Te veel verzoeken (snelheidslimiet)',
  'niet-geauthenticeerd': 'Niet aangemeld',
  // The shipped policy (policies/regels.json).
  'publiceren-taal': 'Taalaanbieder meldt aanwezigheid en taalvoortgang',
  'publiceren-participatie': 'Re-integratiebedrijf meldt plaatsing en aanwezigheid',
  'lezen-trajectbegeleiding': 'Gemeente leest voor trajectbegeleiding',
  'lezen-handhaving': 'Gemeente leest voor handhaving',
  'lezen-bemiddeling': 'Re-integratiebedrijf leest voor bemiddeling',
  'lezen-lesafstemming': 'Taalaanbieder leest plaatsing voor lesafstemming (met toestemming)',
  'geen-handhaving-door-reintegratie': 'Geen handhaving door een re-integratiebedrijf',
  // Issue 12.
  'doel-regime': 'Dit doel geldt niet onder het regime van dit traject',
  'publiceren-nazorg': 'Re-integratiebedrijf meldt plaatsing in de nazorg',
  'lezen-trajectbegeleiding-wi2013': 'Gemeente leest onder de Wet inburgering 2013 (met toestemming)',
  'geen-handhaving-gezin': 'Geen handhaving bij gezinsmigranten',
  'publiceren-knelpunt-taal': 'Taalaanbieder meldt een knelpunt',
  'publiceren-knelpunt-participatie': 'Re-integratiebedrijf meldt een knelpunt (ook in de nazorg)',
  'publiceren-knelpunt-begeleiding': 'Maatschappelijke begeleiding meldt een knelpunt',
  'publiceren-gemeente': 'Gemeente publiceert een besluit of een eigen plaatsing',
};

export function actieLabel(actie: string): string {
  return (ACTIE_LABELS as Record<string, string>)[actie] ?? `Actie ${actie}`;
}

/** The Dutch label of a rule; a deployment's own rule falls back to its toelichting. */
export function regelLabel(regel: string, toelichting?: (id: string) => string | undefined): string {
  return REGEL_LABELS[regel] ?? toelichting?.(regel) ?? `Regel ${regel}`;
}
