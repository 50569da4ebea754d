/**
 * The data-category index of the logboek (`logboek_categorie (partij, categorie, auditId)`, and an index
 * on (categorie, auditId)), both adapters: one row per party in the record's scope (`logboek_scope`) and
 * category, so that an officer's "who read this category" is one range scan within its scope.
 *
 * Records sealed since issue 13 carry their `gegevenscategorieen` (decided by the gateway when it
 * wrote them, with the categories in force then); the adapters index them in the appending
 * transaction, beside the scope rows. Records from before (version 1) carry none: the migration that creates the index fills
 * it for them ONCE from their `velden` and message type, with the categories as shipped in
 * `policies/gegevenscategorieen.json` when the migration was written (frozen below, never edited — a
 * migration that shipped does not change). A deployment with its own categories gets the shipped
 * reading for its old records; documented in docs/storage.md.
 */

/** The shipped categories of issue 13's time: category, message type, top-level field (under /inhoud). FROZEN. */
const GEVERSTE_CATEGORIEEN: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['deelname', 'aanwezigheid', ['/periode', '/totalen']],
  ['verzuim', 'aanwezigheid', ['/lessen']],
  ['taalniveau', 'taalvoortgang', ['/leerroute', '/niveaus', '/streefniveaus', '/mijlpaal', '/leerrouteWijziging', '/verwachteEinddatum', '/cursusstatus', '/gealfabetiseerd']],
  ['examenresultaten', 'taalvoortgang', ['/examens', '/certificaten']],
  ['didactische-toelichting', 'taalvoortgang', ['/toelichting']],
  ['participatievorm', 'plaatsing', ['/plaatsingId', '/vorm', '/status', '/sector', '/taalrijk']],
  ['participatierooster', 'plaatsing', ['/urenPerWeek', '/startdatum', '/einddatum', '/nazorg']],
  ['werkgever', 'plaatsing', ['/werkgever', '/contract']],
  ['belemmeringen-en-uitval', 'plaatsing', ['/belemmeringen', '/wijzigingsreden', '/eindreden']],
  ['knelpuntkenmerken', 'knelpunt', ['/knelpuntId', '/datum', '/betreft']],
  ['knelpunten', 'knelpunt', ['/knelpunten']],
  ['plan', 'plan', ['/planId', '/versie', '/datum', '/uiterlijkeDatum', '/partijen', '/evaluaties']],
  ['besluiten', 'besluit', ['/besluitId', '/soort', '/datum', '/antwoordOp', '/voorziening', '/verzuim', '/leerroute', '/ontheffing', '/eindgesprek']],
];

/** `VALUES` rows (categorie, berichttype, veld) of the frozen mapping, fields as the logboek names them (`/inhoud/…`). */
export function geversteCategorieenValues(): string {
  return GEVERSTE_CATEGORIEEN.flatMap(([c, t, velden]) => velden.map((v) => `('${c}', '${t}', '/inhoud${v}')`)).join(',\n      ');
}
