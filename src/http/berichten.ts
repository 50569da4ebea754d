/**
 * Routes for messages — the heart of the gateway, each handler walking the one pipeline:
 * authenticate → identify → validate → decide → minimise → commit (data + audit, one transaction) → answer.
 *
 * - `POST /v1/berichten`: a provider publishes (idempotent on sender + `berichtId`).
 * - `GET /v1/berichten?doel=&trajectId=&berichttype=&volgende=`: the caller's feed, oldest first.
 * - `GET /v1/berichten/{berichtId}?doel=`: one message.
 *
 * A message whose content was removed (retention or erasure, issue 13) is a tombstone: by id it
 * answers 410 with when and why (after the same relation and doel checks as any read); in a list it
 * appears without content with `verwijderd` — unless the reader's rule decides per message, which
 * cannot be decided without the content (then it is left out).
 */
import { Router, type Request } from 'express';
import { grafsteen, verwijderdTekst } from '../bewaring/grafsteen.js';
import { disclosedFields, minimaliseer, type Json } from '../policy/project.js';
import { GEEN_RELATIE, type Besluit, type Doel, type Relatie } from '../policy/types.js';
import type { BerichtRow, LeesTx, ToestemmingRow } from '../store/store.js';
import { versieSleutel, type BerichtVersieRow } from '../store/versie-store.js';
import { categorieenVanVelden } from '../audit/categorieen.js';
import { attempt, auditedRead, authenticate, decimalInt, readJsonBody, UUID, uuidFromPath, type Actor, type Poging } from './attempt.js';
import { intrekkingHandler } from './intrekking.js';
import { publiceer, receipt } from './publicatie.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';

const PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;

function kop(row: BerichtRow) {
  return {
    berichtId: row.berichtId,
    berichttype: row.berichttype,
    schemaversie: row.schemaversie,
    trajectId: row.trajectId,
    afzender: row.afzender,
    gebeurtenisTijdstip: row.gebeurtenisTijdstip,
    ontvangenOp: row.ontvangenOp,
  };
}

/** Which version a read shows (issue 11): always `versie`, and what replaced, was replaced or withdrew it. */
function versieVelden(v: BerichtVersieRow | undefined) {
  return {
    versie: v?.versie ?? 1,
    ...(v?.vervangt ? { vervangt: v.vervangt } : {}),
    ...(v?.vervangenDoor ? { vervangenDoor: v.vervangenDoor } : {}),
    ...(v?.ingetrokkenOp ? { ingetrokken: { op: v.ingetrokkenOp, reden: v.intrekkingReden } } : {}),
  };
}

function messageView(s: Services, row: BerichtRow, besluit: Pick<Besluit, 'partijdeel'> & { projectie: readonly string[] }, versie?: BerichtVersieRow) {
  const { projectie } = besluit;
  if (row.verwijderdOp) {
    // Content removed (retention or erasure): what is left is the tombstone — no content, no fields.
    return { view: { ...kop(row), ...versieVelden(versie), inhoud: null, verwijderd: grafsteen(row, s.policy.set.wisredenen) }, velden: [] as string[] };
  }
  if (versie?.ingetrokkenOp) {
    // Withdrawn: the read says that, when and why — and discloses no content.
    return { view: { ...kop(row), ...versieVelden(versie), inhoud: null }, velden: [] as string[] };
  }
  const parsed = JSON.parse(row.inhoud) as Json;
  // The parsed value belongs to this request alone, so the whole-message projection needs no copy of it.
  // The per-party projection (a rule's `partijdeel`) then keeps only the reader's own part of a list.
  const inhoud = minimaliseer(parsed, besluit);
  return {
    view: { ...kop(row), ...versieVelden(versie), inhoud: inhoud as Json | null },
    velden: disclosedFields(inhoud, projectie).map((v) => `/inhoud${v}`),
  };
}

