/**
 * Routes for the trajectory list and a trajectory's current state, each walking the one pipeline
 * (authenticate → identify → validate → decide → minimise → commit the audit record → answer):
 *
 * - `GET /v1/trajecten?doel=&status=&volgende=&limiet=`: the trajectories the caller owns (gemeente)
 *   or is actively assigned to (provider), each with a short state summary projected by the doel.
 * - `GET /v1/trajecten/{trajectId}/stand?doel=`: route and assignments, the stored state projected by
 *   the categories the doel may read on this trajectory (`projectStand`), and the open signals the
 *   reader may see (`mayReadSignaal`).
 *
 * What a doel may read of the state is decided by the same policy as reading the messages it is
 * derived from (`standLeesbaar`): a part of the state is disclosed only when the doel processes its
 * category AND the rule that lets the caller read the part's message type discloses every field the
 * part is derived from (consent narrowing included). So `handhaving` gets attendance only, and a
 * consent-based doel gets only what was consented to.
 */
import { Router } from 'express';
import { covers } from '../policy/pointers.js';
import { GEEN_RELATIE, type Doel, type Relatie } from '../policy/types.js';
import { mayReadSignaal, type Signaal, type Signaalregel } from '../signalen/index.js';
import { emptyStand, projectStand, STAND_CATEGORIEEN, type ProjectedStand, type Stand } from '../stand/index.js';
import type { LeesTx } from '../store/store.js';
import { attempt, auditedRead, authenticate, decimalInt, trajectIdFromPath, type Actor } from './attempt.js';
import { readDecider, redenMetToestemming, requireDoel } from './berichten.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';
import { trajectView } from './trajecten.js';

const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

export interface StandBesluit {
  /** The data categories of the state this reader may see on this trajectory. */
  categorieen: string[];
  regels: string[];
  grondslagen: string[];
  toestemmingIds: string[];
  /**
   * The rule's fields of `taalvoortgang` when it discloses only some of those the language part is
   * derived from (e.g. `bemiddeling`: leerroute and niveaus): the part is then cut to those fields.
   */
  taalVelden: readonly string[] | null;
  /** Why not, when no part is readable. */
  weigering: { regel: string; reden: string } | null;
}

/** Decide which categories of a trajectory's state a caller may read for a doel (per message type, like a read). */
export async function standLeesbaar(s: Services, tx: Pick<LeesTx, 'toestemmingen'>, actor: Actor, doel: Doel, trajectId: string, relatie: Relatie): Promise<StandBesluit> {
  const decide = readDecider(s, tx, actor, doel);
  const typen = s.policy.leesbareTypen(actor.partij.rol, doel.id);
  const besluiten = new Map(await Promise.all(typen.map(async (t) => [t, await decide(t, trajectId, relatie)] as const)));
  const categorieen = new Set<string>();
  const regels = new Set<string>();
  const grondslagen = new Set<string>();
  const toestemmingIds = new Set<string>();
  let taalVelden: readonly string[] | null = null;
  for (const [naam, deel] of Object.entries(STAND_CATEGORIEEN)) {
    const b = besluiten.get(deel.berichttype);
    if (!b?.toegestaan || !b.projectie || !doel.gegevenscategorieen.includes(deel.categorie)) continue;
    const gedekt = deel.velden.filter((v) => covers(b.projectie!, v));
    // The language part can be cut field by field (projectTaal); every other part needs all its fields.
    if (naam === 'taal' ? gedekt.length === 0 : gedekt.length < deel.velden.length) continue;
    if (naam === 'taal' && gedekt.length < deel.velden.length) taalVelden = gedekt;
    categorieen.add(deel.categorie);
    regels.add(b.regel);
    if (b.grondslag) grondslagen.add(b.grondslag);
    b.toestemmingIds.forEach((id) => toestemmingIds.add(id));
  }
  const eerste = [...besluiten.values()].find((b) => !b.toegestaan && b.regel !== 'standaard-weigeren') ?? [...besluiten.values()][0];
  return {
    categorieen: [...categorieen], regels: [...regels], grondslagen: [...grondslagen], toestemmingIds: [...toestemmingIds], taalVelden,
    weigering: categorieen.size ? null : { regel: eerste?.regel ?? 'standaard-weigeren', reden: eerste?.reden ?? `Geen regel staat een ${actor.partij.rol} toe om te lezen voor doel ${doel.id}.` },
  };
}

