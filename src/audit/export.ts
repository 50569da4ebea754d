/**
 * Export formats of the logboek and reading an export back for verification.
 *
 * JSONL (`formaat=jsonl`), one JSON object per line:
 *   1. `{"type":"doelpoort-logboek-export","versie":1,"gemaaktOp":…,"selectie":{…},"volledig":bool}`
 *   2. one line per record, oldest first: the record exactly as stored (`id` … `hash`, no `type`);
 *   3. one `{"type":"controlepunt",…}` line per signed checkpoint, and one `{"type":"sleutels","keys":[…]}`
 *      line with the public keys (JWKS) that signed them;
 *   4. `{"type":"einde","aantal":N,"recordsHash":…,"jws":…}`: a manifest signed with the logboek key
 *      (ES256, `typ: doelpoort-export`) over the number of records and a SHA-256 over their hashes in
 *      order — a line edited, removed, added, reordered or cut off is detected even in a selection.
 * A complete export (`volledig: true`: every record from 1 on, as `doelpoort logboek exporteer`
 * writes from a database file) is verified like the database itself, chain and checkpoints included.
 *
 * CSV (`formaat=csv`) is for spreadsheets: the same fields, lists joined with `;`, no proof.
 */
import crypto from 'node:crypto';
import type * as jose from 'jose';
import type { Controlepunt, KetenRij } from '../store/store.js';
import { canonicalize } from './canonical.js';
import { controleerControlepunt, verifieerJws } from './controlepunt.js';
import type { AuditRecord } from './record.js';
import { GENESIS_HASH, hashRecord } from './record.js';
import type { LogboekSleutels } from './sleutels.js';
import { verifieerKeten, type KetenBron, type KetenFout, type Verificatie } from './verify.js';

export const EXPORT_TYPE = 'doelpoort-logboek-export';
export const EXPORT_TYP = 'doelpoort-export';

/** The fields of a version-1 record (every record has them), in the order of the CSV columns. */
export const RECORD_VELDEN = [
  'id', 'tijdstip', 'traceId', 'spanId', 'actie', 'partij', 'client', 'trajectIds', 'berichttype', 'berichtIds', 'doel',
  'verwerkingsactiviteit', 'grondslag', 'besluit', 'regel', 'reden', 'velden', 'status', 'beleidsversie', 'vorigeHash', 'hash',
] as const;

/** The fields version 2 added (audit/record.ts): present on every record since, absent on older ones. CSV: the last columns. */
export const RECORD_VELDEN_V2 = ['recordversie', 'starttijdstip', 'parentSpanId', 'gegevenscategorieen'] as const;

/** Every field a record can have, in the order the API and the JSONL export show them. */
const VIEW_VOLGORDE = [
  'id', 'recordversie', 'starttijdstip', 'tijdstip', 'traceId', 'spanId', 'parentSpanId', 'actie', 'partij', 'client', 'trajectIds', 'berichttype',
  'berichtIds', 'doel', 'verwerkingsactiviteit', 'grondslag', 'besluit', 'regel', 'reden', 'velden', 'gegevenscategorieen', 'status',
  'beleidsversie', 'vorigeHash', 'hash',
] as const;

/**
 * The record as served by the API and written to exports: its fields in a fixed order — a version-1
 * record without the fields of version 2 (they are not part of its hash), a version-2 record with all.
 */
export function recordView(r: AuditRecord): AuditRecord {
  const out: Record<string, unknown> = {};
  for (const k of VIEW_VOLGORDE) if (r[k] !== undefined) out[k] = r[k];
  return out as unknown as AuditRecord;
}

export interface ExportKop {
  type: typeof EXPORT_TYPE;
  versie: 1;
  gemaaktOp: string;
  selectie: Record<string, string>;
  volledig: boolean;
}

/** Accumulates the manifest of a JSONL export while it streams. */
export class ExportManifest {
  private readonly digest = crypto.createHash('sha256');
  aantal = 0;
  add(record: AuditRecord): void {
    this.digest.update(`${record.hash}\n`);
    this.aantal++;
  }
  async einde(sleutels: LogboekSleutels | null, kop: ExportKop): Promise<string> {
    const recordsHash = this.digest.digest('hex');
    const inhoud = { aantal: this.aantal, recordsHash, gemaaktOp: kop.gemaaktOp, selectie: kop.selectie, volledig: kop.volledig };
    const jws = sleutels ? await sleutels.sign(canonicalize(inhoud), EXPORT_TYP) : null;
    return JSON.stringify({ type: 'einde', aantal: this.aantal, recordsHash, ...(jws ? { jws } : {}) });
  }
}

export function jsonlKop(kop: ExportKop): string {
  return JSON.stringify(kop);
}

export function jsonlControlepunt(c: Controlepunt): string {
  return JSON.stringify({ type: 'controlepunt', ...c });
}

export function jsonlSleutels(jwks: jose.JSONWebKeySet): string {
  return JSON.stringify({ type: 'sleutels', keys: jwks.keys });
}

