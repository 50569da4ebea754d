/**
 * The storage side of a provider's own references (`kenmerk`, issue 11) and the assignment list
 * (`GET /v1/toewijzingen`). `Tx` extends `KenmerkTx`; both adapters' statements live here and the
 * contract suite (`test/store/contract.ts`) proves the same behaviour on SQLite and PostgreSQL.
 *
 * Guarantees every adapter gives:
 * - One kenmerk per (provider, trajectory) and one trajectory per (provider, kenmerk): the table's
 *   primary key and unique constraint; `zetKenmerk` answers 'bezet' instead of failing when the
 *   kenmerk already names another trajectory of the same provider.
 * - A kenmerk is only ever read back for the party that set it: every query takes the party.
 * - `toewijzingenLijst` pages by the assignment's id (only grows), so a cursor never skips a row.
 */
import type Database from 'better-sqlite3';
import type { ToewijzingRol } from '../policy/types.js';

export interface ToewijzingLijstRij {
  id: number;
  trajectId: string;
  gemeente: string;
  partij: string;
  rol: ToewijzingRol;
  vanaf: string;
  tot: string | null;
  beeindigdOp: string | null;
  /** The caller's own kenmerk (provider lists only; null for a gemeente's list). */
  kenmerk: string | null;
}

export interface ToewijzingLijstQuery {
  /** The caller's party. */
  partij: string;
  /** `aanbieder`: its own assignments; `gemeente`: the assignments on its trajectories. */
  als: 'aanbieder' | 'gemeente';
  status?: 'actief' | 'beeindigd';
  vandaag: string;
  /** Only ids above this. */
  na: number;
  limit: number;
}

export interface KenmerkTx {
  /** Set or replace the provider's kenmerk of a trajectory; 'bezet' when it names another trajectory of that provider. */
  zetKenmerk(partij: string, trajectId: string, kenmerk: string, op: string): Promise<'ok' | 'bezet'>;
  /** Remove it; false when there was none. */
  verwijderKenmerk(partij: string, trajectId: string): Promise<boolean>;
  /** The provider's kenmerken of these trajectories, by trajectId. */
  kenmerkenVan(partij: string, trajectIds: readonly string[]): Promise<Map<string, string>>;
  /** The provider's trajectory with this kenmerk. */
  trajectMetKenmerk(partij: string, kenmerk: string): Promise<string | undefined>;
  toewijzingenLijst(q: ToewijzingLijstQuery): Promise<ToewijzingLijstRij[]>;
}

/** Active: not ended and its `tot` not passed (a future start counts as active: it is planned work). */
const ACTIEF = "(w.beeindigdOp IS NULL AND (w.tot IS NULL OR w.tot >= @vandaag))";

function lijstSql(als: 'aanbieder' | 'gemeente', json: 'sqlite' | 'postgres'): string {
  const statusFilter = `(@status = '' OR (@status = 'actief' AND ${ACTIEF}) OR (@status = 'beeindigd' AND NOT ${ACTIEF}))`;
  const cast = json === 'postgres' ? '::text' : '';
  return `SELECT w.id, w.trajectId, t.gemeente, w.partij, w.rol, w.vanaf, w.tot, w.beeindigdOp, ${als === 'aanbieder' ? 'k.kenmerk' : 'NULL AS kenmerk'}
    FROM toewijzingen w JOIN trajecten t ON t.trajectId = w.trajectId
    ${als === 'aanbieder' ? 'LEFT JOIN kenmerken k ON k.partij = w.partij AND k.trajectId = w.trajectId' : ''}
    WHERE ${als === 'aanbieder' ? 'w.partij = @partij' : 't.gemeente = @partij'} AND w.id > @na AND ${statusFilter.replaceAll('@status', `@status${cast}`)}
    ORDER BY w.id LIMIT @limit`;
}

