/**
 * The deliverer (bezorger): owns getting the outbox (`uitgaand`) to the subscribers' URLs.
 *
 * Guarantees:
 * - At least once, in order per subscription: only the OLDEST waiting event of a subscription may go
 *   out; while it is being retried the later ones wait. An event is marked delivered only after a 2xx,
 *   in a transaction after the attempt — a replica dying between the two delivers it again (same
 *   event `id` and `webhook-id`: the receiver dedupes).
 * - One replica per subscription at a time: a lease row in the shared state (`putIfAbsent` with an
 *   expiry longer than an attempt), released after the round; a dead replica's lease just expires.
 * - Every attempt: `checkDoeladres` (https only in production; private, loopback and link-local
 *   targets refused unless allow-listed) and the connection made through `guardedLookup`, a timeout,
 *   no redirects followed (a 3xx is a failure), signed as Standard Webhooks, body a content-free
 *   CloudEvent. Failures are retried with `retryDelay`; after the schedule (or a 410) the
 *   subscription is paused until its party resumes it.
 * - The party must still stand in relation to the trajectory when the event goes out; otherwise the
 *   event lapses (`vervallen`) instead of being sent.
 * - Each attempt is recorded: an `afleveringen` row (time, status, latency, error — never a payload)
 *   and a logboek record (`melding-afleveren`: a disclosure of metadata under its doel).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { AuditInput } from '../audit/record.js';
import { checkDoeladres, classifyResponse, CLOUDEVENTS_CONTENT_TYPE, guardedLookup, retryDelay, signHeaders, type DoeladresOpties } from '../meldingen/index.js';
import { grondslagText, type PolicyEngine } from '../policy/engine.js';
import type { AbonnementRow, UitgaandRow } from '../store/signaal-store.js';
import type { Store, Tx } from '../store/store.js';

export interface BezorgerOpties {
  policy: PolicyEngine;
  /** `versie+hash` of the policy set, as the logboek records it. */
  beleidsversie: string;
  logger: Logger;
  now: () => Date;
  datum: (d: Date) => string;
  intervalMs: number;
  timeoutMs: number;
  doeladres: DoeladresOpties;
}

export interface Bezorger {
  /** Start a round soon (after a commit that wrote events). */
  wek(): void;
  /** Run one round now; resolves when it is done. */
  ronde(): Promise<void>;
  stop(): Promise<void>;
}

interface Poging {
  statuscode: number | null;
  duurMs: number;
  fout: string | null;
}

/** One POST: no redirects (node's http never follows them), a timeout over the whole attempt, the guarded lookup. */
function post(url: URL, body: string, headers: Record<string, string>, timeoutMs: number, opties: DoeladresOpties): Promise<Poging> {
  const start = performance.now();
  const duur = () => Math.round(performance.now() - start);
  return new Promise((resolve) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: 'POST', agent: false, lookup: guardedLookup(opties) as never, signal: AbortSignal.timeout(timeoutMs),
      headers: { ...headers, 'content-type': CLOUDEVENTS_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Doelpoort-meldingen/1' },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ statuscode: res.statusCode ?? null, duurMs: duur(), fout: null }));
      res.on('error', () => resolve({ statuscode: res.statusCode ?? null, duurMs: duur(), fout: 'antwoord afgebroken' }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const fout = e.name === 'AbortError' || e.name === 'TimeoutError' ? `geen antwoord binnen ${timeoutMs} ms`
        : e.code === 'EDOELADRES' ? 'doeladres geweigerd' : `verbinding mislukt (${e.code ?? 'fout'})`;
      resolve({ statuscode: null, duurMs: duur(), fout });
    });
    req.end(body);
  });
}