/** The state as this reader may see it: `projectStand` by category, the language part cut to the rule's fields. */
export function projecteer(stand: Stand, besluit: StandBesluit): ProjectedStand {
  const out = projectStand(stand, besluit.categorieen);
  const velden = besluit.taalVelden;
  if (out.taal && velden) {
    const taal = out.taal;
    const heeft = (v: string) => velden.includes(v);
    out.taal = {
      ...taal,
      leerroute: heeft('/leerroute') ? taal.leerroute : null,
      niveaus: heeft('/niveaus') ? taal.niveaus : {},
      streefniveaus: heeft('/streefniveaus') ? taal.streefniveaus : {},
      verwachteEinddatum: heeft('/verwachteEinddatum') ? taal.verwachteEinddatum : null,
    };
    if (!heeft('/mijlpaal')) delete out.mijlpalen;
  }
  return out;
}

/** A signal as the API shows it: ids, kind, dates and the kind's own codes — nothing of the messages' content. */
export function signaalView(x: Signaal) {
  return {
    signaalId: x.signaalId, soort: x.soort, trajectId: x.trajectId, ...(x.aanbieder ? { aanbieder: x.aanbieder } : {}), status: x.status,
    geopendOp: x.geopendOp, bijgewerktOp: x.bijgewerktOp, berichtIds: x.berichtIds, codes: x.codes,
    ...(x.afgehandeldOp ? { afgehandeldOp: x.afgehandeldOp, uitkomst: x.uitkomst } : {}),
  };
}

/** The signals among `signalen` this reader may see (deny by default: a kind without a rule is never shown). */
export function leesbareSignalen(regels: readonly Signaalregel[], signalen: readonly Signaal[], actor: Actor, doel: Doel, relatie: Relatie): Signaal[] {
  const perSoort = new Map(regels.map((r) => [r.id, r]));
  return signalen.filter((x) => {
    const regel = perSoort.get(x.soort);
    return regel !== undefined && mayReadSignaal(regel, x, { partij: actor.partij.id, eigenaar: relatie.eigenaar, toewijzingen: relatie.toewijzingen, doel: doel.id });
  });
}

/** The data categories that signals disclose: each one's rule names them (policies/signalen.json). */
export function signaalCategorieen(regels: readonly Signaalregel[], signalen: readonly Pick<Signaal, 'soort'>[]): string[] {
  const perSoort = new Map(regels.map((r) => [r.id as string, r]));
  return [...new Set(signalen.flatMap((x) => perSoort.get(x.soort)?.gegevenscategorieen ?? []))];
}

/** The audit fields of a projected state: one pointer per part disclosed. */
function standVelden(p: ProjectedStand): string[] {
  return Object.keys(p).filter((k) => k !== 'versie' && (k !== 'aanbieders' || Object.keys(p.aanbieders).length > 0)).map((k) => `/stand/${k}`);
}