/** The version rows of a page of messages, by `versieSleutel` (one query per sender on the page). */
async function versiesVan(tx: Pick<LeesTx, 'berichtVersies'>, rows: readonly BerichtRow[]): Promise<Map<string, BerichtVersieRow>> {
  const perAfzender = new Map<string, string[]>();
  for (const r of rows) perAfzender.set(r.afzender, [...(perAfzender.get(r.afzender) ?? []), r.berichtId]);
  const uit = new Map<string, BerichtVersieRow>();
  for (const [afzender, ids] of perAfzender) for (const v of await tx.berichtVersies(afzender, ids)) uit.set(versieSleutel(v.afzender, v.berichtId), v);
  return uit;
}

/** Cursor: opaque to clients, the last sequence number they saw. */
export function encodeCursor(volgnummer: number): string {
  return Buffer.from(`v1:${volgnummer}`).toString('base64url');
}
export function decodeCursor(cursor: string): number | null {
  const m = /^v1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

/** Step 3 for reads: `doel` is required and must be in the register. */
export function requireDoel(req: Request, s: Services, p: Poging): Doel {
  const doelId = req.query.doel;
  if (typeof doelId !== 'string' || doelId === '') {
    throw new HttpProblem('ongeldige-parameter', 'Elke leesvraag noemt het doel (doelbinding): ?doel=…', {
      regel: 'doel-ontbreekt', invalidParams: [{ name: 'doel', code: 'required', reason: 'is verplicht' }],
    });
  }
  const doel = s.policy.doel(doelId);
  if (!doel) {
    // The detail becomes the record's reden: the value is named only when it has the form of an id.
    const genoemd = /^[a-z0-9-]{1,64}$/.test(doelId) ? `"${doelId}"` : `(ongeldig, ${[...doelId].length} tekens)`;
    throw new HttpProblem('ongeldige-parameter', `Onbekend doel ${genoemd}; zie /v1/verwerkingsactiviteiten.`, {
      regel: 'doel-onbekend', invalidParams: [{ name: 'doel', code: 'enum', reason: `moet een van ${s.policy.set.doelen.map((d) => d.id).join(', ')} zijn` }],
    });
  }
  p.doel = doel;
  return doel;
}

/**
 * Step 4 for reads: the policy decision per message. For a consent-based doel the participant's
 * consent records are read in THIS snapshot (once per trajectory), so a withdrawal committed before
 * the read began counts at once; consent is only looked up for a trajectory the caller has a relation with.
 */
export function readDecider(s: Services, tx: Pick<LeesTx, 'toestemmingen'>, actor: Actor, doel: Doel) {
  const now = s.now();
  const moment = { tijdstip: now.toISOString(), datum: dutchDate(now) };
  const consent = new Map<string, Promise<ToestemmingRow[]>>();
  /**
   * `inhoud`: the stored content of the one message decided on; a rule with a per-message condition
   * (`berichtvoorwaarde`) needs it. Without it the question is about the type: with `typeniveau`
   * (the feed's up-front check) such a rule counts as allowing, otherwise it does not.
   */
  return async (berichttype: string, trajectId: string, relatie: Relatie, inhoud?: string, typeniveau = false): Promise<Besluit> => {
    let toestemmingen: ToestemmingRow[] | undefined;
    if (doel.toestemmingVereist && (relatie.eigenaar || relatie.toewijzingen.length > 0)) {
      let rows = consent.get(trajectId);
      if (!rows) consent.set(trajectId, (rows = tx.toestemmingen(trajectId, { ontvanger: actor.partij.id, doel: doel.id })));
      toestemmingen = await rows;
    }
    const bericht = inhoud !== undefined && s.policy.perBericht(actor.partij.rol, doel.id, berichttype) ? (JSON.parse(inhoud) as unknown) : undefined;
    return s.policy.decide({ partij: actor.partij, actie: 'lezen', berichttype, doel: doel.id, relatie, toestemmingen, moment, bericht, typeniveau });
  };
}

/** The audit reason of an allowed read names the consent it relied on, if any. */
export function redenMetToestemming(reden: string, toestemmingIds: Iterable<string>): string {
  const ids = [...toestemmingIds];
  return ids.length ? `${reden} (op grond van toestemming ${ids.join(', ')})` : reden;
}

export function berichtenRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });

  router.post('/berichten', attempt(s, 'bericht-publiceren', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1 authenticate, 2 identify
    const body = await readJsonBody(req, res, s);
    const { status, row } = await publiceer(s, actor, p, body); // 3–6, the one pipeline (publicatie.ts)
    res.status(status).location(`/v1/berichten/${row.berichtId}`).json(receipt(row)); // 7 answer
  }));

  router.post('/berichten/:berichtId/intrekking', intrekkingHandler(s));

  router.get('/berichten', attempt(s, 'berichten-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    // 3 validate the query
    const doel = requireDoel(req, s, p);
    const { trajectId, berichttype, volgende, limiet } = req.query;
    const invalid = [];
    if (trajectId !== undefined && (typeof trajectId !== 'string' || !UUID.test(trajectId))) invalid.push({ name: 'trajectId', code: 'format', reason: 'moet een UUID zijn' });
    if (berichttype !== undefined && (typeof berichttype !== 'string' || !s.schemas.schema(berichttype))) {
      invalid.push({ name: 'berichttype', code: 'enum', reason: `moet een van ${s.schemas.berichttypen.join(', ')} zijn` });
    }
    const na = volgende === undefined ? 0 : typeof volgende === 'string' ? decodeCursor(volgende) : null;
    if (na === null) invalid.push({ name: 'volgende', code: 'format', reason: 'is geen cursor die deze gateway uitgaf' });
    const limit = limiet === undefined ? PAGE_SIZE : decimalInt(limiet);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) invalid.push({ name: 'limiet', code: 'range', reason: `moet een geheel getal van 1 tot ${MAX_PAGE_SIZE} zijn` });
    if (invalid.length) throw new HttpProblem('ongeldige-parameter', 'Een of meer queryparameters zijn ongeldig; zie invalidParams.', { regel: 'invoer-ongeldig', invalidParams: invalid });
    if (typeof trajectId === 'string') p.trajectIds = [trajectId];
    if (typeof berichttype === 'string') p.berichttype = berichttype;

    // 4 decide which types this role may read for this doel at all.
    const readable = s.policy.leesbareTypen(actor.partij.rol, doel.id);
    if (readable.length === 0) {
      throw new HttpProblem('geen-toegang', `Geen regel staat een ${actor.partij.rol} toe om te lezen voor doel ${doel.id}.`, { regel: 'standaard-weigeren' });
    }
    const typen = typeof berichttype === 'string' ? readable.filter((t) => t === berichttype) : readable;
    const vandaag = dutchDate(s.now());

    // 4–5 in one snapshot (relations, consent, messages, versions); 6 its record; 7 after the commit.
    type Pagina = { geweigerd: Besluit } | { geweigerd?: undefined; resultaten: ReturnType<typeof messageView>['view'][]; volgende: string | null };
    const result = await auditedRead<Pagina>(s, p, async (tx) => {
      const decideRead = readDecider(s, tx, actor, doel);
      const relaties = new Map<string, Relatie>();
      const relatieVan = async (id: string) => {
        let r = relaties.get(id);
        if (!r) relaties.set(id, (r = (await tx.relatie(id, actor.partij.id, vandaag)) ?? GEEN_RELATIE));
        return r;
      };
      if (typeof trajectId === 'string') {
        // For one trajectory: refuse outright when no type is readable on it (e.g. no relation, no consent).
        const relatie = await relatieVan(trajectId);
        const besluiten = await Promise.all(readable.map((t) => decideRead(t, trajectId, relatie, undefined, true)));
        if (!besluiten.some((b) => b.toegestaan)) {
          const besluit = besluiten.find((b) => b.regel !== 'standaard-weigeren') ?? besluiten[0]!;
          return { uitkomst: { besluit: 'geweigerd' as const, regel: besluit.regel, reden: besluit.reden, status: 403 }, waarde: { geweigerd: besluit } };
        }
      }
      const resultaten: ReturnType<typeof messageView>['view'][] = [];
      const velden = new Set<string>();
      const categorieen = new Set<string>();
      const trajecten = new Set<string>();
      const regels = new Set<string>();
      const grondslagen = new Set<string>();
      const toestemmingen = new Set<string>();
      let verwijderd = 0;
      // Page through candidate rows after the cursor until the page is full or the feed is exhausted.
      let cursor = na!;
      while (resultaten.length < limit && typen.length) {
        const want = limit - resultaten.length;
        const rows = await tx.berichten({ partij: actor.partij.id, vandaag, berichttypen: typen, trajectId: trajectId as string | undefined, na: cursor, limit: want });
        // Only the latest version counts in a list: replaced and withdrawn messages are left out (issue 11).
        const versies = await versiesVan(tx, rows);
        for (const row of rows) {
          cursor = row.volgnummer;
          const versie = versies.get(versieSleutel(row.afzender, row.berichtId));
          if (versie && (versie.vervangenDoor || versie.ingetrokkenOp)) continue;
          // A tombstone is decided without content: a rule that decides per message then does not allow it.
          const besluit = await decideRead(row.berichttype, row.trajectId, await relatieVan(row.trajectId), row.verwijderdOp ? undefined : row.inhoud); // 4 decide per message
          if (!besluit.toegestaan || !besluit.projectie) continue;
          const { view, velden: v } = messageView(s, row, { projectie: besluit.projectie, partijdeel: besluit.partijdeel }, versie); // 5 minimise
          if (row.verwijderdOp) verwijderd += 1;
          resultaten.push(view);
          v.forEach((f) => velden.add(f));
          // The categories per message, by its own type: a feed over several types stays exact.
          categorieenVanVelden(s.policy.set.gegevenscategorieen, [row.berichttype], v).forEach((c) => categorieen.add(c));
          trajecten.add(row.trajectId);
          regels.add(besluit.regel);
          if (besluit.grondslag) grondslagen.add(besluit.grondslag);
          besluit.toestemmingIds.forEach((id) => toestemmingen.add(id));
        }
        if (rows.length < want) break;
      }
      p.berichtIds = resultaten.map((r) => r.berichtId);
      if (typeof trajectId !== 'string') p.trajectIds = [...trajecten];
      return {
        uitkomst: {
          besluit: 'toegestaan' as const, regel: [...regels].join(',') || 'geen-resultaten', status: 200,
          reden: resultaten.length
            ? redenMetToestemming(`${resultaten.length} bericht(en) verstrekt voor doel ${doel.id}${verwijderd ? `, waarvan ${verwijderd} zonder inhoud (verwijderd: alleen de kenmerken)` : ''}.`, toestemmingen)
            : 'Geen berichten om te verstrekken.',
          grondslag: [...grondslagen].join(' | ') || null, velden: [...velden].sort(), gegevenscategorieen: [...categorieen],
        },
        // The cursor always points after the last message considered, so a client can keep it and ask
        // "what is new since" later; it is null only when the feed was empty and no cursor was given.
        waarde: { resultaten, volgende: cursor > 0 ? encodeCursor(cursor) : null },
      };
    });
    if (result.geweigerd) throw new HttpProblem('geen-toegang', result.geweigerd.reden, { regel: result.geweigerd.regel });
    res.json({ resultaten: result.resultaten, volgende: result.volgende }); // 7 answer
  }));

  router.get('/berichten/:berichtId', attempt(s, 'bericht-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const doel = requireDoel(req, s, p);
    const berichtId = uuidFromPath(req, 'berichtId');
    p.berichtIds = [berichtId];
    const vandaag = dutchDate(s.now());
    type Antwoord = { status: 404; besluit: null; view: null } | { status: 403; besluit: Besluit; view: null }
      | { status: 410; besluit: Besluit; view: null; verwijderd: { tekst: string; g: ReturnType<typeof grafsteen> } }
      | { status: 200; besluit: Besluit; view: ReturnType<typeof messageView>['view'] };
    const result = await auditedRead<Antwoord>(s, p, async (tx) => {
      // berichtId is unique per sender: of the messages with this id, the caller gets its own if it
      // sent one, else the oldest one on a trajectory it stands in relation to (docs/storage.md).
      let row: BerichtRow | undefined;
      let relatie: Relatie = GEEN_RELATIE;
      const kandidaten = await tx.berichtenMetId(berichtId);
      kandidaten.sort((a, b) => Number(b.afzender === actor.partij.id) - Number(a.afzender === actor.partij.id) || a.volgnummer - b.volgnummer);
      for (const kandidaat of kandidaten) {
        const r = (await tx.relatie(kandidaat.trajectId, actor.partij.id, vandaag)) ?? GEEN_RELATIE;
        if (r.eigenaar || r.toewijzingen.length > 0) {
          row = kandidaat;
          relatie = r;
          break;
        }
      }
      if (!row) {
        // Unknown and not-yours look the same: no existence oracle.
        return {
          uitkomst: { besluit: 'geweigerd' as const, regel: 'geen-relatie', reden: 'Bericht niet gevonden of geen relatie met het traject.', status: 404 },
          waarde: { status: 404 as const, besluit: null, view: null },
        };
      }
      p.trajectIds = [row.trajectId];
      p.berichttype = row.berichttype;
      // A tombstone is decided on its type (its content, which a per-message rule needs, is gone): the
      // reader already holds the id, and learns only that and why the content was removed.
      const besluit = row.verwijderdOp
        ? await readDecider(s, tx, actor, doel)(row.berichttype, row.trajectId, relatie, undefined, true)
        : await readDecider(s, tx, actor, doel)(row.berichttype, row.trajectId, relatie, row.inhoud);
      if (!besluit.toegestaan || !besluit.projectie) {
        return { uitkomst: { besluit: 'geweigerd' as const, regel: besluit.regel, reden: besluit.reden, status: 403 }, waarde: { status: 403 as const, besluit, view: null } };
      }
      if (row.verwijderdOp) {
        const g = grafsteen(row, s.policy.set.wisredenen);
        const tekst = verwijderdTekst(row.berichtId, g);
        return {
          uitkomst: { besluit: 'geweigerd' as const, regel: 'bericht-verwijderd', reden: tekst, status: 410, grondslag: besluit.grondslag },
          waarde: { status: 410 as const, besluit, view: null, verwijderd: { tekst, g } },
        };
      }
      const [versie] = await tx.berichtVersies(row.afzender, [row.berichtId]);
      const { view, velden } = messageView(s, row, { projectie: besluit.projectie, partijdeel: besluit.partijdeel }, versie);
      return {
        uitkomst: { besluit: 'toegestaan' as const, regel: besluit.regel, reden: redenMetToestemming(besluit.reden, besluit.toestemmingIds), status: 200, grondslag: besluit.grondslag, velden },
        waarde: { status: 200 as const, besluit, view },
      };
    });
    if (result.status === 404) throw new HttpProblem('niet-gevonden', 'Geen bericht met dit id dat u mag zien.');
    if (result.status === 410) throw new HttpProblem('verwijderd', result.verwijderd.tekst, { regel: 'bericht-verwijderd', verwijderd: result.verwijderd.g });
    if (result.status === 403 || !result.view) throw new HttpProblem('geen-toegang', result.besluit!.reden, { regel: result.besluit!.regel });
    res.json(result.view);
  }));

  return router;
}
