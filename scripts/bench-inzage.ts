/**
 * `npx tsx scripts/bench-inzage.ts`: the right of access at the size that broke it (issue 15) —
 * one trajectory with 30,000 messages and 30,000 reads (each disclosing one message; BENCH_INZAGE_N
 * changes both), written straight into a SQLite store through its own API (no HTTP, so it takes
 * seconds), then the report's first page and a walk over every page, timed on the logboek reader.
 * The old query joined every read through the messages and took more than 15 minutes here.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../src/store/sqlite.js';

const N = Number(process.env.BENCH_INZAGE_N ?? 30_000);
const PAGE = 1000;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-bench-inzage-'));
  const store = openSqliteStore(path.join(dir, 'doelpoort.db'));
  try {
    const trajectId = crypto.randomUUID();
    const now = new Date().toISOString();
    const base = {
      tijdstip: now, traceId: '0'.repeat(32), spanId: '0'.repeat(16), client: null, doel: 'trajectbegeleiding', verwerkingsactiviteit: null,
      grondslag: 'AVG art. 6 lid 1 sub e', regel: 'lezen-trajectbegeleiding', reden: 'bench', velden: ['/inhoud/totalen'], beleidsversie: 'bench',
    };
    await store.transaction(async (tx) => {
      await tx.insertTraject({ trajectId, gemeente: 'gemeente-hengelo', leerroute: 'B1', startdatum: '2026-01-05', aangemaaktOp: now }, []);
    });
    const ids: string[] = [];
    const t0 = performance.now();
    for (let done = 0; done < N; done += 1000) {
      await store.transaction(async (tx) => {
        for (let i = done; i < Math.min(N, done + 1000); i++) {
          const berichtId = crypto.randomUUID();
          ids.push(berichtId);
          const audit = await tx.appendAudit({ ...base, actie: 'bericht-publiceren', partij: 'roc-van-twente', trajectIds: [trajectId], berichttype: 'aanwezigheid', berichtIds: [berichtId], besluit: 'toegestaan', status: 201 });
          await tx.insertBericht({
            berichtId, berichttype: 'aanwezigheid', schemaversie: '1.0', trajectId, afzender: 'roc-van-twente', gebeurtenisTijdstip: now, ontvangenOp: now,
            inhoud: '{}', inhoudHash: '0', auditId: audit.id, auditHash: audit.hash,
          });
        }
      });
    }
    for (let done = 0; done < N; done += 1000) {
      await store.transaction(async (tx) => {
        for (let i = done; i < Math.min(N, done + 1000); i++) {
          await tx.appendAudit({ ...base, actie: 'bericht-lezen', partij: 'gemeente-hengelo', trajectIds: [trajectId], berichttype: 'aanwezigheid', berichtIds: [ids[i]!], besluit: 'toegestaan', status: 200 });
        }
      });
    }
    console.log(`wrote ${N.toLocaleString('en-US')} messages and ${N.toLocaleString('en-US')} reads on one trajectory in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const t1 = performance.now();
    const first = await store.logboek.verstrekkingen(trajectId, { na: 0, limit: PAGE + 1 });
    const firstMs = performance.now() - t1;
    const t2 = performance.now();
    let na = 0;
    let rows = 0;
    let pages = 0;
    for (;;) {
      const page = await store.logboek.verstrekkingen(trajectId, { na, limit: PAGE });
      rows += page.length;
      pages++;
      if (page.length < PAGE) break;
      na = page.at(-1)!.auditId;
    }
    const allMs = performance.now() - t2;
    console.log(`inzage first page: ${first.length} rows in ${firstMs.toFixed(1)} ms; all ${pages} pages (${rows.toLocaleString('en-US')} disclosures) in ${allMs.toFixed(0)} ms, ${(allMs / pages).toFixed(1)} ms per page`);
    if (rows !== N) throw new Error(`expected ${N} disclosures, walked ${rows}`);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
