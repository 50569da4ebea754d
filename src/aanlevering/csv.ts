/**
 * Owns the attendance CSV of issue 11, offline and pure (no store, no clock): reading the bytes,
 * checking every row, and grouping the rows into one `aanwezigheid` content per trajectory with its
 * `lessen` and computed `totalen`. Used by `POST /v1/berichten/bundels` (text/csv) and by
 * `npx doelpoort valideer bestand.csv`, so both give the same Dutch messages.
 *
 * Guarantees:
 * - UTF-8 only (a BOM is allowed and dropped); other bytes (Latin-1, Windows-1252) refuse the file
 *   with a clear message, before any row is considered.
 * - `;` or `,` separated (whichever the header uses), RFC 4180 quotes (a quoted separator, quote or
 *   line break is data); empty lines are skipped; at most `MAX_RIJEN` data rows.
 * - A cell that starts with `=`, `+`, `-`, `@`, a tab or a CR (a spreadsheet formula) is refused.
 * - Every error names its row (the line number in the file, header = 1) and its column, in Dutch.
 * - A trajectory's content is built only from rows without errors, and only when all its rows are
 *   without errors; its totals are the sums of its lessons, in a content-determined order (the same
 *   lessons in another row order give the same content).
 */
import type { AanwezigheidV1 } from '../schemas/generated/index.js';
import { CATEGORIE } from '../schemas/controles.js';
import type { InvalidParam, SchemaRegistry } from '../schemas/registry.js';

export const KOLOMMEN = ['kenmerk', 'trajectId', 'datum', 'activiteit', 'geplandeMinuten', 'aanwezigeMinuten', 'status'] as const;
export type Kolom = (typeof KOLOMMEN)[number];
export const MAX_RIJEN = 20_000;
export const CSV_SJABLOON = 'kenmerk;datum;activiteit;geplandeMinuten;aanwezigeMinuten;status\r\nLLN-1001;2026-11-02;formele-taalles;180;180;aanwezig\r\n';

export interface RijFout { rij: number; kolom: Kolom | null; melding: string }

export interface CsvRij {
  /** The line number in the file (the header is line 1). */
  rij: number;
  /** `trajectId:<uuid>` or `kenmerk:<value>`. */
  sleutel: string;
  kenmerk?: string;
  trajectId?: string;
  les?: Les;
}

type Les = NonNullable<AanwezigheidV1['lessen']>[number];

export interface CsvGelezen {
  /** Errors about the whole file (encoding, header, size): nothing of it is used. */
  bestandsfouten: string[];
  rijen: CsvRij[];
  fouten: RijFout[];
}

export interface CsvRegels {
  activiteiten: readonly string[];
  statussen: readonly string[];
  van: string;
  tot: string;
}

const FORMULE = /^[=+\-@\t\r]/;
const DATUM = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATUM_NL = /^(\d{2})-(\d{2})-(\d{4})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function geldigeDatum(waarde: string): string | null {
  let m = DATUM.exec(waarde);
  let iso: string | null = m ? waarde : null;
  if (!m && (m = DATUM_NL.exec(waarde))) iso = `${m[3]}-${m[2]}-${m[1]}`;
  if (!iso) return null;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

/** Bytes to text: UTF-8 (BOM dropped) or a file-level error. */
function decodeer(bytes: Uint8Array | string): string | { fout: string } {
  if (typeof bytes === 'string') return bytes.replace(/^\uFEFF/, '');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { fout: 'Het bestand is geen UTF-8 (misschien Latin-1 of Windows-1252). Sla het in uw spreadsheet op als "CSV UTF-8" en probeer het opnieuw.' };
  }
}

/** RFC 4180 records with `sep`; each with the line number it starts on. */
function records(tekst: string, sep: string): { regel: number; cellen: string[] }[] | { fout: string } {
  const uit: { regel: number; cellen: string[] }[] = [];
  let cellen: string[] = [];
  let cel = '';
  let inQuotes = false;
  let regel = 1;
  let start = 1;
  for (let i = 0; i < tekst.length; i++) {
    const c = tekst[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (tekst[i + 1] === '"') { cel += '"'; i++; } else inQuotes = false;
      } else {
        if (c === '\n') regel++;
        cel += c;
      }
      continue;
    }
    if (c === '"' && cel === '') inQuotes = true;
    else if (c === sep) { cellen.push(cel); cel = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && tekst[i + 1] === '\n') i++;
      cellen.push(cel);
      uit.push({ regel: start, cellen });
      cellen = []; cel = ''; regel++; start = regel;
    } else cel += c;
  }
  if (inQuotes) return { fout: `Een aanhalingsteken dat op regel ${start} begint, wordt nergens gesloten.` };
  if (cel !== '' || cellen.length) { cellen.push(cel); uit.push({ regel: start, cellen }); }
  return uit;
}

