/**
 * UI: the `html` tagged template that every page is written in. Every interpolated value is
 * HTML-escaped unless it is itself the result of `html` (a `SafeHtml`); arrays are joined, and
 * `null`, `undefined` and `false` render as nothing, so `${cond && html`…`}` works. There is no
 * way to interpolate an unescaped string except `trusted()`, which takes markup written in this
 * code base or produced by a trusted library — never data.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${userText}</p>\`` — values escaped, nested `html` kept as markup. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Markup written in this code base or produced by a trusted library (oidc-provider's logout form). Never pass data. */
export function trusted(literal: string): SafeHtml {
  return new SafeHtml(literal);
}

/** Build a query string from the non-empty entries (for links that keep the filters). */
export function queryString(params: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
