/**
 * JSON-pointer sets as allow-lists: "is this field inside the allow-list?", and the intersection of
 * two allow-lists (a rule's projection narrowed to the categories a participant consented to).
 * A pointer allows its whole subtree; `""` allows everything.
 */

/** Whether `outer` is `inner` or one of its ancestors. */
export function isPrefix(outer: string, inner: string): boolean {
  return outer === '' || outer === inner || inner.startsWith(`${outer}/`);
}

/** Whether the allow-list `pointers` covers the field `pointer`. */
export function covers(pointers: readonly string[], pointer: string): boolean {
  for (const p of pointers) if (isPrefix(p, pointer)) return true;
  return false;
}

/** Drop pointers that another pointer of the list already covers; sorted, without duplicates. */
export function reduce(pointers: readonly string[]): string[] {
  const unique = [...new Set(pointers)];
  return unique.filter((p) => !unique.some((q) => q !== p && isPrefix(q, p))).sort();
}

/** The fields both allow-lists allow. */
export function intersect(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  for (const x of a) {
    for (const y of b) {
      if (isPrefix(y, x)) out.push(x);
      else if (isPrefix(x, y)) out.push(y);
    }
  }
  return reduce(out);
}
