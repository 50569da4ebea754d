/**
 * Group commit, adapter-neutral: owns the batching of units of work into database transactions.
 *
 * Guarantees: work queued while the previous batch was committing runs in ONE database transaction
 * (at most `maxBatch` items), each item inside its own savepoint, so one failing item rolls back only
 * itself; every promise resolves only after the batch's commit returned (durable), and rejects with
 * `StoreUnavailableError` when the transaction could not begin or commit. One batch runs at a time
 * per queue, so an adapter's connection is used by one batch at a time.
 *
 * Two bounds keep a read's record from waiting behind unrelated writes (issue 14): work submitted
 * with `priority` (a read's audit record: small, no lookups) goes ahead of the waiting work, into the
 * next batch; and with `maxBatchMs` a batch whose other work has run that long commits after its
 * current item and leaves the rest, in order, to the next one — so on an adapter whose statements run
 * on the event loop (SQLite) one batch never holds the thread, or the records behind it, for much
 * longer than that. The other work always gets at least as much of a batch as its priority work
 * took: no starvation. The adapter supplies the
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
  /**
   * Optional: run several items' work in ONE savepoint without waiting for the database between them
   * (on PostgreSQL their statements share one round trip); throws when any of them failed. The group
   * commit uses it for the priority items at the front of a batch (reads' records) and, when it throws,
   * rolls that savepoint back and runs each of them alone: only the item that fails, fails.
   */
  runTogether?(batch: B, works: W[]): Promise<unknown[]>;
  /** An error thrown by the database inside an item, turned into what the caller sees (503 for database errors). */
  itemError(error: unknown): unknown;
  /** After a durable commit (the chain head moved or not). Must not throw. */
  committed?(batch: B): void;
}

interface Pending<W> {
  work: W;
  priority: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommit<W> {
  /** Queue `work`; with `priority` ahead of the work that waits (not of the batch that runs). */
  submit<T>(work: W, options?: { priority?: boolean }): Promise<T>;
  /** Finish every queued batch, then refuse new work. */
  drain(): Promise<void>;
}

export function createGroupCommit<B, W>(driver: GroupCommitDriver<B, W>, options: { maxBatch?: number; maxBatchMs?: number; now?: () => number } = {}): GroupCommit<W> {
  const maxBatch = options.maxBatch ?? 1000;
  const maxBatchMs = options.maxBatchMs ?? Number.POSITIVE_INFINITY;
  const now = options.now ?? (() => performance.now());
  let voorrang: Pending<W>[] = [];
  let queue: Pending<W>[] = [];
  let running: Promise<void> | null = null;
  let closed = false;

  async function runBatch(alles: Pending<W>[]): Promise<void> {
    let b: B;
    try {
      b = await driver.begin();
    } catch (e) {
      for (const item of alles) item.reject(new StoreUnavailableError(`database not writable: ${(e as Error).message}`));
      return;
    }
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    // The time bound counts from the first item that is not priority work, and gives that work at least
    // as long as the priority items of this batch took: the priority items that were waiting when the
    // batch began always run (each is small), the other work gets at least half of every batch, so a
    // steady stream of reads' records can never starve the writes, however slow the machine.
    const begon = now();
    let deadline = Number.POSITIVE_INFINITY;
    let batch = alles;
    try {
      // The priority items (at the front) together when the adapter can: one savepoint, one wait.
      const samen = alles.filter((x) => x.priority);
      let eerste = 0;
      if (driver.runTogether && samen.length > 1) {
        await driver.savepoint(b);
        try {
          const waarden = await driver.runTogether(b, samen.map((x) => x.work));
          await driver.release(b);
          for (const value of waarden) outcomes.push({ ok: true, value });
          eerste = samen.length;
        } catch {
          await driver.rollbackTo(b); // one of them failed: each alone below, in its own savepoint
        }
      }
      for (const [i, item] of alles.entries()) {
        if (i < eerste) continue;
        if (!item.priority && deadline === Number.POSITIVE_INFINITY) {
          const t = now();
          deadline = t + Math.max(maxBatchMs, t - begon);
        } else if (now() > deadline) {
          // Past the time bound: commit what ran, the rest (in order) forms the front of the next batch.
          batch = alles.slice(0, i);
          const rest = alles.slice(i);
          voorrang = [...rest.filter((x) => x.priority), ...voorrang];
          queue = [...rest.filter((x) => !x.priority), ...queue];
          break;
        }
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

  const wachtend = () => voorrang.length + queue.length;

  function pump(): void {
    if (running || wachtend() === 0) return;
    // Priority work first, then the rest in order of arrival, at most maxBatch together.
    const batch = voorrang.splice(0, maxBatch);
    batch.push(...queue.splice(0, maxBatch - batch.length));
    running = runBatch(batch).finally(() => {
      running = null;
      // Work queued while this batch committed forms the next batch.
      if (wachtend()) setImmediate(pump);
    });
  }

  return {
    submit<T>(work: W, opties: { priority?: boolean } = {}): Promise<T> {
      if (closed) return Promise.reject(new StoreUnavailableError('store is closed'));
      return new Promise<T>((resolve, reject) => {
        const priority = opties.priority === true;
        (priority ? voorrang : queue).push({ work, priority, resolve: resolve as (v: unknown) => void, reject });
        if (!running && wachtend() === 1) setImmediate(pump);
      });
    },
    async drain() {
      while (running || wachtend()) {
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
  const transaction = <T>(work: (tx: Tx) => Promise<T>, options?: { priority?: boolean }): Promise<T> => queue.submit<T>(work, options);
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
