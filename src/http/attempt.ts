/**
 * The first steps of the pipeline and the guarantee around all of them.
 *
 * `attempt()` wraps a route: whatever happens — a refused token, bad JSON, a policy denial, a bug —
 * the attempt ends with exactly one audit record and a problem+json answer. If even the audit record
 * cannot be written, the answer is 503 and nothing was stored or disclosed (fail closed).
 *
 * `authenticate()` (step 1) and `identify()` (step 2) live here; `readJsonBody()` reads a body only
 * after the caller is known, so an anonymous caller cannot make the gateway parse 256 KiB.
 *
 * `toProblem()` is the one place where errors become HTTP: a rate limit (`RateLimited`) is 429 with
 * `Retry-After`, the store past its deadline or down (`StoreUnavailableError`) is 503 with
 * `Retry-After`. The API's per-client limit is counted in `verifyBearer()`, right after the token
 * is verified, so that a refusal is audited like any refused attempt, under the caller's party.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { categorieenVanVelden } from '../audit/categorieen.js';
import type { AuditActie, AuditInput } from '../audit/record.js';
import { isDoelgebonden } from '../audit/verwerkingsactiviteiten.js';
import { AuthError } from '../auth/errors.js';
import type { VerifiedToken } from '../auth/verify-token.js';
import { PRIVACY_BROWSER_CLIENT, type Doel, type Partij } from '../policy/types.js';
import { stuurtekens } from '../schemas/tekst.js';
import { LogboekBezetError, StoreUnavailableError, type LeesTx } from '../store/store.js';
import { HttpProblem, sendProblem } from './problem.js';
import { RateLimited } from './rate-limit.js';
import type { Services } from './services.js';
import { requestStart, traceOf, type Trace } from './trace.js';

export interface Actor {
  partij: Partij;
  clientId: string;
}

/** What is known about one attempt as the pipeline proceeds; becomes its audit record. */
export interface Poging {
  actie: AuditActie;
  trace: Trace;
  /** When the request (or this unit of work) began, ISO; absent: when it was recorded. */
  start?: string;
  actor: Actor | null;
  trajectIds: string[];
  berichttype: string | null;
  berichtIds: string[];
  doel: Doel | null;
  /**
   * The registered doel the request named (`?doel=`) for an action whose processing is its doel, before
   * it was accepted: a refusal before the doel is established still names the activity it tried.
   */
  gevraagdDoel?: Doel | null;
  /** Set once the attempt's audit record is in a transaction. */
  geaudit: boolean;
}

export interface Uitkomst {
  besluit: AuditInput['besluit'];
  regel: string | null;
  reden: string;
  status: number;
  grondslag?: string | null;
  velden?: string[];
  /**
   * The data categories of what was disclosed or stored, when the handler knows them per message type
   * (a feed over several types, the state, signals); absent: derived from `velden` and the attempt's
   * message type (`audit/categorieen.ts`).
   */
  gegevenscategorieen?: string[];
}

/**
 * What of a client-chosen identifier may enter the logboek: the identifier itself only when it passed
 * its format check (a UUID); anything else — a name, a BSN, 250 KB of text — is recorded
 * as "ongeldig" with its length, never its content. The logboek is append-only and hash-chained, so
 * nothing that gets in can ever be erased: this is the one gate, applied to every record.
 */
export function logboekId(value: string): string {
  return UUID.test(value) ? value : `ongeldig (${[...value].length} tekens)`;
}

export function auditInput(s: Services, p: Poging, u: Uitkomst): AuditInput {
  const velden = u.velden ?? [];
  return {
    tijdstip: s.now().toISOString(),
    ...(p.start ? { starttijdstip: p.start } : {}),
    traceId: p.trace.traceId,
    spanId: p.trace.spanId,
    parentSpanId: p.trace.parentSpanId,
    actie: p.actie,
    partij: p.actor?.partij.id ?? null,
    client: p.actor?.clientId ?? null,
    trajectIds: [...new Set(p.trajectIds.map(logboekId))],
    berichttype: p.berichttype,
    berichtIds: [...new Set(p.berichtIds.map(logboekId))],
    doel: p.doel?.id ?? null,
    // The record's processing activity follows from the action and this doel (audit/verwerkingsactiviteiten.ts, in `seal`).
    verwerkingsactiviteit: p.doel?.uri ?? p.gevraagdDoel?.uri ?? null,
    grondslag: u.grondslag ?? null,
    besluit: u.besluit,
    regel: u.regel,
    reden: u.reden,
    velden,
    gegevenscategorieen: u.gegevenscategorieen
      ?? (velden.length ? categorieenVanVelden(s.policy.set.gegevenscategorieen, p.berichttype ? [p.berichttype] : null, velden) : []),
    status: u.status,
    beleidsversie: beleidsversieVan(s.policy.set),
  };
}

