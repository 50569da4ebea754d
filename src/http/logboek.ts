/**
 * Routes of the logboek for privacy officers (functionarissen gegevensbescherming), and the
 * participant's right of access:
 *
 * - `GET /v1/logboek` search within the officer's scope, newest first, with a cursor;
 * - `GET /v1/logboek/{id}` one record with its chain position;
 * - `GET /v1/logboek/export?formaat=jsonl|csv` the same selection, streamed;
 * - `GET /v1/logboek/verificatie` the whole chain and the checkpoints verified;
 * - `GET /v1/logboek/overzicht` reads and refusals per party, doel and ISO week;
 * - `GET /v1/logboek/sleutels`, `/controlepunten`, `/controlepunten/laatste` public: keys and checkpoints;
 * - `GET /v1/trajecten/{trajectId}/inzage` disclosures about one participant (AVG art. 15), plain Dutch.
 *
 * Who: an officer's token (its client is in `functionarissen.json`, or the browser client
 * `doelpoort-privacy` with `sub` = the officer's id). Party clients get 403; the inzage also admits
 * the owning gemeente's own client. Scope: the records in which the officer's party acted, that
 * concern a trajectory its gemeente owns, or a message it supplied. Every call is itself a record.
 */
import { Router, type Request, type Response } from 'express';
import { ExportManifest, csvKop, csvRegel, jsonlControlepunt, jsonlKop, jsonlSleutels, recordView, type ExportKop } from '../audit/export.js';
import { inzagebrief } from '../audit/inzage.js';
import { ldvNdjson } from '../audit/ldv.js';
import { AUDIT_ACTIES, hashRecord, type AuditRecord } from '../audit/record.js';
import { verifieerKeten } from '../audit/verify.js';
import { PRIVACY_BROWSER_CLIENT, type Functionaris, type Partij } from '../policy/types.js';
import type { Controlepunt, LogboekZoekvraag } from '../store/store.js';
import { attempt, auditInput, decimalInt, identify, trajectIdFromPath, UUID, verifyBearer, type Poging } from './attempt.js';
import { errors, ok, ref, trajectIdParam, type OpenApiPart } from './openapi.js';
import { HttpProblem, sendProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';
import { traceOf } from './trace.js';

const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
const EXPORT_PAGE = 1000;
const GRONDSLAG_FG = 'AVG art. 38-39 (taken van de functionaris gegevensbescherming)';
const GRONDSLAG_INZAGE = 'AVG art. 15 (recht van inzage)';
/** Disclosures per page of the inzage report (and its maximum); a trajectory's whole history is never read at once. */
const INZAGE_PAGE = 1000;
const INZAGE_MIN = 20;

function encodeInzageCursor(auditId: number): string {
  return Buffer.from(`i1:${auditId}`).toString('base64url');
}
function decodeInzageCursor(cursor: string): number | null {
  const m = /^i1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

// --- identification -------------------------------------------------------------------------

/** Steps 1 and 2 for the logboek: a verified token that belongs to a privacy officer. */
export async function identifyOfficer(req: Request, s: Services, p: Poging): Promise<Functionaris> {
  const token = await verifyBearer(req, s);
  const officer = s.policy.functionaris(token.clientId, token.sub);
  if (!officer) {
    const partij = s.policy.partijByClientId(token.clientId);
    if (partij) p.actor = { partij, clientId: token.clientId };
    throw new HttpProblem('geen-toegang', 'Alleen een functionaris gegevensbescherming mag het logboek inzien.', { regel: 'alleen-functionaris' });
  }
  p.actor = { partij: s.policy.partij(officer.partij)!, clientId: clientLabel(token.clientId, officer) };
  return officer;
}

/** The audit record's `client`: the machine client, or for the browser client which officer used it. */
function clientLabel(clientId: string, officer: Functionaris): string {
  return clientId === PRIVACY_BROWSER_CLIENT ? `${PRIVACY_BROWSER_CLIENT}:${officer.id}` : clientId;
}

// --- query parameters -------------------------------------------------------------------------

interface InvalidParam { name: string; code: string; reason: string }

const amsterdam = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});

/** The instant a Dutch calendar day starts (00:00 Europe/Amsterdam), as stored ISO text. */
export function amsterdamMidnight(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  for (const offsetHours of [1, 2, 0]) {
    const t = new Date(Date.UTC(y, m - 1, d) - offsetHours * 3_600_000);
    const parts = Object.fromEntries(amsterdam.formatToParts(t).map((p) => [p.type, p.value]));
    if (`${parts.year}-${parts.month}-${parts.day}` === date && parts.hour === '00' && parts.minute === '00') return t.toISOString();
  }
  return new Date(Date.UTC(y, m - 1, d)).toISOString();
}

function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `vanaf`/`tot`: a date (inclusive, Dutch calendar day) or a date-time with offset (inclusive). */
function parseMoment(name: 'vanaf' | 'tot', value: unknown, invalid: InvalidParam[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))) {
    return name === 'vanaf' ? amsterdamMidnight(value) : amsterdamMidnight(nextDay(value));
  }
  if (typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) {
    const t = new Date(value);
    return name === 'vanaf' ? t.toISOString() : new Date(t.getTime() + 1).toISOString();
  }
  invalid.push({ name, code: 'format', reason: 'moet een datum (JJJJ-MM-DD) of datum-tijd met tijdzone (RFC 3339) zijn' });
  return undefined;
}

