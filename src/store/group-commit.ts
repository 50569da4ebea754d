/**
 * Group commit, adapter-neutral: owns the batching of units of work into database transactions.
 *
 * Guarantees: work queued while the previous batch was committing runs in ONE database transaction
 * (at most `maxBatch` items), each item inside its own savepoint, so one failing item rolls back only
 * itself; every promise resolves only after the batch's commit returned (durable), and rejects with
 * `StoreUnavailableError` when the transaction could not begin or commit. One batch runs at a time
 * per queue, so an adapter's connection is used by one batch at a time. The adapter supplies the
 * database steps (`GroupCommitDriver`); the model is trillian-tessera's `storage/internal/queue.go`.
 * Also here, because it is the same on every adapter: the chain head a batch holds (`HoofdStand`),
 * the after-commit listeners, and the parts of `Store` that only queue work (`queuedStore`).
 */
import { StoreUnavailableError, type LogboekHoofd, type LogboekReader, type SharedState, type Store, type Tx } from './store.js';

/** The database steps of one batch; `B` is the adapter's per-batch state (a connection, the chain head). */
export interface GroupCommitDriver<B, W> {
  /** Begin a transaction and take the chain-head lock; read the head inside it. */
  begin(): Promise<B>;
  savepoint(batch: B): Promise<void>;
  release(batch: B): Promise<void>;
  /** Roll back to the savepoint (and restore any per-batch state taken with it). */
  rollbackTo(batch: B): Promise<void>;
  commit(batch: B): Promise<void>;
  /** Roll back the whole transaction after a failed commit; must not throw. */
  rollback(batch: B): Promise<void>;
  /** Run one item's work against the batch. */
  run(batch: B, work: W): Promise<unknown>;
  /** An error thrown by the database inside an item, turned into what the caller sees (503 for database errors). */
  itemError(error: unknown): unknown;
  /** After a durable commit (the chain head moved or not). Must not throw. */
  committed?(batch: B): void;
}

interface Pending<W> {
  work: W;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommit<W> {
  submit<T>(work: W): Promise<T>;
  /** Finish every queued batch, then refuse new work. */
  drain(): Promise<void>;
}

export function createGroupCommit<B, W>(driver: GroupCommitDriver<B, W>, options: { maxBatch?: number } = {}): GroupCommit<W> {
  const maxBatch = options.maxBatch ?? 1000;
  let queue: Pending<W>[] = [];
  let running: Promise<void> | null = null;
  let closed = false;

  async function runBatch(batch: Pending<W>[]): Promise<void> {
    let b: B;
    try {
      b = await driver.begin();
    } catch (e) {
      for (const item of batch) item.reject(new StoreUnavailableError(`database not writable: ${(e as Error).message}`));
      return;
    }
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      for (const item of batch) {
        await driver.savepoint(b);
        try {
          outcomes.push({ ok: true, value: await driver.run(b, item.work) });
          await driver.release(b);
        } catch (error) {
          await driver.rollbackTo(b);
          outcomes.push({ ok: false, value: driver.itemError(error) });
        }
      }
      await driver.commit(b);
    } catch (e) {
      await driver.rollback(b);
      for (const item of batch) item.reject(new StoreUnavailableError(`commit failed: ${(e as Error).message}`));
      return;
    }
    try {
      driver.committed?.(b);
    } catch {
      // A listener never fails a commit that already happened.
    }
    batch.forEach((item, i) => (outcomes[i]!.ok ? item.resolve(outcomes[i]!.value) : item.reject(outcomes[i]!.value)));
  }

  function pump(): void {
    if (running || queue.length === 0) return;
    const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue;
    if (batch === queue) queue = [];
    running = runBatch(batch).finally(() => {
      running = null;
      // Work queued while this batch committed forms the next batch.
      if (queue.length) setImmediate(pump);
    });
  }

  return {
    submit<T>(work: W): Promise<T> {
      if (closed) return Promise.reject(new StoreUnavailableError('store is closed'));
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
        if (!running && queue.length === 1) setImmediate(pump);
      });
    },
    async drain() {
      while (running || queue.length) {
        if (!running) pump();
        await running;
      }
      closed = true;
    },
  };
}

/** The chain head a batch holds: read under the head lock at begin, moved by appends, kept per savepoint. */
export interface HoofdStand {
  head: { id: number; hash: string };
  /** The head id when the batch began. */
  start: number;
  /** The head at the current item's savepoint (restored when the item rolls back). */
  savepoint: { id: number; hash: string };
}

export function hoofdStand(head: { id: number; hash: string }): HoofdStand {
  return { head, start: head.id, savepoint: head };
}

/** Listeners called after every commit that moved the chain head; a throwing listener never fails the commit. */
export function auditCommitHub(): { add(listener: (hoofd: LogboekHoofd) => void): void; committed(b: HoofdStand): void } {
  const listeners: Array<(hoofd: LogboekHoofd) => void> = [];
  return {
    add: (listener) => void listeners.push(listener),
    committed(b) {
      if (b.head.id === b.start) return;
      const hoofd = { aantal: b.head.id, laatsteHash: b.head.hash };
      for (const listener of listeners) {
        try {
          listener(hoofd);
        } catch {
          // A listener (the checkpoint scheduler) never fails a commit that already happened.
        }
      }
    },
  };
}

/** A `Store` whose transactions go through `queue` (snapshots go to the adapter's readers, never to it). */
export function queuedStore(
  queue: GroupCommit<(tx: Tx) => Promise<unknown>>,
  hub: ReturnType<typeof auditCommitHub>,
  parts: { logboek: LogboekReader; shared: SharedState; snapshot: Store['snapshot']; close(): Promise<void> },
): Store {
  const transaction = <T>(work: (tx: Tx) => Promise<T>): Promise<T> => queue.submit<T>(work);
  return {
    transaction,
    async writable() {
      try {
        await transaction(async () => true);
        return true;
      } catch {
        return false;
      }
    },
    snapshot: parts.snapshot,
    logboek: parts.logboek,
    shared: parts.shared,
    onAuditCommit: (listener) => hub.add(listener),
    async close() {
      await queue.drain();
      await parts.close();
    },
  };
}
