/**
 * UI: reading and checking the search form's query string before anything is asked of the API:
 * the trajectory id is a UUID, party, doel, message type and data category come from the registry, `besluit` is
 * `toegestaan` or `geweigerd`, dates are real `YYYY-MM-DD` dates with `vanaf` ≤ `tot`. Each problem
 * is named per field in Dutch, for the form's error summary.
 */
import { AUDIT_ACTIES } from '../audit/record.js';
import { FILTER_KEYS, type Filters } from './api.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const LIMIETEN = [25, 50, 100] as const;
export const STANDAARD_LIMIET = 50;

export interface Keuzelijsten {
  partijen: readonly string[];
  doelen: readonly string[];
  berichttypen: readonly string[];
  /** Ids of the data categories (gegevenscategorieen.json). */
  gegevenscategorieen: readonly string[];
}

export interface GelezenFilters {
  filters: Filters;
  /** Field name → Dutch reason. */
  fouten: Record<string, string>;
  volgende?: string;
  limiet: number;
}

/** The first string value of a query parameter. */
export function param(query: Record<string, unknown>, key: string): string | undefined {
  const v = query[key];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim() : undefined;
}

export function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Check `vanaf`/`tot` (both optional) into `fouten`. */
export function checkPeriode(vanaf: string | undefined, tot: string | undefined, fouten: Record<string, string>): void {
  if (vanaf && !isDate(vanaf)) fouten.vanaf = 'Vul een geldige datum in, bijvoorbeeld 2026-11-20.';
  if (tot && !isDate(tot)) fouten.tot = 'Vul een geldige datum in, bijvoorbeeld 2026-11-27.';
  if (vanaf && tot && !fouten.vanaf && !fouten.tot && tot < vanaf) fouten.tot = 'De einddatum ligt voor de begindatum.';
}

export function leesFilters(query: Record<string, unknown>, lijsten: Keuzelijsten): GelezenFilters {
  const filters: Filters = {};
  const fouten: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const v = param(query, key);
    if (v) filters[key] = v;
  }
  if (filters.trajectId && !UUID.test(filters.trajectId)) fouten.trajectId = 'Een traject-id bestaat uit 32 hexadecimale tekens in vijf groepen (een UUID).';
  if (filters.partij && !lijsten.partijen.includes(filters.partij)) fouten.partij = 'Kies een partij uit de lijst.';
  if (filters.doel && !lijsten.doelen.includes(filters.doel)) fouten.doel = 'Kies een doel uit de lijst.';
  if (filters.berichttype && !lijsten.berichttypen.includes(filters.berichttype)) fouten.berichttype = 'Kies een berichttype uit de lijst.';
  if (filters.besluit && filters.besluit !== 'toegestaan' && filters.besluit !== 'geweigerd') fouten.besluit = 'Kies toegestaan of geweigerd.';
  if (filters.actie && !(AUDIT_ACTIES as readonly string[]).includes(filters.actie)) fouten.actie = 'Kies een actie uit de lijst.';
  if (filters.weigering && filters.weigering !== 'beleid' && filters.weigering !== 'invoer') fouten.weigering = 'Kies beleid of invoer.';
  if (filters.gegevenscategorie && !lijsten.gegevenscategorieen.includes(filters.gegevenscategorie)) fouten.gegevenscategorie = 'Kies een gegevenscategorie uit de lijst.';
  checkPeriode(filters.vanaf, filters.tot, fouten);

  const volgende = param(query, 'volgende');
  const limietText = param(query, 'limiet');
  const limiet = limietText && (LIMIETEN as readonly number[]).includes(Number(limietText)) ? Number(limietText) : STANDAARD_LIMIET;
  return { filters, fouten, ...(volgende && volgende.length <= 1000 ? { volgende } : {}), limiet };
}
