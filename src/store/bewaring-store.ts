/**
 * The storage side of retention and erasure (issue 13, docs/bewaring.md): finding what a purge run
 * must look at, removing message content (the row stays as a tombstone), and the derived and related
 * rows that go with it. `Tx` extends `BewaringTx`; both adapters' statements live here and the
 * contract suite (`test/store/contract.ts`) proves the same behaviour on SQLite and PostgreSQL.
 * Whether something may be removed is never decided here: `bewaring/termijnen.ts` decides, these
 * methods only narrow the candidates and carry the decision out.
 *
 * Guarantees every adapter gives:
 * - `verwijderInhoud` removes content once: only rows that still hold content change (`verwijderdOp IS
 *   NULL`), and it returns exactly those; run inside one transaction with the selection, two replicas
 *   (or the scheduler and the CLI) never remove, or record, the same message twice.
 * - A tombstone keeps id, type, schema version, trajectory, sender, dates, receipt (audit id and hash)
 *   and says when and why (`verwijderdOp`, `verwijdering`); `inhoud` becomes 'null' and `inhoudHash` ''
 *   (a hash of low-entropy content would let anyone confirm a guess of it).
 * - Candidate queries are bounded: each scans at most `limit` trajectories, messages or consents.
 * - Reads of candidates never return content.
 */
import type Database from 'better-sqlite3';
import type { Signaal } from '../signalen/types.js';
import { camelRij, toSignaal, type SignaalDbRij } from './signaal-store.js';
import { toToestemming, type ToestemmingDbRow } from './rijen.js';
import type { ToestemmingRow } from './store.js';

/** A trajectory a purge run looks at: it has messages after the ones known to be tombstones. */
export interface BewaringTraject {
  trajectId: string;
  gemeente: string;
  afgeslotenOp: string | null;
  /** Every message of the trajectory up to this volgnummer is a tombstone (0: none known). */
  bewaringVolgnummer: number;
}

/** A message as the purge sees it: its facts, never its content. */
export interface BewaringBericht {
  volgnummer: number;
  berichtId: string;
  afzender: string;
  berichttype: string;
  trajectId: string;
  ontvangenOp: string;
  /** Set when its content is already gone. */
  verwijderdOp: string | null;
}

/** A consent record with its trajectory's end, for the consent pass of a purge run. */
export interface BewaringToestemming extends ToestemmingRow {
  afgeslotenOp: string | null;
}

export interface BewaringTx {
  /**
   * Scan at most `limit` trajectories by trajectId after `na`; of those, the ones with a message after
   * their `bewaringVolgnummer` that are closed before `afgeslotenVoor` (null: closed or not). `volgende`:
   * the last trajectId scanned, or null when the scan reached the end.
   */
  trajectenVoorBewaring(q: { na: string; limit: number; afgeslotenVoor: string | null }): Promise<{ trajecten: BewaringTraject[]; volgende: string | null }>;
  /** The messages of one trajectory after volgnummer `na`, ascending, at most `limit`; tombstones included, content never. */
  berichtenVoorBewaring(trajectId: string, na: number, limit: number): Promise<BewaringBericht[]>;
  /**
   * Remove the content of these messages (by volgnummer) with this stored reason; only those still
   * holding content change. Returns the volgnummers changed.
   */
  verwijderInhoud(volgnummers: readonly number[], op: string, verwijdering: string): Promise<number[]>;
  /** Record that every message of the trajectory up to `volgnummer` is a tombstone. */
  zetBewaringVolgnummer(trajectId: string, volgnummer: number): Promise<void>;
  /** How many of the trajectory's messages hold content, and how many are tombstones. */
  inhoudTelling(trajectId: string): Promise<{ bewaard: number; verwijderd: number }>;
  /** Every signal of a trajectory (open and closed), oldest first. */
  signalenVanTraject(trajectId: string): Promise<Signaal[]>;
  /** Delete these signals; returns how many. */
  verwijderSignalen(signaalIds: readonly string[]): Promise<number>;
  /** Delete every provider's kenmerk of the trajectory; returns how many. */
  verwijderKenmerken(trajectId: string): Promise<number>;
  /** Scan at most `limit` consent records by toestemmingId after `na`, with their trajectory's end. */
  toestemmingenVoorBewaring(q: { na: string; limit: number }): Promise<{ toestemmingen: BewaringToestemming[]; volgende: string | null }>;
  /** Delete these consent records with their signed receipts (the consent's own period is theirs); returns how many consents. */
  verwijderToestemmingen(toestemmingIds: readonly string[]): Promise<number>;
}

const BERICHT = 'volgnummer, berichtId, afzender, berichttype, trajectId, ontvangenOp, verwijderdOp';
const SIGNAAL_KOLOMMEN = 'volgorde, signaalId, trajectId, soort, aanbieder, status, geopendOp, bijgewerktOp, berichtIds, codes, afgehandeldOp, uitkomst';

