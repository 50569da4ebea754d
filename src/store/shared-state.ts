/**
 * SharedState over one table (`gedeelde_staat`), written once for both adapters: the SQL below is
 * the common dialect of SQLite and PostgreSQL (UPSERT with RETURNING), with `$n` placeholders that
 * the SQLite adapter maps to `?n`. Each call is its own short autocommit statement, outside the
 * group-commit queue: sessions, grants, replay markers and counters are not audited data and must
 * not wait behind (or hold up) a batch of exchanges. Expired rows read as absent; `sweep` deletes them.
 */
import type { SharedState } from './store.js';

/** Runs one statement and returns its rows (RETURNING included) and the number of changed rows. */
export interface SqlUitvoerder {
  (sql: string, params: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; changes: number }>;
}

const COUNTER = '#teller';

export function sharedState(sql: SqlUitvoerder, now: () => number = Date.now): SharedState {
  const parse = (row: Record<string, unknown> | undefined) => (row ? JSON.parse(row.waarde as string) as unknown : undefined);
  return {
    async get(kind, key) {
      const { rows } = await sql('SELECT waarde FROM gedeelde_staat WHERE soort = $1 AND sleutel = $2 AND verloopt > $3', [kind, key, now()]);
      return parse(rows[0]);
    },
    async put(kind, key, value, expiresAt, index = {}) {
      await sql(
        `INSERT INTO gedeelde_staat (soort, sleutel, waarde, verloopt, uid, usercode, grantid) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (soort, sleutel) DO UPDATE SET waarde = excluded.waarde, verloopt = excluded.verloopt, teller = 0,
           uid = excluded.uid, usercode = excluded.usercode, grantid = excluded.grantid`,
        [kind, key, JSON.stringify(value ?? null), expiresAt, index.uid ?? null, index.userCode ?? null, index.grantId ?? null],
      );
    },
    async putIfAbsent(kind, key, value, expiresAt) {
      const { rows } = await sql(
        `INSERT INTO gedeelde_staat (soort, sleutel, waarde, verloopt) VALUES ($1, $2, $3, $4)
         ON CONFLICT (soort, sleutel) DO UPDATE SET waarde = excluded.waarde, verloopt = excluded.verloopt, teller = 0,
           uid = NULL, usercode = NULL, grantid = NULL
         WHERE gedeelde_staat.verloopt <= $5
         RETURNING 1 AS ingevoegd`,
        [kind, key, JSON.stringify(value ?? null), expiresAt, now()],
      );
      return rows.length === 1;
    },
    async findBy(kind, field, value) {
      const column = field === 'uid' ? 'uid' : 'usercode';
      const { rows } = await sql(`SELECT waarde FROM gedeelde_staat WHERE soort = $1 AND ${column} = $2 AND verloopt > $3 LIMIT 1`, [kind, value, now()]);
      return parse(rows[0]);
    },
    async delete(kind, key) {
      await sql('DELETE FROM gedeelde_staat WHERE soort = $1 AND sleutel = $2', [kind, key]);
    },
    async deleteByGrant(grantId) {
      await sql('DELETE FROM gedeelde_staat WHERE grantid = $1', [grantId]);
    },
    async increment(key, windowStart, expiresAt, by = 1) {
      const { rows } = await sql(
        `INSERT INTO gedeelde_staat (soort, sleutel, waarde, teller, verloopt) VALUES ($1, $2, 'null', $5, $3)
         ON CONFLICT (soort, sleutel) DO UPDATE SET teller = CASE WHEN gedeelde_staat.verloopt <= $4 THEN excluded.teller ELSE gedeelde_staat.teller + excluded.teller END,
           verloopt = CASE WHEN gedeelde_staat.verloopt <= $4 THEN excluded.verloopt ELSE gedeelde_staat.verloopt END
         RETURNING teller`,
        [COUNTER, `${key}@${windowStart}`, expiresAt, now(), Math.max(1, Math.trunc(by))],
      );
      return Number(rows[0]!.teller);
    },
    async count(key, windowStart) {
      const { rows } = await sql('SELECT teller FROM gedeelde_staat WHERE soort = $1 AND sleutel = $2 AND verloopt > $3', [COUNTER, `${key}@${windowStart}`, now()]);
      return rows.length ? Number(rows[0]!.teller) : 0;
    },
    async sweep(at) {
      return (await sql('DELETE FROM gedeelde_staat WHERE verloopt <= $1', [at])).changes;
    },
  };
}
