/**
 * TEST ONLY — a stand-in for the logboek API of issue 6 (part 6a), so that the privacy pages can be
 * tested before that API is merged. It implements the agreed contract (`/v1/logboek`, `/export`,
 * `/{id}`, `/verificatie`, `/overzicht`; not the inzage, whose page runs against the gateway) over the REAL logboek table of
 * a test gateway (read from its database file), and it verifies the bearer token against the real
 * embedded provider: an RFC 9068 access token for the gateway's audience, issued to the privacy
 * client for a demo officer. It applies NO scope rules (those are 6a's); it records each call so
 * tests can check what the pages sent, and it can fail on purpose (`failNext`) to test how the pages
 * handle API errors. When 6a is merged, `LOGBOEK_API` in `privacy.ts` switches the main flows to the
 * gateway itself; the fault-injection tests keep using this stand-in.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import * as jose from 'jose';
import { hashRecord, GENESIS_HASH, type AuditRecord } from '../../src/audit/record.js';
import type { TestGateway } from './gateway.js';

export interface StandInCall {
  path: string;
  /** The bearer token as received (to prove it never reaches the browser). */
  token: string;
  query: Record<string, string>;
  sub: string;
  clientId: string;
  traceparent: string | undefined;
}

export interface LogboekStandIn {
  url: string;
  calls: StandInCall[];
  /** Fault injection: answer the next authenticated call with this status (problem+json). */
  failNext(status: number): void;
  close(): Promise<void>;
}

const OFFICERS = new Set(['fg-hengelo', 'fg-roc']);

function problem(res: express.Response, status: number, detail: string, invalidParams?: { name: string; reason: string }[]) {
  res.status(status).type('application/problem+json').send(JSON.stringify({ status, title: detail, detail, ...(invalidParams ? { invalidParams } : {}) }));
}