export function sqliteBewaringTx(db: Database.Database): BewaringTx {
  const st = {
    trajecten: db.prepare(
      `SELECT t.trajectId, t.gemeente, t.afgeslotenOp, t.bewaringVolgnummer, t.kandidaat
         FROM (SELECT trajectId, gemeente, afgeslotenOp, bewaringVolgnummer,
                      (@afgeslotenVoor IS NULL OR (afgeslotenOp IS NOT NULL AND afgeslotenOp < @afgeslotenVoor)) AS kandidaat
                 FROM trajecten WHERE trajectId > @na ORDER BY trajectId LIMIT @limit) t
        ORDER BY t.trajectId`,
    ),
    heeftNieuwere: db.prepare('SELECT 1 FROM berichten WHERE trajectId = ? AND volgnummer > ? LIMIT 1').pluck(),
    berichten: db.prepare(`SELECT ${BERICHT} FROM berichten WHERE trajectId = ? AND volgnummer > ? ORDER BY volgnummer LIMIT ?`),
    verwijder: db.prepare(
      `UPDATE berichten SET inhoud = 'null', inhoudHash = '', verwijderdOp = @op, verwijdering = @verwijdering
        WHERE volgnummer IN (SELECT value FROM json_each(@volgnummers)) AND verwijderdOp IS NULL
        RETURNING volgnummer`,
    ).pluck(),
    zetVolgnummer: db.prepare('UPDATE trajecten SET bewaringVolgnummer = ? WHERE trajectId = ? AND bewaringVolgnummer < ?'),
    telling: db.prepare('SELECT count(*) FILTER (WHERE verwijderdOp IS NULL) AS bewaard, count(*) FILTER (WHERE verwijderdOp IS NOT NULL) AS verwijderd FROM berichten WHERE trajectId = ?'),
    signalen: db.prepare(`SELECT ${SIGNAAL_KOLOMMEN} FROM signalen WHERE trajectId = ? ORDER BY volgorde`),
    verwijderSignalen: db.prepare('DELETE FROM signalen WHERE signaalId IN (SELECT value FROM json_each(?))'),
    verwijderKenmerken: db.prepare('DELETE FROM kenmerken WHERE trajectId = ?'),
    toestemmingen: db.prepare(
      `SELECT s.*, t.afgeslotenOp FROM (SELECT * FROM toestemmingen WHERE toestemmingId > @na ORDER BY toestemmingId LIMIT @limit) s
         JOIN trajecten t ON t.trajectId = s.trajectId ORDER BY s.toestemmingId`,
    ),
    verwijderBewijzen: db.prepare('DELETE FROM ontvangstbewijzen WHERE toestemmingId IN (SELECT value FROM json_each(?))'),
    verwijderToestemmingen: db.prepare('DELETE FROM toestemmingen WHERE toestemmingId IN (SELECT value FROM json_each(?))'),
  };
  return {
    async trajectenVoorBewaring(q) {
      const rows = st.trajecten.all(q) as Array<BewaringTraject & { kandidaat: number }>;
      const trajecten = rows
        .filter((r) => r.kandidaat && st.heeftNieuwere.get(r.trajectId, r.bewaringVolgnummer) !== undefined)
        .map(({ kandidaat: _k, ...r }) => r);
      return { trajecten, volgende: rows.length < q.limit ? null : rows.at(-1)!.trajectId };
    },
    async berichtenVoorBewaring(trajectId, na, limit) {
      return st.berichten.all(trajectId, na, limit) as BewaringBericht[];
    },
    async verwijderInhoud(volgnummers, op, verwijdering) {
      if (volgnummers.length === 0) return [];
      return (st.verwijder.all({ volgnummers: JSON.stringify(volgnummers), op, verwijdering }) as number[]).sort((a, b) => a - b);
    },
    async zetBewaringVolgnummer(trajectId, volgnummer) {
      st.zetVolgnummer.run(volgnummer, trajectId, volgnummer);
    },
    async inhoudTelling(trajectId) {
      const r = st.telling.get(trajectId) as { bewaard: number; verwijderd: number };
      return { bewaard: r.bewaard ?? 0, verwijderd: r.verwijderd ?? 0 };
    },
    async signalenVanTraject(trajectId) {
      return (st.signalen.all(trajectId) as SignaalDbRij[]).map(toSignaal);
    },
    async verwijderSignalen(ids) {
      return ids.length ? st.verwijderSignalen.run(JSON.stringify(ids)).changes : 0;
    },
    async verwijderKenmerken(trajectId) {
      return st.verwijderKenmerken.run(trajectId).changes;
    },
    async toestemmingenVoorBewaring(q) {
      const rows = st.toestemmingen.all(q) as Array<ToestemmingDbRow & { afgeslotenOp: string | null }>;
      // Every consent has its trajectory (a foreign key), so the join keeps every row scanned.
      return { toestemmingen: rows.map((r) => ({ ...toToestemming(r), afgeslotenOp: r.afgeslotenOp })), volgende: rows.length < q.limit ? null : rows.at(-1)!.toestemmingId };
    },
    async verwijderToestemmingen(ids) {
      if (ids.length === 0) return 0;
      st.verwijderBewijzen.run(JSON.stringify(ids));
      return st.verwijderToestemmingen.run(JSON.stringify(ids)).changes;
    },
  };
}