/** Read and check every row; group keys are resolved later (kenmerk → trajectory needs the store). */
export function leesCsv(bytes: Uint8Array | string, regels: CsvRegels): CsvGelezen {
  const tekst = decodeer(bytes);
  if (typeof tekst !== 'string') return { bestandsfouten: [tekst.fout], rijen: [], fouten: [] };
  const eersteRegel = tekst.split(/\r?\n/, 1)[0] ?? '';
  const sep = (eersteRegel.match(/;/g)?.length ?? 0) >= (eersteRegel.match(/,/g)?.length ?? 0) ? ';' : ',';
  const recs = records(tekst, sep);
  if (!Array.isArray(recs)) return { bestandsfouten: [recs.fout], rijen: [], fouten: [] };
  const nietLeeg = recs.filter((r) => r.cellen.some((c) => c.trim() !== ''));
  if (nietLeeg.length === 0) return { bestandsfouten: ['Het bestand is leeg: er is geen kopregel.'], rijen: [], fouten: [] };
  const [kop, ...data] = nietLeeg;
  const namen = kop!.cellen.map((c) => c.trim());
  const bestandsfouten: string[] = [];
  const index = new Map<Kolom, number>();
  namen.forEach((n, i) => {
    const k = KOLOMMEN.find((x) => x.toLowerCase() === n.toLowerCase());
    if (!k) bestandsfouten.push(`Onbekende kolom "${n.slice(0, 40)}" in de kopregel; toegestaan zijn ${KOLOMMEN.join(', ')}.`);
    else if (index.has(k)) bestandsfouten.push(`De kolom ${k} staat twee keer in de kopregel.`);
    else index.set(k, i);
  });
  for (const k of ['datum', 'activiteit', 'geplandeMinuten', 'aanwezigeMinuten', 'status'] as const) if (!index.has(k)) bestandsfouten.push(`De kolom ${k} ontbreekt in de kopregel.`);
  if (index.has('kenmerk') === index.has('trajectId')) bestandsfouten.push('Gebruik precies één van de kolommen kenmerk of trajectId.');
  if (data.length > MAX_RIJEN) bestandsfouten.push(`Het bestand heeft ${data.length} regels; een aanlevering heeft er ten hoogste ${MAX_RIJEN}. Splits het bestand, bijvoorbeeld per week.`);
  if (data.length === 0) bestandsfouten.push('Het bestand heeft alleen een kopregel en geen lessen.');
  if (bestandsfouten.length) return { bestandsfouten, rijen: [], fouten: [] };

  const rijen: CsvRij[] = [];
  const fouten: RijFout[] = [];
  for (const rec of data) {
    const rij = rec.regel;
    const cel = (k: Kolom) => rec.cellen[index.get(k)!] ?? '';
    const fout = (kolom: Kolom | null, melding: string) => fouten.push({ rij, kolom, melding });
    const voor = fouten.length;
    if (rec.cellen.length !== namen.length) fout(null, `heeft ${rec.cellen.length} kolommen, de kopregel ${namen.length}`);
    for (const k of index.keys()) {
      const v = cel(k);
      if (FORMULE.test(v)) fout(k, 'begint met =, +, -, @, een tab of een regeleinde: een formule uit een spreadsheet wordt niet aangenomen');
    }
    if (fouten.length > voor) continue;
    const waarden = Object.fromEntries([...index.keys()].map((k) => [k, cel(k).trim()])) as Record<Kolom, string>;
    const r: CsvRij = { rij, sleutel: '' };
    if (index.has('kenmerk')) {
      const kenmerk = waarden.kenmerk;
      if (kenmerk === '') fout('kenmerk', 'is leeg');
      else if ([...kenmerk].length > 40) fout('kenmerk', 'is langer dan 40 tekens');
      else { r.kenmerk = kenmerk; r.sleutel = `kenmerk:${kenmerk}`; }
    } else if (!UUID.test(waarden.trajectId)) fout('trajectId', 'is geen trajectId (een UUID)');
    else { r.trajectId = waarden.trajectId.toLowerCase(); r.sleutel = `trajectId:${r.trajectId}`; }
    const datum = geldigeDatum(waarden.datum);
    if (!datum) fout('datum', 'is geen datum (JJJJ-MM-DD of DD-MM-JJJJ)');
    else if (datum < regels.van || datum > regels.tot) fout('datum', `ligt buiten de periode ${regels.van} – ${regels.tot}`);
    if (!regels.activiteiten.includes(waarden.activiteit)) fout('activiteit', `is geen bekende activiteit (bijvoorbeeld formele-taalles, werkplek; zie de sjabloon)`);
    if (!regels.statussen.includes(waarden.status)) fout('status', `moet een van ${regels.statussen.join(', ')} zijn`);
    const minuten = (k: 'geplandeMinuten' | 'aanwezigeMinuten') => {
      if (!/^\d{1,4}$/.test(waarden[k]) || Number(waarden[k]) > 1440) { fout(k, 'moet een heel aantal minuten zijn (0 tot en met 1440)'); return 0; }
      return Number(waarden[k]);
    };
    const gepland = minuten('geplandeMinuten');
    const aanwezig = minuten('aanwezigeMinuten');
    if (fouten.length === voor) {
      r.les = { datum: datum!, activiteit: waarden.activiteit as Les['activiteit'], geplandeMinuten: gepland, aanwezigeMinuten: aanwezig, status: waarden.status as Les['status'] };
    }
    rijen.push(r);
  }
  return { bestandsfouten: [], rijen, fouten };
}


