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
import { hashRecord, GENESIS_HASH } from './record.js';
import type { LogboekSleutels } from './sleutels.js';
import { verifieerKeten, type KetenBron, type KetenFout, type Verificatie } from './verify.js';

export const EXPORT_TYPE = 'doelpoort-logboek-export';
export const EXPORT_TYP = 'doelpoort-export';

export const RECORD_VELDEN = [
  'id', 'tijdstip', 'traceId', 'spanId', 'actie', 'partij', 'client', 'trajectIds', 'berichttype', 'berichtIds', 'doel',
  'verwerkingsactiviteit', 'grondslag', 'besluit', 'regel', 'reden', 'velden', 'status', 'beleidsversie', 'vorigeHash', 'hash',
] as const;

/** The record as served by the API and written to exports: the stored fields in a fixed order. */
export function recordView(r: AuditRecord): AuditRecord {
  const out: Record<string, unknown> = {};
  for (const k of RECORD_VELDEN) out[k] = r[k];
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

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(';') : String(v);
  // A cell that a spreadsheet would run as a formula is defused.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n;]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvKop(): string {
  return RECORD_VELDEN.join(',');
}

export function csvRegel(r: AuditRecord): string {
  return RECORD_VELDEN.map((k) => csvCell(r[k])).join(',');
}

// ---------------------------------------------------------------------------------------------
// Reading an export back.

export interface ExportVerificatie extends Verificatie {
  /** Whether the export holds the whole chain (then chain and checkpoints were verified). */
  volledig: boolean;
  /** The export's own signed manifest: null when it has none (a CLI export of a database file). */
  manifest: { geldig: boolean; reden: string | null } | null;
}

interface Gelezen {
  kop: ExportKop | null;
  records: Array<AuditRecord & Record<string, unknown>>;
  controlepunten: Controlepunt[];
  keys: jose.JWK[] | null;
  einde: { aantal: number; recordsHash: string; jws?: string } | null;
  fout: KetenFout | null;
}

function lees(tekst: string): Gelezen {
  const out: Gelezen = { kop: null, records: [], controlepunten: [], keys: null, einde: null, fout: null };
  const regels = tekst.split('\n');
  for (let i = 0; i < regels.length; i++) {
    const regel = regels[i]!.trim();
    if (regel === '') continue;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(regel) as Record<string, unknown>;
    } catch {
      out.fout ??= { id: 0, reden: `regel ${i + 1} is geen JSON (afgekapt of beschadigd)` };
      continue;
    }
    if (out.einde) out.fout ??= { id: 0, reden: `regel ${i + 1} staat na de slotregel` };
    switch (obj.type) {
      case EXPORT_TYPE: out.kop = obj as unknown as ExportKop; break;
      case 'controlepunt': { const { type: _t, ...c } = obj; out.controlepunten.push(c as unknown as Controlepunt); break; }
      case 'sleutels': out.keys = obj.keys as jose.JWK[]; break;
      case 'einde': out.einde = obj as unknown as Gelezen['einde']; break;
      case undefined: out.records.push(obj as AuditRecord & Record<string, unknown>); break;
      default: out.fout ??= { id: 0, reden: `regel ${i + 1} heeft een onbekend type "${String(obj.type)}"` };
    }
  }
  return out;
}

function zonderHash(r: AuditRecord): Omit<AuditRecord, 'hash'> {
  const out: Record<string, unknown> = {};
  for (const k of RECORD_VELDEN) if (k !== 'hash') out[k] = r[k];
  return out as Omit<AuditRecord, 'hash'>;
}

function bronVan(records: AuditRecord[]): KetenBron {
  const sorted = [...records].sort((a, b) => a.id - b.id);
  const byId = new Map(sorted.map((r) => [r.id, r]));
  return {
    async keten(na, limit) {
      const start = sorted.findIndex((r) => r.id > na);
      if (start < 0) return [];
      return sorted.slice(start, start + limit).map((r): KetenRij => ({ id: r.id, vorigeHash: r.vorigeHash, hash: r.hash, kanoniek: canonicalize(zonderHash(r)) }));
    },
    async recordOpId(id) {
      return byId.get(id);
    },
  };
}