export function startBezorger(store: Store, o: BezorgerOpties): Bezorger {
  const replica = crypto.randomUUID();
  const leaseMs = o.timeoutMs * 3 + 5000;
  let gestopt = false;
  let lopend: Promise<void> | null = null;
  let nogEens = false;

  function auditInput(ab: AbonnementRow, u: UitgaandRow, event: { type: string; data: Record<string, string> }, p: Poging, besluit: 'toegestaan', begin: string): AuditInput {
    const doel = o.policy.doel(u.doel);
    const bericht = typeof event.data.berichtId === 'string';
    return {
      // A delivery is its own trace (no caller's span); it began before the POST and ends as it is recorded.
      starttijdstip: begin, tijdstip: o.now().toISOString(), traceId: crypto.randomBytes(16).toString('hex'), spanId: crypto.randomBytes(8).toString('hex'), parentSpanId: null,
      actie: 'melding-afleveren', partij: ab.partij, client: null, trajectIds: [u.trajectId],
      berichttype: bericht ? event.data.berichttype! : null, berichtIds: bericht ? [event.data.berichtId!] : [],
      doel: doel?.id ?? null, verwerkingsactiviteit: doel?.uri ?? null, grondslag: doel ? grondslagText(doel) : null,
      besluit, regel: 'melding-abonnement',
      reden: `Melding ${event.type} (${bericht ? event.data.berichttype : event.data.soort}) ${p.statuscode !== null && p.statuscode >= 200 && p.statuscode < 300 ? 'afgeleverd' : `niet afgeleverd (${p.fout ?? `status ${p.statuscode}`})`} aan het abonnement ${ab.abonnementId}; alleen ids en het soort, geen inhoud.`,
      velden: ['/type', '/subject', '/data'], gegevenscategorieen: [], status: p.statuscode ?? 504, beleidsversie: o.beleidsversie,
    };
  }

  /**
   * The subscription's next due event, in `tx`: null when it is not active or nothing is due. Events
   * whose party no longer stands in relation to the trajectory lapse (`vervallen`) on the way.
   */
  async function volgendWerk(tx: Tx, abonnementId: string): Promise<{ ab: AbonnementRow; u: UitgaandRow } | null> {
    for (let i = 0; i < 1000; i++) {
      const moment = o.now();
      const ab = await tx.abonnement(abonnementId);
      if (!ab || ab.status !== 'actief') return null;
      const u = await tx.volgendeUitgaand(abonnementId);
      if (!u || u.volgendePogingOp > moment.toISOString()) return null;
      const relatie = await tx.relatie(u.trajectId, ab.partij, o.datum(moment));
      if (relatie && (relatie.eigenaar || relatie.toewijzingen.length > 0)) return { ab, u };
      await tx.werkUitgaandBij(u.volgnummer, { status: 'vervallen', pogingen: u.pogingen, volgendePogingOp: u.volgendePogingOp, afgeleverdOp: null });
    }
    return null;
  }

  /**
   * Deliver a subscription's due events in order until one fails or none is due. One unit of work
   * per event: the transaction that records an attempt also looks up the next due event.
   */
  async function bezorgAbonnement(abonnementId: string): Promise<void> {
    if (!(await store.shared.putIfAbsent('bezorging', abonnementId, replica, Date.now() + leaseMs))) return; // another replica has it
    try {
      let werk = await store.transaction((tx) => volgendWerk(tx, abonnementId));
      for (let i = 0; i < 1000 && werk && !gestopt; i++) {
        const { ab, u } = werk;
        const event = JSON.parse(u.event) as { id: string; type: string; data: Record<string, string> };
        const begin = o.now().toISOString();
        const oordeel = await checkDoeladres(ab.url, o.doeladres);
        let poging: Poging;
        if (!oordeel.ok) poging = { statuscode: null, duurMs: 0, fout: `doeladres geweigerd: ${oordeel.reden}` };
        else poging = await post(oordeel.url, u.event, { ...signHeaders(ab.geheim, event.id, Math.floor(Date.now() / 1000), u.event) }, o.timeoutMs, o.doeladres);
        const uitkomst = classifyResponse(poging.statuscode);
        const na = o.now().toISOString();
        const pogingen = u.pogingen + 1;
        const vertraging = uitkomst === 'opnieuw' ? retryDelay(pogingen, Math.random()) : null;
        const pauzeren = uitkomst === 'pauzeren' || (uitkomst === 'opnieuw' && vertraging === null);
        werk = await store.transaction(async (tx) => {
          await tx.insertAflevering({ abonnementId, eventId: event.id, tijdstip: na, statuscode: poging.statuscode, duurMs: poging.duurMs, fout: poging.fout });
          await tx.werkUitgaandBij(u.volgnummer, uitkomst === 'afgeleverd'
            ? { status: 'afgeleverd', pogingen, volgendePogingOp: u.volgendePogingOp, afgeleverdOp: na }
            : { status: 'wachtend', pogingen, volgendePogingOp: vertraging === null ? na : new Date(Date.parse(na) + vertraging).toISOString(), afgeleverdOp: null });
          if (pauzeren) await tx.zetAbonnementStatus(abonnementId, 'gepauzeerd', na);
          await tx.appendAudit(auditInput(ab, u, event, poging, 'toegestaan', begin));
          return uitkomst === 'afgeleverd' && !gestopt ? volgendWerk(tx, abonnementId) : null;
        });
      }
    } finally {
      await store.shared.delete('bezorging', abonnementId).catch(() => undefined);
    }
  }

  async function ronde(): Promise<void> {
    const nu = o.now().toISOString();
    const ids = await store.transaction((tx) => tx.abonnementenMetWerk(nu, 100));
    await Promise.all(ids.map((id) => bezorgAbonnement(id).catch((err: unknown) => o.logger.warn({ reason: (err as Error).message, abonnementId: id }, 'delivery round for a subscription failed'))));
  }

  const run = (): Promise<void> => {
    if (lopend) {
      nogEens = true;
      return lopend;
    }
    lopend = (async () => {
      do {
        nogEens = false;
        // One line without a stack: while the database is down every round says this.
        await ronde().catch((err: unknown) => o.logger.warn({ reason: (err as Error).message }, 'delivery round failed; the next one tries again'));
      } while (nogEens && !gestopt);
    })().finally(() => {
      lopend = null;
    });
    return lopend;
  };
  const timer = o.intervalMs > 0 ? setInterval(() => void run(), o.intervalMs) : null;
  timer?.unref();

  return {
    wek() {
      if (!gestopt) void run();
    },
    ronde: () => run(),
    async stop() {
      gestopt = true;
      if (timer) clearInterval(timer);
      await lopend?.catch(() => undefined);
    },
  };
}
