/**
 * The embedded provider's storage over the shared state, on PostgreSQL with two store instances (two
 * replicas on one database): one-time use holds across them, row keys are not the bearer values,
 * and revoking a grant removes what belongs to it and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedStateAdapter } from '../src/auth/provider-adapter.js';
import { openPostgresStore } from '../src/store/postgres.js';
import type { Store } from '../src/store/store.js';
import { createTestDatabase, pgQuery, type TestDatabase } from './support/postgres.js';

let db: TestDatabase;
let a: Store;
let b: Store;
beforeAll(async () => {
  db = await createTestDatabase();
  a = await openPostgresStore(db.url, { poolMax: 4 });
  b = await openPostgresStore(db.url, { poolMax: 4 });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await db?.drop();
});

const exp = () => Math.floor(Date.now() / 1000) + 60;

describe('oidc-provider adapter over the shared state (two replicas)', () => {
  it('a replay marker saved on A is found on B; the same assertion saved on A and B at once succeeds once', async () => {
    const A = new (sharedStateAdapter(a.shared))('ReplayDetection');
    const B = new (sharedStateAdapter(b.shared))('ReplayDetection');
    await A.upsert('jti-1', { iss: 'c', jti: 'jti-1' }, 60);
    expect(await B.find('jti-1')).toMatchObject({ iss: 'c' });
    for (let i = 0; i < 20; i++) {
      const results = await Promise.allSettled([A.upsert(`race-${i}`, { iss: 'c' }, 60), B.upsert(`race-${i}`, { iss: 'c' }, 60)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ error: 'invalid_client' });
    }
  });

  it('an authorization code consumed on A and B at once is consumed once; the other gets invalid_grant', async () => {
    const A = new (sharedStateAdapter(a.shared))('AuthorizationCode');
    const B = new (sharedStateAdapter(b.shared))('AuthorizationCode');
    await A.upsert('code-1', { jti: 'code-1', grantId: 'g-1', exp: exp() }, 60);
    const results = await Promise.allSettled([A.consume('code-1'), B.consume('code-1')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ error: 'invalid_grant' });
    expect((await B.find('code-1'))?.consumed).toEqual(expect.any(Number));
  });

  it('rows are keyed by a hash of the id (a session id, code or refresh token is not readable from the table)', async () => {
    const S = new (sharedStateAdapter(a.shared))('Session');
    await S.upsert('geheim-sessie-id', { uid: 'uid-1', accountId: 'fg-hengelo', exp: exp() }, 60);
    expect(await new (sharedStateAdapter(b.shared))('Session').findByUid('uid-1')).toMatchObject({ accountId: 'fg-hengelo' });
    const rows = await pgQuery<{ sleutel: string }>(db.url, "SELECT sleutel FROM gedeelde_staat WHERE soort = 'oidc:Session'");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sleutel).not.toContain('geheim');
  });

  it('revoking a grant removes its codes and tokens on every replica, not an interaction that names the grant', async () => {
    const code = new (sharedStateAdapter(a.shared))('AuthorizationCode');
    const refresh = new (sharedStateAdapter(a.shared))('RefreshToken');
    const interaction = new (sharedStateAdapter(a.shared))('Interaction');
    await code.upsert('c-2', { grantId: 'g-2', exp: exp() }, 60);
    await refresh.upsert('r-2', { grantId: 'g-2', exp: exp() }, 60);
    await refresh.upsert('r-3', { grantId: 'g-3', exp: exp() }, 60);
    await interaction.upsert('i-2', { grantId: 'g-2', exp: exp() }, 60);
    await new (sharedStateAdapter(b.shared))('RefreshToken').revokeByGrantId('g-2');
    expect(await code.find('c-2')).toBeUndefined();
    expect(await refresh.find('r-2')).toBeUndefined();
    expect(await refresh.find('r-3')).toBeDefined();
    expect(await interaction.find('i-2')).toBeDefined();
  });
});