export function encodeLogboekCursor(id: number): string {
  return Buffer.from(`l1:${id}`).toString('base64url');
}
function decodeLogboekCursor(cursor: string): number | null {
  const m = /^l1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

interface Selectie {
  vraag: Omit<LogboekZoekvraag, 'volgorde' | 'limit'>;
  /** The filters as given, for the export's header and the audit record. */
  filters: Record<string, string>;
  limit: number;
}

function parseSelectie(req: Request, s: Services, officer: Functionaris, p: Poging, allowed: readonly string[]): Selectie {
  const q = req.query as Record<string, unknown>;
  const invalid: InvalidParam[] = [];
  for (const key of Object.keys(q)) {
    if (!allowed.includes(key)) invalid.push({ name: key, code: 'unknown', reason: `onbekende parameter; toegestaan: ${allowed.join(', ')}` });
  }
  const str = (name: string, test: (v: string) => boolean, reason: string): string | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !test(v)) {
      invalid.push({ name, code: 'format', reason });
      return undefined;
    }
    return v;
  };
  const trajectId = str('trajectId', (v) => UUID.test(v), 'moet een UUID zijn');
  const partij = str('partij', (v) => ID.test(v), 'moet een partij-id zijn');
  const doel = str('doel', (v) => ID.test(v), 'moet een doel-id zijn');
  const berichttype = str('berichttype', (v) => ID.test(v), 'moet een berichttype zijn');
  const besluit = str('besluit', (v) => v === 'toegestaan' || v === 'geweigerd', 'moet toegestaan of geweigerd zijn') as 'toegestaan' | 'geweigerd' | undefined;
  const actie = str('actie', (v) => (AUDIT_ACTIES as readonly string[]).includes(v), 'moet een actie van het logboek zijn');
  const weigering = str('weigering', (v) => v === 'beleid' || v === 'invoer', 'moet beleid of invoer zijn') as 'beleid' | 'invoer' | undefined;
  const gegevenscategorie = str('gegevenscategorie', (v) => s.policy.categorie(v) !== undefined,
    `moet een van ${s.policy.set.gegevenscategorieen.map((c) => c.id).join(', ')} zijn`);
  const vanaf = parseMoment('vanaf', q.vanaf, invalid);
  const tot = parseMoment('tot', q.tot, invalid);
  const voor = q.volgende === undefined ? undefined : typeof q.volgende === 'string' ? decodeLogboekCursor(q.volgende) : null;
  if (voor === null) invalid.push({ name: 'volgende', code: 'format', reason: 'is geen cursor die deze gateway uitgaf' });
  const limit = q.limiet === undefined ? PAGE_SIZE : decimalInt(q.limiet);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) invalid.push({ name: 'limiet', code: 'range', reason: `moet een geheel getal van 1 tot ${MAX_PAGE_SIZE} zijn` });
  if (vanaf && tot && vanaf >= tot) invalid.push({ name: 'tot', code: 'range', reason: 'ligt voor vanaf' });
  if (trajectId) p.trajectIds = [trajectId];
  if (invalid.length) throw new HttpProblem('ongeldige-parameter', 'Een of meer queryparameters zijn ongeldig; zie invalidParams.', { regel: 'invoer-ongeldig', invalidParams: invalid });
  if (berichttype && s.schemas.schema(berichttype)) p.berichttype = berichttype;
  const filters: Record<string, string> = {};
  for (const key of ['trajectId', 'partij', 'doel', 'berichttype', 'besluit', 'actie', 'weigering', 'gegevenscategorie', 'vanaf', 'tot'] as const) {
    if (typeof q[key] === 'string') filters[key] = q[key] as string;
  }
  return {
    vraag: { scope: officer.partij, trajectId, partij, doel, berichttype, besluit, actie, weigering, gegevenscategorie, vanaf, tot, voor: voor ?? undefined },
    filters,
    limit,
  };
}

// --- helpers ----------------------------------------------------------------------------------

async function audit(s: Services, p: Poging, reden: string, status = 200, grondslag = GRONDSLAG_FG): Promise<AuditRecord> {
  const record = await s.store.transaction((tx) => tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'logboek-functionaris', reden, status, grondslag })));
  p.geaudit = true;
  return record;
}

function ketenStatus(record: AuditRecord, vorigeRecordHash: string | null) {
  const { hash, ...rest } = record;
  return {
    positie: record.id,
    vorigeHash: record.vorigeHash,
    hash,
    geldig: hashRecord(rest) === hash && vorigeRecordHash === record.vorigeHash,
  };
}

function controlepuntView(c: Controlepunt) {
  return { id: c.id, aantal: c.aantal, laatsteHash: c.laatsteHash, tijdstip: c.tijdstip, sleutel: c.sleutel, jws: c.jws };
}