/**
 * A cell that a spreadsheet would run as a formula is defused (OWASP CSV injection, ASVS 5.0 1.2.10):
 * one starting with `=`, `+`, `-`, `@`, tab, CR, LF or NUL — also after leading spaces, and in the
 * full-width forms — gets a leading apostrophe, so it is shown as text.
 */
const FORMULA_START = /^[\s\0]*[=+\-@\t\r\n\0\uFF1D\uFF0B\uFF0D\uFF20]/;

export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(';') : String(v);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n;]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvKop(): string {
  return [...RECORD_VELDEN, ...RECORD_VELDEN_V2].join(',');
}

export function csvRegel(r: AuditRecord): string {
  return [...RECORD_VELDEN, ...RECORD_VELDEN_V2].map((k) => csvCell(r[k])).join(',');
}

// ---------------------------------------------------------------------------------------------
// Reading an export back.

export interface ExportVerificatie extends Verificatie {
  /** Whether the export holds the whole chain (then chain and checkpoints were verified). */
  volledig: boolean;
  /** The export's own signed manifest: null when it has none (a CLI export of a database file). */
  manifest: { geldig: boolean; reden: string | null } | null;
}

/**
 * What is kept of an export while it is read line by line: per record only its id, hash, link and
 * whether it recomputes (a 1,000,000-record archive stays a few hundred MB, not the file), plus the
 * full record where the check failed and the one after it, for naming what happened.
 */
interface Gelezen {
  kop: ExportKop | null;
  ids: number[];
  hashes: string[];
  vorige: string[];
  ok: boolean[];
  volledig: Map<number, AuditRecord>;
  recordsHash: string;
  controlepunten: Controlepunt[];
  keys: jose.JWK[] | null;
  einde: { aantal: number; recordsHash: string; jws?: string } | null;
  fout: KetenFout | null;
}

async function lees(regels: AsyncIterable<string> | Iterable<string>): Promise<Gelezen> {
  const out: Gelezen = {
    kop: null, ids: [], hashes: [], vorige: [], ok: [], volledig: new Map(), recordsHash: '',
    controlepunten: [], keys: null, einde: null, fout: null,
  };
  const digest = crypto.createHash('sha256');
  let nr = 0;
  let keepNext = false;
  for await (const raw of regels) {
    nr++;
    const regel = raw.trim();
    if (regel === '') continue;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(regel) as Record<string, unknown>;
    } catch {
      out.fout ??= { id: 0, reden: `regel ${nr} is geen JSON (afgekapt of beschadigd)` };
      continue;
    }
    if (out.einde) out.fout ??= { id: 0, reden: `regel ${nr} staat na de slotregel` };
    switch (obj.type) {
      case EXPORT_TYPE: out.kop = obj as unknown as ExportKop; break;
      case 'controlepunt': { const { type: _t, ...c } = obj; out.controlepunten.push(c as unknown as Controlepunt); break; }
      case 'sleutels': out.keys = obj.keys as jose.JWK[]; break;
      case 'einde': out.einde = obj as unknown as Gelezen['einde']; break;
      case undefined: {
        const r = obj as unknown as AuditRecord;
        let ok: boolean;
        try {
          ok = hashRecord(zonderHash(r)) === r.hash;
        } catch {
          ok = false; // not even canonicalizable (a field missing or of the wrong kind)
        }
        out.ids.push(Number(r.id));
        out.hashes.push(String(r.hash));
        out.vorige.push(String(r.vorigeHash));
        out.ok.push(ok);
        digest.update(`${r.hash}\n`);
        if (!ok || keepNext) out.volledig.set(Number(r.id), r);
        keepNext = !ok;
        break;
      }
      default: out.fout ??= { id: 0, reden: `regel ${nr} heeft een onbekend type "${String(obj.type)}"` };
    }
  }
  out.recordsHash = digest.digest('hex');
  return out;
}

function zonderHash(r: AuditRecord): Omit<AuditRecord, 'hash'> {
  const out: Record<string, unknown> = {};
  for (const k of RECORD_VELDEN) if (k !== 'hash') out[k] = r[k];
  // The fields of version 2 as the line has them: absent on a version-1 record, all present (null included) on a version-2 one.
  for (const k of RECORD_VELDEN_V2) if (Object.hasOwn(r, k)) out[k] = r[k];
  return out as Omit<AuditRecord, 'hash'>;
}

/** The chain of an export for the walk; each link's check was done while reading. */
function bronVan(g: Gelezen): KetenBron {
  const order = g.ids.map((_, i) => i).sort((a, b) => g.ids[a]! - g.ids[b]!);
  return {
    async keten(na, limit) {
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (g.ids[order[mid]!]! > na) hi = mid;
        else lo = mid + 1;
      }
      return order.slice(lo, lo + limit).map((i): KetenRij => ({ id: g.ids[i]!, vorigeHash: g.vorige[i]!, hash: g.hashes[i]!, kanoniek: '', geldig: g.ok[i]! }));
    },
    async recordOpId(id) {
      return g.volledig.get(id);
    },
  };
}

