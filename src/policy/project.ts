/**
 * Minimise: copy out of a message only the fields a doel allows (an allow-list of JSON pointers).
 * What leaves the gateway is built from the allow-list, never by deleting from the original, so a
 * field added to a schema later stays inside until a rule names it.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function decode(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Project `value` to the given pointers. `""` means the whole value. The result shares nothing with
 * `value` unless `gedeeld` is set: then the allowed subtrees are taken as they are (for a value that
 * belongs to the caller alone, such as a message just parsed for one answer — no copy needed).
 */
export function project(value: Json, pointers: readonly string[], gedeeld = false): Json {
  const kopie = gedeeld ? (v: Json) => v : structuredClone<Json>;
  if (pointers.includes('')) return kopie(value);
  const out: { [key: string]: Json } = {};
  for (const pointer of pointers) {
    const parts = pointer.split('/').slice(1).map(decode);
    let src: Json | undefined = value;
    for (const p of parts) {
      src = src !== null && typeof src === 'object' && !Array.isArray(src) && Object.hasOwn(src, p) ? src[p] : undefined;
      if (src === undefined) break;
    }
    if (src === undefined) continue;
    let dst = out;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) dst[p] = kopie(src as Json);
      else dst = (dst[p] ??= {}) as { [key: string]: Json };
    });
  }
  return out;
}

function valueAt(value: Json, pointer: string): Json | undefined {
  let node: Json | undefined = value;
  for (const p of pointer.split('/').slice(1).map(decode)) {
    node = node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, p) ? node[p] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * A rule's per-party projection (`partijdeel`), applied after `project`: of the array at `lijst`, only
 * the elements whose `partijVeld` names `partij` stay. The input is not changed: the objects on the path
 * to the list are copied. A list that is absent or not an array is left as it is.
 */
export function eigenDeel(value: Json, deel: { lijst: string; partijVeld: string; partij: string }): Json {
  const parts = deel.lijst.split('/').slice(1).map(decode);
  const step = (node: Json, i: number): Json => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
    const key = parts[i]!;
    if (!Object.hasOwn(node, key)) return node;
    const child = node[key]!;
    if (i < parts.length - 1) return { ...node, [key]: step(child, i + 1) };
    if (!Array.isArray(child)) return node;
    return { ...node, [key]: child.filter((el) => valueAt(el, deel.partijVeld) === deel.partij) };
  };
  return step(value, 0);
}

/**
 * What leaves the gateway of one message under an allowed read: the projection, then the per-party
 * part. `value` must belong to the caller alone (parsed for this answer): the result shares its subtrees.
 */
export function minimaliseer(value: Json, besluit: { projectie: readonly string[]; partijdeel?: { lijst: string; partijVeld: string; partij: string } }): Json {
  const projected = besluit.projectie.includes('') ? value : project(value, besluit.projectie, true);
  return besluit.partijdeel ? eigenDeel(projected, besluit.partijdeel) : projected;
}

/**
 * The pointers of the fields that a projection disclosed from `value` (for the audit record: names,
 * never values). For a whole-message projection these are the message's top-level fields.
 */
export function disclosedFields(value: Json, pointers: readonly string[]): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  if (pointers.includes('')) return Object.keys(value).map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`).sort();
  return pointers
    .filter((pointer) => {
      let node: Json | undefined = value;
      for (const p of pointer.split('/').slice(1).map(decode)) {
        node = node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, p) ? node[p] : undefined;
        if (node === undefined) return false;
      }
      return true;
    })
    .sort();
}