function isoWeek(iso: string): string {
  const d = new Date(iso);
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Start the stand-in; `gateway()` is read lazily (the gateway starts after the stand-in, to get its URL). */
export async function startLogboekStandIn(gateway: () => TestGateway): Promise<LogboekStandIn> {
  const calls: StandInCall[] = [];
  const failures: number[] = [];
  let jwks: jose.JWTVerifyGetKey | null = null;
  const app = express();
  app.set('query parser', 'simple');

  const records = (): AuditRecord[] =>
    gateway().query<Record<string, unknown>>('SELECT * FROM logboek ORDER BY id').map((r) => ({
      ...(r as unknown as AuditRecord),
      trajectIds: JSON.parse(r.trajectIds as string),
      berichtIds: JSON.parse(r.berichtIds as string),
      velden: JSON.parse(r.velden as string),
    }));

  app.use(async (req, res, next) => {
    const auth = req.get('authorization') ?? '';
    if (!auth.startsWith('Bearer ')) return problem(res, 401, 'geen token');
    const g = gateway();
    jwks ??= jose.createRemoteJWKSet(new URL(`${g.gw.config.issuer}/jwks`));
    try {
      const { payload } = await jose.jwtVerify(auth.slice(7), jwks, { issuer: g.gw.config.issuer, audience: g.gw.config.audience, typ: 'at+jwt' });
      if (payload.client_id !== 'doelpoort-privacy' || !OFFICERS.has(String(payload.sub))) return problem(res, 403, 'geen functionaris');
      calls.push({ path: req.path, token: auth.slice(7), query: req.query as Record<string, string>, sub: String(payload.sub), clientId: String(payload.client_id), traceparent: req.get('traceparent') });
      const fail = failures.shift();
      if (fail) return problem(res, fail, `nagebootste fout ${fail}`);
      next();
    } catch {
      problem(res, 401, 'ongeldig token');
    }
  });

  const select = (q: Record<string, string>) =>
    records()
      .filter((r) => !q.trajectId || r.trajectIds.includes(q.trajectId))
      .filter((r) => !q.partij || r.partij === q.partij)
      .filter((r) => !q.doel || r.doel === q.doel)
      .filter((r) => !q.berichttype || r.berichttype === q.berichttype)
      .filter((r) => !q.besluit || r.besluit === q.besluit)
      .filter((r) => !q.vanaf || r.tijdstip.slice(0, 10) >= q.vanaf)
      .filter((r) => !q.tot || r.tijdstip.slice(0, 10) <= q.tot)
      .reverse();

  app.get('/v1/logboek', (req, res) => {
    const q = req.query as Record<string, string>;
    if (q.trajectId && !/^[0-9a-f-]{36}$/i.test(q.trajectId)) return problem(res, 400, 'ongeldig', [{ name: 'trajectId', reason: 'geen UUID' }]);
    const limiet = Number(q.limiet ?? 50);
    const after = q.volgende ? Number(q.volgende) : Infinity;
    const all = select(q).filter((r) => r.id < after);
    const page = all.slice(0, limiet);
    res.json({ resultaten: page, volgende: all.length > limiet ? String(page.at(-1)!.id) : null });
  });

  app.get('/v1/logboek/export', (req, res) => {
    const q = req.query as Record<string, string>;
    const rows = select(q);
    const date = new Date().toISOString().slice(0, 10);
    if (q.formaat === 'csv') {
      const cols = ['id', 'tijdstip', 'actie', 'partij', 'trajectIds', 'berichttype', 'doel', 'besluit', 'regel', 'hash'] as const;
      const cell = (v: unknown) => `"${String(Array.isArray(v) ? v.join(' ') : (v ?? '')).replace(/"/g, '""')}"`;
      res.setHeader('Content-Disposition', `attachment; filename="logboek-${date}.csv"`);
      res.type('text/csv').send([cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n');
    } else if (q.formaat === 'jsonl') {
      res.setHeader('Content-Disposition', `attachment; filename="logboek-${date}.jsonl"`);
      res.type('application/jsonl').send(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    } else problem(res, 400, 'formaat', [{ name: 'formaat', reason: 'csv of jsonl' }]);
  });

  function verify(all: AuditRecord[]) {
    let prev = GENESIS_HASH;
    for (const r of all) {
      const { hash, ...rest } = r;
      if (r.vorigeHash !== prev || hashRecord(rest) !== hash) return { geldig: false, eersteFout: { id: r.id, reden: 'hash klopt niet' } };
      prev = hash;
    }
    return { geldig: true, eersteFout: null };
  }

  app.get('/v1/logboek/verificatie', (_req, res) => {
    const all = records();
    const v = verify(all);
    const last = all.at(-1);
    res.json({
      ...v,
      aantal: all.length,
      laatsteHash: last?.hash ?? GENESIS_HASH,
      controlepunt: last ? { id: 1, aantal: all.length, laatsteHash: last.hash, tijdstip: last.tijdstip, jws: 'eyJhbGciOiJFUzI1NiJ9.c3RhbmQtaW4.c3RhbmQtaW4' } : null,
    });
  });

  app.get('/v1/logboek/overzicht', (req, res) => {
    const q = req.query as Record<string, string>;
    const rows = new Map<string, { week: string; partij: string; doel: string | null; actie: string; gelezen: number; geweigerd: number; invoerfouten: number }>();
    for (const r of select(q)) {
      if (!r.partij) continue;
      const week = isoWeek(r.tijdstip);
      const key = `${week}|${r.partij}|${r.doel}|${r.actie}`;
      const row = rows.get(key) ?? { week, partij: r.partij, doel: r.doel, actie: r.actie, gelezen: 0, geweigerd: 0, invoerfouten: 0 };
      if (r.besluit === 'geweigerd' && [400, 409, 413, 415, 431].includes(r.status)) row.invoerfouten++;
      else if (r.besluit === 'geweigerd') row.geweigerd++;
      else if (r.actie.endsWith('-lezen')) row.gelezen++;
      rows.set(key, row);
    }
    res.json({ weken: [...rows.values()] });
  });

  app.get('/v1/logboek/:id', (req, res) => {
    const all = records();
    const i = all.findIndex((r) => String(r.id) === req.params.id);
    if (i < 0) return problem(res, 404, 'niet gevonden');
    const r = all[i]!;
    const { hash, ...rest } = r;
    res.json({ ...r, keten: { positie: i + 1, vorigeHash: r.vorigeHash, hash, geldig: hashRecord(rest) === hash && r.vorigeHash === (all[i - 1]?.hash ?? GENESIS_HASH) } });
  });

  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    failNext: (status) => void failures.push(status),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
