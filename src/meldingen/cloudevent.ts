/**
 * CloudEvents: owns the shape of the notifications Doelpoort sends to subscribers — CloudEvents 1.0
 * in structured JSON mode, following the NL GOV profile for CloudEvents — and the guarantee that an
 * event is content-free: `data` holds only ids and the message type or signal kind, never message
 * content, codes or anything else about the participant. The subscriber fetches the content through
 * the normal, audited, purpose-bound read named in `dataref` (which carries `?doel=`).
 *
 * Pure: the caller supplies the event id (a UUID, also the Standard Webhooks `webhook-id`, so a
 * receiver can drop duplicates of an at-least-once delivery), the time and the gateway's base URI.
 *
 * Example:
 *   const event = berichtOntvangenEvent({ id: randomUUID(), bron: 'https://doelpoort.example',
 *     tijdstip: '2026-11-16T09:00:00.000Z', trajectId, berichtId, berichttype: 'aanwezigheid', doel: 'trajectbegeleiding' });
 *   const body = serializeEvent(event); // POST with content-type CLOUDEVENTS_CONTENT_TYPE
 */

/** The event types, in one place (like open-zaak's kanalen). */
export const EVENT_TYPES = {
  berichtOntvangen: 'nl.doelpoort.bericht.ontvangen',
  /** Issue 11: a correction (`vervangt`) arrived; the event names the new version. */
  berichtVervangen: 'nl.doelpoort.bericht.vervangen',
  /** Issue 11: the sender withdrew a message; it no longer counts and its content is no longer disclosed. */
  berichtIngetrokken: 'nl.doelpoort.bericht.ingetrokken',
  signaalGeopend: 'nl.doelpoort.signaal.geopend',
  signaalBijgewerkt: 'nl.doelpoort.signaal.bijgewerkt',
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** The HTTP content type of a structured-mode CloudEvent in JSON. */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

export interface BerichtEventData {
  trajectId: string;
  berichtId: string;
  berichttype: string;
}
export interface SignaalEventData {
  trajectId: string;
  signaalId: string;
  soort: string;
}

/** The attributes the event carries; nothing else is ever set. */
export interface CloudEvent<D = BerichtEventData | SignaalEventData> {
  specversion: '1.0';
  id: string;
  source: string;
  type: EventType;
  time: string;
  subject: string;
  dataref: string;
  datacontenttype: 'application/json';
  data: D;
}

/** The only keys `data` may hold, per event type. */
export const DATA_KEYS: Record<EventType, readonly string[]> = {
  [EVENT_TYPES.berichtOntvangen]: ['trajectId', 'berichtId', 'berichttype'],
  [EVENT_TYPES.berichtVervangen]: ['trajectId', 'berichtId', 'berichttype'],
  [EVENT_TYPES.berichtIngetrokken]: ['trajectId', 'berichtId', 'berichttype'],
  [EVENT_TYPES.signaalGeopend]: ['trajectId', 'signaalId', 'soort'],
  [EVENT_TYPES.signaalBijgewerkt]: ['trajectId', 'signaalId', 'soort'],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export class CloudEventError extends Error {
  override name = 'CloudEventError';
}

interface Common {
  /** The event id: a UUID, unique per event (not per delivery attempt). */
  id: string;
  /** The gateway's base URI, e.g. `https://doelpoort.example` (no trailing slash). */
  bron: string;
  /** When the event happened (the commit of the message or signal), RFC 3339. */
  tijdstip: string;
  trajectId: string;
  /** The doel the subscriber reads under; part of `dataref`. */
  doel: string;
}

function base(c: Common): URL {
  let url: URL;
  try {
    url = new URL(c.bron);
  } catch {
    throw new CloudEventError(`bron "${c.bron}" is geen absolute URI`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CloudEventError(`bron "${c.bron}" is geen http(s)-URI`);
  if (url.search || url.hash) throw new CloudEventError(`bron "${c.bron}" mag geen query of fragment hebben`);
  if (!UUID.test(c.id)) throw new CloudEventError(`id "${c.id}" is geen UUID`);
  if (!UUID.test(c.trajectId)) throw new CloudEventError(`trajectId "${c.trajectId}" is geen UUID`);
  if (!KEBAB.test(c.doel)) throw new CloudEventError(`doel "${c.doel}" is geen doel-id`);
  if (Number.isNaN(Date.parse(c.tijdstip))) throw new CloudEventError(`tijdstip "${c.tijdstip}" is geen tijdstip`);
  return url;
}

function ref(bron: URL, pad: string, doel: string): string {
  const u = new URL(`${bron.pathname.replace(/\/$/, '')}${pad}`, bron);
  u.searchParams.set('doel', doel);
  return u.toString();
}

function source(bron: URL): string {
  return bron.toString().replace(/\/$/, '');
}

/** `nl.doelpoort.bericht.ontvangen`: a message the subscriber's party may read was stored. */
/** What happened to a message: received (a new one), a correction received, or withdrawn. */
export type BerichtWijziging = 'ontvangen' | 'vervangen' | 'ingetrokken';
const WIJZIGING_TYPE = { ontvangen: EVENT_TYPES.berichtOntvangen, vervangen: EVENT_TYPES.berichtVervangen, ingetrokken: EVENT_TYPES.berichtIngetrokken } as const;

export function berichtOntvangenEvent(c: Common & { berichtId: string; berichttype: string; wijziging?: BerichtWijziging }): CloudEvent<BerichtEventData> {
  const bron = base(c);
  if (!UUID.test(c.berichtId)) throw new CloudEventError(`berichtId "${c.berichtId}" is geen UUID`);
  if (!KEBAB.test(c.berichttype)) throw new CloudEventError(`berichttype "${c.berichttype}" is geen berichttype`);
  return {
    specversion: '1.0', id: c.id, source: source(bron), type: WIJZIGING_TYPE[c.wijziging ?? 'ontvangen'], time: new Date(c.tijdstip).toISOString(), subject: c.trajectId,
    dataref: ref(bron, `/v1/berichten/${c.berichtId}`, c.doel), datacontenttype: 'application/json',
    data: { trajectId: c.trajectId, berichtId: c.berichtId, berichttype: c.berichttype },
  };
}

/** `nl.doelpoort.signaal.geopend` / `.bijgewerkt`: a signal the subscriber's party may read was opened or updated. */
export function signaalEvent(c: Common & { signaalId: string; soort: string; wijziging: 'geopend' | 'bijgewerkt' }): CloudEvent<SignaalEventData> {
  const bron = base(c);
  if (!UUID.test(c.signaalId)) throw new CloudEventError(`signaalId "${c.signaalId}" is geen UUID`);
  if (!KEBAB.test(c.soort)) throw new CloudEventError(`soort "${c.soort}" is geen soort signaal`);
  return {
    specversion: '1.0', id: c.id, source: source(bron), type: c.wijziging === 'geopend' ? EVENT_TYPES.signaalGeopend : EVENT_TYPES.signaalBijgewerkt,
    time: new Date(c.tijdstip).toISOString(), subject: c.trajectId,
    dataref: ref(bron, `/v1/signalen/${c.signaalId}`, c.doel), datacontenttype: 'application/json',
    data: { trajectId: c.trajectId, signaalId: c.signaalId, soort: c.soort },
  };
}

/**
 * Whether an event is content-free: exactly the CloudEvents attributes above, and `data` with
 * exactly the keys of its type, each a string. The deliverer checks this before sending (fail closed).
 */
export function isContentFree(event: unknown): boolean {
  if (!event || typeof event !== 'object') return false;
  const e = event as Record<string, unknown>;
  const attributes = ['specversion', 'id', 'source', 'type', 'time', 'subject', 'dataref', 'datacontenttype', 'data'];
  if (Object.keys(e).sort().join() !== [...attributes].sort().join()) return false;
  const keys = DATA_KEYS[e.type as EventType];
  if (!keys || !e.data || typeof e.data !== 'object') return false;
  const data = e.data as Record<string, unknown>;
  return Object.keys(data).sort().join() === [...keys].sort().join() && Object.values(data).every((v) => typeof v === 'string');
}

/** The body of the HTTP request: the event as JSON (structured mode). */
export function serializeEvent(event: CloudEvent): string {
  if (!isContentFree(event)) throw new CloudEventError('event is niet inhoudsvrij');
  return JSON.stringify(event);
}