/** ISO 8601 week of a calendar date, e.g. "2026-W47". */
export function isoWeek(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  const weekday = (t.getUTCDay() + 6) % 7; // Monday 0
  t.setUTCDate(t.getUTCDate() - weekday + 3); // Thursday of this week decides the year
  const year = t.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((t.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Write, respecting back-pressure; false when the client went away. */
function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

// --- routes -----------------------------------------------------------------------------------

const ZOEK_PARAMS = ['trajectId', 'partij', 'doel', 'berichttype', 'besluit', 'actie', 'weigering', 'gegevenscategorie', 'vanaf', 'tot', 'volgende', 'limiet'] as const;
const EXPORT_PARAMS = ['trajectId', 'partij', 'doel', 'berichttype', 'besluit', 'actie', 'weigering', 'gegevenscategorie', 'vanaf', 'tot', 'formaat'] as const;

export function logboekRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });
  const { sleutels, controlepunten } = s.logboek;

  // Public: keys and checkpoints hold no personal data; anyone may keep and compare them.
  const publiek = (res: Response) => res.setHeader('Access-Control-Allow-Origin', '*');
  router.get('/logboek/sleutels', (_req, res) => {
    publiek(res);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/jwk-set+json').send(JSON.stringify(sleutels.jwks));
  });
  router.get('/logboek/controlepunten/laatste', async (_req, res) => {
    publiek(res);
    try {
      const laatste = await s.store.logboek.laatsteControlepunt();
      if (!laatste) sendProblem(res, new HttpProblem('niet-gevonden', 'Er is nog geen controlepunt: het logboek is leeg of net begonnen.'), traceOf(res).traceId);
      else res.json(controlepuntView(laatste));
    } catch (err) {
      s.logger.error({ err }, 'reading checkpoints failed');
      sendProblem(res, new HttpProblem('niet-beschikbaar', 'De controlepunten konden niet worden gelezen.'), traceOf(res).traceId);
    }
  });
  router.get('/logboek/controlepunten', async (_req, res) => {
    publiek(res);
    try {
      res.json({ controlepunten: (await s.store.logboek.controlepunten()).map(controlepuntView).reverse() });
    } catch (err) {
      s.logger.error({ err }, 'reading checkpoints failed');
      sendProblem(res, new HttpProblem('niet-beschikbaar', 'De controlepunten konden niet worden gelezen.'), traceOf(res).traceId);
    }
  });

  router.get('/logboek/verificatie', attempt(s, 'logboek-verifieren', async (req, res, p) => {
    await identifyOfficer(req, s, p);
    const hoofd = await s.store.logboek.hoofd();
    const opgeslagen = await s.store.logboek.controlepunten();
    // What this process signed itself also counts: emptying the checkpoint table does not hide a cut-off tail.
    const eigen = controlepunten.laatste();
    const punten = eigen && !opgeslagen.some((c) => c.jws === eigen.jws) ? [...opgeslagen, eigen] : opgeslagen;
    const result = await verifieerKeten(s.store.logboek, { controlepunten: punten, jwks: sleutels.jwks, tot: hoofd.aantal });
    await audit(s, p, result.geldig
      ? `Logboek geverifieerd: ${result.aantal} records, geldig.`
      : `Logboek geverifieerd: ongeldig, eerste fout bij record ${result.eersteFout!.id}: ${result.eersteFout!.reden}`);
    res.json(result);
  }));

  router.get('/logboek/overzicht', attempt(s, 'logboek-lezen', async (req, res, p) => {
    const officer = await identifyOfficer(req, s, p);
    const invalid: InvalidParam[] = [];
    for (const key of Object.keys(req.query)) if (key !== 'vanaf' && key !== 'tot') invalid.push({ name: key, code: 'unknown', reason: 'onbekende parameter; toegestaan: vanaf, tot' });
    const vanaf = parseMoment('vanaf', req.query.vanaf, invalid);
    const tot = parseMoment('tot', req.query.tot, invalid);
    if (invalid.length) throw new HttpProblem('ongeldige-parameter', 'Een of meer queryparameters zijn ongeldig; zie invalidParams.', { regel: 'invoer-ongeldig', invalidParams: invalid });
    const rows = await s.store.logboek.tellingen({ scope: officer.partij, vanaf, tot });
    const weken = new Map<string, { week: string; partij: string; doel: string | null; actie: string; gelezen: number; geweigerd: number; invoerfouten: number }>();
    for (const r of rows) {
      const instant = r.dag.length === 13 ? `${r.dag}:30:00Z` : `${r.dag}T12:00:00Z`;
      const week = isoWeek(dutchDate(new Date(instant)));
      const partij = r.partij ?? 'onbekend'; // an attempt whose caller was never identified
      const key = `${week}|${partij}|${r.doel}|${r.actie}`;
      const w = weken.get(key) ?? { week, partij, doel: r.doel, actie: r.actie, gelezen: 0, geweigerd: 0, invoerfouten: 0 };
      w.gelezen += r.gelezen;
      w.geweigerd += r.geweigerd;
      w.invoerfouten += r.invoerfouten;
      weken.set(key, w);
    }
    const list = [...weken.values()].sort((a, b) => (a.week === b.week ? `${a.partij}|${a.doel}|${a.actie}`.localeCompare(`${b.partij}|${b.doel}|${b.actie}`) : a.week < b.week ? 1 : -1));
    await audit(s, p, `Overzicht per week verstrekt aan ${officer.naam} (${list.length} regels).`);
    res.json({ weken: list });
  }));

  router.get('/logboek/export', attempt(s, 'logboek-exporteren', async (req, res, p) => {
    const officer = await identifyOfficer(req, s, p);
    const formaat = req.query.formaat ?? 'jsonl';
    if (formaat !== 'jsonl' && formaat !== 'csv' && formaat !== 'ldv') {
      throw new HttpProblem('ongeldige-parameter', 'formaat moet jsonl, csv of ldv zijn.', { regel: 'invoer-ongeldig', invalidParams: [{ name: 'formaat', code: 'enum', reason: 'moet jsonl, csv of ldv zijn' }] });
    }
    const selectie = parseSelectie(req, s, officer, p, EXPORT_PARAMS);
    // The export is recorded before the first byte leaves: its record names the selection.
    const record = await audit(s, p, `Export (${formaat}) voor ${officer.naam}; selectie: ${JSON.stringify(selectie.filters)}.`);
    const gemaaktOp = s.now();
    const bestand = `logboek-${dutchDate(gemaaktOp)}.${formaat === 'ldv' ? 'ldv.ndjson' : formaat}`;
    res.status(200);
    res.setHeader('Content-Type', formaat === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${bestand}"`);
    const kop: ExportKop = { type: 'doelpoort-logboek-export', versie: 1, gemaaktOp: gemaaktOp.toISOString(), selectie: selectie.filters, volledig: false };
    const manifest = new ExportManifest();
    try {
      await streamExport();
    } catch (err) {
      // Headers are out: a problem+json can no longer be sent. Cut the stream so the file is visibly incomplete
      // (a JSONL export without its signed closing line does not verify).
      s.logger.error({ err, traceId: p.trace.traceId }, 'logboek export failed while streaming');
      res.destroy();
    }

    async function streamExport(): Promise<void> {
      // LDV: ProcessingActivity lines only (each must be one), no header or trailer (audit/ldv.ts).
      if (formaat !== 'ldv' && !(await write(res, `${formaat === 'csv' ? csvKop() : jsonlKop(kop)}\n`))) return;
      // Oldest first, up to the export's own record: a consistent selection even while the log grows.
      let na = 0;
      for (;;) {
        const page = (await s.store.logboek.zoeken({ ...selectie.vraag, voor: undefined, na, volgorde: 'oudste-eerst', limit: EXPORT_PAGE })).filter((r) => r.id <= record.id);
        let chunk = '';
        if (formaat === 'ldv') chunk = ldvNdjson(page);
        else for (const r of page) {
          const view = recordView(r);
          chunk += `${formaat === 'csv' ? csvRegel(view) : JSON.stringify(view)}\n`;
          manifest.add(view);
        }
        if (chunk && !(await write(res, chunk))) return;
        if (page.length < EXPORT_PAGE) break;
        na = page[page.length - 1]!.id;
      }
      if (formaat === 'jsonl') {
        let trailer = '';
        for (const c of await s.store.logboek.controlepunten()) trailer += `${jsonlControlepunt(c)}\n`;
        trailer += `${jsonlSleutels(sleutels.jwks)}\n`;
        trailer += `${await manifest.einde(sleutels, kop)}\n`;
        if (!(await write(res, trailer))) return;
      }
      res.end();
    }
  }));

  router.get('/logboek', attempt(s, 'logboek-lezen', async (req, res, p) => {
    const officer = await identifyOfficer(req, s, p);
    const selectie = parseSelectie(req, s, officer, p, ZOEK_PARAMS);
    const rows = await s.store.logboek.zoeken({ ...selectie.vraag, volgorde: 'nieuwste-eerst', limit: selectie.limit + 1 });
    const more = rows.length > selectie.limit;
    const resultaten = (more ? rows.slice(0, selectie.limit) : rows).map(recordView);
    await audit(s, p, `${resultaten.length} logboekrecord(s) verstrekt aan ${officer.naam}; selectie: ${JSON.stringify(selectie.filters)}.`);
    res.json({ resultaten, volgende: more ? encodeLogboekCursor(resultaten[resultaten.length - 1]!.id) : null });
  }));

  router.get('/logboek/:id', attempt(s, 'logboek-lezen', async (req, res, p) => {
    const officer = await identifyOfficer(req, s, p);
    const raw = String(req.params.id);
    if (!/^[1-9]\d{0,14}$/.test(raw)) {
      throw new HttpProblem('ongeldige-parameter', 'Het id van een logboekrecord is een positief geheel getal.', { regel: 'invoer-ongeldig', invalidParams: [{ name: 'id', code: 'format', reason: 'moet een positief geheel getal zijn' }] });
    }
    const found = await s.store.logboek.record(Number(raw), officer.partij);
    if (!found) throw new HttpProblem('niet-gevonden', 'Geen logboekrecord met dit id binnen uw bereik.', { regel: 'buiten-bereik' });
    p.trajectIds = found.record.trajectIds;
    await audit(s, p, `Logboekrecord ${raw} verstrekt aan ${officer.naam}.`);
    res.json({ ...recordView(found.record), keten: ketenStatus(found.record, found.vorigeRecordHash) });
  }));

  router.get('/trajecten/:trajectId/inzage', attempt(s, 'inzage-opstellen', async (req, res, p) => {
    // 1, 2: the owning gemeente's own client, or its privacy officer.
    const token = await verifyBearer(req, s);
    const officer = s.policy.functionaris(token.clientId, token.sub);
    let partij: Partij;
    if (officer) {
      partij = s.policy.partij(officer.partij)!;
      p.actor = { partij, clientId: clientLabel(token.clientId, officer) };
    } else {
      partij = identify(token.clientId, s, p).partij;
    }
    const trajectId = trajectIdFromPath(req, p);
    // 3: bounded for any caller: a page of disclosures, a cursor to the next.
    const invalid: InvalidParam[] = [];
    for (const key of Object.keys(req.query)) if (key !== 'limiet' && key !== 'volgende') invalid.push({ name: key, code: 'unknown', reason: 'onbekende parameter; toegestaan: limiet, volgende' });
    const limit = req.query.limiet === undefined ? INZAGE_PAGE : decimalInt(req.query.limiet);
    if (!Number.isInteger(limit) || limit < INZAGE_MIN || limit > INZAGE_PAGE) invalid.push({ name: 'limiet', code: 'range', reason: `moet een geheel getal van ${INZAGE_MIN} tot ${INZAGE_PAGE} zijn` });
    const na = req.query.volgende === undefined ? 0 : typeof req.query.volgende === 'string' ? decodeInzageCursor(req.query.volgende) : null;
    if (na === null) invalid.push({ name: 'volgende', code: 'format', reason: 'is geen cursor die deze gateway uitgaf' });
    if (invalid.length) throw new HttpProblem('ongeldige-parameter', 'Een of meer queryparameters zijn ongeldig; zie invalidParams.', { regel: 'invoer-ongeldig', invalidParams: invalid });

    // 4: who may ask is decided before any work on the trajectory's disclosures: one key lookup, the
    // same for an unknown trajectory and someone else's, so the refusal costs the same (no timing oracle).
    const traject = await s.store.transaction(async (tx) => {
      const found = await tx.traject(trajectId);
      if (found && found.gemeente === partij.id) return found;
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'inzage-gemeente', reden: 'Alleen de gemeente van het traject (of haar functionaris gegevensbescherming) stelt de inzage op.', status: 403 }));
      return null;
    });
    if (!traject) p.geaudit = true;
    if (!traject) throw new HttpProblem('geen-toegang', 'Alleen de gemeente van dit traject (of haar functionaris gegevensbescherming) kan de inzage opstellen. Een onbekend traject geeft hetzelfde antwoord.', { regel: 'inzage-gemeente' });

    // The report: a range scan of the disclosure index, linear in the page. A record's rows stay on one page.
    const rows = await s.store.logboek.verstrekkingen(trajectId, { na: na!, limit: limit + 1 });
    let page = rows;
    let volgende: string | null = null;
    if (rows.length > limit) {
      const cut = rows[limit]!.auditId;
      page = rows.slice(0, limit).filter((r) => r.auditId !== cut);
      if (!page.length) page = rows.slice(0, limit); // cannot happen: a record has at most a few rows
      volgende = encodeInzageCursor(page.at(-1)!.auditId);
    }
    const opgesteldOp = s.now().toISOString();
    await s.store.transaction((tx) => tx.appendAudit(auditInput(s, p, {
      besluit: 'toegestaan', regel: 'inzage-gemeente', status: 200, grondslag: GRONDSLAG_INZAGE,
      reden: `Inzage opgesteld: ${page.length} verstrekking(en)${volgende ? ', meer op een volgende pagina' : ''}.`,
    })));
    p.geaudit = true;
    res.json(inzagebrief(s.policy.set, {
      trajectId, opgesteldOp, gemeente: partij, rows: page, volgende,
      titel: (type) => (s.schemas.schema(type) as { title?: string } | undefined)?.title ?? type,
    }));
  }));

  return router;
}

