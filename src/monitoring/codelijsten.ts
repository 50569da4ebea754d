/**
 * The code lists the figures are tabulated by, taken from the shared definitions (`schemas/definities`)
 * once at start, so a table has a row for every code the messages can carry — also a code nobody used
 * (its cell is then 0, and suppressed): the shape of a table never depends on the data.
 */
import type { JsonSchema, SchemaRegistry } from '../schemas/registry.js';

export interface Codelijsten {
  leerroute: string[];
  regime: string[];
  activiteit: string[];
  vaardigheid: string[];
  taalniveau: string[];
  examenonderdeel: string[];
  examenuitslag: string[];
  participatievorm: string[];
  plaatsingsstatus: string[];
  eindreden: string[];
  afsluitreden: string[];
  indicatie: string[];
  vervolg: string[];
  knelpunt: string[];
}

const NAMEN: Record<keyof Codelijsten, string> = {
  leerroute: 'Trajectleerroute', regime: 'Regime', activiteit: 'Activiteit', vaardigheid: 'Vaardigheid', taalniveau: 'GemetenTaalniveau',
  examenonderdeel: 'Examenonderdeel', examenuitslag: 'Examenuitslag', participatievorm: 'Participatievorm', plaatsingsstatus: 'Plaatsingsstatus',
  eindreden: 'Eindreden', afsluitreden: 'Afsluitreden', indicatie: 'Indicatie', vervolg: 'Vervolg', knelpunt: 'Knelpuntsoort',
};

export function codelijsten(schemas: SchemaRegistry): Codelijsten {
  const defs = (schemas.files.get('definities/v1.json')?.$defs ?? {}) as Record<string, JsonSchema>;
  return Object.fromEntries(Object.entries(NAMEN).map(([k, naam]) => {
    const lijst = defs[naam]?.enum;
    if (!Array.isArray(lijst)) throw new Error(`definities/v1.json: geen codelijst ${naam}`);
    return [k, lijst as string[]];
  })) as unknown as Codelijsten;
}