/** A few figures of a projected state for the list: levels, attendance rates, running placements. */
function samenvatting(p: ProjectedStand, openSignalen: number) {
  return {
    ...(p.taal ? { niveaus: Object.fromEntries(Object.entries(p.taal.niveaus).map(([v, n]) => [v, n?.niveau])) } : {}),
    ...(p.aanwezigheid ? {
      aanwezigheid: Object.fromEntries(Object.entries(p.aanwezigheid).map(([a, w]) => [a, {
        weken: w.laatsteWeken.weken, ...(w.laatsteWeken.aanwezigheid !== undefined ? { aanwezigheid: w.laatsteWeken.aanwezigheid, ongeoorloofd: w.laatsteWeken.ongeoorloofd } : {}),
        ...(w.laatsteWeken.ongeoorloofdeLessen !== undefined ? { ongeoorloofdeLessen: w.laatsteWeken.ongeoorloofdeLessen } : {}),
      }])),
    } : {}),
    ...(p.plaatsingen ? { lopendePlaatsingen: p.plaatsingen.filter((x) => x.status === 'gestart' || x.status === 'gewijzigd').length } : {}),
    laatsteBericht: Object.fromEntries(Object.entries(p.aanbieders).map(([a, x]) => [a, x.laatsteBericht])),
    openSignalen,
  };
}

