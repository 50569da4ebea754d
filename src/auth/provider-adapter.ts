/**
 * The embedded OpenID Provider's storage (oidc-provider's adapter interface) on the store's shared,
 * expiring state, so that every replica sees the same sessions, interactions, authorization codes,
 * grants, refresh tokens and client-assertion replay markers (`ReplayDetection`): a login that starts
 * on one replica finishes on another, a used `private_key_jwt` assertion stays used after a restart
 * and on every other replica, and a flood of anonymous login starts cannot evict anything (rows only
 * expire; there is no LRU to push out).
 *
 * Guarantees:
 * - One row per model instance, kind `oidc:<Model>`, keyed by the SHA-256 of its id: many ids are
 *   bearer secrets (the session cookie, an authorization code, a refresh token), and a reader of the
 *   database must not be able to use a row key as one.
 * - `uid` (sessions), `userCode` and `grantId` (the grant-bound models, as oidc-provider's own memory
 *   adapter does) are indexed by the store: `findByUid`, `findByUserCode`, `revokeByGrantId` are one
 *   statement each.
 * - One-time use holds across replicas: a `ReplayDetection` marker is inserted only if absent (two
 *   replicas racing on the same assertion: one wins, the other refuses it as `invalid_client`), and
 *   `consume` (authorization codes, rotated refresh tokens) claims a marker first, so a code redeemed
 *   on two replicas at once is honoured once (the other gets `invalid_grant`).
 */
import crypto from 'node:crypto';
import { errors } from 'oidc-provider';
import type { SharedState } from '../store/store.js';

type Payload = Record<string, unknown> & { uid?: string; userCode?: string; grantId?: string; consumed?: number; exp?: number };

/** The models whose instances belong to a grant (revoked together): oidc-provider's own list. */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);
/** Rows saved without a lifetime (none in this configuration) are kept for a day at most. */
const DEFAULT_SECONDS = 86_400;

const rowKey = (id: string) => crypto.createHash('sha256').update(id).digest('base64url');

/** The adapter class oidc-provider instantiates once per model name. */
export function sharedStateAdapter(shared: SharedState, now: () => number = Date.now) {
  return class SharedStateAdapter {
    private readonly kind: string;

    constructor(private readonly model: string) {
      this.kind = `oidc:${model}`;
    }

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const expiresAt = now() + (typeof expiresIn === 'number' ? expiresIn : DEFAULT_SECONDS) * 1000;
      if (this.model === 'ReplayDetection') {
        // oidc-provider looks first and then saves; between the two another replica may have saved
        // the same assertion. Inserting only if absent makes the second one fail here.
        if (!(await shared.putIfAbsent(this.kind, rowKey(id), payload, expiresAt))) {
          throw new errors.InvalidClientAuth('client assertion tokens must only be used once');
        }
        return;
      }
      await shared.put(this.kind, rowKey(id), payload, expiresAt, this.index(payload));
    }

    async find(id: string): Promise<Payload | undefined> {
      return (await shared.get(this.kind, rowKey(id))) as Payload | undefined;
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      return (await shared.findBy(this.kind, 'uid', uid)) as Payload | undefined;
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      return (await shared.findBy(this.kind, 'userCode', userCode)) as Payload | undefined;
    }

    async consume(id: string): Promise<void> {
      const payload = await this.find(id);
      if (!payload) return;
      const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : now() + DEFAULT_SECONDS * 1000;
      if (!(await shared.putIfAbsent(`${this.kind}:verbruikt`, rowKey(id), true, expiresAt))) {
        throw new errors.InvalidGrant(`${this.model} already consumed`);
      }
      const consumed = { ...payload, consumed: Math.floor(now() / 1000) };
      await shared.put(this.kind, rowKey(id), consumed, expiresAt, this.index(consumed));
    }

    async destroy(id: string): Promise<void> {
      await shared.delete(this.kind, rowKey(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await shared.deleteByGrant(grantId);
    }

    private index(payload: Payload) {
      return {
        uid: this.model === 'Session' ? payload.uid : undefined,
        userCode: payload.userCode,
        grantId: GRANTABLE.has(this.model) ? payload.grantId : undefined,
      };
    }
  };
}
