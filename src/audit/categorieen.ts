/**
 * Audit: which data categories (policies/gegevenscategorieen.json) a record's fields belong to — the
 * record's `gegevenscategorieen`, and through the category index the logboek's answer to "who read
 * `belemmeringen-en-uitval`". Pure: the category definitions, the message types and the record's
 * `velden` in, sorted category ids out. Only message content counts (`/inhoud/…` pointers, relative to
 * the message); a field and a category match when one contains the other.
 */
import type { Gegevenscategorie } from '../policy/types.js';
import { isPrefix } from '../policy/pointers.js';

type Index = Map<string, Array<readonly [pointer: string, categorie: string]>>;
const indexen = new WeakMap<readonly Gegevenscategorie[], Index>();

function indexVan(definities: readonly Gegevenscategorie[]): Index {
  let index = indexen.get(definities);
  if (!index) {
    index = new Map();
    for (const c of definities) {
      for (const [type, pointers] of Object.entries(c.velden)) {
        const lijst = index.get(type) ?? [];
        for (const p of pointers) lijst.push([p, c.id]);
        index.set(type, lijst);
      }
    }
    indexen.set(definities, index);
  }
  return index;
}

/**
 * The categories of the content fields `velden` (`/inhoud/…`) of messages of the given types; with
 * `berichttypen` null, of any type (a record that does not say which types it concerned).
 */
export function categorieenVanVelden(definities: readonly Gegevenscategorie[], berichttypen: readonly string[] | null, velden: readonly string[]): string[] {
  const index = indexVan(definities);
  const inhoud: string[] = [];
  for (const v of velden) {
    if (v === '/inhoud') inhoud.push('');
    else if (v.startsWith('/inhoud/')) inhoud.push(v.slice(7));
  }
  if (!inhoud.length) return [];
  const uit = new Set<string>();
  for (const type of berichttypen ?? [...index.keys()]) {
    for (const [pointer, categorie] of index.get(type) ?? []) {
      if (inhoud.some((f) => isPrefix(pointer, f) || isPrefix(f, pointer))) uit.add(categorie);
    }
  }
  return [...uit].sort();
}
