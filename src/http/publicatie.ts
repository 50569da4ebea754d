/**
 * Owns the one publish pipeline of a message, after authentication and reading the body:
 * validate → decide → (correction and placement checks) → minimise → commit (data + audit + state +
 * signals + outbox, one transaction). `POST /v1/berichten` calls it for one message; a bundle calls it
 * for every item, so an item walks exactly the same steps and gets its own audit record.
 *
 * Guarantees:
 * - Idempotent on sender + `berichtId`: a replay returns the stored receipt (200), a reuse of the id for
 *   other content is refused (409) — the refusal is audited.
 * - A correction (`vervangt`) is accepted only for the sender's own current message of the same type
 *   about the same trajectory; the replaced message is marked in the same transaction, and the
 *   trajectory's state is rebuilt from the messages that still count, so no week counts twice.
 * - Every refusal is thrown as an `HttpProblem` after its audit record is committed (`p.geaudit`).
 * - A message whose content was removed (issue 13, docs/bewaring.md) can neither be sent again under its
 *   id nor corrected: 409 with regel `bericht-verwijderd` (its content cannot be compared or replaced).
 */
import crypto from 'node:crypto';
import { canonicalize } from '../audit/canonical.js';
import type { Json } from '../policy/project.js';
import { GEEN_RELATIE } from '../policy/types.js';
import type { Envelop, PlaatsingV1 } from '../schemas/generated/index.js';
import { beoordeelOvergang } from '../schemas/levenscyclus.js';
import type { SchemaVersie } from '../schemas/registry.js';
import type { BerichtRow, Tx } from '../store/store.js';
import { grafsteen, verwijderdTekst } from '../bewaring/grafsteen.js';
import { verwerkBericht, verwerkVersiewijziging } from '../verwerking/stand-en-signalen.js';
import { uitgaandVoorBericht, uitgaandVoorSignalen } from '../verwerking/uitgaand.js';
import { auditInput, rejectInvalid, UUID, type Actor, type Poging } from './attempt.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';

/** Over everything the sender said but the id; `schemaversie` normalised (1.0.0 and 1.0 are one message). */
export function envelopeHash(e: Envelop, schemaversie: string): string {
  const inhoud: Record<string, Json> = { berichttype: e.berichttype, schemaversie, trajectId: e.trajectId, gebeurtenisTijdstip: e.gebeurtenisTijdstip, inhoud: e.inhoud as Json };
  // A correction is another message than the same content sent fresh; without `vervangt` the hash is as before 1.1.
  if (e.vervangt !== undefined) inhoud.vervangt = e.vervangt;
  return crypto.createHash('sha256').update(canonicalize(inhoud)).digest('hex');
}

export type Ontvangstbewijs = ReturnType<typeof receipt>;

export function receipt(row: Pick<BerichtRow, 'berichtId' | 'berichttype' | 'trajectId' | 'ontvangenOp' | 'auditId' | 'auditHash'>) {
  return {
    berichtId: row.berichtId,
    berichttype: row.berichttype,
    trajectId: row.trajectId,
    ontvangenOp: row.ontvangenOp,
    logboek: { id: row.auditId, hash: row.auditHash },
  };
}

/**
 * Whether the status of a message may follow the previous message about the same subject, for a
 * schema that declares `statusovergangen` (plaatsing: per `plaatsingId` and sender). The previous
 * message is the latest that still counts (replaced and withdrawn ones do not), and never the one a
 * correction replaces. Returns the refusal in Dutch, or null when allowed.
 */
