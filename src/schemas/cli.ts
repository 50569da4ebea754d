/**
 * `doelpoort valideer`: checks messages offline against the bundled schemas — the same registry
 * and checks the gateway runs — and prints every error with its JSON pointer in plain Dutch, so a
 * language school can check its export before it ever calls the API.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CliIo, Subcommand } from '../cli.js';
import { projectRoot } from '../config.js';
import { bouwInhoud, csvRegels, foutenNaarRijen, leesCsv, periodeFouten, type CsvRij, type RijFout } from '../aanlevering/csv.js';
import { loadSchemas, type InvalidParam, type SchemaRegistry } from './registry.js';

const HULP = `Gebruik: doelpoort valideer <bestand.json>... [--berichttype <type> [--schemaversie <versie>]]
       doelpoort valideer <aanwezigheid.csv>... --van <JJJJ-MM-DD> --tot <JJJJ-MM-DD>

Controleert berichten zonder de gateway: de envelop, de schemaversie die het bericht noemt, de inhoud
volgens het schema van het berichttype, en de controles die een schema niet kan uitdrukken (data in
volgorde, totalen die optellen). Elke fout komt op een eigen regel, met de plek als JSON-pointer.

Een bestand bevat één bericht (een envelop zoals u die naar POST /v1/berichten stuurt) of een lijst
van berichten. Met --berichttype bevat het alleen de inhoud van een bericht van dat type
(--schemaversie: welke versie, standaard de nieuwste). "-" leest van standaardinvoer.

Een .csv-bestand is een aanwezigheidsexport (zoals voor POST /v1/berichten/bundels): UTF-8, ; of , als
scheidingsteken, een kopregel met kenmerk of trajectId, datum, activiteit, geplandeMinuten,
aanwezigeMinuten en status, voor de periode --van t/m --tot. Elke fout komt met regelnummer en kolom,
in dezelfde woorden als de gateway. Niet offline te controleren: of een kenmerk bij een traject hoort.

Niet offline te controleren: of u aan het traject bent toegewezen, of het berichtId al gebruikt is,
en of de status van een plaatsing mag volgen op het vorige bericht over die plaatsing.

Afsluitcode: 0 alles geldig, 1 een of meer berichten ongeldig, 2 gebruiks- of bestandsfout.

Voorbeelden:
  npx doelpoort valideer export/week-46.json
  npx doelpoort valideer inhoud.json --berichttype plaatsing --schemaversie 1.0`;

interface Opties {
  bestanden: string[];
  van?: string;
  tot?: string;
  berichttype?: string;
  schemaversie?: string;
}

function leesOpties(args: string[]): Opties | string {
  const opties: Opties = { bestanden: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--berichttype' || arg === '--schemaversie' || arg === '--van' || arg === '--tot') {
      const waarde = args[++i];
      if (!waarde || waarde.startsWith('--')) return `${arg} heeft een waarde nodig`;
      if (arg === '--berichttype') opties.berichttype = waarde;
      else if (arg === '--schemaversie') opties.schemaversie = waarde;
      else if (arg === '--van') opties.van = waarde;
      else opties.tot = waarde;
    } else if (arg.startsWith('--')) {
      return `onbekende optie ${arg}`;
    } else {
      opties.bestanden.push(arg);
    }
  }
  if (opties.bestanden.length === 0) return 'noem ten minste één bestand';
  if (opties.schemaversie && !opties.berichttype) return '--schemaversie hoort bij --berichttype (een envelop noemt zijn eigen schemaversie)';
  return opties;
}

function meervoud(n: number, een: string, meer: string): string {
  return `${n} ${n === 1 ? een : meer}`;
}

/** The errors of one file's content: one message, a list of them, or bare content of a named type. */
function fouten(registry: SchemaRegistry, data: unknown, opties: Opties): { fouten: InvalidParam[]; berichten: number; ongeldig: number; versies: Set<string> } {
  const versies = new Set<string>();
  if (opties.berichttype) {
    const f = registry.validateInhoud(opties.berichttype, data, '', opties.schemaversie);
    const v = opties.schemaversie ? registry.kies(opties.berichttype, opties.schemaversie) : undefined;
    const versie = v?.ok ? v.versie : registry.versies(opties.berichttype).at(-1);
    if (versie) versies.add(`${opties.berichttype} ${versie.versie}`);
    return { fouten: f, berichten: 1, ongeldig: f.length ? 1 : 0, versies };
  }
  const lijst = Array.isArray(data);
  const berichten = lijst ? data : [data];
  const alle: InvalidParam[] = [];
  let ongeldig = 0;
  berichten.forEach((bericht, i) => {
    const v = registry.validateBericht(bericht, lijst ? `/${i}` : '');
    if (v.versie) versies.add(`${v.versie.berichttype} ${v.versie.versie}`);
    if (v.fouten.length) ongeldig++;
    alle.push(...v.fouten);
  });
  return { fouten: alle, berichten: berichten.length, ongeldig, versies };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const opties = leesOpties(args);
  if (typeof opties === 'string') {
    io.err(`doelpoort valideer: ${opties}\n\n${HULP}`);
    return 2;
  }
  const registry = loadSchemas(path.join(projectRoot(), 'schemas'));
  if (opties.berichttype && !registry.berichttypen.includes(opties.berichttype)) {
    io.err(`doelpoort valideer: onbekend berichttype "${opties.berichttype}"; bekend zijn: ${registry.berichttypen.join(', ')}`);
    return 2;
  }
  let code = 0;
  for (const bestand of opties.bestanden) {
    if (bestand.toLowerCase().endsWith('.csv')) {
      code = Math.max(code, valideerCsv(registry, bestand, opties, io));
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(bestand === '-' ? 0 : bestand, 'utf8'));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      io.err(`${bestand}: ${err.code === 'ENOENT' ? 'bestand niet gevonden' : err instanceof SyntaxError ? `geen geldige JSON (${err.message})` : `niet te lezen (${err.message})`}`);
      code = 2;
      continue;
    }
    const r = fouten(registry, data, opties);
    const schema = r.versies.size ? ` (${[...r.versies].join(', ')})` : '';
    const aantal = Array.isArray(data) && !opties.berichttype ? `${meervoud(r.berichten, 'bericht', 'berichten')}, ` : '';
    if (r.fouten.length === 0) {
      io.out(`${bestand}: geldig — ${aantal}volgens schema${schema}`);
      continue;
    }
    if (code === 0) code = 1;
    const wat = aantal ? `${aantal}${r.ongeldig} ongeldig, ` : '';
    io.out(`${bestand}: ONGELDIG — ${wat}${meervoud(r.fouten.length, 'fout', 'fouten')}${schema}`);
    for (const f of r.fouten) io.out(`  ${f.name}: ${f.reason}`);
  }
  return code;
}