/**
 * Verify an export, given as text or as lines (a file read with readline). `jwks`: trusted keys (e.g.
 * fetched from /v1/logboek/sleutels); without them the keys in the export itself are used, which proves
 * internal consistency only.
 */
export async function verifieerExport(invoer: string | AsyncIterable<string>, opties: { jwks?: jose.JSONWebKeySet; extraControlepunten?: Controlepunt[] } = {}): Promise<ExportVerificatie> {
  const g = await lees(typeof invoer === 'string' ? invoer.split('\n') : invoer);
  const jwks = opties.jwks ?? { keys: g.keys ?? [] };
  const controlepunten = [...g.controlepunten, ...(opties.extraControlepunten ?? [])];
  const volledig = g.kop?.volledig === true;
  let laatste = { id: 0, hash: GENESIS_HASH };
  g.ids.forEach((id, i) => { if (id > laatste.id) laatste = { id, hash: g.hashes[i]! }; });

  // Duplicate ids first: both the complete and the selection check assume one line per record.
  let dubbel: KetenFout | null = null;
  const index = new Map<number, number>();
  g.ids.forEach((id, i) => {
    if (index.has(id)) dubbel ??= { id, reden: `dubbel record: id ${id} komt meer dan eens voor` };
    index.set(id, i);
  });

  let result: Verificatie;
  if (volledig) {
    result = await verifieerKeten(bronVan(g), { controlepunten, jwks });
    if (dubbel && !result.eersteFout) result = { ...result, geldig: false, eersteFout: dubbel };
  } else {
    // A selection: each record must recompute; adjacent ids must link; checkpoints must be signed and match where their record is present.
    let fout: KetenFout | null = dubbel;
    for (const i of [...index.values()].sort((a, b) => g.ids[a]! - g.ids[b]!)) {
      if (fout) break;
      const id = g.ids[i]!;
      if (!g.ok[i]) fout = { id, reden: 'hash klopt niet: de inhoud van het record is gewijzigd' };
      else {
        const vorige = id === 1 ? GENESIS_HASH : index.has(id - 1) ? g.hashes[index.get(id - 1)!]! : null;
        if (vorige !== null && g.vorige[i] !== vorige) fout = { id, reden: `keten verbroken: vorigeHash wijst niet naar record ${id - 1}` };
      }
    }
    let controlepunt: Verificatie['controlepunt'] = null;
    for (const c of controlepunten) {
      const check = await controleerControlepunt(c.jws, jwks);
      let geldig = check.geldig;
      if (!check.geldig) fout ??= { id: c.aantal, reden: `controlepunt ${c.id} (${c.tijdstip}): ${check.reden}` };
      else if (index.has(check.inhoud.aantal) && g.hashes[index.get(check.inhoud.aantal)!] !== check.inhoud.laatsteHash) {
        geldig = false;
        fout ??= { id: check.inhoud.aantal, reden: `controlepunt klopt niet: record ${check.inhoud.aantal} heeft een andere hash dan controlepunt ${c.id} ondertekende` };
      }
      if (!controlepunt || c.aantal >= controlepunt.aantal) controlepunt = { id: c.id, aantal: c.aantal, laatsteHash: c.laatsteHash, tijdstip: c.tijdstip, sleutel: c.sleutel, jws: c.jws, geldig };
    }
    result = { geldig: fout === null, aantal: g.ids.length, laatsteHash: laatste.hash, eersteFout: fout, controlepunt };
  }

  // The file itself: parse errors, and the signed manifest over exactly these record lines.
  let manifest: ExportVerificatie['manifest'] = null;
  let fileFout: KetenFout | null = g.fout;
  if (!g.kop) fileFout ??= { id: 0, reden: 'geen kopregel: dit is geen Doelpoort-logboekexport' };
  if (!g.einde) {
    fileFout ??= { id: laatste.id + 1, reden: 'afgekapt: de slotregel van de export ontbreekt' };
  } else {
    if (g.einde.aantal !== g.ids.length) {
      fileFout ??= { id: 0, reden: `ontbrekend of ingevoegd record: de slotregel telt ${g.einde.aantal} records, de export heeft er ${g.ids.length}` };
    } else if (g.einde.recordsHash !== g.recordsHash) {
      fileFout ??= { id: 0, reden: 'volgorde of inhoud: de records komen niet overeen met de slotregel' };
    }
    if (g.einde.jws) {
      const check = await verifieerJws(g.einde.jws, jwks, EXPORT_TYP);
      const ok = check.geldig && check.payload.aantal === g.einde.aantal && check.payload.recordsHash === g.einde.recordsHash;
      manifest = { geldig: ok && !fileFout, reden: ok ? null : 'handtekening van de slotregel ongeldig' };
      if (!ok) fileFout ??= { id: 0, reden: 'slotregel: handtekening ongeldig of inhoud gewijzigd' };
    }
  }
  const eersteFout = result.eersteFout ?? fileFout;
  return { ...result, geldig: eersteFout === null, eersteFout, volledig, manifest };
}