async function checkOvergang(s: Services, tx: Tx, versie: SchemaVersie, e: Envelop, afzender: string): Promise<string | null> {
  const overgangen = s.schemas.statusovergangen(versie);
  if (!overgangen || e.berichttype !== 'plaatsing') return null;
  const inhoud = e.inhoud as unknown as PlaatsingV1;
  const vorige = (await tx.geldigePlaatsingen(e.trajectId, afzender, inhoud.plaatsingId)).find((b) => b.berichtId !== e.vervangt);
  const vorigeStatus = vorige ? (JSON.parse(vorige.inhoud) as PlaatsingV1).status : null;
  const { toegestaan, mogelijk } = beoordeelOvergang(overgangen, vorigeStatus, inhoud.status);
  if (toegestaan) return null;
  const quoted = mogelijk.map((m) => `'${m}'`);
  const lijst = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} of ${quoted.at(-1)}` : (quoted[0] ?? '');
  if (!vorige) return `Over deze plaatsing is nog niets gemeld: het eerste bericht heeft status ${lijst}, niet '${inhoud.status}'.`;
  const verder = mogelijk.length ? `kan alleen ${lijst} volgen` : 'kan niets meer volgen (eindstatus)';
  return `Deze plaatsing staat op '${vorigeStatus}' (bericht ${vorige.berichtId}); daarop ${verder}, niet '${inhoud.status}'. Een nieuwe plaatsing krijgt een nieuw plaatsingId.`;
}

/** Whether `e.vervangt` names a message this sender may replace; the new version number, or the refusal in Dutch (and its rule). */
async function checkVervanging(s: Services, tx: Tx, e: Envelop, afzender: string): Promise<number | string | { reden: string; regel: string }> {
  const id = e.vervangt!;
  const oud = await tx.bericht(afzender, id);
  if (!oud) return `Bericht ${id} is geen eerder bericht van u; alleen een eigen bericht kan worden vervangen.`;
  if (oud.verwijderdOp) {
    return { regel: 'bericht-verwijderd', reden: `${verwijderdTekst(id, grafsteen(oud, s.policy.set.wisredenen))} Een verwijderd bericht kan niet meer worden vervangen; stuur zo nodig een nieuw bericht zonder vervangt.` };
  }
  if (oud.berichttype !== e.berichttype) return `Bericht ${id} is een ${oud.berichttype}-bericht; een correctie heeft hetzelfde berichttype (${e.berichttype}).`;
  if (oud.trajectId !== e.trajectId) return `Bericht ${id} gaat over een ander traject; een correctie gaat over hetzelfde traject.`;
  const [versie] = await tx.berichtVersies(afzender, [id]);
  if (versie?.ingetrokkenOp) return `Bericht ${id} is ingetrokken en kan niet meer worden vervangen.`;
  if (versie?.vervangenDoor) return `Bericht ${id} is al vervangen door bericht ${versie.vervangenDoor}; vervang de nieuwste versie.`;
  return (versie?.versie ?? 1) + 1;
}

export interface Gepubliceerd {
  status: 200 | 201;
  row: Omit<BerichtRow, 'volgnummer'>;
}

/**
 * Steps 3–6 for one message of an authenticated provider. Returns the stored (201) or earlier (200)
 * message; throws the refusal as an `HttpProblem` (validation before any transaction, the others
 * after their audit record committed).
 */
export async function publiceer(s: Services, actor: Actor, p: Poging, body: unknown): Promise<Gepubliceerd> {
  // 3 validate: the envelope, the schema version it names, then the content; every error listed.
  const e = body as Envelop;
  if (e && typeof e === 'object') {
    if (typeof e.trajectId === 'string') p.trajectIds = [e.trajectId];
    if (typeof e.berichtId === 'string' && UUID.test(e.berichtId)) p.berichtIds = [e.berichtId];
    if (typeof e.berichttype === 'string' && s.schemas.schema(e.berichttype)) p.berichttype = e.berichttype;
  }
  const validatie = s.schemas.validateBericht(body);
  rejectInvalid(validatie.fouten);
  const versie = validatie.versie!;
  const schemaversie = validatie.schemaversie!;
  if (e.vervangt !== undefined) p.berichtIds = [e.berichtId, e.vervangt];

  const vandaag = dutchDate(s.now());
  const hash = envelopeHash(e, schemaversie);
  const outcome = await s.store.transaction(async (tx) => { // 6 commit: decision, data and audit in one transaction
    // The relation and the sender's earlier message with this id are looked up together (one round
    // trip on PostgreSQL, as on main since issue 9); the earlier message is only used once the decision allows.
    const [gevonden, existing] = await Promise.all([tx.relatie(e.trajectId, actor.partij.id, vandaag), tx.bericht(actor.partij.id, e.berichtId)]);
    const relatie = gevonden ?? GEEN_RELATIE;
    const besluit = s.policy.decide({ partij: actor.partij, actie: 'publiceren', berichttype: e.berichttype, relatie }); // 4 decide
    p.doel = besluit.doel;
    if (!besluit.toegestaan) {
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: besluit.regel, reden: besluit.reden, status: 403 }));
      return { kind: 'geweigerd' as const, besluit };
    }
    // Idempotency key: sender + berichtId. Another sender's message with the same id is another message.
    if (existing?.verwijderdOp) {
      // The content is gone, so a replay cannot be told from a reuse: the id stays spent.
      const reden = `${verwijderdTekst(existing.berichtId, grafsteen(existing, s.policy.set.wisredenen))} Dit berichtId is al gebruikt; kies een nieuw berichtId voor een nieuw bericht.`;
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'bericht-verwijderd', reden, status: 409, grondslag: besluit.grondslag }));
      return { kind: 'vervanging' as const, reden, regel: 'bericht-verwijderd' };
    }
    if (existing) {
      const same = existing.inhoudHash === hash;
      const reden = same ? 'Herhaling van een eerder ontvangen bericht; het bestaande ontvangstbewijs is teruggegeven.' : 'U hebt dit berichtId al gebruikt voor een ander bericht.';
      await tx.appendAudit(auditInput(s, p, { besluit: same ? 'toegestaan' : 'geweigerd', regel: same ? besluit.regel : 'bericht-id-uniek', reden, status: same ? 200 : 409, grondslag: besluit.grondslag }));
      return { kind: same ? ('herhaling' as const) : ('conflict' as const), row: existing };
    }
    // 4 decide, continued: a correction replaces the sender's own current message of the same kind.
    let nieuweVersie: number | null = null;
    if (e.vervangt !== undefined) {
      const v = await checkVervanging(s, tx, e, actor.partij.id);
      if (typeof v !== 'number') {
        const { reden, regel } = typeof v === 'string' ? { reden: v, regel: 'vervanging-ongeldig' } : v;
        await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel, reden, status: 409, grondslag: besluit.grondslag }));
        return { kind: 'vervanging' as const, reden, regel };
      }
      nieuweVersie = v;
    }
    // … and a placement's status must follow from the latest version of the previous message about it.
    const overgang = await checkOvergang(s, tx, versie, e, actor.partij.id);
    if (overgang) {
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'plaatsing-statusovergang', reden: overgang, status: 409, grondslag: besluit.grondslag }));
      return { kind: 'overgang' as const, reden: overgang };
    }
    // 5 minimise: what is stored is exactly the validated content (additionalProperties: false everywhere).
    const ontvangenOp = s.now().toISOString();
    const auditId = await tx.nextAuditId();
    const record = await tx.appendAudit(auditInput(s, p, {
      besluit: 'toegestaan', regel: besluit.regel, status: 201, grondslag: besluit.grondslag,
      reden: nieuweVersie === null ? besluit.reden : `${besluit.reden} Versie ${nieuweVersie}: vervangt bericht ${e.vervangt}.`,
      velden: Object.keys(e.inhoud).map((k) => `/inhoud/${k}`).sort(),
    }));
    if (record.id !== auditId) throw new Error('audit chain moved inside a transaction');
    const row = {
      berichtId: e.berichtId, berichttype: e.berichttype, schemaversie, trajectId: e.trajectId, afzender: actor.partij.id,
      gebeurtenisTijdstip: e.gebeurtenisTijdstip, ontvangenOp, inhoud: JSON.stringify(e.inhoud), inhoudHash: hash,
      auditId: record.id, auditHash: record.hash,
    };
    await tx.insertBericht(row);
    // The trajectory's state and signals follow the message in the same transaction, and so do the
    // events for every subscription whose party may read the message or a signal (the outbox).
    // A correction rebuilds the state from the messages that still count: the replaced one drops out.
    const v = { regels: s.signaalregels.regels, vandaag };
    let besluiten;
    if (nieuweVersie !== null) {
      if (!(await tx.vervangBericht(actor.partij.id, e.vervangt!, e.berichtId, nieuweVersie))) throw new Error('replaced message changed inside a transaction');
      besluiten = await verwerkVersiewijziging(tx, v, row.trajectId, ontvangenOp, row);
    } else {
      besluiten = await verwerkBericht(tx, v, row);
    }
    const meldingen = { policy: s.policy, regels: s.signaalregels.regels, bron: s.config.publicUrl, vandaag, tijdstip: ontvangenOp };
    const events = (await uitgaandVoorBericht(tx, meldingen, row, nieuweVersie === null ? 'ontvangen' : 'vervangen'))
      + (await uitgaandVoorSignalen(tx, meldingen, besluiten));
    return { kind: 'opgeslagen' as const, row, events };
  });
  p.geaudit = true;

  switch (outcome.kind) {
    case 'geweigerd':
      throw new HttpProblem('geen-toegang', `${outcome.besluit.reden} (Een onbekend traject geeft hetzelfde antwoord.)`, { regel: outcome.besluit.regel });
    case 'conflict':
      throw new HttpProblem('conflict', 'U hebt dit berichtId al gebruikt voor een bericht met andere inhoud. Kies een nieuw berichtId voor een nieuw bericht.');
    case 'vervanging':
      throw new HttpProblem('conflict', outcome.reden, { regel: outcome.regel });
    case 'overgang':
      throw new HttpProblem('ongeldige-statusovergang', outcome.reden, { regel: 'plaatsing-statusovergang' });
    case 'herhaling':
      return { status: 200, row: outcome.row };
    case 'opgeslagen':
      if (outcome.events > 0) s.bezorger.wek();
      return { status: 201, row: outcome.row };
  }
}
