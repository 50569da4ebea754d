/**
 * The embedded OpenID Provider's storage (oidc-provider's adapter interface) on the store's shared,
 * expiring state, so that every replica sees the same sessions, interactions, authorization codes,
 * grants, refresh tokens and client-assertion replay markers (`ReplayDetection`): a login that starts
 * on one replica finishes on another, a used `private_key_jwt` assertion stays used after a restart,
 * and a flood of anonymous login starts cannot evict anything (there is no LRU to push out).
 *
 * One row per model instance, kind `oidc:<Model>`; `uid`, `userCode` and `grantId` are indexed by the
 * store so `findByUid`, `findByUserCode` and `revokeByGrantId` are one lookup each.
 */
import type { SharedState } from '../store/store.js';

type Payload = Record<string, unknown> & { uid?: string; userCode?: string; grantId?: string; consumed?: number };

/** The adapter class oidc-provider instantiates once per model name. */
export function sharedStateAdapter(shared: SharedState, now: () => number = Date.now) {
  return class SharedStateAdapter {
    private readonly kind: string;

    constructor(model: string) {
      this.kind = `oidc:${model}`;
    }

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      // Rows without a lifetime (none in this configuration) are kept for a day at most.
      const expiresAt = now() + (typeof expiresIn === 'number' ? expiresIn : 86_400) * 1000;
      await shared.put(this.kind, id, payload, expiresAt, { uid: payload.uid, userCode: payload.userCode, grantId: payload.grantId });
    }

    async find(id: string): Promise<Payload | undefined> {
      return (await shared.get(this.kind, id)) as Payload | undefined;
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
      const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : now() + 60_000;
      await shared.put(this.kind, id, { ...payload, consumed: Math.floor(now() / 1000) }, expiresAt, {
        uid: payload.uid, userCode: payload.userCode, grantId: payload.grantId,
      });
    }

    async destroy(id: string): Promise<void> {
      await shared.delete(this.kind, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await shared.deleteByGrant(grantId);
    }
  };
}