/**
 * Verify an export. `jwks`: trusted keys (e.g. fetched from /v1/logboek/sleutels); without them the
 * keys in the export itself are used, which proves internal consistency only.
 */
export async function verifieerExport(tekst: string, opties: { jwks?: jose.JSONWebKeySet; extraControlepunten?: Controlepunt[] } = {}): Promise<ExportVerificatie> {
  const g = lees(tekst);
  const jwks = opties.jwks ?? { keys: g.keys ?? [] };
  const controlepunten = [...g.controlepunten, ...(opties.extraControlepunten ?? [])];
  const volledig = g.kop?.volledig === true;
  const laatste = g.records.reduce((m, r) => (r.id > m.id ? r : m), { id: 0, hash: GENESIS_HASH } as { id: number; hash: string });

  let result: Verificatie;
  if (volledig) {
    result = await verifieerKeten(bronVan(g.records), { controlepunten, jwks });
    // Reordered lines are harmless when ids are intact; duplicate ids are not.
    const ids = new Set<number>();
    for (const r of g.records) {
      if (ids.has(r.id) && !result.eersteFout) result = { ...result, geldig: false, eersteFout: { id: r.id, reden: `dubbel record: id ${r.id} komt meer dan eens voor` } };
      ids.add(r.id);
    }
  } else {
    // A selection: each record must recompute; adjacent ids must link; checkpoints must be signed and match where their record is present.
    let fout: KetenFout | null = null;
    const byId = new Map<number, AuditRecord>();
    for (const r of g.records) {
      if (byId.has(r.id)) fout ??= { id: r.id, reden: `dubbel record: id ${r.id} komt meer dan eens voor` };
      byId.set(r.id, r);
    }
    const sorted = [...byId.values()].sort((a, b) => a.id - b.id);
    for (const r of sorted) {
      if (fout) break;
      if (hashRecord(zonderHash(r)) !== r.hash) fout = { id: r.id, reden: 'hash klopt niet: de inhoud van het record is gewijzigd' };
      else {
        const vorige = r.id === 1 ? { hash: GENESIS_HASH } : byId.get(r.id - 1);
        if (vorige && r.vorigeHash !== vorige.hash) fout = { id: r.id, reden: `keten verbroken: vorigeHash wijst niet naar record ${r.id - 1}` };
      }
    }
    let controlepunt: Verificatie['controlepunt'] = null;
    for (const c of controlepunten) {
      const check = await controleerControlepunt(c.jws, jwks);
      let geldig = check.geldig;
      if (!check.geldig) fout ??= { id: c.aantal, reden: `controlepunt ${c.id} (${c.tijdstip}): ${check.reden}` };
      else {
        const r = byId.get(check.inhoud.aantal);
        if (r && r.hash !== check.inhoud.laatsteHash) {
          geldig = false;
          fout ??= { id: r.id, reden: `controlepunt klopt niet: record ${r.id} heeft een andere hash dan controlepunt ${c.id} ondertekende` };
        }
      }
      if (!controlepunt || c.aantal >= controlepunt.aantal) controlepunt = { id: c.id, aantal: c.aantal, laatsteHash: c.laatsteHash, tijdstip: c.tijdstip, sleutel: c.sleutel, jws: c.jws, geldig };
    }
    result = { geldig: fout === null, aantal: g.records.length, laatsteHash: laatste.hash, eersteFout: fout, controlepunt };
  }

  // The file itself: parse errors, and the signed manifest over exactly these record lines.
  let manifest: ExportVerificatie['manifest'] = null;
  let fileFout: KetenFout | null = g.fout;
  if (!g.kop) fileFout ??= { id: 0, reden: 'geen kopregel: dit is geen Doelpoort-logboekexport' };
  if (!g.einde) {
    fileFout ??= { id: laatste.id + 1, reden: 'afgekapt: de slotregel van de export ontbreekt' };
  } else {
    const digest = crypto.createHash('sha256');
    for (const r of g.records) digest.update(`${r.hash}\n`);
    const recordsHash = digest.digest('hex');
    if (g.einde.aantal !== g.records.length) {
      fileFout ??= { id: 0, reden: `ontbrekend of ingevoegd record: de slotregel telt ${g.einde.aantal} records, de export heeft er ${g.records.length}` };
    } else if (g.einde.recordsHash !== recordsHash) {
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