// --- OpenAPI ----------------------------------------------------------------------------------

const q = (name: string, description: string, schema: Record<string, unknown>) => ({ name, in: 'query', required: false, description, schema });
const filterParams = [
  q('trajectId', 'Only records about this trajectory (data subject). / Alleen records over dit traject.', { type: 'string', format: 'uuid' }),
  q('partij', 'Only records in which this party acted. / Alleen records waarin deze partij handelde.', { type: 'string' }),
  q('doel', 'Only records for this doel (processing activity). / Alleen records voor dit doel.', { type: 'string' }),
  q('berichttype', 'Only records about this message type. / Alleen records over dit berichttype.', { type: 'string' }),
  q('besluit', 'Only allowed or refused attempts. / Alleen toegestane of geweigerde pogingen.', { type: 'string', enum: ['toegestaan', 'geweigerd'] }),
  q('actie', 'Only records of this action. / Alleen records van deze actie.', { type: 'string', enum: [...AUDIT_ACTIES] }),
  q('weigering', 'Only refusals by policy or authentication (beleid), or for the caller\'s own input error (invoer: 400, 409, 413, 415, 431). / Alleen weigeringen van deze soort.', { type: 'string', enum: ['beleid', 'invoer'] }),
  q('gegevenscategorie', 'Only records whose disclosed or stored fields lie in this data category (an id of the register, e.g. belemmeringen-en-uitval): "who read this". / Alleen records over deze gegevenscategorie.', { type: 'string', examples: ['belemmeringen-en-uitval'] }),
  q('vanaf', 'From this date (inclusive, Europe/Amsterdam) or date-time. / Vanaf deze datum.', { type: 'string', examples: ['2026-11-01', '2026-11-01T08:00:00+01:00'] }),
  q('tot', 'Up to this date (inclusive, Europe/Amsterdam) or date-time. / Tot en met deze datum.', { type: 'string', examples: ['2026-11-30'] }),
];

