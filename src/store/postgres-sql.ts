/**
 * The small pieces every PostgreSQL module of the store shares: a pool that reads `bigint` and
 * `numeric` as JavaScript numbers (ids and counts stay far below 2^53), named parameters (`@naam`,
 * as the SQLite statements use) turned into `$n`, and row keys mapped back from PostgreSQL's folded
 * lower-case names to the camelCase the rest of the gateway uses. TLS and other connection options
 * come from the URL as `pg` reads them (`sslmode`, `sslrootcert`, …).
 */
import pg from 'pg';

const CAMEL = [
  'trajectId', 'aangemaaktOp', 'afgeslotenOp', 'beeindigdOp', 'berichtId', 'gebeurtenisTijdstip', 'ontvangenOp', 'inhoudHash',
  'auditId', 'auditHash', 'toestemmingId', 'gegevenOp', 'geldigTot', 'ingetrokkenOp', 'vastgelegdDoor', 'traceId', 'spanId',
  'trajectIds', 'berichtIds', 'vorigeHash', 'laatsteHash', 'vorigeRecordHash', 'ontvangstbewijsId', 'uitgegevenOp', 'verwijderdOp',
  'bewaringVolgnummer', 'parentSpanId',
];
const NAAR_CAMEL = new Map(CAMEL.map((c) => [c.toLowerCase(), c]));

/** A row with its keys as the gateway names them. */
export function camel<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const k in row) out[NAAR_CAMEL.get(k) ?? k] = row[k];
  return out as T;
}

/** `@naam` placeholders to `$n` with the values in order. */
export function named(sql: string, params: Record<string, unknown>): [string, unknown[]] {
  const order = new Map<string, number>();
  const values: unknown[] = [];
  const text = sql.replace(/@([A-Za-z]\w*)/g, (_, name: string) => {
    let i = order.get(name);
    if (i === undefined) {
      if (!(name in params)) throw new Error(`missing SQL parameter @${name}`);
      values.push(params[name]);
      order.set(name, (i = values.length));
    }
    return `$${i}`;
  });
  return [text, values];
}

const asNumber = (v: string) => Number(v);
/** Type parsers: `bigint` and `numeric` as numbers. */
export const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700 ? asNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * `pipeline`: the connections send each query as soon as it is issued instead of after the previous
 * one's answer (pg's pipeline mode; every query still ends with its own Sync, so a failing one fails
 * alone, and later ones inside an aborted transaction fail with it). Only for the group commit's
 * connections, which never use cursors.
 */
export function openPool(url: string, options: { max?: number; pipeline?: boolean } = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 10_000, types, pipeline: options.pipeline ?? false });
  // An idle client losing its connection (a database restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export function isPostgresUrl(s: string | undefined): s is string {
  return typeof s === 'string' && /^postgres(ql)?:\/\//.test(s);
}
