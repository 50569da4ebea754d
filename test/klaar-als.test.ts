/**
 * Issue 10's "Done when", end to end over HTTP only, on SQLite (one gateway) and on PostgreSQL (two
 * real gateway processes, the write through one and every read through the other): a provider
 * publishes a week with 3 unexcused lessons → within seconds the gemeente's receiver gets a signed,
 * content-free event, the worklist shows a `verzuim` signal, the trajectory's state shows the week,
 * and a party without a relation gets nothing (no event, no state, no worklist). Then the
 * participant's access report (AVG art. 15) lists those disclosures — the state read, the worklist
 * read and each accepted notification — with what left and to whom, and not the refused attempts.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../src/meldingen/standard-webhooks.js';
import { envelop, startTestGateway, type TestGateway } from './support/gateway.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { startReplicaSet, type ReplicaSet } from './support/replicas.js';
import { weekMetLessen } from './support/signaalberichten.js';
import { tot } from './support/wachten.js';

/** Where the scenario runs: the URL to write through, the URL to read through, tokens. */
interface Omgeving { schrijf: string; lees: string; token(client: string): Promise<string>; close(): Promise<void> }

const OMGEVINGEN: Record<string, () => Promise<Omgeving>> = {
  sqlite: async () => {
    const t: TestGateway = await startTestGateway({ overrides: { meldingenIntervalMs: 50, signaalPlannerSeconden: 0 } });
    return { schrijf: t.gw.url, lees: t.gw.url, token: (c) => t.token(c), close: () => t.close() };
  },
  'postgres, two replicas': async () => {
    const db: TestDatabase = await createTestDatabase();
    const set: ReplicaSet = await startReplicaSet(db.url, 2, { DOELPOORT_MELDINGEN_INTERVAL_MS: '100' });
    return {
      schrijf: set.replicas[0]!.url, lees: set.replicas[1]!.url, token: (c) => set.token(c),
      close: async () => {
        await set.close();
        await db.drop();
      },
    };
  },
};

