/**
 * Standard Webhooks signing against the official test vector, plus what a receiver must refuse.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSecret, secretKey, sign, signHeaders, verify, WebhookVerificationError } from './standard-webhooks.js';

/*
 * The official vector of the Standard Webhooks reference library:
 * github.com/standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts,
 * test "sign function works" (commit 10d3e46d720c4e5861a792bec25792a04ad4e2b3).
 */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks', () => {
  it('produces the official test vector', () => {
    expect(sign(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    // The secret works with and without its prefix, as in the reference library.
    expect(sign(VECTOR.secret.slice('whsec_'.length), VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('verifies the official vector at its own time, and refuses it 5 minutes and 1 second later or earlier', () => {
    const headers = { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature };
    expect(() => verify(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp)).not.toThrow();
    expect(() => verify(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp + 300)).not.toThrow();
    expect(() => verify(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp + 301)).toThrow(/te oud/);
    expect(() => verify(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp - 301)).toThrow(/toekomst/);
  });

  it('names the three headers and accepts any header case on receipt', () => {
    const h = signHeaders(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body);
    expect(h).toEqual({ 'webhook-id': VECTOR.id, 'webhook-timestamp': '1614265330', 'webhook-signature': VECTOR.signature });
    expect(() => verify(VECTOR.secret, { 'Webhook-Id': h['webhook-id'], 'WEBHOOK-TIMESTAMP': h['webhook-timestamp'], 'Webhook-Signature': h['webhook-signature'] }, VECTOR.body, VECTOR.timestamp)).not.toThrow();
  });

  it('accepts several signatures (key rotation) when one of them is valid', () => {
    const h = signHeaders(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body);
    const several = { ...h, 'webhook-signature': `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc ${h['webhook-signature']}` };
    expect(() => verify(VECTOR.secret, several, VECTOR.body, VECTOR.timestamp)).not.toThrow();
  });

  it('refuses a missing header, a bad timestamp, a partial or foreign signature, another secret', () => {
    const h = signHeaders(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body);
    const at = VECTOR.timestamp;
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _, ...rest } = h;
      expect(() => verify(VECTOR.secret, rest, VECTOR.body, at)).toThrow(WebhookVerificationError);
    }
    expect(() => verify(VECTOR.secret, { ...h, 'webhook-timestamp': 'hello' }, VECTOR.body, at)).toThrow(/Unix-tijd/);
    expect(() => verify(VECTOR.secret, { ...h, 'webhook-signature': h['webhook-signature'].slice(0, 8) }, VECTOR.body, at)).toThrow(/geen geldige/);
    expect(() => verify(VECTOR.secret, { ...h, 'webhook-signature': 'v1,' }, VECTOR.body, at)).toThrow(/geen geldige/);
    expect(() => verify(VECTOR.secret, { ...h, 'webhook-signature': h['webhook-signature'].replace('v1,', 'v2,') }, VECTOR.body, at)).toThrow(/geen geldige/);
    expect(() => verify(generateSecret(), h, VECTOR.body, at)).toThrow(/geen geldige/);
    expect(() => verify(VECTOR.secret, { ...h, 'webhook-id': 'msg_other' }, VECTOR.body, at)).toThrow(/geen geldige/);
  });

  it('generates whsec_ secrets of 24 to 64 random bytes', () => {
    const s = generateSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(secretKey(s)).toHaveLength(32);
    expect(secretKey(generateSecret(24))).toHaveLength(24);
    expect(secretKey(generateSecret(64))).toHaveLength(64);
    expect(generateSecret()).not.toBe(s);
    expect(() => generateSecret(16)).toThrow(RangeError);
    expect(() => secretKey('whsec_not base64!')).toThrow(WebhookVerificationError);
  });

  it('property: what is signed verifies, and any change to the body or the timestamp is refused', () => {
    const secret = generateSecret();
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 4_000_000_000 }), fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (body, ts, at, ch) => {
      const h = signHeaders(secret, 'c6f0cbbd-8b37-4c39-b0a4-0a2b1b7f5f5e', ts, body);
      verify(secret, h, body, ts);
      const i = at % body.length;
      const changed = body.slice(0, i) + (body[i] === ch ? `${ch}x` : ch) + body.slice(i + 1);
      expect(() => verify(secret, h, changed, ts)).toThrow(WebhookVerificationError);
      expect(() => verify(secret, { ...h, 'webhook-timestamp': String(ts + 1) }, body, ts)).toThrow(WebhookVerificationError);
    }), { numRuns: 200 });
  });
});
