/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, spec in
 * github.com/standard-webhooks/standard-webhooks): owns the secret format and the three headers,
 * so that any receiver library for Standard Webhooks verifies Doelpoort's deliveries unchanged.
 *
 *   webhook-id:        the event id (the CloudEvent `id`; the same on every retry, so receivers dedupe)
 *   webhook-timestamp: Unix seconds of this attempt
 *   webhook-signature: v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>" keyed with the secret's bytes>
 *
 * The secret is `whsec_` + base64 of 24–64 random bytes; it is shown to the subscriber once and is
 * stored by the gateway (it must sign with it), so the next phase stores it like a credential.
 * `verify` is what a receiver does (and what the tests' receiver uses): several space-separated
 * signatures are allowed (key rotation), comparison is constant-time, and a timestamp outside the
 * tolerance (default 5 minutes either way) is refused against replay.
 *
 * Example:
 *   const secret = generateSecret();
 *   const headers = signHeaders(secret, event.id, Math.floor(Date.now() / 1000), body);
 *   verify(secret, headers, body); // throws WebhookVerificationError when anything is off
 */
import crypto from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
/** Default tolerance for `webhook-timestamp`, in seconds (the reference libraries use 5 minutes). */
export const TOLERANCE_SECONDS = 5 * 60;

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

/** A new secret: `whsec_` + base64 of `bytes` random bytes (24–64; default 32). */
export function generateSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 24 || bytes > 64) throw new RangeError('a secret has 24 to 64 bytes');
  return SECRET_PREFIX + crypto.randomBytes(bytes).toString('base64');
}

/** The key bytes of a secret (with or without the `whsec_` prefix). */
export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new WebhookVerificationError('het geheim is geen base64');
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0) throw new WebhookVerificationError('het geheim is leeg');
  return key;
}

/** `v1,<base64 signature>` over `<id>.<timestamp>.<body>`. */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new RangeError('timestamp is Unix seconds');
  const mac = crypto.createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** The three headers of one delivery attempt. */
export function signHeaders(secret: string, id: string, timestamp: number, body: string): WebhookHeaders {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(secret, id, timestamp, body) };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  const s = Array.isArray(v) ? v.join(' ') : v;
  if (!s) throw new WebhookVerificationError(`header ${name} ontbreekt`);
  return s;
}

/**
 * Check a delivery as a receiver would. Throws WebhookVerificationError unless some `v1` signature
 * in `webhook-signature` matches and the timestamp lies within `toleranceSeconds` of `nowSeconds`.
 */
export function verify(secret: string, headers: Record<string, string | string[] | undefined>, body: string, nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = TOLERANCE_SECONDS): void {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!/^\d{1,12}$/.test(ts)) throw new WebhookVerificationError('webhook-timestamp is geen Unix-tijd');
  const timestamp = Number(ts);
  if (nowSeconds - timestamp > toleranceSeconds) throw new WebhookVerificationError('webhook-timestamp is te oud');
  if (timestamp - nowSeconds > toleranceSeconds) throw new WebhookVerificationError('webhook-timestamp ligt te ver in de toekomst');
  const expected = Buffer.from(sign(secret, id, timestamp, body).slice(3), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const got = Buffer.from(value, 'base64');
    if (got.length === expected.length && crypto.timingSafeEqual(got, expected)) return;
  }
  throw new WebhookVerificationError('geen geldige handtekening');
}