describe.each(Object.keys(OMGEVINGEN))('done when (%s)', (naam) => {
  let o: Omgeving;
  let server: http.Server;
  let basis = '';
  const geheimen = new Map<string, string>();
  const ontvangen: Array<{ pad: string; body: string; event: { id: string; type: string; subject: string; data: Record<string, string> } }> = [];
  const fouten: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const pad = req.url ?? '';
        try {
          verify(geheimen.get(pad) ?? 'whsec_onbekend', req.headers, body);
          ontvangen.push({ pad, body, event: JSON.parse(body) });
        } catch (e) {
          fouten.push(`${pad}: ${(e as Error).message}`);
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    basis = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    o = await OMGEVINGEN[naam]!();
  }, 120_000);
  afterAll(async () => {
    await o?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  const api = async (url: string, client: string, method = 'GET', body?: unknown) => {
    const res = await fetch(url, {
      method, headers: { authorization: `Bearer ${await o.token(client)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any }; // the wire format is checked field by field below
  };
  const abonneer = async (client: string, pad: string) => {
    const r = await api(`${o.schrijf}/v1/abonnementen`, client, 'POST', { url: `${basis}${pad}`, soorten: ['bericht', 'signaal'] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    geheimen.set(pad, r.body.geheim);
  };

  it('3 unexcused lessons: a signed content-free event within seconds, a verzuim signal on the worklist, the week in the state, nothing for an outsider; the access report lists it all', async () => {
    await abonneer('gemeente-hengelo', '/gemeente');
    await abonneer('taalschool-oost', '/oost'); // a provider with no relation to the trajectory
    const open = await api(`${o.schrijf}/v1/trajecten`, 'gemeente-hengelo', 'POST', {
      leerroute: 'B1', startdatum: '2026-01-05', toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-01-05' }],
    });
    expect(open.status).toBe(201);
    const trajectId: string = open.body.trajectId;

    const week = weekMetLessen({ berichtId: crypto.randomUUID(), van: '2026-11-02' }, [
      { status: 'ongeoorloofd-afwezig' }, { status: 'aanwezig' }, { status: 'ongeoorloofd-afwezig' }, { status: 'ongeoorloofd-afwezig' },
    ]);
    const bericht = envelop('aanwezigheid', trajectId, week.inhoud);
    const gepubliceerd = Date.now();
    expect((await api(`${o.schrijf}/v1/berichten`, 'roc-van-twente', 'POST', bericht)).status).toBe(201);

    // Within seconds: the message event and the verzuim signal, signed (verified above) and content-free.
    const events = await tot(() => ontvangen.filter((e) => e.pad === '/gemeente'), (v) => v.length >= 2, 5_000);
    expect(Date.now() - gepubliceerd).toBeLessThan(5_000);
    expect(fouten).toEqual([]);
    expect(events.map((e) => e.event.type)).toEqual(['nl.doelpoort.bericht.ontvangen', 'nl.doelpoort.signaal.geopend']);
    expect(events[0]!.event.data).toEqual({ trajectId, berichtId: bericht.berichtId, berichttype: 'aanwezigheid' });
    expect(events[1]!.event.data.soort).toBe('verzuim');
    for (const e of events) {
      expect(e.event.subject).toBe(trajectId);
      expect(e.body).not.toMatch(/ongeoorloofd|minuten|lessen|2026-11-02/);
    }

    // The worklist (read through the other replica) shows the verzuim signal.
    const werklijst = await api(`${o.lees}/v1/signalen?doel=trajectbegeleiding&status=open`, 'gemeente-hengelo');
    expect(werklijst.status).toBe(200);
    const signaal = werklijst.body.resultaten.find((s: { trajectId: string }) => s.trajectId === trajectId);
    expect(signaal).toEqual(expect.objectContaining({ soort: 'verzuim', aanbieder: 'roc-van-twente', status: 'open', berichtIds: [bericht.berichtId] }));
    expect(signaal.signaalId).toBe(events[1]!.event.data.signaalId);

    // The state shows the week.
    const stand = await api(`${o.lees}/v1/trajecten/${trajectId}/stand?doel=trajectbegeleiding`, 'gemeente-hengelo');
    expect(stand.status).toBe(200);
    const aanw = stand.body.stand.aanwezigheid['roc-van-twente'];
    expect(aanw.weken.map((w: { van: string; tot: string }) => [w.van, w.tot])).toEqual([['2026-11-02', '2026-11-08']]);
    expect(aanw.laatsteWeken.ongeoorloofdeLessen).toBe(3);
    expect(stand.body.signalen.map((s: { soort: string }) => s.soort)).toEqual(['verzuim']);

    // A party without a relation gets nothing: no event, no state, no worklist.
    expect((await api(`${o.lees}/v1/trajecten/${trajectId}/stand?doel=trajectbegeleiding`, 'taalschool-oost')).status).toBe(403);
    expect((await api(`${o.lees}/v1/signalen?doel=trajectbegeleiding`, 'taalschool-oost')).status).toBe(403);
    expect(ontvangen.filter((e) => e.pad === '/oost')).toEqual([]);

    // The access report: the state read, the worklist read and both accepted notifications, to the gemeente.
    const inzage = await tot(async () => (await api(`${o.lees}/v1/trajecten/${trajectId}/inzage`, 'fg-hengelo')).body,
      (b) => b?.verstrekkingen?.filter((v: { berichttype: string }) => v.berichttype === 'Melding').length === 2);
    const soorten = inzage.verstrekkingen.map((v: { berichttype: string; ontvanger: string }) => `${v.berichttype} → ${v.ontvanger}`).sort();
    expect(soorten).toEqual(['Melding → Gemeente Hengelo', 'Melding → Gemeente Hengelo', 'Signaal → Gemeente Hengelo', 'Stand van uw traject → Gemeente Hengelo']);
    const standRegel = inzage.verstrekkingen.find((v: { berichttype: string }) => v.berichttype === 'Stand van uw traject');
    expect(standRegel.gegevens.join(' ')).toMatch(/aanwezigheid en verzuim/);
    expect(standRegel.herkomst).toMatch(/Doelpoort/);
    expect(standRegel.doel).not.toBe('onbekend');
    const melding = inzage.verstrekkingen.find((v: { berichttype: string }) => v.berichttype === 'Melding');
    expect(melding.gegevens.join(' ')).toMatch(/geen inhoud/);
    expect(JSON.stringify(inzage)).not.toMatch(/Taalschool Oost/); // refused attempts disclosed nothing
  }, 60_000);
});
