/**
 * Minimise: copy out of a message only the fields a doel allows (an allow-list of JSON pointers).
 * What leaves the gateway is built from the allow-list, never by deleting from the original, so a
 * field added to a schema later stays inside until a rule names it.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function decode(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Project `value` to the given pointers. `""` means the whole value. */
export function project(value: Json, pointers: readonly string[]): Json {
  if (pointers.includes('')) return structuredClone(value);
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
      if (i === parts.length - 1) dst[p] = structuredClone(src as Json);
      else dst = (dst[p] ??= {}) as { [key: string]: Json };
    });
  }
  return out;
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
