/**
 * Bundling: turn a schema file that refers to `definities/v<major>.json` into a self-contained
 * document. `refTarget` decides where a shared definition lands: `#/$defs/X` for the schema served
 * at `/v1/schemas/…` and for type generation, `#/components/schemas/X` for the OpenAPI document.
 */
import type { JsonSchema, SchemaRegistry } from './registry.js';

/** `../definities/v1.json#/$defs/X` from a message schema, or `#/$defs/X` inside definities itself. */
const SHARED = /^(?:(?:\.\.\/)?definities\/v([1-9][0-9]*)\.json)?#\/\$defs\/([A-Za-z0-9]+)$/;

/** The name of a shared definition outside its file: `Datum` for major 1, `DatumV2` for a later major. */
export function definitieNaam(name: string, major: number): string {
  return major === 1 ? name : `${name}V${major}`;
}

/**
 * Deep-copy `node`, rewriting shared refs; collects `major/name` of the definitions used.
 * `localMajor` is the definities major a bare `#/$defs/X` refers to (inside definities itself).
 */
export function rewriteRefs(node: unknown, refTarget: (name: string) => string, used: Set<string>, localMajor = 1): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, refTarget, used, localMajor));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const m = SHARED.exec(v);
      if (m) {
        const major = m[1] ? Number(m[1]) : localMajor;
        used.add(`${major}/${m[2]}`);
        out[k] = refTarget(definitieNaam(m[2]!, major));
        continue;
      }
    }
    out[k] = rewriteRefs(v, refTarget, used, localMajor);
  }
  return out;
}

/** Every shared definition of every definities major, by its outside name. */
export function sharedDefinitions(registry: SchemaRegistry): Map<string, { major: number; name: string; schema: JsonSchema }> {
  const out = new Map<string, { major: number; name: string; schema: JsonSchema }>();
  for (const [file, doc] of registry.files) {
    const m = /^definities\/v([0-9]+)\.json$/.exec(file);
    if (!m) continue;
    const major = Number(m[1]);
    for (const [name, schema] of Object.entries((doc.$defs ?? {}) as Record<string, JsonSchema>)) out.set(definitieNaam(name, major), { major, name, schema });
  }
  return out;
}

/** A schema file with the shared definitions it uses (transitively) copied into its own `$defs`. */
export function bundleForServing(registry: SchemaRegistry, file: string): JsonSchema {
  const used = new Set<string>();
  const local = (n: string) => `#/$defs/${n}`;
  const body = rewriteRefs(registry.files.get(file), local, used) as JsonSchema;
  const defs = sharedDefinitions(registry);
  const $defs: Record<string, unknown> = {};
  const queue = [...used];
  while (queue.length) {
    const [major, name] = queue.pop()!.split('/') as [string, string];
    const key = definitieNaam(name, Number(major));
    if ($defs[key]) continue;
    const inner = new Set<string>();
    $defs[key] = rewriteRefs(defs.get(key)?.schema, local, inner, Number(major));
    inner.forEach((n) => queue.push(n));
  }
  return { ...body, $defs: { ...((body.$defs as object) ?? {}), ...$defs } };
}
