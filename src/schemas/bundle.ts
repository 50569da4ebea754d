/**
 * Bundling: turn a schema file that refers to `definities.json` into a self-contained document.
 * `refTarget` decides where a shared definition lands: `#/$defs/X` for the schema served at
 * `/v1/schemas/{berichttype}`, `#/components/schemas/X` for the OpenAPI document.
 */
import type { JsonSchema, SchemaRegistry } from './registry.js';

const SHARED = /^(?:\.\.\/)?definities\.json#\/\$defs\/([A-Za-z0-9]+)$/;

/** Deep-copy `node`, rewriting shared refs; returns the definition names used. */
export function rewriteRefs(node: unknown, refTarget: (name: string) => string, used: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, refTarget, used));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const m = SHARED.exec(v);
      if (m) {
        used.add(m[1]!);
        out[k] = refTarget(m[1]!);
        continue;
      }
    }
    out[k] = rewriteRefs(v, refTarget, used);
  }
  return out;
}

export function sharedDefinitions(registry: SchemaRegistry): Record<string, JsonSchema> {
  return (registry.files.get('definities.json')?.$defs ?? {}) as Record<string, JsonSchema>;
}

/** A message schema with the shared definitions it uses copied into its own `$defs`. */
export function bundleForServing(registry: SchemaRegistry, file: string): JsonSchema {
  const used = new Set<string>();
  const body = rewriteRefs(registry.files.get(file), (n) => `#/$defs/${n}`, used) as JsonSchema;
  const defs = sharedDefinitions(registry);
  // Definitions may refer to each other; close over them.
  const $defs: Record<string, unknown> = {};
  const queue = [...used];
  while (queue.length) {
    const name = queue.pop()!;
    if ($defs[name]) continue;
    const inner = new Set<string>();
    $defs[name] = rewriteRefs(defs[name], (n) => `#/$defs/${n}`, inner);
    inner.forEach((n) => queue.push(n));
  }
  return { ...body, $defs: { ...((body.$defs as object) ?? {}), ...$defs } };
}
