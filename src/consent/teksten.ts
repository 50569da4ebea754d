/**
 * Consent texts (toestemmingsteksten): owns the question "which text did the participant agree to?".
 * The texts live in `policies/toestemmingsteksten.json` (checked at start by `policy/load.ts`: one
 * entry per id, version and language, the SHA-256 matching the words, a Dutch text for every
 * consent-based doel). A consent record stores the version it names — id, versie, taal and the
 * SHA-256 — so the receipt can prove later which words were agreed to, even after newer versions.
 * Pure functions over the register.
 */
import type { Doel, Toestemmingstekst } from '../policy/types.js';
import type { ToestemmingstekstVersie } from '../store/store.js';

/** The language a consent is recorded in when the gemeente names no text. */
export const STANDAARDTAAL = 'nl';

/** What the gemeente names in `toestemmingstekst` when it records a consent. */
export interface GenoemdeTekst {
  id: string;
  versie: string;
  taal: string;
}

/** The text offered for `doel` in `taal` on `vandaag`: the version with the latest `geldigVanaf` that has started. */
export function huidigeTekst(teksten: readonly Toestemmingstekst[], doel: string, taal: string, vandaag: string): Toestemmingstekst | undefined {
  let beste: Toestemmingstekst | undefined;
  for (const t of teksten) {
    if (t.doel !== doel || t.taal !== taal || t.geldigVanaf > vandaag) continue;
    if (!beste || t.geldigVanaf > beste.geldigVanaf || (t.geldigVanaf === beste.geldigVanaf && versieNa(t.versie, beste.versie))) beste = t;
  }
  return beste;
}

function versieNa(a: string, b: string): boolean {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am !== bm ? am > bm : an > bn;
}

/**
 * The text a new consent is recorded with: the one the gemeente names (any registered version of a
 * text of this doel — a participant may have signed a paper form with an older version), or else the
 * current Dutch text. A reason in plain Dutch when there is none.
 */
export function kiesTekst(teksten: readonly Toestemmingstekst[], doel: Doel, genoemd: GenoemdeTekst | undefined, vandaag: string):
  { tekst: Toestemmingstekst } | { veld: string; reden: string } {
  if (!genoemd) {
    const tekst = huidigeTekst(teksten, doel.id, STANDAARDTAAL, vandaag);
    return tekst ? { tekst } : { veld: '/toestemmingstekst', reden: `er is (nog) geen geldende Nederlandse toestemmingstekst voor doel ${doel.id}` };
  }
  const vanId = teksten.filter((t) => t.id === genoemd.id);
  if (vanId.length === 0) {
    const bekend = [...new Set(teksten.filter((t) => t.doel === doel.id).map((t) => t.id))];
    return { veld: '/toestemmingstekst/id', reden: `onbekende toestemmingstekst "${genoemd.id}" (voor doel ${doel.id}: ${bekend.join(', ') || 'geen'}; zie /v1/toestemmingsteksten)` };
  }
  if (vanId[0]!.doel !== doel.id) {
    return { veld: '/toestemmingstekst/id', reden: `tekst ${genoemd.id} vraagt toestemming voor doel ${vanId[0]!.doel}, niet voor ${doel.id}` };
  }
  const tekst = vanId.find((t) => t.versie === genoemd.versie && t.taal === genoemd.taal);
  if (!tekst) {
    const bekend = vanId.map((t) => `${t.versie} (${t.taal})`).join(', ');
    return { veld: '/toestemmingstekst/versie', reden: `tekst ${genoemd.id} heeft geen versie ${genoemd.versie} in taal ${genoemd.taal} (wel: ${bekend})` };
  }
  if (tekst.geldigVanaf > vandaag) {
    return { veld: '/toestemmingstekst/versie', reden: `tekst ${genoemd.id} versie ${genoemd.versie} geldt pas vanaf ${tekst.geldigVanaf}` };
  }
  return { tekst };
}

/** What a consent record keeps of the text. */
export function tekstVersie(t: Toestemmingstekst): ToestemmingstekstVersie {
  return { id: t.id, versie: t.versie, taal: t.taal, sha256: t.sha256 };
}