/**
 * A read, walked as the pipeline says (issue 14): `work` decides and projects in ONE snapshot of
 * committed data — the relation, consent and policy lookups included — and returns the outcome its
 * audit record must state (and sets the attempt's trajectories and messages on `p`); that record is
 * then appended through the group commit, batched with other work (ahead of the queued writes), and
 * only after its commit is durable does this resolve with the value to answer. The snapshot holds no lock and never waits for
 * the writer; the record names exactly what the snapshot projected. No record, no disclosure: when
 * the append fails this rejects (503) and nothing of the value leaves.
 */
export async function auditedRead<T>(s: Services, p: Poging, work: (tx: LeesTx) => Promise<{ uitkomst: Uitkomst; waarde: T }>): Promise<T> {
  const { uitkomst, waarde } = await s.store.snapshot(work);
  // The record alone, ahead of the queued writes (a read waits for no unrelated write).
  await s.store.transaction((tx) => tx.appendAudit(auditInput(s, p, uitkomst)), { priority: true });
  p.geaudit = true;
  return waarde;
}

/** The policy version string of a policy set, built once per set (not per record). */
const beleidsversies = new WeakMap<Services['policy']['set'], string>();
function beleidsversieVan(set: Services['policy']['set']): string {
  let v = beleidsversies.get(set);
  if (v === undefined) beleidsversies.set(set, (v = `${set.versie}+${set.hash.slice(0, 16)}`));
  return v;
}

function toProblem(err: unknown, s: Services, trace: Trace): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof AuthError) {
    const challenge = err.code === 'token-ontbreekt'
      ? 'Bearer realm="doelpoort"'
      : `Bearer realm="doelpoort", error="invalid_token", error_description="${err.reden.replace(/"/g, "'")}"`;
    return new HttpProblem('niet-geauthenticeerd', err.reden, { headers: { 'WWW-Authenticate': challenge }, regel: err.code });
  }
  if (err instanceof RateLimited) {
    return new HttpProblem('te-veel-verzoeken', `Te veel verzoeken van deze client; probeer het over ${err.retryAfterSeconds} seconden opnieuw.`, {
      headers: { 'Retry-After': String(err.retryAfterSeconds) }, regel: 'te-veel-verzoeken',
    });
  }
  if (err instanceof LogboekBezetError) {
    s.logger.warn({ code: err.code, traceId: trace.traceId }, 'logboek query abandoned or refused');
    return new HttpProblem('logboek-bezet', 'Deze vraag aan het logboek duurde te lang en is afgebroken. Maak de selectie kleiner of probeer het later opnieuw.', { headers: { 'Retry-After': '30' }, regel: 'logboek-bezet' });
  }
  if (err instanceof StoreUnavailableError) {
    // One line without a stack: under a database outage every request says this.
    s.logger.error({ reason: err.message, traceId: trace.traceId }, 'store unavailable');
    return new HttpProblem('niet-beschikbaar', 'De gegevens en het logboek konden niet samen worden vastgelegd; er is niets opgeslagen of verstrekt. Probeer het later opnieuw.', { headers: { 'Retry-After': '5' } });
  }
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.too.large') return new HttpProblem('te-groot', `De body is groter dan ${s.config.bodyLimit / 1024} KiB.`, { regel: 'invoer-te-groot' });
  if (e?.type === 'entity.parse.failed') return new HttpProblem('ongeldige-json', 'De body kon niet als JSON worden gelezen.', { regel: 'invoer-ongeldig' });
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
    return new HttpProblem('verkeerd-mediatype', 'Alleen UTF-8 JSON wordt geaccepteerd.', { regel: 'invoer-ongeldig' });
  }
  if (e?.type === 'request.aborted') return new HttpProblem('ongeldige-invoer', 'Het verzoek werd afgebroken.', { regel: 'invoer-ongeldig' });
  s.logger.error({ err, traceId: trace.traceId }, 'unexpected error');
  return new HttpProblem('interne-fout', 'Onverwachte fout; er is niets opgeslagen of verstrekt. Vermeld het trace-id bij een melding.');
}

