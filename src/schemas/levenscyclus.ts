/**
 * Life cycles: a message type whose `status` property carries `statusovergangen` declares which
 * status may follow which (`nieuw` = no earlier message about the same subject). The table lives in
 * the schema, so integrators read it where they read the rest of the contract; the gateway enforces
 * it against the previous message about the same placement (src/http/berichten.ts).
 */
import type { JsonSchema } from './registry.js';

/** Per status (or `nieuw`), the statuses that may follow it. */
export type Overgangen = Readonly<Record<string, readonly string[]>>;

/** The key for "no earlier message". */
export const NIEUW = 'nieuw';

/** Read the table and the status values (through a `$ref` when there is one) from a schema. */
export function statusovergangen(
  schema: JsonSchema,
  resolveRef: (ref: string) => JsonSchema | undefined,
): { overgangen: Overgangen; statussen: readonly string[] } | undefined {
  const status = (schema.properties as Record<string, JsonSchema> | undefined)?.status;
  const overgangen = status?.statusovergangen as Overgangen | undefined;
  if (!status || !overgangen) return undefined;
  const target = typeof status.$ref === 'string' ? resolveRef(status.$ref) : status;
  return { overgangen, statussen: (target?.enum as string[] | undefined) ?? [] };
}

/** What is wrong with a table: unknown statuses, or a status without an entry. */
export function checkStatusovergangen(overgangen: Overgangen, statussen: readonly string[]): string[] {
  const problemen: string[] = [];
  if (statussen.length === 0) problemen.push('status heeft geen enum');
  if (!overgangen[NIEUW]) problemen.push(`"${NIEUW}" ontbreekt`);
  for (const [van, naar] of Object.entries(overgangen)) {
    if (van !== NIEUW && !statussen.includes(van)) problemen.push(`onbekende status "${van}"`);
    for (const n of naar) if (!statussen.includes(n)) problemen.push(`onbekende status "${n}" na "${van}"`);
  }
  for (const s of statussen) if (!overgangen[s]) problemen.push(`status "${s}" heeft geen regel`);
  return problemen;
}

/** Whether `volgende` may follow `vorige` (null: the first message), and what may. */
export function beoordeelOvergang(overgangen: Overgangen, vorige: string | null, volgende: string): { toegestaan: boolean; mogelijk: readonly string[] } {
  const mogelijk = overgangen[vorige ?? NIEUW] ?? [];
  return { toegestaan: mogelijk.includes(volgende), mogelijk };
}
