/**
 * The logboek in the terms of Logboek Dataverwerkingen (LDV, Logius): each record as `ProcessingActivity`
 * lines (the object of the "lezen" extension's API, with LDV core's attributes), for
 * `GET /v1/logboek/export?formaat=ldv` and `npx doelpoort logboek exporteer --formaat ldv`. Pure: a
 * record in, its lines out; the callers stream them as NDJSON, one line at a time.
 *
 * Decisions (docs/logboek-ldv.md):
 * - One line per data subject per record. The data subject is the trajectory (`trajectId`, a random
 *   UUID; never a BSN): `dpl.core.data_subject_id_type` is `urn:doelpoort:traject-id`. LDV requires a
 *   data subject on every line, so a record that concerns none (a refused token without a trajectory
 *   in the path, a logboek search, a subscription) has no LDV line; it stays in the logboek and in the
 *   JSONL export. Ids that failed their format check ("ongeldig (n tekens)") identify no one: no line.
 * - Span ids: a record with one data subject keeps its own span (the gateway's span of that unit of
 *   work) and the caller's span as `parentSpanId` (absent when it sent none). A record with several
 *   subjects becomes one child span per subject: `spanId` = the first 16 hex characters of
 *   SHA-256(record span ":" trajectId), `parentSpanId` = the record's span — unique per line,
 *   deterministic, and still leading to the record.
 * - `startTime`/`endTime`: Unix epoch milliseconds (LDV core: timestamp in ms) of the record's
 *   `starttijdstip` and `tijdstip`; a version-1 record has one time, used for both.
 * - `status` as LDV core defines it: `Ok` for an allowed processing, `Error` for a server-side failure
 *   (5xx), `Unset` for a refusal or input error (4xx: the processing ran correctly and refused). The
 *   refusal itself is `dpl.doelpoort.besluit`.
 * - `dpl.core.processing_activity_id`: the record's `verwerkingsactiviteit`; a version-1 record that
 *   named none gets its action's activity (`verwerkingsactiviteiten.ts`).
 * - `dpl.core.foreign_operation.processor`: the other party of the processing (the caller, or the
 *   receiving subscriber) as `urn:doelpoort:partij:<id>` (the id of policies/partijen.json).
 * - Further attributes under `dpl.doelpoort.*`: the record's id and hash (the line proves nothing on
 *   its own; the JSONL export of the same records verifies), the decision, HTTP status, doel and data
 *   categories. Never message content; no employee and no client id.
 */
import crypto from 'node:crypto';
import type { AuditActie, AuditRecord } from './record.js';
import { verwerkingsactiviteitVan } from './verwerkingsactiviteiten.js';

/** `dpl.core.data_subject_id_type` of every line: a Doelpoort trajectory id. */
export const LDV_BETROKKENE_TYPE = 'urn:doelpoort:traject-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface LdvProcessingActivity {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  status: 'Unset' | 'Ok' | 'Error';
  name: string;
  startTime: number;
  endTime: number;
  resource: { attributes: Record<string, string> };
  attributes: Record<string, string | number | string[]>;
}

/** The URI of a party as LDV's "external application" of a processing. */
export function partijUri(partij: string): string {
  return `urn:doelpoort:partij:${partij}`;
}

function kindSpan(spanId: string, trajectId: string): string {
  const h = crypto.createHash('sha256').update(`${spanId}:${trajectId}`).digest('hex').slice(0, 16);
  return /^0+$/.test(h) ? '0000000000000001' : h; // W3C: an all-zero span id is invalid
}

function status(r: AuditRecord): LdvProcessingActivity['status'] {
  if (r.status >= 500) return 'Error';
  return r.besluit === 'toegestaan' ? 'Ok' : 'Unset';
}

/** The data subjects of a record: its trajectory ids that passed their format check, once each. */
export function ldvBetrokkenen(r: Pick<AuditRecord, 'trajectIds'>): string[] {
  return [...new Set(r.trajectIds.filter((t) => UUID.test(t)))];
}

/** The LDV lines of one record: one per data subject (none when it concerns none). */
export function ldvRegels(r: AuditRecord): LdvProcessingActivity[] {
  const betrokkenen = ldvBetrokkenen(r);
  if (!betrokkenen.length) return [];
  const eind = Date.parse(r.tijdstip);
  const start = r.starttijdstip ? Date.parse(r.starttijdstip) : eind;
  const gedeeld: Record<string, string | number | string[]> = {
    'dpl.core.processing_activity_id': r.verwerkingsactiviteit ?? verwerkingsactiviteitVan(r.actie as AuditActie, null),
    'dpl.core.data_subject_id_type': LDV_BETROKKENE_TYPE,
    ...(r.partij ? { 'dpl.core.foreign_operation.processor': partijUri(r.partij) } : {}),
    'dpl.doelpoort.logboek_id': r.id,
    'dpl.doelpoort.logboek_hash': r.hash,
    'dpl.doelpoort.besluit': r.besluit,
    'dpl.doelpoort.http_status': r.status,
    ...(r.doel ? { 'dpl.doelpoort.doel': r.doel } : {}),
    ...(r.gegevenscategorieen?.length ? { 'dpl.doelpoort.gegevenscategorieen': r.gegevenscategorieen } : {}),
  };
  const enkel = betrokkenen.length === 1;
  return betrokkenen.map((trajectId) => ({
    traceId: r.traceId,
    spanId: enkel ? r.spanId : kindSpan(r.spanId, trajectId),
    ...(enkel ? (r.parentSpanId ? { parentSpanId: r.parentSpanId } : {}) : { parentSpanId: r.spanId }),
    status: status(r),
    name: r.actie,
    startTime: Math.min(start, eind),
    endTime: eind,
    resource: { attributes: { 'service.name': 'doelpoort' } },
    attributes: { ...gedeeld, 'dpl.core.data_subject_id': trajectId },
  }));
}

/** The NDJSON text of a page of records (one line per data subject per record). */
export function ldvNdjson(records: readonly AuditRecord[]): string {
  let out = '';
  for (const r of records) for (const regel of ldvRegels(r)) out += `${JSON.stringify(regel)}\n`;
  return out;
}
