/**
 * User story: "a replica killed mid-delivery loses no event" — two REAL gateway processes on one
 * PostgreSQL database, a real receiver (node:http on 127.0.0.1) that holds one delivery open, a
 * burst of publishes, and SIGKILL for the process that is sending that delivery (found through the
 * socket it holds, not guessed). Guarantees checked: the surviving replica delivers every event at
 * least once once the dead replica's lease lapses; the event in flight arrives again with the same
 * CloudEvents `id` (and `webhook-id`), so the duplicate is detectable; and events arrive in outbox
 * order per subscription (a repeat only ever repeats the event just seen). No fixed sleeps: every
 * wait polls for its condition.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../src/meldingen/standard-webhooks.js';
import { envelop } from './support/gateway.js';
import { createTestDatabase, pgQuery, type TestDatabase } from './support/postgres.js';
import { startReplicaSet, type Replica, type ReplicaSet } from './support/replicas.js';
import { tot } from './support/wachten.js';

/** The replica whose process owns the TCP connection from local port `poort` (Linux: /proc/net/tcp + the fds). */
function eigenaarVanVerbinding(replicas: Replica[], poort: number, naarPoort: number): Replica | undefined {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const bestand of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(bestand)) continue;
    for (const regel of fs.readFileSync(bestand, 'utf8').split('\n').slice(1)) {
      const k = regel.trim().split(/\s+/);
      if (k.length > 9 && k[1]!.endsWith(`:${hex(poort)}`) && k[2]!.endsWith(`:${hex(naarPoort)}`)) inodes.add(k[9]!);
    }
  }
  return replicas.find((r) => {
    try {
      return fs.readdirSync(`/proc/${r.child.pid}/fd`).some((fd) => {
        const doel = fs.readlinkSync(`/proc/${r.child.pid}/fd/${fd}`, { encoding: 'utf8' });
        return /^socket:\[(\d+)\]$/.exec(doel)?.[1] !== undefined && inodes.has(/^socket:\[(\d+)\]$/.exec(doel)![1]!);
      });
    } catch {
      return false;
    }
  });
}

let db: TestDatabase;
let set: ReplicaSet;
let server: http.Server;
let poort = 0;
let geheim = '';
const ontvangen: Array<{ id: string; webhookId: string; berichtId: string }> = [];
const fouten: string[] = [];
/** The one request the receiver keeps open (the delivery in flight), with the client's port. */
let vastgehouden: { clientPoort: number } | null = null;
let houdVast = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        verify(geheim, req.headers, body);
        const e = JSON.parse(body);
        ontvangen.push({ id: e.id, webhookId: String(req.headers['webhook-id']), berichtId: e.data.berichtId });
      } catch (err) {
        fouten.push((err as Error).message);
      }
      // Slow to answer, so deliveries are in flight; one of them (once asked) is held open until its sender dies.
      if (houdVast && vastgehouden === null) {
        vastgehouden = { clientPoort: req.socket.remotePort! };
        return;
      }
      setTimeout(() => res.writeHead(204).end(), 40);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  poort = (server.address() as AddressInfo).port;
  db = await createTestDatabase();
  // A short attempt timeout keeps the lease short (3 × timeout + 5 s); a fast round notices new work at once.
  set = await startReplicaSet(db.url, 2, { DOELPOORT_MELDING_TIMEOUT_MS: '2000', DOELPOORT_MELDINGEN_INTERVAL_MS: '100' });
}, 120_000);
afterAll(async () => {
  await set?.close();
  await db?.drop();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

const post = async (url: string, token: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('a replica killed with SIGKILL while it delivers', () => {
  it('the other replica delivers every event at least once, in outbox order; the one in flight again with the same id', async () => {
    const [a, b] = set.replicas as [Replica, Replica];
    const gem = await set.token('gemeente-hengelo');
    const ab = await post(`${a.url}/v1/abonnementen`, gem, { url: `http://127.0.0.1:${poort}/ontvang`, soorten: ['bericht'] });
    expect(ab.status).toBe(201);
    const { abonnementId, geheim: g } = (await ab.json()) as { abonnementId: string; geheim: string };
    geheim = g;
    const open = await post(`${a.url}/v1/trajecten`, gem, {
      leerroute: 'B1', startdatum: '2026-01-05', toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-01-05' }],
    });
    expect(open.status).toBe(201);
    const { trajectId } = (await open.json()) as { trajectId: string };

    // A burst of publishes through both replicas.
    const roc = await set.token('roc-van-twente');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const e = envelop('taalvoortgang', trajectId);
      const r = await post(`${(i % 2 ? b : a).url}/v1/berichten`, roc, e);
      expect(r.status).toBe(201);
      ids.push(e.berichtId);
      if (i === 4) houdVast = true; // from here the receiver holds the next delivery open
    }
    const volgorde = (await pgQuery<{ eventid: string; event: string }>(db.url,
      'SELECT eventId, event FROM uitgaand WHERE abonnementId = $1 ORDER BY volgnummer', [abonnementId])).map((r) => JSON.parse(r.event).data.berichtId as string);
    expect(volgorde).toHaveLength(20);
    expect(new Set(volgorde)).toEqual(new Set(ids));

    // The delivery in flight: whose process holds its connection? That one dies, mid-delivery.
    const { clientPoort } = (await tot(() => vastgehouden, (v) => v !== null))!;
    const houder = eigenaarVanVerbinding(set.replicas, clientPoort, poort);
    expect(houder, 'the process holding the delivery connection').toBeDefined();
    const overlever = houder === a ? b : a;
    const inVlucht = ontvangen.at(-1)!;
    const voorDood = ontvangen.length;
    houder!.child.kill('SIGKILL');
    expect(await houder!.exited).toBe('SIGKILL');
    expect(new Set(ontvangen.map((o) => o.berichtId)).size).toBeLessThan(volgorde.length); // the rest waits behind the one in flight

    // The survivor takes over once the lease lapses and delivers the rest, starting with the one in flight.
    await tot(() => new Set(ontvangen.map((o) => o.berichtId)), (s) => volgorde.every((id) => s.has(id)));
    await tot(() => pgQuery<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM uitgaand WHERE abonnementId = $1 AND status <> 'afgeleverd'", [abonnementId]),
      (v) => Number(v[0]!.n) === 0);
    expect(fouten).toEqual([]);
    const herhaald = ontvangen.slice(voorDood).find((o) => o.berichtId === inVlucht.berichtId);
    expect(herhaald, 'the event in flight is delivered again').toBeDefined();
    expect(herhaald!.id).toBe(inVlucht.id); // the duplicate is detectable by its CloudEvents id ...
    expect(herhaald!.webhookId).toBe(inVlucht.webhookId); // ... and its webhook-id
    // In order per subscription: the received positions in the outbox never go back, except that an
    // event may repeat right after itself (the redelivery of the one whose sender died).
    const posities = ontvangen.map((o) => volgorde.indexOf(o.berichtId));
    expect(posities.every((p) => p >= 0)).toBe(true);
    for (let i = 1; i < posities.length; i++) expect(posities[i]!, `position ${i}: ${posities.join(',')}`).toBeGreaterThanOrEqual(posities[i - 1]!);
    const uniek = posities.filter((p, i) => i === 0 || p !== posities[i - 1]);
    expect(uniek).toEqual(volgorde.map((_, i) => i));
    // The survivor still serves.
    expect((await fetch(`${overlever.url}/health/ready`)).status).toBe(200);
  }, 120_000);
});
