/**
 * Micro-benchmark of the policy decision (`decide()`), in-process, no I/O.
 *
 * Workload: every combination of action × role × message type × doel × relation × consent state
 * (the same space as test/beslissingstabel.csv: allowed and refused reads, forbids, aggregates-only,
 * consent valid / narrowed / withdrawn / expired / absent), in a fixed shuffled order.
 *
 * Method: a decision takes well under a microsecond, about what one `process.hrtime.bigint()` call
 * costs, so single decisions cannot be timed honestly. Instead each sample times a batch of
 * BATCH consecutive decisions with `process.hrtime.bigint()` and divides by BATCH; after a warm-up
 * (so V8 has optimised the code), SAMPLES samples are taken. Reported: decisions per second over all
 * samples, and the p50 and p99 of the per-decision time across samples (a slow sample — GC, a
 * context switch — shows up in p99). Results are folded into a checksum so nothing is optimised away.
 *
 * `tsx scripts/bench-policy.ts` prints the numbers; `benchPolicy()` returns them for `npm run bench`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Toestemmingsfeit } from '../src/consent/geldigheid.js';
import { projectRoot } from '../src/config.js';
import { createPolicyEngine } from '../src/policy/engine.js';
import { loadPolicies } from '../src/policy/load.js';
import type { BesluitVraag, Relatie } from '../src/policy/types.js';
import { loadSchemas } from '../src/schemas/registry.js';

const BATCH = 1_000;
const SAMPLES = 2_000;
const WARMUP_SAMPLES = 300;

export interface PolicyBenchResult {
  decisionsPerSecond: number;
  p50us: number;
  p99us: number;
}

function workload(): BesluitVraag[] {
  const root = projectRoot();
  const schemas = loadSchemas(path.join(root, 'schemas'));
  const set = loadPolicies(path.join(root, 'policies'), schemas);
  const moment = { tijdstip: '2026-11-23T12:00:00.000Z', datum: '2026-11-23' };
  const feit = (over: Partial<Toestemmingsfeit>): Toestemmingsfeit => ({
    toestemmingId: 't', gegevenscategorieen: ['participatievorm', 'participatierooster'], gegevenOp: '2026-11-01T09:00:00.000Z', geldigTot: '2027-06-30', ingetrokkenOp: null, ...over,
  });
  const consents: Toestemmingsfeit[][] = [[], [feit({})], [feit({ gegevenscategorieen: ['participatievorm'] })], [feit({ ingetrokkenOp: '2026-11-23T11:00:00.000Z' })], [feit({ geldigTot: '2026-11-22' })]];
  const relations: Relatie[] = [
    { eigenaar: false, toewijzingen: [] }, { eigenaar: true, toewijzingen: [] },
    { eigenaar: false, toewijzingen: ['taal'] }, { eigenaar: false, toewijzingen: ['participatie'] }, { eigenaar: false, toewijzingen: ['begeleiding'] },
  ];
  const out: BesluitVraag[] = [];
  for (const partij of ['gemeente', 'taalaanbieder', 'reintegratie'].map((rol) => set.partijen.find((p) => p.rol === rol)!)) {
    for (const berichttype of schemas.berichttypen) {
      for (const relatie of relations) {
        out.push({ partij, actie: 'publiceren', berichttype, relatie });
        for (const doel of set.doelen) for (const toestemmingen of consents) out.push({ partij, actie: 'lezen', berichttype, doel: doel.id, relatie, toestemmingen, moment });
      }
    }
  }
  // Deterministic shuffle (so branch prediction does not learn the order).
  let seed = 42;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export async function benchPolicy(): Promise<PolicyBenchResult> {
  const root = projectRoot();
  const engine = createPolicyEngine(loadPolicies(path.join(root, 'policies'), loadSchemas(path.join(root, 'schemas'))));
  const vragen = workload();
  let i = 0;
  let checksum = 0;
  const perDecisionNs: number[] = [];
  let totalNs = 0n;
  for (let s = 0; s < WARMUP_SAMPLES + SAMPLES; s++) {
    const start = process.hrtime.bigint();
    for (let k = 0; k < BATCH; k++) {
      const b = engine.decide(vragen[i]!);
      checksum += b.toegestaan ? 1 : b.regel.length;
      if (++i === vragen.length) i = 0;
    }
    const elapsed = process.hrtime.bigint() - start;
    if (s >= WARMUP_SAMPLES) {
      perDecisionNs.push(Number(elapsed) / BATCH);
      totalNs += elapsed;
    }
  }
  if (checksum === 0) throw new Error('unreachable: keeps the results alive');
  perDecisionNs.sort((a, b) => a - b);
  const pct = (q: number) => perDecisionNs[Math.min(perDecisionNs.length - 1, Math.ceil(q * perDecisionNs.length) - 1)]! / 1000;
  return {
    decisionsPerSecond: Math.round((SAMPLES * BATCH) / (Number(totalNs) / 1e9)),
    p50us: Number(pct(0.5).toFixed(3)),
    p99us: Number(pct(0.99).toFixed(3)),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await benchPolicy();
  console.log(`policy decisions: ${r.decisionsPerSecond.toLocaleString('en-US')} decisions/s, p50 ${r.p50us} µs, p99 ${r.p99us} µs per decision`);
  console.log(`(${SAMPLES} samples of ${BATCH} decisions each after ${WARMUP_SAMPLES} warm-up samples; target p99 ≤ 20 µs)`);
}