export function sqliteKenmerkTx(db: Database.Database): KenmerkTx {
  const st = {
    metKenmerk: db.prepare('SELECT trajectId FROM kenmerken WHERE partij = ? AND kenmerk = ?').pluck(),
    zet: db.prepare(`INSERT INTO kenmerken (partij, trajectId, kenmerk, gewijzigdOp) VALUES (?, ?, ?, ?)
                     ON CONFLICT (partij, trajectId) DO UPDATE SET kenmerk = excluded.kenmerk, gewijzigdOp = excluded.gewijzigdOp`),
    verwijder: db.prepare('DELETE FROM kenmerken WHERE partij = ? AND trajectId = ?'),
    van: db.prepare('SELECT trajectId, kenmerk FROM kenmerken WHERE partij = ? AND trajectId IN (SELECT value FROM json_each(?))'),
    aanbieder: db.prepare(lijstSql('aanbieder', 'sqlite')),
    gemeente: db.prepare(lijstSql('gemeente', 'sqlite')),
  };
  return {
    async zetKenmerk(partij, trajectId, kenmerk, op) {
      const ander = st.metKenmerk.get(partij, kenmerk) as string | undefined;
      if (ander !== undefined && ander !== trajectId) return 'bezet';
      st.zet.run(partij, trajectId, kenmerk, op);
      return 'ok';
    },
    async verwijderKenmerk(partij, trajectId) {
      return st.verwijder.run(partij, trajectId).changes === 1;
    },
    async kenmerkenVan(partij, trajectIds) {
      const rows = st.van.all(partij, JSON.stringify(trajectIds)) as { trajectId: string; kenmerk: string }[];
      return new Map(rows.map((r) => [r.trajectId, r.kenmerk]));
    },
    async trajectMetKenmerk(partij, kenmerk) {
      return st.metKenmerk.get(partij, kenmerk) as string | undefined;
    },
    async toewijzingenLijst(q) {
      const stmt = q.als === 'aanbieder' ? st.aanbieder : st.gemeente;
      return stmt.all({ partij: q.partij, na: q.na, limit: q.limit, status: q.status ?? '', vandaag: q.vandaag }) as ToewijzingLijstRij[];
    },
  };
}

type Q = <T>(sql: string, params?: Record<string, unknown>) => Promise<T[]>;

const NAMEN = ['trajectId', 'beeindigdOp', 'gewijzigdOp'];
const NAAR_CAMEL = new Map(NAMEN.map((n) => [n.toLowerCase(), n]));
function camelRij<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const k in row) out[NAAR_CAMEL.get(k) ?? k] = row[k];
  return out as T;
}

export function postgresKenmerkTx(query: Q): KenmerkTx {
  const q = async <T>(sql: string, params: Record<string, unknown> = {}) => (await query<Record<string, unknown>>(sql, params)).map((r) => camelRij<T>(r));
  const metKenmerk = async (partij: string, kenmerk: string) =>
    (await q<{ trajectId: string }>('SELECT trajectId FROM kenmerken WHERE partij = @partij AND kenmerk = @kenmerk', { partij, kenmerk }))[0]?.trajectId;
  return {
    async zetKenmerk(partij, trajectId, kenmerk, op) {
      const ander = await metKenmerk(partij, kenmerk);
      if (ander !== undefined && ander !== trajectId) return 'bezet';
      await q(`INSERT INTO kenmerken (partij, trajectId, kenmerk, gewijzigdOp) VALUES (@partij, @trajectId, @kenmerk, @op)
               ON CONFLICT (partij, trajectId) DO UPDATE SET kenmerk = excluded.kenmerk, gewijzigdOp = excluded.gewijzigdOp`, { partij, trajectId, kenmerk, op });
      return 'ok';
    },
    async verwijderKenmerk(partij, trajectId) {
      return (await q('DELETE FROM kenmerken WHERE partij = @partij AND trajectId = @trajectId RETURNING trajectId', { partij, trajectId })).length === 1;
    },
    async kenmerkenVan(partij, trajectIds) {
      const rows = await q<{ trajectId: string; kenmerk: string }>('SELECT trajectId, kenmerk FROM kenmerken WHERE partij = @partij AND trajectId = ANY(@ids::text[])', { partij, ids: [...trajectIds] });
      return new Map(rows.map((r) => [r.trajectId, r.kenmerk]));
    },
    trajectMetKenmerk: metKenmerk,
    async toewijzingenLijst(lq) {
      const rows = await q<ToewijzingLijstRij>(lijstSql(lq.als, 'postgres'), { partij: lq.partij, na: lq.na, limit: lq.limit, status: lq.status ?? '', vandaag: lq.vandaag });
      return rows.map((r) => ({ ...r, id: Number(r.id) }));
    },
  };
}
