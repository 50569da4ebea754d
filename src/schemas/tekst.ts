/**
 * Control characters in input text: refused everywhere, on every adapter, with a clear 400. Owns the
 * rule "a string in a request body holds no C0 control character except TAB, LF and CR" (and no
 * U+0000 in particular, which PostgreSQL `text` cannot store while SQLite can): without it the same
 * request would be stored on one adapter and fail with a 503 on the other. Checked on every JSON body
 * right after parsing (`readJsonBody`), before schema validation, so it holds for free text such as
 * `toelichting` or `instrument` and for any field a later schema adds.
 */
import type { InvalidParam } from './registry.js';

// eslint-disable-next-line no-control-regex
const VERBODEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

const pointer = (path: string[]) => path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** Every string (value or key) in `value` holding a forbidden control character, as JSON pointers. */
export function stuurtekens(value: unknown, path: string[] = [], out: InvalidParam[] = []): InvalidParam[] {
  if (typeof value === 'string') {
    if (VERBODEN.test(value)) {
      const c = value.match(VERBODEN)![0].charCodeAt(0);
      out.push({ name: pointer(path) || '/', code: 'stuurteken', reason: `bevat een stuurteken (U+${c.toString(16).toUpperCase().padStart(4, '0')}); alleen tab, regelovergang en return zijn toegestaan` });
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => stuurtekens(v, [...path, String(i)], out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (VERBODEN.test(k)) out.push({ name: pointer([...path, k]), code: 'stuurteken', reason: 'de naam bevat een stuurteken' });
      else stuurtekens(v, [...path, k], out);
    }
  }
  return out;
}
