/**
 * Bounded store: owns "no request waits forever on the database". It wraps any `Store` (only the
 * interface of store.ts, so it fits every adapter) and puts one deadline (`DOELPOORT_DB_TIMEOUT_MS`)
 * on each unit of work: a `transaction()`, a logboek read, the readiness probe.
 *
 * Guarantees:
 * - The same holds for a read's `snapshot()` (issue 14): it settles within the deadline, and its
 *   lookups throw once the deadline passed, so a slow page gives up its reader connection.
 * - A caller's promise settles within the deadline: with the result, or with
 *   `StoreUnavailableError` (which `attempt()` answers as 503 with `Retry-After` and a trace id).
 * - Nothing is half-stored: when the deadline passes while the work is still running (waiting for a
 *   lock, a pool, a slow query), every further `Tx` call of that work throws and the work itself
 *   throws at its end, so the adapter rolls the whole unit back. Only a unit whose work had finished
 *   and was already committing when the deadline passed can still land; it lands whole (data and
 *   audit record together), and a client that retries with the same `berichtId` gets the stored
 *   answer (idempotency).
 * - An error of the store itself (a refused connection, a failed commit) becomes
 *   `StoreUnavailableError` (503), whatever the adapter threw; an error of the work passes unchanged.
 * - `writable()` answers false within the deadline instead of hanging.
 * - The full verification pass (`snelleControle`) is not bounded: it reads the whole chain by design
 *   and runs off the request thread; its paged fallback (`keten`) is bounded per page.
 */
import { StoreUnavailableError, type LeesTx, type LogboekReader, type SharedState, type Store, type Tx } from '../store/store.js';

/** Settle with `promise`, or reject with StoreUnavailableError after `ms` (calling `onTimeout` first). */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new StoreUnavailableError(`${what} took longer than ${ms} ms`));
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** A `Tx` whose every call throws once `expired()` — so late work cannot write after its deadline. */
function guardedTx<X extends object>(tx: X, expired: () => boolean): X {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (expired()) throw new StoreUnavailableError('the unit of work passed its deadline; rolled back');
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const UNBOUNDED_READS = new Set<string>(['snelleControle']);

function boundedReader(reader: LogboekReader, ms: number): LogboekReader {
  return new Proxy(reader, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || UNBOUNDED_READS.has(String(prop))) return value;
      return (...args: unknown[]) => withDeadline(Promise.resolve((value as (...a: unknown[]) => Promise<unknown>).apply(target, args)), ms, `logboek.${String(prop)}`);
    },
  });
}

export function boundedStore(store: Store, ms: number): Store {
  const logboek = boundedReader(store.logboek, ms);
  /** A unit of work (a transaction or a snapshot) under the deadline, its `Tx` guarded. */
  function bounded<X extends object, T>(what: string, run: (work: (tx: X) => Promise<T>) => Promise<T>, work: (tx: X) => Promise<T>): Promise<T> {
    let expired = false;
    const workErrors = new Set<unknown>();
    const guarded = async (tx: X): Promise<T> => {
      let value: T;
      try {
        value = await work(guardedTx(tx, () => expired));
      } catch (e) {
        workErrors.add(e);
        throw e;
      }
      // Finished after the caller was told 503: roll back rather than store what nobody acknowledged.
      if (expired) throw new StoreUnavailableError('the unit of work passed its deadline; rolled back');
      return value;
    };
    const result = new Promise<T>((resolve) => resolve(run(guarded))).catch((e: unknown) => {
      if (workErrors.has(e) || e instanceof StoreUnavailableError) throw e;
      throw new StoreUnavailableError(`store failed: ${e instanceof Error ? e.message : String(e)}`);
    });
    return withDeadline(result, ms, what, () => {
      expired = true;
    });
  }
  return {
    transaction: <T>(work: (tx: Tx) => Promise<T>, options?: { priority?: boolean }) => bounded('transaction', (w) => store.transaction(w, options), work),
    // A read's snapshot has the same bound: a slow page holds a reader connection at most this long
    // for its caller (the writer never: a snapshot is not in the group commit).
    snapshot: <T>(work: (tx: LeesTx) => Promise<T>) => bounded('snapshot', (w) => store.snapshot(w), work),
    async writable() {
      try {
        return await withDeadline(store.writable(), ms, 'writable');
      } catch {
        return false;
      }
    },
    shared: boundedShared(store.shared, ms),
    logboek,
    onAuditCommit: (listener) => store.onAuditCommit(listener),
    close: () => store.close(),
  };
}

/** Shared state (sessions, provider grants, counters) under the same deadline, call by call. */
function boundedShared(shared: SharedState, ms: number): SharedState {
  const bound = <A extends unknown[], R>(name: keyof SharedState, fn: (...args: A) => Promise<R>) =>
    (...args: A) => withDeadline(fn.apply(shared, args), ms, `shared.${name}`);
  return {
    get: bound('get', shared.get),
    put: bound('put', shared.put),
    putIfAbsent: bound('putIfAbsent', shared.putIfAbsent),
    findBy: bound('findBy', shared.findBy),
    delete: bound('delete', shared.delete),
    deleteByGrant: bound('deleteByGrant', shared.deleteByGrant),
    increment: bound('increment', shared.increment),
    count: bound('count', shared.count),
    sweep: bound('sweep', shared.sweep),
  };
}