/** Wrap a route so that every attempt is audited exactly once and answered as problem+json on failure. */
export function attempt(s: Services, actie: AuditActie, handler: (req: Request, res: Response, p: Poging) => Promise<void>): RequestHandler {
  return async (req: Request, res: Response) => {
    const p: Poging = {
      actie, trace: traceOf(res), start: requestStart(res), actor: null, trajectIds: [], berichttype: null, berichtIds: [], doel: null, geaudit: false,
    };
    // A read names its doel in the query: a refusal before the doel is accepted still names the activity it tried.
    if (isDoelgebonden(actie) && typeof req.query.doel === 'string') p.gevraagdDoel = s.policy.doel(req.query.doel) ?? null;
    // The data subject and message named in the path, as soon as their form is valid, whoever the
    // caller turns out to be: a refused token on /v1/trajecten/{T} is visible to T's gemeente.
    for (const [param, key] of [['trajectId', 'trajectIds'], ['berichtId', 'berichtIds']] as const) {
      const v = req.params[param];
      if (typeof v === 'string') p[key] = [v];
    }
    try {
      await handler(req, res, p);
    } catch (err) {
      if (err instanceof ApiRateLimited && !p.actor) p.actor = actorOfToken(s, err.token);
      let problem = toProblem(err, s, p.trace);
      if (!p.geaudit && problem.kind !== 'niet-beschikbaar') {
        try {
          await s.store.transaction((tx) =>
            tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: problem.extra.regel ?? problem.kind, reden: problem.detail, status: problem.status })),
          );
          p.geaudit = true;
        } catch (auditErr) {
          problem = toProblem(auditErr instanceof StoreUnavailableError ? auditErr : new StoreUnavailableError(String(auditErr)), s, p.trace);
        }
      }
      sendProblem(res, problem, p.trace.traceId);
    }
  };
}

/** Step 1, authenticate: a Bearer JWT access token in the Authorization header, never in the URL. */
export async function authenticate(req: Request, s: Services, p: Poging): Promise<Actor> {
  const token = await verifyBearer(req, s);
  return identify(token.clientId, s, p);
}

/** Step 1 alone: the verified token, for routes that identify their caller otherwise (the logboek). */
export async function verifyBearer(req: Request, s: Services): Promise<VerifiedToken> {
  if (req.query.access_token !== undefined) {
    throw new HttpProblem('token-in-query', 'Stuur het toegangstoken in de Authorization-header; een token in de URL komt in logbestanden terecht en wordt geweigerd.', { regel: 'token-in-query' });
  }
  // Two Authorization headers: Node keeps the first, a proxy may keep the last. Refuse the ambiguity.
  if ((req.headersDistinct.authorization?.length ?? 0) > 1) {
    throw new HttpProblem('ongeldige-invoer', 'Stuur precies één Authorization-header.', { regel: 'dubbele-authorization' });
  }
  const header = req.get('authorization');
  const match = header ? /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header) : null;
  if (!match) throw new AuthError('token-ontbreekt', 'Een Bearer-toegangstoken in de Authorization-header is verplicht.');
  const token = await s.verifier.verify(match[1]!);
  // Per client (the privacy pages' browser client: per officer), after authentication.
  const key = token.clientId === PRIVACY_BROWSER_CLIENT ? `${token.clientId}:${token.sub}` : token.clientId;
  try {
    await s.limits.api.hit(key);
  } catch (e) {
    throw e instanceof RateLimited ? new ApiRateLimited(e, token) : e;
  }
  return token;
}

/** The API limit of a verified caller: its refusal is audited under the caller's party. */
class ApiRateLimited extends RateLimited {
  constructor(e: RateLimited, readonly token: VerifiedToken) {
    super(e.limiet, e.retryAfterSeconds);
  }
}