function volgorde(a: Les, b: Les): number {
  return a.datum.localeCompare(b.datum) || a.activiteit.localeCompare(b.activiteit) || a.status.localeCompare(b.status)
    || a.geplandeMinuten - b.geplandeMinuten || a.aanwezigeMinuten - b.aanwezigeMinuten;
}

/** The content of one trajectory's rows: lessons in content order, totals their sums; `rijVan[i]` is lesson i's row. */
export function bouwInhoud(rijen: readonly CsvRij[], van: string, tot: string): { inhoud: AanwezigheidV1; rijVan: number[] } {
  const gesorteerd = rijen.filter((r) => r.les).sort((a, b) => volgorde(a.les!, b.les!));
  const lessen = gesorteerd.map((r) => r.les!);
  const totalen = new Map<string, AanwezigheidV1['totalen'][number]['minuten']>();
  for (const les of lessen) {
    const m = totalen.get(les.activiteit) ?? { gepland: 0, aanwezig: 0, teLaat: 0, vroegVertrokken: 0, geoorloofdAfwezig: 0, ongeoorloofdAfwezig: 0, ziek: 0, afwezig: 0, vervallen: 0, onbekend: 0 };
    m.gepland += les.geplandeMinuten;
    m.aanwezig += les.aanwezigeMinuten;
    if (les.status !== 'aanwezig') m[CATEGORIE[les.status]]! += les.geplandeMinuten - les.aanwezigeMinuten;
    totalen.set(les.activiteit, m);
  }
  // `vroegVertrokken` (since schema 1.1) only when a lesson was left early, so other weeks stay valid 1.0 content.
  for (const m of totalen.values()) if (m.vroegVertrokken === 0) delete m.vroegVertrokken;
  return {
    inhoud: {
      periode: { van, tot },
      totalen: [...totalen].sort(([a], [b]) => a.localeCompare(b)).map(([activiteit, minuten]) => ({ activiteit, minuten })) as AanwezigheidV1['totalen'],
      lessen,
    },
    rijVan: gesorteerd.map((r) => r.rij),
  };
}

const KOLOM_VAN_VELD: Record<string, Kolom> = { datum: 'datum', activiteit: 'activiteit', geplandeMinuten: 'geplandeMinuten', aanwezigeMinuten: 'aanwezigeMinuten', status: 'status' };

/** Schema errors of a built content, back on the rows and columns they came from. */
export function foutenNaarRijen(fouten: readonly InvalidParam[], rijVan: readonly number[], alleRijen: readonly number[]): RijFout[] {
  const uit: RijFout[] = [];
  for (const f of fouten) {
    const m = /^\/lessen\/(\d+)(?:\/(\w+))?/.exec(f.name);
    if (m && rijVan[Number(m[1])] !== undefined) uit.push({ rij: rijVan[Number(m[1])]!, kolom: KOLOM_VAN_VELD[m[2] ?? ''] ?? null, melding: f.reason });
    else for (const rij of alleRijen) uit.push({ rij, kolom: null, melding: `het bericht van dit traject: ${f.name} ${f.reason}` });
  }
  return uit;
}

/** `?van=&tot=`: both dates, van ≤ tot, at most 31 days. */
export function periodeFouten(van: unknown, tot: unknown): InvalidParam[] {
  const fouten: InvalidParam[] = [];
  const v = typeof van === 'string' && DATUM.test(van) ? geldigeDatum(van) : null;
  const t = typeof tot === 'string' && DATUM.test(tot) ? geldigeDatum(tot) : null;
  if (!v) fouten.push({ name: 'van', code: 'format', reason: 'is verplicht: de eerste dag van de periode (JJJJ-MM-DD)' });
  if (!t) fouten.push({ name: 'tot', code: 'format', reason: 'is verplicht: de laatste dag van de periode (JJJJ-MM-DD)' });
  if (v && t && (t < v || Date.parse(t) - Date.parse(v) > 30 * 86_400_000)) fouten.push({ name: 'tot', code: 'range', reason: 'moet op of na van liggen, ten hoogste 31 dagen later' });
  return fouten;
}

/** The enums of the rows' columns, from the served schemas (the CSV follows the message, not a copy). */
export function csvRegels(s: { schemas: Pick<SchemaRegistry, 'files'> }, van: string, tot: string): CsvRegels {
  const definities = s.schemas.files.get('definities/v1.json') as unknown as { $defs: Record<string, { enum?: string[] }> };
  return { activiteiten: definities.$defs.Activiteit!.enum!, statussen: definities.$defs.Aanwezigheidsstatus!.enum!, van, tot };
}
