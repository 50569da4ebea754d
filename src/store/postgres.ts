/**
 * The PostgreSQL adapter (`pg`, a pool): several gateway replicas on one database.
 *
 * Owns the PostgreSQL side of `Store`/`Tx`: its statements, its migrations (run at start under
 * `pg_advisory_lock`), its pool. Batching is `group-commit.ts` (one transaction per batch on one pooled
 * connection, a SAVEPOINT per item); sealing is `audit/record.ts`; the relation and scope rules are
 * `policy/relatie.ts` and `audit/scope.ts`; shared state is `shared-state.ts` (plain autocommit
 * statements on the pool, outside the queue).
 *
 * Every batch begins with `SELECT … FROM logboek_hoofd … FOR UPDATE` (tessera's MySQL pattern): the
 * chain head is read under a row lock that every appending transaction of every replica takes, so
 * appends are serialised across replicas, the chain stays linear, and `volgnummer` (drawn from its
 * sequence only while the lock is held) grows in commit order — a feed cursor never skips a message.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { seal, type AuditInput } from '../audit/record.js';
import { verstrekkingSoort } from '../audit/scope.js';
import { relatieKandidatenSql, relatieSql, relatieVan, type Trajectkenmerken } from '../policy/relatie.js';
import { auditCommitHub, createGroupCommit, hoofdStand, queuedStore, type HoofdStand } from './group-commit.js';
import { postgresLogboekReader } from './postgres-logboek.js';
import { PG_MIGRATIONS } from './postgres-migrations.js';
import { postgresSignaalTx } from './postgres-signalen.js';
import { postgresVersieTx } from './versie-store.js';
import { postgresKenmerkTx } from './kenmerk-store.js';
import { postgresBewaringTx } from './bewaring-store.js';
import { postgresMonitoringTx } from './monitoring-store.js';
import { camel, named, openPool } from './postgres-sql.js';
import { auditRij, fromToestemming, toToestemming, type ToestemmingDbRow } from './rijen.js';
import { sharedState } from './shared-state.js';
import { StoreUnavailableError, type BerichtRow, type Controlepunt, type LeesTx, type LogboekHoofd, type OntvangstbewijsRow, type Store, type ToewijzingRow, type TrajectRow, type Tx } from './store.js';


export interface PostgresStoreOptions {
  /** Most items in one group commit. */
  maxBatch?: number;
  /**
   * A batch whose writes have run this long commits after its current item; the rest goes to the next
   * batch (default 25 ms). The batch holds the chain-head lock throughout, so this bounds how long a
   * read's record (first in the next batch) and the other replicas wait for it.
   */
  maxBatchMs?: number;
  /** Pool size (default 10). */
  poolMax?: number;
  /** Connections for snapshots (reads, issue 14; default 8). */
  lezers?: number;
  /** A snapshot's statements are cancelled by the server after this long (`statement_timeout`; default 10 s). */
  leesTimeoutMs?: number;
  /**
   * A writer transaction gives up waiting for a lock (the chain head held by another replica's batch)
   * after this long (`SET LOCAL lock_timeout`, per transaction: a session-wide setting would also cut
   * the migrations' advisory lock); its batch then fails as a whole (503). Default 10 s.
   */
  lockTimeoutMs?: number;
}

const MIGRATIE_SLOT = 'doelpoort-migraties';
const CONTROLEPUNT_SLOT = 'doelpoort-controlepunt';
const BERICHT_KOLOMMEN = 'volgnummer, berichtId, berichttype, schemaversie, trajectId, afzender, gebeurtenisTijdstip, ontvangenOp, inhoud, inhoudHash, auditId, auditHash, verwijderdOp, verwijdering';