/** An attendance CSV: the same reading, checks and grouping as the gateway (src/aanlevering/csv.ts). */
function valideerCsv(registry: SchemaRegistry, bestand: string, opties: Opties, io: CliIo): number {
  const periode = periodeFouten(opties.van, opties.tot);
  if (periode.length) {
    io.err(`${bestand}: noem de periode met --van en --tot (${periode.map((f) => `${f.name} ${f.reason}`).join('; ')})`);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(bestand === '-' ? 0 : bestand);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    io.err(`${bestand}: ${err.code === 'ENOENT' ? 'bestand niet gevonden' : `niet te lezen (${err.message})`}`);
    return 2;
  }
  const gelezen = leesCsv(bytes, csvRegels({ schemas: registry }, opties.van!, opties.tot!));
  if (gelezen.bestandsfouten.length) {
    io.out(`${bestand}: ONGELDIG — het bestand is niet te verwerken`);
    for (const f of gelezen.bestandsfouten) io.out(`  ${f}`);
    return 1;
  }
  const fouten: RijFout[] = [...gelezen.fouten];
  const groepen = new Map<string, CsvRij[]>();
  for (const r of gelezen.rijen) if (r.sleutel) groepen.set(r.sleutel, [...(groepen.get(r.sleutel) ?? []), r]);
  for (const rijen of groepen.values()) {
    const nummers = rijen.map((r) => r.rij);
    if (nummers.some((n) => fouten.some((f) => f.rij === n))) continue;
    const { inhoud, rijVan } = bouwInhoud(rijen, opties.van!, opties.tot!);
    fouten.push(...foutenNaarRijen(registry.validateInhoud('aanwezigheid', inhoud), rijVan, nummers));
  }
  const samenvatting = `${meervoud(gelezen.rijen.length, 'regel', 'regels')}, ${meervoud(groepen.size, 'traject', 'trajecten')}`;
  if (fouten.length === 0) {
    io.out(`${bestand}: geldig — ${samenvatting}, periode ${opties.van} – ${opties.tot}`);
    return 0;
  }
  io.out(`${bestand}: ONGELDIG — ${samenvatting}, ${meervoud(fouten.length, 'fout', 'fouten')}`);
  for (const f of [...fouten].sort((a, b) => a.rij - b.rij)) io.out(`  regel ${f.rij}${f.kolom ? `, kolom ${f.kolom}` : ''}: ${f.melding}`);
  return 1;
}

export const valideer: Subcommand = {
  naam: ['valideer'],
  samenvatting: 'controleer berichten offline tegen de schema\'s, met elke fout en zijn plek',
  hulp: HULP,
  run,
};
