/**
 * UI: the client of the logboek API that the privacy pages are built on. Every call goes server
 * side to `<apiBaseUrl>/v1/…` with the signed-in officer's access token as `Authorization: Bearer`
 * and the page request's trace id in `traceparent` (so the audit records of the officer's reads
 * carry the trace of the page view). Redirects are not followed (a token never goes elsewhere);
 * problem+json answers become an `ApiError` with the status and the problem's detail.
 */
import type { Inzagebrief } from '../audit/inzage.js';
import type { Trace } from '../http/trace.js';
import type { AuditRecord } from '../audit/record.js';

/** A logboek record as the API serves it: the audit record exactly as stored (one definition, in src/audit). */
export type LogboekRecord = AuditRecord;

export interface Keten {
  positie: number;
  vorigeHash: string;
  hash: string;
  geldig: boolean;
}

export interface Zoekresultaat {
  resultaten: LogboekRecord[];
  volgende: string | null;
}

export interface Controlepunt {
  id: string | number;
  aantal: number;
  laatsteHash: string;
  tijdstip: string;
  jws: string;
}

export interface Verificatie {
  geldig: boolean;
  aantal: number;
  laatsteHash: string;
  eersteFout: null | { id: string | number; reden: string };
  controlepunt: Controlepunt | null;
}

export interface WeekRij {
  week: string;
  partij: string;
  doel: string | null;
  actie: string;
  gelezen: number;
  /** Refused by policy or authentication. */
  geweigerd: number;
  /** Refused for the caller's own input error: not a policy event. */
  invoerfouten: number;
}

/** The inzage report as the API gives it (one page of disclosures; `volgende` for the next). */
export type Inzage = Inzagebrief;

/** The search filters of `GET /v1/logboek` (and its export). */
export interface Filters {
  trajectId?: string;
  partij?: string;
  doel?: string;
  berichttype?: string;
  besluit?: string;
  actie?: string;
  /** Refusals only: beleid or invoer. */
  weigering?: string;
  /** Only records whose fields lie in this data category (an id of gegevenscategorieen.json). */
  gegevenscategorie?: string;
  vanaf?: string;
  tot?: string;
}

export const FILTER_KEYS = ['trajectId', 'partij', 'doel', 'berichttype', 'besluit', 'actie', 'weigering', 'gegevenscategorie', 'vanaf', 'tot'] as const;

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly invalidParams: { name: string; reason: string }[] = [],
  ) {
    super(`logboek API ${status}: ${detail}`);
  }
}

export interface CallContext {
  accessToken: string;
  trace: Trace;
}

export interface LogboekApi {
  zoek(c: CallContext, filters: Filters, page: { volgende?: string; limiet?: number }): Promise<Zoekresultaat>;
  record(c: CallContext, id: string): Promise<LogboekRecord & { keten: Keten }>;
  verificatie(c: CallContext): Promise<Verificatie>;
  overzicht(c: CallContext, period: { vanaf?: string; tot?: string }): Promise<{ weken: WeekRij[] }>;
  inzage(c: CallContext, trajectId: string, volgende?: string): Promise<Inzage>;
  /** The export as a streaming response (status 2xx; errors throw). */
  export(c: CallContext, filters: Filters, formaat: 'csv' | 'jsonl' | 'ldv'): Promise<Response>;
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function createLogboekApi(baseUrl: string, timeoutMs = 15_000): LogboekApi {
  const base = baseUrl.replace(/\/+$/, '');

  async function call(c: CallContext, path: string, accept: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        headers: {
          Authorization: `Bearer ${c.accessToken}`,
          Accept: accept,
          traceparent: `00-${c.trace.traceId}-${c.trace.spanId}-01`,
        },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new ApiError(502, 'De logboekdienst is niet bereikbaar.');
    }
    if (res.status >= 200 && res.status < 300) return res;
    let detail = `onverwacht antwoord ${res.status}`;
    let invalidParams: ApiError['invalidParams'] = [];
    try {
      const body = (await res.json()) as { detail?: unknown; invalidParams?: unknown };
      if (typeof body.detail === 'string') detail = body.detail;
      if (Array.isArray(body.invalidParams)) {
        invalidParams = body.invalidParams
          .filter((p): p is { name: string; reason: string } => typeof p?.name === 'string' && typeof p?.reason === 'string')
          .map((p) => ({ name: p.name, reason: p.reason }));
      }
    } catch {
      // not problem+json: keep the generic detail
    }
    throw new ApiError(res.status >= 300 && res.status < 400 ? 502 : res.status, detail, invalidParams);
  }

  const json = async <T>(c: CallContext, path: string): Promise<T> => (await call(c, path, 'application/json')).json() as Promise<T>;

  return {
    zoek: (c, filters, page) => json(c, `/v1/logboek${query({ ...filters, volgende: page.volgende, limiet: page.limiet })}`),
    record: (c, id) => json(c, `/v1/logboek/${encodeURIComponent(id)}`),
    verificatie: (c) => json(c, '/v1/logboek/verificatie'),
    overzicht: (c, period) => json(c, `/v1/logboek/overzicht${query(period)}`),
    inzage: (c, trajectId, volgende) => json(c, `/v1/trajecten/${encodeURIComponent(trajectId)}/inzage${volgende ? `?volgende=${encodeURIComponent(volgende)}` : ''}`),
    export: (c, filters, formaat) => call(c, `/v1/logboek/export${query({ formaat, ...filters })}`, formaat === 'csv' ? 'text/csv, */*;q=0.1' : 'application/jsonl, application/x-ndjson, */*;q=0.1'),
  };
}