type Q = <T>(sql: string, params?: Record<string, unknown>) => Promise<T[]>;

export function postgresBewaringTx(query: Q): BewaringTx {
  const q = async <T>(sql: string, params: Record<string, unknown> = {}) => (await query<Record<string, unknown>>(sql, params)).map((r) => camelRij<T>(r));
  return {
    async trajectenVoorBewaring(p) {
      // One statement: the bounded scan, and for each candidate whether a message follows its mark.
      const rows = await q<BewaringTraject & { kandidaat: boolean }>(
        `SELECT t.trajectId, t.gemeente, t.afgeslotenOp, t.bewaringVolgnummer,
                ((@afgeslotenVoor::text IS NULL OR (t.afgeslotenOp IS NOT NULL AND t.afgeslotenOp < @afgeslotenVoor::text))
                  AND EXISTS (SELECT 1 FROM berichten b WHERE b.trajectId = t.trajectId AND b.volgnummer > t.bewaringVolgnummer)) AS kandidaat
           FROM (SELECT trajectId, gemeente, afgeslotenOp, bewaringVolgnummer FROM trajecten WHERE trajectId > @na ORDER BY trajectId LIMIT @limit) t
          ORDER BY t.trajectId`, { ...p });
      const trajecten = rows.filter((r) => r.kandidaat).map((r) => ({
        trajectId: r.trajectId, gemeente: r.gemeente, afgeslotenOp: r.afgeslotenOp, bewaringVolgnummer: Number(r.bewaringVolgnummer),
      }));
      return { trajecten, volgende: rows.length < p.limit ? null : rows.at(-1)!.trajectId };
    },
    async berichtenVoorBewaring(trajectId, na, limit) {
      const rows = await q<BewaringBericht>(`SELECT ${BERICHT} FROM berichten WHERE trajectId = @trajectId AND volgnummer > @na ORDER BY volgnummer LIMIT @limit`, { trajectId, na, limit });
      return rows.map((r) => ({ ...r, volgnummer: Number(r.volgnummer) }));
    },
    async verwijderInhoud(volgnummers, op, verwijdering) {
      if (volgnummers.length === 0) return [];
      const rows = await q<{ volgnummer: number }>(
        `UPDATE berichten SET inhoud = 'null', inhoudHash = '', verwijderdOp = @op, verwijdering = @verwijdering
          WHERE volgnummer = ANY(@volgnummers::bigint[]) AND verwijderdOp IS NULL RETURNING volgnummer`, { volgnummers: [...volgnummers], op, verwijdering });
      return rows.map((r) => Number(r.volgnummer)).sort((a, b) => a - b);
    },
    async zetBewaringVolgnummer(trajectId, volgnummer) {
      await q('UPDATE trajecten SET bewaringVolgnummer = @volgnummer WHERE trajectId = @trajectId AND bewaringVolgnummer < @volgnummer', { trajectId, volgnummer });
    },
    async inhoudTelling(trajectId) {
      const [r] = await q<{ bewaard: number; verwijderd: number }>(
        'SELECT count(*) FILTER (WHERE verwijderdOp IS NULL) AS bewaard, count(*) FILTER (WHERE verwijderdOp IS NOT NULL) AS verwijderd FROM berichten WHERE trajectId = @trajectId', { trajectId });
      return { bewaard: Number(r!.bewaard), verwijderd: Number(r!.verwijderd) };
    },
    async signalenVanTraject(trajectId) {
      return (await q<SignaalDbRij>(`SELECT ${SIGNAAL_KOLOMMEN} FROM signalen WHERE trajectId = @trajectId ORDER BY volgorde`, { trajectId })).map(toSignaal);
    },
    async verwijderSignalen(ids) {
      if (ids.length === 0) return 0;
      return (await q('DELETE FROM signalen WHERE signaalId = ANY(@ids::text[]) RETURNING signaalId', { ids: [...ids] })).length;
    },
    async verwijderKenmerken(trajectId) {
      return (await q('DELETE FROM kenmerken WHERE trajectId = @trajectId RETURNING partij', { trajectId })).length;
    },
    async toestemmingenVoorBewaring(p) {
      const rows = await q<ToestemmingDbRow & { afgeslotenOp: string | null }>(
        `SELECT s.*, t.afgeslotenOp
           FROM (SELECT * FROM toestemmingen WHERE toestemmingId > @na ORDER BY toestemmingId LIMIT @limit) s
           JOIN trajecten t ON t.trajectId = s.trajectId ORDER BY s.toestemmingId`, { ...p });
      return { toestemmingen: rows.map((r) => ({ ...toToestemming(r), afgeslotenOp: r.afgeslotenOp })), volgende: rows.length < p.limit ? null : rows.at(-1)!.toestemmingId };
    },
    async verwijderToestemmingen(ids) {
      if (ids.length === 0) return 0;
      await q('DELETE FROM ontvangstbewijzen WHERE toestemmingId = ANY(@ids::text[])', { ids: [...ids] });
      return (await q('DELETE FROM toestemmingen WHERE toestemmingId = ANY(@ids::text[]) RETURNING toestemmingId', { ids: [...ids] })).length;
    },
  };
}