export function logboekOpenApi(): OpenApiPart {
  const hash = { type: 'string', pattern: '^[0-9a-f]{64}$' };
  const strings = { type: 'array', items: { type: 'string' } };
  const nullable = { type: ['string', 'null'] };
  const idParam = { name: 'id', in: 'path', required: true, description: 'The record\'s position in the chain. / Het volgnummer van het record in de keten.', schema: { type: 'integer', minimum: 1 } };
  const controlepunt = {
    type: 'object', required: ['id', 'aantal', 'laatsteHash', 'tijdstip', 'sleutel', 'jws'],
    description: 'A signed checkpoint: a compact JWS (ES256, typ doelpoort-controlepunt) over the canonical JSON { aantal, laatsteHash, tijdstip }. / Ondertekend controlepunt.',
    properties: { id: { type: 'integer' }, aantal: { type: 'integer' }, laatsteHash: hash, tijdstip: { type: 'string', format: 'date-time' }, sleutel: { type: 'string', description: 'kid of the signing key' }, jws: { type: 'string' } },
  };
  const officer = 'Privacy officers only (functionaris gegevensbescherming); party clients get 403. Every call is itself recorded.';
  return {
    tags: [{ name: 'Logboek', description: 'The tamper-evident audit log: search, verify, export (privacy officers); keys and checkpoints (public)' }],
    schemas: {
      LogboekRecord: {
        type: 'object',
        description: 'One audit record, as stored and hashed. Field names and ids only, never message content. / Een logboekrecord.',
        required: ['id', 'tijdstip', 'traceId', 'spanId', 'actie', 'partij', 'client', 'trajectIds', 'berichttype', 'berichtIds', 'doel', 'verwerkingsactiviteit', 'grondslag', 'besluit', 'regel', 'reden', 'velden', 'status', 'beleidsversie', 'vorigeHash', 'hash'],
        properties: {
          id: { type: 'integer', minimum: 1 },
          recordversie: { type: 'integer', const: 2, description: 'Present on every record written since record version 2 (with starttijdstip, parentSpanId and gegevenscategorieen, all part of the hash); absent on older records, which are hashed without those fields.' },
          starttijdstip: { type: 'string', format: 'date-time', description: 'When the request or unit of work began (version 2).' },
          tijdstip: { type: 'string', format: 'date-time', description: 'When the answer was decided: the end of the unit of work.' },
          traceId: { type: 'string', pattern: '^[0-9a-f]{32}$' }, spanId: { type: 'string', pattern: '^[0-9a-f]{16}$', description: 'The gateway\'s span of this unit of work.' },
          parentSpanId: { type: ['string', 'null'], pattern: '^[0-9a-f]{16}$', description: 'The caller\'s span from its traceparent; null when it sent none (version 2).' },
          actie: { type: 'string' }, partij: nullable, client: nullable, trajectIds: strings, berichttype: nullable, berichtIds: strings,
          doel: nullable,
          verwerkingsactiviteit: { type: ['string', 'null'], description: 'The processing activity (a uri of /v1/verwerkingsactiviteiten); never null since version 2.' },
          grondslag: nullable, besluit: { type: 'string', enum: ['toegestaan', 'geweigerd'] },
          regel: nullable, reden: { type: 'string' }, velden: strings,
          gegevenscategorieen: { ...strings, description: 'The data categories of the disclosed or stored fields (version 2).' },
          status: { type: 'integer' }, beleidsversie: { type: 'string' },
          vorigeHash: hash, hash,
        },
      },
      LogboekRecordMetKeten: {
        allOf: [ref('LogboekRecord'), {
          type: 'object', required: ['keten'],
          properties: {
            keten: {
              type: 'object', required: ['positie', 'vorigeHash', 'hash', 'geldig'],
              description: 'Whether this record recomputes to its hash and links to its predecessor. / Plaats in de keten.',
              properties: { positie: { type: 'integer' }, vorigeHash: hash, hash, geldig: { type: 'boolean' } },
            },
          },
        }],
      },
      Logboekpagina: {
        type: 'object', required: ['resultaten', 'volgende'],
        properties: { resultaten: { type: 'array', items: ref('LogboekRecord') }, volgende: { type: ['string', 'null'], description: 'Cursor to the next (older) page; null when there is none.' } },
      },
      Controlepunt: controlepunt,
      Controlepunten: { type: 'object', required: ['controlepunten'], properties: { controlepunten: { type: 'array', items: ref('Controlepunt'), description: 'Newest first.' } } },
      Verificatie: {
        type: 'object', required: ['geldig', 'aantal', 'laatsteHash', 'eersteFout', 'controlepunt'],
        properties: {
          geldig: { type: 'boolean' }, aantal: { type: 'integer' }, laatsteHash: hash,
          eersteFout: { oneOf: [{ type: 'null' }, { type: 'object', required: ['id', 'reden'], properties: { id: { type: 'integer' }, reden: { type: 'string' } } }] },
          controlepunt: {
            oneOf: [{ type: 'null' }, {
              type: 'object', required: ['id', 'aantal', 'laatsteHash', 'tijdstip', 'sleutel', 'jws', 'geldig'],
              description: 'The newest checkpoint; geldig: its signature verifies against the published keys and the chain still holds what it signed.',
              properties: { id: { type: 'integer' }, aantal: { type: 'integer' }, laatsteHash: hash, tijdstip: { type: 'string', format: 'date-time' }, sleutel: { type: 'string' }, jws: { type: 'string' }, geldig: { type: 'boolean' } },
            }],
          },
        },
      },
      Logboekoverzicht: {
        type: 'object', required: ['weken'],
        properties: {
          weken: {
            type: 'array',
            items: {
              type: 'object', required: ['week', 'partij', 'doel', 'actie', 'gelezen', 'geweigerd', 'invoerfouten'],
              properties: {
                week: { type: 'string', pattern: '^\\d{4}-W\\d{2}$', description: 'ISO 8601 week, Europe/Amsterdam' },
                partij: { type: 'string', description: 'The acting party ("onbekend" for a caller that was never identified)' },
                doel: nullable, actie: { type: 'string', description: 'The action (bericht-lezen, bericht-publiceren, …)' },
                gelezen: { type: 'integer', description: 'Allowed reads of messages' },
                geweigerd: { type: 'integer', description: 'Attempts refused by policy or authentication' },
                invoerfouten: { type: 'integer', description: 'Attempts refused for the caller\'s own input error (400, 409, 413, 415, 431): not a policy event' },
              },
            },
          },
        },
      },
      Jwks: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object' } } } },
      Inzage: {
        type: 'object', required: ['trajectId', 'opgesteldOp', 'verantwoordelijke', 'verstrekkingen', 'groepen', 'rechten', 'volgende'],
        description: 'The participant\'s right of access (AVG art. 15) as a letter in plain (B1) Dutch: per disclosure the date and time, the receiving organisation, the data categories that left, the purpose, the legal basis in words, the retention and where the data came from; identical disclosures grouped with a count; the controller and the participant\'s rights. Disclosures are reads of message content, reads of the trajectory\'s state and of signals, and notifications a subscriber accepted (metadata only). No employee or client identities. One page of at most 1000 disclosures; `volgende` leads to the next. / Inzage.',
        properties: {
          trajectId: { type: 'string', format: 'uuid' }, opgesteldOp: { type: 'string', format: 'date-time' },
          verantwoordelijke: {
            type: 'object', required: ['naam'],
            properties: { naam: { type: 'string' }, adres: { type: 'string' }, telefoon: { type: 'string' }, email: { type: 'string' }, website: { type: 'string' }, functionarisGegevensbescherming: { type: 'string' } },
          },
          verstrekkingen: {
            type: 'array',
            items: {
              type: 'object', required: ['datum', 'tijd', 'ontvanger', 'berichttype', 'gegevens', 'bijzondereGegevens', 'doel', 'grondslag', 'grondslagUitleg', 'bewaartermijn', 'herkomst'],
              properties: {
                datum: { type: 'string', format: 'date' }, tijd: { type: 'string', pattern: '^\\d{2}:\\d{2}$' }, ontvanger: { type: 'string' }, berichttype: { type: 'string' },
                gegevens: strings, bijzondereGegevens: { type: 'boolean', description: 'A special category of personal data (AVG art. 9) was disclosed' },
                doel: { type: 'string' }, grondslag: { type: 'string' }, grondslagUitleg: { type: 'string', examples: ['met uw toestemming'] },
                bewaartermijn: { type: 'string', examples: ['5 jaar'] }, herkomst: { type: 'string', description: 'The sending organisation' },
              },
            },
          },
          groepen: {
            type: 'array', description: 'Identical disclosures (same recipient, data, purpose, basis, retention and origin) with a count.',
            items: {
              type: 'object', required: ['ontvanger', 'gegevens', 'bijzondereGegevens', 'doel', 'grondslag', 'grondslagUitleg', 'bewaartermijn', 'herkomst', 'aantal', 'eerste', 'laatste'],
              properties: {
                ontvanger: { type: 'string' }, gegevens: strings, bijzondereGegevens: { type: 'boolean' }, doel: { type: 'string' }, grondslag: { type: 'string' },
                grondslagUitleg: { type: 'string' }, bewaartermijn: { type: 'string' }, herkomst: { type: 'string' },
                aantal: { type: 'integer', minimum: 1 }, eerste: { type: 'string' }, laatste: { type: 'string' },
              },
            },
          },
          rechten: strings,
          volgende: { type: ['string', 'null'], description: 'Cursor to the next page of disclosures; null on the last page.' },
        },
      },
    },
    paths: {
      '/logboek': {
        get: {
          operationId: 'logboekZoeken', tags: ['Logboek'], summary: 'Search the logboek within the officer\'s scope, newest first', description: officer,
          parameters: [...filterParams,
            q('volgende', 'Cursor from a previous answer.', { type: 'string' }),
            q('limiet', 'Page size (default 50).', { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE })],
          responses: { '200': ok('A page of records', ref('Logboekpagina')), ...errors('400', '401', '403', '503') },
        },
      },
      '/logboek/{id}': {
        get: {
          operationId: 'logboekRecordLezen', tags: ['Logboek'], summary: 'One record with its chain position', description: `${officer} A record outside the scope is a 404.`,
          parameters: [idParam],
          responses: { '200': ok('The record', ref('LogboekRecordMetKeten')), ...errors('400', '401', '403', '404', '503') },
        },
      },
      '/logboek/export': {
        get: {
          operationId: 'logboekExporteren', tags: ['Logboek'], summary: 'Export the selection (JSONL with checkpoints, keys and a signed manifest; CSV; or LDV ProcessingActivity lines)',
          description: `${officer} Oldest first. See the README for the JSONL layout and \`npx doelpoort logboek verifieer\`.`,
          parameters: [q('formaat', 'jsonl (default, verifiable), csv, or ldv: one Logboek Dataverwerkingen ProcessingActivity per data subject per record (NDJSON; see docs/logboek-ldv.md).', { type: 'string', enum: ['jsonl', 'csv', 'ldv'] }), ...filterParams],
          responses: {
            '200': {
              description: 'The export, streamed',
              headers: { 'API-Version': { $ref: '#/components/headers/API-Version' }, 'Content-Disposition': { schema: { type: 'string', examples: ['attachment; filename="logboek-2026-11-20.jsonl"'] } } },
              content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
            },
            ...errors('400', '401', '403', '503'),
          },
        },
      },
      '/logboek/verificatie': {
        get: {
          operationId: 'logboekVerifieren', tags: ['Logboek'], summary: 'Verify the whole chain and the signed checkpoints', description: officer,
          responses: { '200': ok('The result (also when the log is not valid)', ref('Verificatie')), ...errors('401', '403', '503') },
        },
      },
      '/logboek/overzicht': {
        get: {
          operationId: 'logboekOverzicht', tags: ['Logboek'], summary: 'Reads and refusals per party, doel and ISO week within the officer\'s scope', description: officer,
          parameters: filterParams.filter((p) => p.name === 'vanaf' || p.name === 'tot'),
          responses: { '200': ok('Counts per week', ref('Logboekoverzicht')), ...errors('400', '401', '403', '503') },
        },
      },
      '/logboek/sleutels': {
        get: {
          operationId: 'logboekSleutels', tags: ['Logboek'], summary: 'The public keys (JWKS) that sign checkpoints; old keys stay after rotation', security: [],
          responses: { '200': ok('JWK Set', ref('Jwks'), {}, 'application/jwk-set+json') },
        },
      },
      '/logboek/controlepunten': {
        get: {
          operationId: 'logboekControlepunten', tags: ['Logboek'], summary: 'All signed checkpoints, newest first', security: [],
          responses: { '200': ok('Checkpoints', ref('Controlepunten')) },
        },
      },
      '/logboek/controlepunten/laatste': {
        get: {
          operationId: 'logboekLaatsteControlepunt', tags: ['Logboek'], summary: 'The newest signed checkpoint', security: [],
          responses: { '200': ok('The newest checkpoint', ref('Controlepunt')), ...errors('404') },
        },
      },
      '/trajecten/{trajectId}/inzage': {
        get: {
          operationId: 'trajectInzage', tags: ['Logboek'], summary: 'The participant\'s right of access (AVG art. 15): who received which data, when, for which purpose',
          description: 'The owning gemeente\'s client or its privacy officer. Plain Dutch, no employee or client identities. Recorded.',
          parameters: [trajectIdParam('path'),
            q('limiet', 'Disclosures per page (default and maximum 1000).', { type: 'integer', minimum: INZAGE_MIN, maximum: INZAGE_PAGE }),
            q('volgende', 'Cursor from a previous answer.', { type: 'string' })],
          responses: { '200': ok('The disclosures', ref('Inzage')), ...errors('400', '401', '403', '503') },
        },
      },
    },
  };
}
