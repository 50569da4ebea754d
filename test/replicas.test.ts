/**
 * Two gateway replicas on one PostgreSQL database behind a round-robin balancer: the end-to-end
 * scenarios of a single gateway must hold when consecutive requests land on different replicas, and
 * a replica killed with SIGKILL under load loses nothing it acknowledged.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { bearer, envelop, VOORBEELDEN } from './support/gateway.js';
import { createTestDatabase, pgQuery, type TestDatabase } from './support/postgres.js';
import { startReplicaSet, type ReplicaSet } from './support/replicas.js';

let db: TestDatabase;
let set: ReplicaSet;

beforeAll(async () => {
  db = await createTestDatabase();
  set = await startReplicaSet(db.url, 2);
}, 120_000);
afterAll(async () => {
  await set?.close();
  await db?.drop();
});

const [A, B] = [0, 1];
const url = (i: number) => set.replicas[i]!.url;

async function openTraject(): Promise<string> {
  const g = await set.token('gemeente-hengelo');
  const res = await request(url(A)).post('/v1/trajecten').set(...bearer(g)).send({
    leerroute: 'B1', startdatum: '2026-01-05',
    toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-01-05' }, { partij: 'werkshop', rol: 'participatie', vanaf: '2026-01-05' }],
  });
  expect(res.status).toBe(201);
  return res.body.trajectId as string;
}

describe('two replicas on one PostgreSQL', { timeout: 120_000 }, () => {
  it('a token issued through the balancer is accepted by every replica', async () => {
    const token = await set.token('gemeente-hengelo');
    for (const i of [A, B]) {
      const res = await request(url(i)).get('/v1/berichten?doel=trajectbegeleiding').set(...bearer(token));
      expect(res.status, `replica ${i}`).toBe(200);
    }
  });

  it('a message published through A is readable through B at once, projected the same way', async () => {
    const trajectId = await openTraject();
    const roc = await set.token('roc-van-twente');
    const g = await set.token('gemeente-hengelo');
    const sent = envelop('taalvoortgang', trajectId);
    const pub = await request(url(A)).post('/v1/berichten').set(...bearer(roc)).send(sent);
    expect(pub.status).toBe(201);
    const viaA = await request(url(A)).get(`/v1/berichten/${sent.berichtId}?doel=trajectbegeleiding`).set(...bearer(g));
    const viaB = await request(url(B)).get(`/v1/berichten/${sent.berichtId}?doel=trajectbegeleiding`).set(...bearer(g));
    expect(viaB.status).toBe(200);
    expect(viaB.body.inhoud).toEqual(viaA.body.inhoud);
    expect(viaB.body.inhoud.niveaus).toEqual(VOORBEELDEN.taalvoortgang.niveaus);
  });

  it('the same berichtId sent to A and B at the same moment is stored once', async () => {
    const trajectId = await openTraject();
    const roc = await set.token('roc-van-twente');
    for (let round = 0; round < 10; round++) {
      const sent = envelop('aanwezigheid', trajectId);
      const answers = await Promise.all([A, B].map((i) => request(url(i)).post('/v1/berichten').set(...bearer(roc)).send(sent)));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 201]);
      expect(answers[0]!.body.logboek).toEqual(answers[1]!.body.logboek);
      const rows = await pgQuery<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM berichten WHERE berichtid = $1', [sent.berichtId]);
      expect(Number(rows[0]!.n)).toBe(1);
    }
  });

  it('two conflicting placement starts on A and B cannot both succeed', async () => {
    const trajectId = await openTraject();
    const ws = await set.token('werkshop');
    for (let round = 0; round < 5; round++) {
      const plaatsingId = `WS-${crypto.randomUUID().slice(0, 8)}`;
      const inhoud = { ...VOORBEELDEN.plaatsing, plaatsingId };
      const answers = await Promise.all([A, B].map((i) => request(url(i)).post('/v1/berichten').set(...bearer(ws)).send(envelop('plaatsing', trajectId, inhoud))));
      expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    }
  });

  it('consent recorded through A counts for a read through B on the very next request', async () => {
    const trajectId = await openTraject();
    const g = await set.token('gemeente-hengelo');
    const roc = await set.token('roc-van-twente');
    const ws = await set.token('werkshop');
    expect((await request(url(A)).post('/v1/berichten').set(...bearer(ws)).send(envelop('plaatsing', trajectId))).status).toBe(201);
    const before = await request(url(B)).get(`/v1/berichten?doel=lesafstemming&trajectId=${trajectId}`).set(...bearer(roc));
    expect(before.status).toBe(403);
    const consent = await request(url(A)).post(`/v1/trajecten/${trajectId}/toestemmingen`).set(...bearer(g)).send({
      ontvanger: 'roc-van-twente', doel: 'lesafstemming', geldigTot: new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10), bewijs: { vorm: 'schriftelijk' },
    });
    expect(consent.status).toBe(201);
    const after = await request(url(B)).get(`/v1/berichten?doel=lesafstemming&trajectId=${trajectId}`).set(...bearer(roc));
    expect(after.status).toBe(200);
    expect(after.body.resultaten.length).toBe(1);
    expect((await request(url(B)).delete(`/v1/trajecten/${trajectId}/toestemmingen/${consent.body.toestemmingId}`).set(...bearer(g))).status).toBeLessThan(300);
    expect((await request(url(A)).get(`/v1/berichten?doel=lesafstemming&trajectId=${trajectId}`).set(...bearer(roc))).status).toBe(403);
  });

  it('an assignment ended through B stops reads through A', async () => {
    const trajectId = await openTraject();
    const g = await set.token('gemeente-hengelo');
    const roc = await set.token('roc-van-twente');
    expect((await request(url(A)).get(`/v1/berichten?doel=lesafstemming&trajectId=${trajectId}`).set(...bearer(roc))).status).toBe(403);
    expect((await request(url(A)).post('/v1/berichten').set(...bearer(roc)).send(envelop('aanwezigheid', trajectId))).status).toBe(201);
    expect((await request(url(B)).delete(`/v1/trajecten/${trajectId}/toewijzingen/roc-van-twente`).set(...bearer(g))).status).toBeLessThan(300);
    expect((await request(url(A)).post('/v1/berichten').set(...bearer(roc)).send(envelop('aanwezigheid', trajectId))).status).toBe(403);
  });

  it('a feed polled while both replicas publish sees every message exactly once', async () => {
    const trajectId = await openTraject();
    const roc = await set.token('roc-van-twente');
    const g = await set.token('gemeente-hengelo');
    const seen: string[] = [];
    let cursor = '';
    let publishing = true;
    const poll = (async () => {
      for (;;) {
        const done = !publishing;
        const res = await request(url(seen.length % 2)).get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}&limiet=50${cursor ? `&volgende=${cursor}` : ''}`).set(...bearer(g));
        expect(res.status).toBe(200);
        for (const m of res.body.resultaten) seen.push(m.berichtId);
        if (res.body.volgende) cursor = res.body.volgende;
        if (done && res.body.resultaten.length === 0) return;
      }
    })();
    const sent: string[] = [];
    await Promise.all([A, B].map(async (i) => {
      for (let k = 0; k < 60; k++) {
        const e = envelop('aanwezigheid', trajectId);
        const r = await request(url(i)).post('/v1/berichten').set(...bearer(roc)).send(e);
        expect(r.status).toBe(201);
        sent.push(e.berichtId);
      }
    }));
    publishing = false;
    await poll;
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...sent].sort());
  });

  it('the logboek is one chain: every replica verifies it, and a checkpoint exists for one position only', async () => {
    const fg = await set.token('fg-hengelo');
    for (const i of [A, B]) {
      const res = await request(url(i)).get('/v1/logboek/verificatie').set(...bearer(fg));
      expect(res.status).toBe(200);
      expect(res.body.geldig).toBe(true);
    }
    const dup = await pgQuery<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM (SELECT aantal FROM logboek_controlepunten GROUP BY aantal HAVING count(*) > 1) d');
    expect(Number(dup[0]!.n)).toBe(0);
  });
});

describe('a replica killed with SIGKILL under load', () => {
  it('loses nothing it acknowledged, stores nothing twice, and the chain verifies', async () => {
    const victim = await set.start();
    const trajectId = await openTraject();
    const roc = await set.token('roc-van-twente');
    const acknowledged = new Set<string>();
    const sent = new Set<string>();
    let killed = false;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const load = (target: string, n: number) => (async () => {
      for (let k = 0; k < n; k++) {
        const e = envelop('aanwezigheid', trajectId);
        sent.add(e.berichtId);
        const status = await request(target).post('/v1/berichten').agent(agent).set(...bearer(roc)).send(e).then((r) => r.status, () => 0);
        if (status === 201) acknowledged.add(e.berichtId);
        if (target === victim.url && killed) return;
      }
    })();
    const workers = [
      ...Array.from({ length: 6 }, () => load(victim.url, 400)),
      ...Array.from({ length: 4 }, () => load(url(A), 25)),
    ];
    // Kill once the victim has acknowledged a good number of publishes.
    for (const deadline = Date.now() + 90_000; acknowledged.size < 100 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    expect(acknowledged.size).toBeGreaterThanOrEqual(100);
    victim.child.kill('SIGKILL');
    killed = true;
    expect(await victim.exited).toBe('SIGKILL');
    await Promise.all(workers);
    agent.destroy();
    set.replicas.splice(set.replicas.indexOf(victim), 1);

    const stored = await pgQuery<{ id: string }>(db.url, 'SELECT berichtid AS id FROM berichten WHERE trajectid = $1', [trajectId]);
    const storedIds = stored.map((r) => r.id);
    expect(new Set(storedIds).size).toBe(storedIds.length);
    for (const id of acknowledged) expect(storedIds).toContain(id);
    for (const id of storedIds) expect(sent.has(id)).toBe(true);
    // Every stored message has exactly one publish record with status 201, and nothing else does.
    const records = await pgQuery<{ n: number }>(db.url,
      "SELECT count(*)::int AS n FROM logboek WHERE actie = 'bericht-publiceren' AND status = 201 AND trajectids::jsonb ? $1", [trajectId]);
    expect(records[0]!.n).toBe(storedIds.length);
    const fg = await set.token('fg-hengelo');
    const verified = await request(url(A)).get('/v1/logboek/verificatie').set(...bearer(fg));
    expect(verified.body.geldig).toBe(true);
  }, 240_000);
});
