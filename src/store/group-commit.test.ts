/**
 * The group commit's ordering (issue 14), with a driver that records its batches: a read's record
 * (priority work) goes ahead of the writes that wait, never ahead of the batch that runs; a batch
 * whose other work has run `maxBatchMs` commits and leaves the rest, in order, to the next; every
 * batch runs at least one item that is not priority work, so reads' records cannot starve writes.
 * The store-level behaviour (durability, rollback per item) is the contract suite's.
 */
import { describe, expect, it } from 'vitest';
import { createGroupCommit, type GroupCommitDriver } from './group-commit.js';

/** Let queued batches run until `klaar()` holds (each batch is a few microtasks and a setImmediate). */
async function tot(klaar: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !klaar(); i++) await new Promise((r) => setImmediate(r));
  expect(klaar()).toBe(true);
}

type Work = { naam: string; duur?: number; daarna?: () => void; faal?: boolean };

function opname(options: { maxBatchMs?: number; maxBatch?: number; samen?: boolean } = {}) {
  let klok = 0;
  const batches: string[][] = [];
  let poort: Promise<void> = Promise.resolve();
  const driver: GroupCommitDriver<string[], Work> = {
    async begin() {
      await poort;
      const b: string[] = [];
      batches.push(b);
      return b;
    },
    async savepoint() {},
    async release() {},
    async rollbackTo() {},
    async commit() {},
    async rollback() {},
    async run(b, work) {
      b.push(work.naam);
      klok += work.duur ?? 1;
      work.daarna?.();
      if (work.faal) throw new Error(`${work.naam} faalt`);
      return work.naam;
    },
    itemError: (e) => e,
  };
  if (options.samen) {
    driver.runTogether = async (b, works) => {
      b.push(`samen(${works.map((w) => w.naam).join(',')})`);
      if (works.some((w) => w.faal)) throw new Error('een faalt');
      return works.map((w) => w.naam);
    };
  }
  const queue = createGroupCommit(driver, { ...options, now: () => klok });
  return {
    queue,
    batches,
    /** Hold the next batch at its begin until the returned function is called. */
    houd() {
      let open!: () => void;
      poort = new Promise<void>((r) => (open = r));
      return () => open();
    },
  };
}

describe('group commit ordering', () => {
  it('priority work goes ahead of the waiting writes, in its own order; every promise gets its own value', async () => {
    const g = opname();
    const los = g.houd();
    const eerste = g.queue.submit({ naam: 'w1' });
    await new Promise((r) => setImmediate(r)); // w1's batch is at its begin
    const rest = [
      g.queue.submit({ naam: 'w2' }), g.queue.submit({ naam: 'w3' }),
      g.queue.submit({ naam: 'r1' }, { priority: true }), g.queue.submit({ naam: 'r2' }, { priority: true }),
    ];
    los();
    expect(await Promise.all([eerste, ...rest])).toEqual(['w1', 'w2', 'w3', 'r1', 'r2']);
    expect(g.batches).toEqual([['w1'], ['r1', 'r2', 'w2', 'w3']]);
  });

  it('a batch whose writes ran maxBatchMs commits; the rest, in order, goes first into the next', async () => {
    const g = opname({ maxBatchMs: 5 });
    const los = g.houd();
    const eerste = g.queue.submit({ naam: 'w0' });
    await new Promise((r) => setImmediate(r));
    const alle = ['w1', 'w2', 'w3', 'w4', 'w5'].map((naam) => g.queue.submit({ naam, duur: 3 }));
    const lezen = g.queue.submit({ naam: 'r1', duur: 3 }, { priority: true });
    los();
    await Promise.all([eerste, ...alle, lezen]);
    // r1 and w1 always run; w2 starts at 3 ms (≤ 5), w3 at 6 ms (> 5): the next batch.
    expect(g.batches).toEqual([['w0'], ['r1', 'w1', 'w2'], ['w3', 'w4'], ['w5']]);
  });

  it('a steady stream of priority work does not starve the writes: they get at least as long as it took', async () => {
    const g = opname({ maxBatchMs: 5 });
    const los = g.houd();
    const schrijven = Array.from({ length: 12 }, (_, i) => g.queue.submit({ naam: `w${i}`, duur: 10 }));
    // Every read's record, as it runs, brings the next read's (a closed loop of 4 readers), 40 in all.
    const lezen: Promise<unknown>[] = [];
    const lees = (i: number) => {
      lezen.push(g.queue.submit({ naam: `r${i}`, duur: 10, daarna: i < 36 ? () => lees(i + 4) : undefined }, { priority: true }));
    };
    for (const i of [0, 1, 2, 3]) lees(i);
    los();
    await Promise.all(schrijven);
    await tot(() => lezen.length === 40 && g.batches.flat().length === 12 + 40);
    // Four reads' records (40 ms) in a batch leave the writes 40 ms: five of them (the bound is checked before each).
    expect(g.batches.slice(0, 3)).toEqual([
      ['r0', 'r1', 'r2', 'r3', 'w0', 'w1', 'w2', 'w3', 'w4'],
      ['r4', 'r5', 'r6', 'r7', 'w5', 'w6', 'w7', 'w8', 'w9'],
      ['r8', 'r9', 'r10', 'r11', 'w10', 'w11'],
    ]);
  });

  it('priority items run together when the adapter can; when one fails, each runs alone and only that one fails', async () => {
    const g = opname({ samen: true });
    const los = g.houd();
    const eerste = g.queue.submit({ naam: 'w0' });
    await new Promise((r) => setImmediate(r));
    const goed = [g.queue.submit({ naam: 'r1' }, { priority: true }), g.queue.submit({ naam: 'r2' }, { priority: true }), g.queue.submit({ naam: 'w1' })];
    los();
    expect(await Promise.all([eerste, ...goed])).toEqual(['w0', 'r1', 'r2', 'w1']);
    const los2 = g.houd();
    const derde = g.queue.submit({ naam: 'w2' });
    await new Promise((r) => setImmediate(r));
    const gemengd = [g.queue.submit({ naam: 'r3' }, { priority: true }), g.queue.submit({ naam: 'r4', faal: true }, { priority: true }), g.queue.submit({ naam: 'r5' }, { priority: true })];
    los2();
    const uitkomsten = await Promise.allSettled([derde, ...gemengd]);
    expect(uitkomsten.map((u) => u.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(g.batches).toEqual([['w0'], ['samen(r1,r2)', 'w1'], ['w2'], ['samen(r3,r4,r5)', 'r3', 'r4', 'r5']]);
  });
});