/** Apply the migrations the database has not seen, under an advisory lock held for the whole run. */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATIE_SLOT]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS doelpoort_schema (vast INTEGER PRIMARY KEY CHECK (vast = 1), versie INTEGER NOT NULL)');
      await client.query('INSERT INTO doelpoort_schema (vast, versie) VALUES (1, 0) ON CONFLICT DO NOTHING');
      const { rows } = await client.query<{ versie: number }>('SELECT versie FROM doelpoort_schema');
      for (let v = rows[0]!.versie; v < PG_MIGRATIONS.length; v++) {
        await client.query('BEGIN');
        try {
          await client.query(PG_MIGRATIONS[v]!);
          await client.query('UPDATE doelpoort_schema SET versie = $1', [v + 1]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATIE_SLOT]);
    }
  } finally {
    client.release();
  }
}

interface Batch extends HoofdStand {
  client: pg.PoolClient;
  tx: Tx;
  /** The last item's savepoint is still to be released (sent with the next statement that opens one). */
  loslaten?: boolean;
  /** Settles when every statement sent so far on this batch's connection has been answered. */
  staart: Promise<unknown>;
  /** The first error of a statement the current item sent without awaiting it (its savepoint, its audit record). */
  fout: unknown;
}

const statementNames = new Map<string, string>();
/** A stable name per statement text, so pg prepares it once per connection. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `d${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
  return name;
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pool = openPool(url, { max: options.poolMax });
  try {
    await migratePostgres(pool);
  } catch (e) {
    await pool.end();
    throw e;
  }

  function makeTx(b: Batch): Tx {
    // The batch's connection is in pipeline mode: a statement goes onto the wire when it is issued,
    // so statements a caller issues together (Promise.all) and statements sent without awaiting
    // (`later`) share one round trip. Round trips are what the head lock is held for.
    // Each statement text is prepared once per connection (a named statement), then only bound and run.
    const exec = (text: string, values: unknown[]): Promise<pg.QueryResult> => {
      const run = b.client.query({ name: statementName(text), text, values });
      b.staart = run.catch(() => undefined);
      return run;
    };
    const q = async <T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> => {
      const [text, values] = named(sql, params);
      return (await exec(text, values)).rows.map((r) => camel<T>(r));
    };
    /** A write whose answer nobody waits for: its error fails the item when the item ends (`klaar`). */
    const later = (sql: string, params: Record<string, unknown>): void => {
      const [text, values] = named(sql, params);
      exec(text, values).catch((e: unknown) => {
        b.fout ??= e;
      });
    };
    const insertToewijzing = (w: ToewijzingRow) =>
      q('INSERT INTO toewijzingen (trajectId, partij, rol, vanaf, tot, beeindigdOp) VALUES (@trajectId, @partij, @rol, @vanaf, @tot, @beeindigdOp)', { ...w });
    const traject = async (trajectId: string) =>
      (await q<TrajectRow>('SELECT trajectId, gemeente, leerroute, startdatum, aangemaaktOp, afgeslotenOp, afsluitreden, regime, doelgroep, afsluituitkomst FROM trajecten WHERE trajectId = @trajectId', { trajectId }))[0];
    const toewijzingen = (trajectId: string) =>
      q<ToewijzingRow>('SELECT trajectId, partij, rol, vanaf, tot, beeindigdOp FROM toewijzingen WHERE trajectId = @trajectId ORDER BY id', { trajectId });

    return {
      ...postgresSignaalTx(q),
      ...postgresVersieTx(q),
      ...postgresKenmerkTx(q),
      ...postgresBewaringTx(q),
      ...postgresMonitoringTx(q, later),
      async insertTraject(t, ws) {
        await q(`INSERT INTO trajecten (trajectId, gemeente, leerroute, startdatum, aangemaaktOp, regime, doelgroep)
                 VALUES (@trajectId, @gemeente, @leerroute, @startdatum, @aangemaaktOp, coalesce(@regime::text, 'wi2021'), coalesce(@doelgroep::text, 'onbekend'))`, {
          trajectId: t.trajectId, gemeente: t.gemeente, leerroute: t.leerroute, startdatum: t.startdatum, aangemaaktOp: t.aangemaaktOp,
          regime: t.regime ?? null, doelgroep: t.doelgroep ?? null,
        });
        for (const w of ws) await insertToewijzing(w);
      },
      traject,
      toewijzingen,
      async relatie(trajectId, partij, vandaag) {
        // One round trip: the trajectory's gemeente with the party's assignment periods; the rule itself is relatieVan.
        const [t] = await q<Trajectkenmerken & { gemeente: string; toewijzingen: ToewijzingRow[] | null }>(
          `SELECT t.gemeente, t.regime, t.doelgroep,
                  (SELECT json_agg(json_build_object('partij', w.partij, 'rol', w.rol, 'vanaf', w.vanaf, 'tot', w.tot, 'beeindigdOp', w.beeindigdOp) ORDER BY w.id)
                     FROM toewijzingen w WHERE w.trajectId = t.trajectId AND w.partij = @partij) AS toewijzingen
             FROM trajecten t WHERE t.trajectId = @trajectId`, { trajectId, partij });
        if (!t) return undefined;
        return relatieVan(t.gemeente, t.toewijzingen ?? [], partij, vandaag, t);
      },
      async insertToewijzing(row) {
        // With it, the trajectory's earlier messages enter the party's feed index (one statement).
        await q(`WITH w AS (INSERT INTO toewijzingen (trajectId, partij, rol, vanaf, tot, beeindigdOp) VALUES (@trajectId, @partij, @rol, @vanaf, @tot, @beeindigdOp))
                 INSERT INTO berichten_feed (partij, volgnummer) SELECT @partij, volgnummer FROM berichten WHERE trajectId = @trajectId ON CONFLICT DO NOTHING`, { ...row });
      },
      async beeindigToewijzingen(trajectId, partij, rol, tijdstip) {
        const [text, values] = named(
          `UPDATE toewijzingen SET beeindigdOp = @tijdstip
           WHERE trajectId = @trajectId AND beeindigdOp IS NULL AND (@partij::text IS NULL OR partij = @partij) AND (@rol::text IS NULL OR rol = @rol)`,
          { trajectId, partij, rol, tijdstip });
        return (await exec(text, values)).rowCount ?? 0;
      },
      async sluitTraject(trajectId, tijdstip, reden) {
        await q('UPDATE trajecten SET afgeslotenOp = @tijdstip, afsluitreden = @reden WHERE trajectId = @trajectId', { trajectId, tijdstip, reden });
      },
      async wijzigTraject(trajectId, w) {
        await q(`UPDATE trajecten SET leerroute = coalesce(@leerroute::text, leerroute), regime = coalesce(@regime::text, regime), doelgroep = coalesce(@doelgroep::text, doelgroep)
                 WHERE trajectId = @trajectId`, { trajectId, leerroute: w.leerroute ?? null, regime: w.regime ?? null, doelgroep: w.doelgroep ?? null });
      },
      async legAfsluituitkomstVast(trajectId, uitkomst) {
        await q('UPDATE trajecten SET afsluituitkomst = @uitkomst WHERE trajectId = @trajectId', { trajectId, uitkomst });
      },
      async insertToestemming(row) {
        await q(
          `INSERT INTO toestemmingen (toestemmingId, trajectId, ontvanger, doel, gegevenscategorieen, gegevenOp, geldigTot, ingetrokkenOp, bewijs, vastgelegdDoor, beleidsversie, toestemmingstekst)
           VALUES (@toestemmingId, @trajectId, @ontvanger, @doel, @gegevenscategorieen, @gegevenOp, @geldigTot, @ingetrokkenOp, @bewijs, @vastgelegdDoor, @beleidsversie, @toestemmingstekst)`,
          fromToestemming(row));
      },
      async toestemmingen(trajectId, filter) {
        const rows = filter
          ? await q<ToestemmingDbRow>('SELECT * FROM toestemmingen WHERE trajectId = @trajectId AND ontvanger = @ontvanger AND doel = @doel ORDER BY volgorde', { trajectId, ...filter })
          : await q<ToestemmingDbRow>('SELECT * FROM toestemmingen WHERE trajectId = @trajectId ORDER BY volgorde', { trajectId });
        return rows.map(toToestemming);
      },
      async toestemming(trajectId, toestemmingId) {
        const [row] = await q<ToestemmingDbRow>('SELECT * FROM toestemmingen WHERE trajectId = @trajectId AND toestemmingId = @toestemmingId', { trajectId, toestemmingId });
        return row && toToestemming(row);
      },
      async trekToestemmingIn(toestemmingId, tijdstip) {
        const rows = await q('UPDATE toestemmingen SET ingetrokkenOp = @tijdstip WHERE toestemmingId = @toestemmingId AND ingetrokkenOp IS NULL RETURNING toestemmingId', { toestemmingId, tijdstip });
        return rows.length > 0;
      },
      async insertOntvangstbewijs(row) {
        await q(`INSERT INTO ontvangstbewijzen (ontvangstbewijsId, toestemmingId, gebeurtenis, uitgegevenOp, sleutel, jws)
                 VALUES (@ontvangstbewijsId, @toestemmingId, @gebeurtenis, @uitgegevenOp, @sleutel, @jws)`, { ...row });
      },
      async ontvangstbewijzen(trajectId, toestemmingId) {
        return q<OntvangstbewijsRow>(
          `SELECT o.ontvangstbewijsId, o.toestemmingId, o.gebeurtenis, o.uitgegevenOp, o.sleutel, o.jws FROM ontvangstbewijzen o
           JOIN toestemmingen t ON t.toestemmingId = o.toestemmingId
           WHERE t.trajectId = @trajectId AND (@toestemmingId::text IS NULL OR o.toestemmingId = @toestemmingId) ORDER BY o.volgorde`,
          { trajectId, toestemmingId: toestemmingId ?? null });
      },
      async bericht(afzender, berichtId) {
        return (await q<BerichtRow>(`SELECT ${BERICHT_KOLOMMEN} FROM berichten WHERE afzender = @afzender AND berichtId = @berichtId`, { afzender, berichtId }))[0];
      },
      async berichtenMetId(berichtId) {
        return q<BerichtRow>(`SELECT ${BERICHT_KOLOMMEN} FROM berichten WHERE berichtId = @berichtId ORDER BY volgnummer`, { berichtId });
      },
      async insertBericht(row) {
        // The batch holds the chain-head lock (taken at BEGIN), so nextval here follows commit order.
        // The message's rows of the per-party feed index go with it in the same statement.
        const [r] = await q<{ volgnummer: number }>(
          `WITH b AS (
             INSERT INTO berichten (berichtId, berichttype, schemaversie, trajectId, afzender, gebeurtenisTijdstip, ontvangenOp, inhoud, inhoudHash, auditId, auditHash)
             VALUES (@berichtId, @berichttype, @schemaversie, @trajectId, @afzender, @gebeurtenisTijdstip, @ontvangenOp, @inhoud, @inhoudHash, @auditId, @auditHash)
             RETURNING volgnummer),
           f AS (INSERT INTO berichten_feed (partij, volgnummer) SELECT p.partij, b.volgnummer FROM b, (${relatieKandidatenSql('@trajectId')}) p ON CONFLICT DO NOTHING)
           SELECT volgnummer FROM b`, { ...row });
        return r!.volgnummer;
      },
      async berichten(query) {
        const params: Record<string, unknown> = { na: query.na, typen: [...query.berichttypen], partij: query.partij, vandaag: query.vandaag, limit: query.limit };
        const kolommen = BERICHT_KOLOMMEN.split(', ').map((k) => `b.${k}`).join(', ');
        const relatie = relatieSql('b.trajectId', '@partij', '@vandaag');
        if (query.trajectId) {
          // One trajectory: the relation is checked on the parameter (an InitPlan, evaluated once), not per row.
          return q<BerichtRow>(
            `SELECT ${kolommen} FROM berichten b
             WHERE b.trajectId = @trajectId AND b.volgnummer > @na AND b.berichttype = ANY(@typen)
               AND ${relatieSql('@trajectId', '@partij', '@vandaag')}
             ORDER BY b.volgnummer LIMIT @limit`, { ...params, trajectId: query.trajectId });
        }
        // The feed over all the caller's trajectories walks the caller's rows of the per-party index
        // (primary key (partij, volgnummer)) from the cursor; the relation is still checked per row.
        return q<BerichtRow>(
          `SELECT ${kolommen} FROM berichten_feed f JOIN berichten b ON b.volgnummer = f.volgnummer
           WHERE f.partij = @partij AND f.volgnummer > @na AND b.berichttype = ANY(@typen) AND ${relatie}
           ORDER BY f.volgnummer LIMIT @limit`, params);
      },
      async vorigePlaatsing(trajectId, afzender, plaatsingId) {
        return (await q<BerichtRow>(
          `SELECT ${BERICHT_KOLOMMEN} FROM berichten
           WHERE berichttype = 'plaatsing' AND trajectId = @trajectId AND afzender = @afzender AND (inhoud::jsonb ->> 'plaatsingId') = @plaatsingId
           ORDER BY volgnummer DESC LIMIT 1`, { trajectId, afzender, plaatsingId }))[0];
      },
      async nextAuditId() {
        return b.head.id + 1;
      },
      async appendAudit(input: AuditInput) {
        const record = seal(input, b.head.id + 1, b.head.hash);
        // One statement, sent without waiting for its answer (an error fails the item at its end): the
        // record, its data subjects, its scope, its disclosure index and the moved head. The scope is
        // audit/scope.ts's rule (the acting party, the gemeente of each trajectory of the record and of
        // each message's trajectory, the senders of those messages) evaluated here in SQL over the same
        // facts the rule's lookup reads (`m`: the messages of the record), so it costs no round trip;
        // the contract suite checks both adapters against the same expectations.
        later(
          `WITH l AS (
             INSERT INTO logboek (id, tijdstip, traceId, spanId, actie, partij, client, trajectIds, berichttype, berichtIds, doel, verwerkingsactiviteit,
                                  grondslag, besluit, regel, reden, velden, status, beleidsversie, vorigeHash, hash,
                                  recordversie, starttijdstip, parentSpanId, gegevenscategorieen)
             VALUES (@id, @tijdstip, @traceId, @spanId, @actie, @partij, @client, @trajectIds, @berichttype, @berichtIds, @doel, @verwerkingsactiviteit,
                     @grondslag, @besluit, @regel, @reden, @velden, @status, @beleidsversie, @vorigeHash, @hash,
                     @recordversie::integer, @starttijdstip, @parentSpanId, @gegevenscategorieen)),
           b AS (INSERT INTO logboek_betrokkene (trajectId, auditId) SELECT DISTINCT t, @id::bigint FROM unnest(@ids::text[]) t ON CONFLICT DO NOTHING),
           m AS (SELECT trajectId, afzender FROM berichten
                  WHERE berichtId = ANY(@berichten::text[]) AND (cardinality(@ids::text[]) = 0 OR trajectId = ANY(@ids::text[]))),
           s AS (INSERT INTO logboek_scope (partij, auditId)
                 SELECT DISTINCT p, @id::bigint FROM (
                   SELECT @partij::text AS p WHERE @partij::text IS NOT NULL
                   UNION SELECT gemeente FROM trajecten WHERE trajectId = ANY(@ids::text[])
                   UNION SELECT t.gemeente FROM trajecten t JOIN m ON t.trajectId = m.trajectId
                   UNION SELECT afzender FROM m) x
                 ON CONFLICT DO NOTHING RETURNING partij),
           -- The record's data categories, once per party of its scope (the rows just inserted).
           c AS (INSERT INTO logboek_categorie (partij, categorie, auditId)
                 SELECT s.partij, k, @id::bigint FROM s CROSS JOIN (SELECT DISTINCT k FROM unnest(@categorieen::text[]) k) ks ON CONFLICT DO NOTHING),
           v AS (INSERT INTO logboek_verstrekking (trajectId, auditId, berichttype, afzender)
                 SELECT d.trajectId, @id::bigint, d.berichttype, d.afzender FROM berichten d
                  WHERE @soort::text = 'inhoud' AND d.berichtId = ANY(@berichten::text[]) AND d.trajectId = ANY(@ids::text[])
                    AND d.verwijderdOp IS NULL ON CONFLICT DO NOTHING),
           -- A derived disclosure (state, signals, a notification): one row per trajectory under its pseudo type.
           a AS (INSERT INTO logboek_verstrekking (trajectId, auditId, berichttype, afzender)
                 SELECT DISTINCT t, @id::bigint, @soort::text, '' FROM unnest(@ids::text[]) t
                  WHERE @soort::text <> 'inhoud' ON CONFLICT DO NOTHING)
           UPDATE logboek_hoofd SET id = @id, hash = @hash WHERE vast = 1`,
          {
            ...auditRij(record), ids: record.trajectIds, soort: verstrekkingSoort(record), berichten: record.berichtIds, categorieen: record.gegevenscategorieen ?? [],
          });
        b.head = { id: record.id, hash: record.hash };
        return record;
      },
      async logboekHoofd(): Promise<LogboekHoofd> {
        return { aantal: b.head.id, laatsteHash: b.head.hash };
      },
      async laatsteControlepunt() {
        return (await q<Controlepunt>('SELECT id, aantal, laatsteHash, tijdstip, sleutel, jws FROM logboek_controlepunten ORDER BY aantal DESC LIMIT 1'))[0];
      },
      async controlepuntLease() {
        const [r] = await q<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext(@slot)) AS ok', { slot: CONTROLEPUNT_SLOT });
        return r!.ok;
      },
      async insertControlepunt(punt) {
        const [r] = await q<{ id: number }>(
          'INSERT INTO logboek_controlepunten (aantal, laatsteHash, tijdstip, sleutel, jws) VALUES (@aantal, @laatsteHash, @tijdstip, @sleutel, @jws) RETURNING id', { ...punt });
        return r!.id;
      },
      async bewaarSleutels(keys) {
        for (const k of keys) await q('INSERT INTO logboek_sleutels (kid, jwk, aangemaaktOp) VALUES (@kid, @jwk, @aangemaaktOp) ON CONFLICT DO NOTHING', { ...k });
      },
    };
  }

  // The group commit's connections: pipelined (see makeTx), one batch at a time, so two suffice.
  const schrijvers = openPool(url, { max: 2, pipeline: true });
  const beginSchrijven = `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs ?? 10_000))}`;
  /** Wait for every statement the item sent; the first error of one it did not await fails the item. */
  const klaar = async (b: Batch): Promise<void> => {
    await b.staart;
    if (b.fout !== undefined) throw b.fout;
  };

  const hub = auditCommitHub();
  const queue = createGroupCommit<Batch, (tx: Tx) => Promise<unknown>>({
    async begin() {
      const client = await schrijvers.connect();
      try {
        // One round trip: BEGIN (with this transaction's lock timeout) and the head lock travel together.
        const begin = client.query(beginSchrijven);
        begin.catch(() => undefined);
        const { rows } = await client.query<{ id: number; hash: string }>('SELECT id, hash FROM logboek_hoofd WHERE vast = 1 FOR UPDATE');
        await begin;
        const b = { ...hoofdStand(rows[0]!), client, staart: Promise.resolve(), fout: undefined } as Batch;
        b.tx = makeTx(b);
        return b;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(e as Error);
        throw e;
      }
    },
    // The savepoint is not awaited: it travels with the item's first statement (and the release of
    // the previous item's savepoint with it, or with the COMMIT). Its error fails the item.
    async savepoint(b) {
      b.fout = undefined;
      const run = b.client.query(b.loslaten ? 'RELEASE SAVEPOINT item; SAVEPOINT item' : 'SAVEPOINT item');
      run.catch((e: unknown) => {
        b.fout ??= e;
      });
      b.staart = run.catch(() => undefined);
      b.loslaten = false;
      b.savepoint = b.head;
    },
    async release(b) {
      b.loslaten = true;
    },
    async rollbackTo(b) {
      await b.client.query('ROLLBACK TO SAVEPOINT item; RELEASE SAVEPOINT item');
      b.fout = undefined;
      b.head = b.savepoint;
    },
    async commit(b) {
      await b.client.query('COMMIT');
      b.client.release();
    },
    async rollback(b) {
      try {
        await b.client.query('ROLLBACK');
        b.client.release();
      } catch (e) {
        b.client.release(e as Error);
      }
    },
    // The item's work, then every statement it sent: only an item whose statements all succeeded is kept.
    run: async (b, work) => {
      try {
        const value = await work(b.tx);
        await klaar(b);
        return value;
      } catch (e) {
        await b.staart; // nothing of this item still in flight when its savepoint is rolled back
        throw e;
      }
    },
    // Reads' records (issue 14): all sent before any answer is awaited, so a batch's records share one
    // round trip instead of one each under the head lock; any failure sends them back one by one.
    runTogether: async (b, works) => {
      try {
        const values = [];
        for (const work of works) values.push(await work(b.tx));
        await klaar(b);
        return values;
      } catch (e) {
        await b.staart;
        throw e;
      }
    },
    // A database error inside a unit of work means the exchange cannot be recorded: 503.
    itemError: (error) => (error instanceof pg.DatabaseError ? new StoreUnavailableError(`write failed: ${error.message}`) : error),
    committed: (b) => hub.committed(b),
  }, { maxBatch: options.maxBatch, maxBatchMs: options.maxBatchMs ?? 25 });

  // The snapshots' connections (issue 14): a read decides and projects in a REPEATABLE READ, READ ONLY
  // transaction of its own, outside the group commit: it takes no lock and waits for no batch, and
  // every lookup in it sees the same committed state (fixed at its first statement). Pipelined like
  // the writers' (BEGIN travels with the first lookup; lookups issued together share a round trip).
  // The server cancels a statement that runs past `leesTimeoutMs`, so a runaway page frees its
  // connection; the caller's own deadline is the bounded store's.
  const lezers = openPool(url, { max: options.lezers ?? 8, pipeline: true });
  const beginLezen = `BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(options.leesTimeoutMs ?? 10_000))}`;
  async function snapshot<T>(work: (tx: LeesTx) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await lezers.connect();
    } catch (e) {
      throw new StoreUnavailableError(`database not readable: ${(e as Error).message}`);
    }
    const b = { ...hoofdStand({ id: 0, hash: '' }), client, staart: Promise.resolve(), fout: undefined } as Batch;
    b.tx = makeTx(b);
    const begin = client.query(beginLezen);
    begin.catch((e: unknown) => {
      b.fout ??= e;
    });
    b.staart = begin.catch(() => undefined);
    try {
      const value = await work(b.tx);
      await klaar(b);
      await client.query('COMMIT');
      client.release();
      return value;
    } catch (e) {
      await b.staart;
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch (r) {
        client.release(r as Error);
      }
      throw e instanceof pg.DatabaseError ? new StoreUnavailableError(`read failed: ${e.message}`) : e;
    }
  }

  const shared = sharedState(async (sql, params) => {
    const r = await pool.query(sql, params);
    return { rows: r.rows as Array<Record<string, unknown>>, changes: r.rowCount ?? 0 };
  });

  return queuedStore(queue, hub, {
    logboek: postgresLogboekReader(pool),
    shared,
    snapshot,
    close: async () => {
      await schrijvers.end();
      await lezers.end();
      await pool.end();
    },
  });
}