function encodeTrajectCursor(trajectId: string): string {
  return Buffer.from(`t1:${trajectId}`).toString('base64url');
}
function decodeTrajectCursor(cursor: string): string | null {
  const m = /^t1:([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? m[1]! : null;
}

export function standRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });
  const regels = () => s.signaalregels.regels;

  router.get('/trajecten', attempt(s, 'trajecten-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const doel = requireDoel(req, s, p); // 3
    const { status, volgende, limiet } = req.query;
    const invalid = [];
    if (status !== undefined && status !== 'lopend' && status !== 'afgesloten') invalid.push({ name: 'status', code: 'enum', reason: 'moet lopend of afgesloten zijn' });
    const na = volgende === undefined ? '' : typeof volgende === 'string' ? decodeTrajectCursor(volgende) : null;
    if (na === null) invalid.push({ name: 'volgende', code: 'format', reason: 'is geen cursor die deze gateway uitgaf' });
    const limit = limiet === undefined ? PAGE_SIZE : decimalInt(limiet);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) invalid.push({ name: 'limiet', code: 'range', reason: `moet een geheel getal van 1 tot ${MAX_PAGE_SIZE} zijn` });
    if (invalid.length) throw new HttpProblem('ongeldige-parameter', 'Een of meer queryparameters zijn ongeldig; zie invalidParams.', { regel: 'invoer-ongeldig', invalidParams: invalid });
    if (s.policy.leesbareTypen(actor.partij.rol, doel.id).length === 0) { // 4
      throw new HttpProblem('geen-toegang', `Geen regel staat een ${actor.partij.rol} toe om te lezen voor doel ${doel.id}.`, { regel: 'standaard-weigeren' });
    }
    const vandaag = dutchDate(s.now());
    const result = await auditedRead(s, p, async (tx) => { // 4–5 in one snapshot, 6 its record
      const rows = await tx.trajecten({ partij: actor.partij.id, vandaag, status: status as 'lopend' | 'afgesloten' | undefined, na: na!, limit });
      const open = await tx.openSignalen(rows.map((r) => r.trajectId));
      const velden = new Set<string>();
      const categorieen = new Set<string>();
      const regelsGebruikt = new Set<string>();
      const grondslagen = new Set<string>();
      const toestemmingen = new Set<string>();
      const resultaten = [];
      for (const row of rows) {
        // A gemeente is never assigned: its relation is ownership, known from the row (no extra query).
        const relatie = actor.partij.rol === 'gemeente'
          ? { eigenaar: row.gemeente === actor.partij.id, toewijzingen: [] }
          : ((await tx.relatie(row.trajectId, actor.partij.id, vandaag)) ?? GEEN_RELATIE);
        const besluit = await standLeesbaar(s, tx, actor, doel, row.trajectId, relatie);
        const stand = row.stand ? (JSON.parse(row.stand) as Stand) : emptyStand();
        const projectie = projecteer(stand, besluit); // 5 minimise
        const signalen = leesbareSignalen(regels(), open.filter((x) => x.trajectId === row.trajectId), actor, doel, relatie);
        standVelden(projectie).forEach((v) => velden.add(v));
        besluit.categorieen.forEach((c) => categorieen.add(c));
        if (signalen.length) signaalCategorieen(regels(), signalen).forEach((c) => categorieen.add(c));
        besluit.regels.forEach((r) => regelsGebruikt.add(r));
        besluit.grondslagen.forEach((g) => grondslagen.add(g));
        besluit.toestemmingIds.forEach((t) => toestemmingen.add(t));
        const view = trajectView(row, []);
        resultaten.push({
          trajectId: view.trajectId, gemeente: view.gemeente, leerroute: view.leerroute, startdatum: view.startdatum,
          status: row.afgeslotenOp ? 'afgesloten' : 'lopend', ...(row.afgeslotenOp ? { afgeslotenOp: row.afgeslotenOp } : {}),
          samenvatting: samenvatting(projectie, signalen.length),
        });
      }
      p.trajectIds = resultaten.map((r) => r.trajectId);
      return {
        uitkomst: {
          besluit: 'toegestaan' as const, regel: [...regelsGebruikt].join(',') || 'traject-inzien-betrokken', status: 200,
          reden: redenMetToestemming(`${resultaten.length} traject(en) met samenvatting verstrekt voor doel ${doel.id}.`, toestemmingen),
          grondslag: [...grondslagen].join(' | ') || null, velden: ['/leerroute', '/startdatum', ...[...velden].sort()], gegevenscategorieen: [...categorieen],
        },
        waarde: { resultaten, volgende: rows.length === limit ? encodeTrajectCursor(rows.at(-1)!.trajectId) : null },
      };
    });
    res.json(result); // 7
  }));

  router.get('/trajecten/:trajectId/stand', attempt(s, 'stand-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const doel = requireDoel(req, s, p);
    const vandaag = dutchDate(s.now());
    type Antwoord = { geweigerd: { regel: string; reden: string }; view?: undefined } | { geweigerd?: undefined; view: Record<string, unknown> };
    const result = await auditedRead<Antwoord>(s, p, async (tx) => { // 4–5 in one snapshot, 6 its record
      const relatie = (await tx.relatie(trajectId, actor.partij.id, vandaag)) ?? GEEN_RELATIE;
      const inzien = s.policy.trajectInzien(actor.partij, relatie);
      const besluit = inzien.toegestaan ? await standLeesbaar(s, tx, actor, doel, trajectId, relatie) : null; // 4
      if (!besluit || besluit.weigering) {
        const w = besluit?.weigering ?? { regel: inzien.regel, reden: inzien.reden };
        return { uitkomst: { besluit: 'geweigerd' as const, regel: w.regel, reden: w.reden, status: 403 }, waarde: { geweigerd: w } };
      }
      const row = await tx.trajectstand(trajectId);
      const stand = projecteer(row ? (JSON.parse(row.stand) as Stand) : emptyStand(), besluit); // 5
      const signalen = leesbareSignalen(regels(), await tx.openSignalen([trajectId]), actor, doel, relatie);
      const traject = trajectView((await tx.traject(trajectId))!, await tx.toewijzingen(trajectId));
      return {
        uitkomst: {
          besluit: 'toegestaan' as const, regel: besluit.regels.join(','), status: 200, grondslag: besluit.grondslagen.join(' | ') || null,
          reden: redenMetToestemming(`Stand van het traject verstrekt voor doel ${doel.id} (${besluit.categorieen.join(', ')}).`, besluit.toestemmingIds),
          velden: ['/leerroute', '/startdatum', '/toewijzingen', ...standVelden(stand), ...(signalen.length ? ['/signalen'] : [])].sort(), gegevenscategorieen: [...besluit.categorieen, ...signaalCategorieen(regels(), signalen)],
        },
        waarde: { view: { ...traject, doel: doel.id, bijgewerktOp: row?.bijgewerktOp ?? null, stand, signalen: signalen.map(signaalView) } },
      };
    });
    if (result.geweigerd) throw new HttpProblem('geen-toegang', result.geweigerd.reden, { regel: result.geweigerd.regel });
    res.json(result.view); // 7
  }));

  return router;
}
