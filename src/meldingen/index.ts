/** Notifications (meldingen): the public face of the folder — events, signatures, target URLs, retries. */
export { berichtOntvangenEvent, CLOUDEVENTS_CONTENT_TYPE, CloudEventError, EVENT_TYPES, isContentFree, serializeEvent, signaalEvent } from './cloudevent.js';
export type { BerichtWijziging, CloudEvent, EventType } from './cloudevent.js';
export { generateSecret, sign, signHeaders, verify, WebhookVerificationError } from './standard-webhooks.js';
export type { WebhookHeaders } from './standard-webhooks.js';
export { blockedReason, checkDoeladres, guardedLookup } from './doeladres.js';
export type { DoeladresOordeel, DoeladresOpties, Modus, Resolver } from './doeladres.js';
export { ATTEMPT_TIMEOUT_MS, classifyResponse, MAX_RETRIES, retryDelay, RETRY_WINDOW_MS } from './herhaling.js';