/** Best effort: who a verified token belongs to (a party's client, or a privacy officer). */
function actorOfToken(s: Services, token: VerifiedToken): Actor | null {
  const partij = s.policy.partijByClientId(token.clientId);
  if (partij) return { partij, clientId: token.clientId };
  const officer = s.policy.functionaris(token.clientId, token.sub);
  const officerPartij = officer && s.policy.partij(officer.partij);
  return officerPartij ? { partij: officerPartij, clientId: token.clientId === PRIVACY_BROWSER_CLIENT ? `${token.clientId}:${officer.id}` : token.clientId } : null;
}

/** Step 2, identify: the token's client maps to a registered party. */
export function identify(clientId: string, s: Services, p: Poging): Actor {
  const partij = s.policy.partijByClientId(clientId);
  const officer = partij ? undefined : s.policy.functionaris(clientId, null);
  if (officer) {
    // Recorded under the officer's party, so that its officers see the attempt.
    p.actor = { partij: s.policy.partij(officer.partij)!, clientId };
    throw new HttpProblem('geen-toegang', 'Een functionaris gegevensbescherming leest het logboek (/v1/logboek), geen berichten of trajecten.', { regel: 'functionaris-geen-partij-api' });
  }
  if (!partij) {
    throw new HttpProblem('geen-toegang', 'Deze client is niet als partij geregistreerd bij Doelpoort.', { regel: 'onbekende-client' });
  }
  p.actor = { partij, clientId };
  return p.actor;
}

const jsonParsers = new WeakMap<Services, RequestHandler>();

/** Read the JSON body (after authentication): 415 for another media type, 413 above the limit, 400 for bad JSON. */
export function readJsonBody(req: Request, res: Response, s: Services): Promise<unknown> {
  if (!req.is('application/json')) {
    // The detail becomes the record's reden: name the sent type only when it has the form of one.
    const sent = req.get('content-type')?.split(';')[0]?.trim() ?? '';
    const named = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/i.test(sent) ? sent : sent ? '(ongeldig)' : '(geen)';
    return Promise.reject(new HttpProblem('verkeerd-mediatype', `Content-Type moet application/json zijn, niet ${named}.`, { regel: 'invoer-ongeldig' }));
  }
  let parser = jsonParsers.get(s);
  if (!parser) jsonParsers.set(s, (parser = express.json({ limit: s.config.bodyLimit, strict: true })));
  return new Promise<unknown>((resolve, reject) => {
    parser(req, res, ((err?: unknown) => (err ? reject(err) : resolve(req.body))) as NextFunction);
  }).then((body) => {
    // No control characters in any text, on either adapter (src/schemas/tekst.ts).
    rejectInvalid(stuurtekens(body));
    return body;
  });
}

/** The form of every id the gateway issues or accepts in a path: a UUID. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Step 3 helper: a UUID path parameter (`trajectId`, `berichtId`, …), or a 400 naming it. */
export function uuidFromPath(req: Request, name: string): string {
  const id = String(req.params[name]);
  if (!UUID.test(id)) {
    throw new HttpProblem('ongeldige-parameter', `${name} moet een UUID zijn.`, {
      regel: 'invoer-ongeldig', invalidParams: [{ name, code: 'format', reason: 'moet een UUID zijn' }],
    });
  }
  return id;
}

/** `{trajectId}` of a route under a trajectory; the trajectory is the attempt's data subject. */
export function trajectIdFromPath(req: Request, p: Poging): string {
  const trajectId = uuidFromPath(req, 'trajectId');
  p.trajectIds = [trajectId];
  return trajectId;
}

/** Step 3 helper: throw a 400 listing every error, if there are any. */
export function rejectInvalid(errors: { name: string; code: string; reason: string }[]): void {
  if (errors.length) {
    throw new HttpProblem('ongeldige-invoer', `De invoer bevat ${errors.length} ${errors.length === 1 ? 'fout' : 'fouten'}; zie invalidParams.`, {
      invalidParams: errors,
      regel: 'invoer-ongeldig',
    });
  }
}

/** A query integer: decimal digits only (no `1e2`, `0x10`, `+5`, ` 7`), else NaN, so the caller's range check refuses it. */
export function decimalInt(value: unknown): number {
  return typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : Number.NaN;
}
