/**
 * Consent receipt (ontvangstbewijs): what the gemeente hands the participant as proof of what was
 * agreed — when the consent is given, and again when it is withdrawn. It owns the receipt's content
 * and its signature:
 *
 * - the content follows the Kantara Initiative Consent Receipt Specification v1.1 field names (the
 *   format ISO/IEC TS 27560 builds on) and adds the ISO/IEC TS 27560:2023 elements under their
 *   names in camelCase: record id, privacy notice (the versioned consent text and its SHA-256),
 *   lawful basis per purpose, PII information, retention period, recipients, withdrawal method,
 *   privacy rights (inzage), the supervisory authority and the consent events. The mapping, field by
 *   field: docs/toestemming.md; the JSON Schema: `schemas/api/toestemming-ontvangstbewijs.json`;
 * - it is signed as a compact JWS (ES256, `typ: doelpoort-ontvangstbewijs`, with the `kid`) over
 *   its RFC 8785 canonical JSON, with the logboek key (`audit/sleutels.ts`), so anyone holding the
 *   key set of `GET /v1/logboek/sleutels` can check it; rotation keeps old public keys in that set.
 *
 * Values are Dutch; no name, BSN or contact detail of the participant appears — the trajectId is
 * the only subject key. The receipt is built from the consent record and the register as they are
 * when it is issued, and stored signed (never rebuilt), so a later register change does not alter it.
 */
import crypto from 'node:crypto';
import type * as jose from 'jose';
import { canonicalize } from '../audit/canonical.js';
import { verifieerJws } from '../audit/controlepunt.js';
import type { LogboekSleutels } from '../audit/sleutels.js';
import type { Doel, Gegevenscategorie, Partij } from '../policy/types.js';
import type { OntvangstbewijsRow, ToestemmingRow } from '../store/store.js';

/** The JWS `typ` of a consent receipt (a checkpoint's is `doelpoort-controlepunt`). */
export const ONTVANGSTBEWIJS_TYP = 'doelpoort-ontvangstbewijs';
/** The JSON Schema of the receipt (its `$id`) and the version the receipts follow. */
export const ONTVANGSTBEWIJS_SCHEMA = 'https://doelpoort.example/schemas/api/toestemming-ontvangstbewijs.json';
export const ONTVANGSTBEWIJS_SCHEMAVERSIE = '1.0.0';

export type Gebeurtenis = OntvangstbewijsRow['gebeurtenis'];

export interface OntvangstbewijsContext {
  doel: Doel;
  /** The gemeente that recorded the consent: the controller (verwerkingsverantwoordelijke). */
  verantwoordelijke: Partij;
  ontvanger: Partij;
  /** The categories the participant agreed to. */
  categorieen: readonly Gegevenscategorie[];
  /** The gateway's public base URL (links to the register, the consent texts, the keys, the inzage). */
  basisUrl: string;
  gebeurtenis: Gebeurtenis;
  ontvangstbewijsId: string;
  uitgegevenOp: string;
  /** The logboek record of the event this receipt is for. */
  logboek: { id: number; hash: string };
  /** For a withdrawal receipt: the receipt issued when the consent was given (null for a consent from before signed receipts). */
  vorige?: { consentReceiptID: string; sha256: string } | null;
}

const oinUrn = (p: Partij) => `urn:nl:oin:${p.oin}`;

/** The receipt's content (the JWS payload). */
export function ontvangstbewijs(row: ToestemmingRow, ctx: OntvangstbewijsContext) {
  const { doel, verantwoordelijke: v, ontvanger } = ctx;
  const contact = v.contact ?? {};
  const bijzonder = ctx.categorieen.filter((c) => c.bijzonder);
  const tekst = row.toestemmingstekst;
  const bereikbaar = [contact.telefoon && `telefoon ${contact.telefoon}`, contact.email && `e-mail ${contact.email}`, contact.adres && `post: ${contact.adres}`]
    .filter(Boolean).join(', ');
  const events: Array<Record<string, string>> = [{
    eventTime: row.gegevenOp, eventType: 'ExplicitlyExpressedConsent', eventState: 'ConsentGiven', entityId: oinUrn(v), validUntil: row.geldigTot,
  }];
  if (ctx.gebeurtenis === 'ingetrokken') {
    if (!row.ingetrokkenOp) throw new Error('een ontvangstbewijs van een intrekking vraagt om ingetrokkenOp');
    events.push({ eventTime: row.ingetrokkenOp, eventType: 'ExplicitlyExpressedConsent', eventState: 'ConsentWithdrawn', entityId: oinUrn(v) });
  }
  return {
    // Kantara Consent Receipt v1.1 (the core ISO/IEC TS 27560 builds on).
    version: 'KI-CR-v1.1.0',
    jurisdiction: 'NL',
    consentTimestamp: Math.floor(Date.parse(row.gegevenOp) / 1000),
    collectionMethod: `${row.bewijs ? `${row.bewijs.vorm} gegeven` : 'gegeven'} aan en vastgelegd door ${v.naam}`,
    consentReceiptID: ctx.ontvangstbewijsId,
    language: tekst?.taal ?? 'nl',
    piiPrincipalId: row.trajectId,
    piiControllers: [{
      piiController: v.naam,
      piiControllerId: oinUrn(v),
      onBehalf: false,
      contact: contact.functionarisGegevensbescherming ? `Functionaris gegevensbescherming (${contact.functionarisGegevensbescherming})` : 'Functionaris gegevensbescherming',
      address: { streetAddress: contact.adres ?? '', addressCountry: 'NL' },
      email: contact.email ?? '',
      phone: contact.telefoon ?? '',
      ...(contact.website ? { piiControllerUrl: contact.website } : {}),
    }],
    policyUrl: `${ctx.basisUrl}/v1/verwerkingsactiviteiten/${doel.id}`,
    services: [{
      service: 'Doelpoort: gegevensuitwisseling in het inburgeringstraject',
      purposes: [{
        purpose: doel.doel,
        purposeId: doel.uri,
        purposeCategory: [doel.naam],
        consentType: 'EXPLICIT',
        lawfulBasis: `toestemming (${doel.grondslag.avg})`,
        ...(bijzonder.length && doel.uitzonderingBijzondereCategorieen ? { specialCategoryBasis: doel.uitzonderingBijzondereCategorieen } : {}),
        piiCategory: ctx.categorieen.map((c) => c.naam),
        piiInformation: ctx.categorieen.map((c) => ({ piiType: c.id, name: c.naam, specialCategory: c.bijzonder })),
        primaryPurpose: false,
        termination: `Geldig tot en met ${row.geldigTot}, tenzij eerder ingetrokken; daarna wordt op grond van deze toestemming niets meer verstrekt.`,
        thirdPartyDisclosure: ontvanger.id !== v.id,
        thirdPartyName: ontvanger.naam,
        retentionPeriod: doel.bewaartermijn,
      }],
    }],
    sensitive: bijzonder.length > 0,
    spiCat: bijzonder.map((c) => c.naam),
    // ISO/IEC TS 27560:2023 elements beyond the Kantara core.
    schemaVersion: `${ONTVANGSTBEWIJS_SCHEMA}#${ONTVANGSTBEWIJS_SCHEMAVERSIE}`,
    recordId: row.toestemmingId,
    privacyNotice: tekst
      ? { noticeId: tekst.id, version: tekst.versie, language: tekst.taal, sha256: tekst.sha256, url: `${ctx.basisUrl}/v1/toestemmingsteksten/${tekst.id}` }
      : null,
    recipientThirdParties: [{ partyName: ontvanger.naam, partyId: oinUrn(ontvanger), partyRole: 'ontvanger', partyType: ontvanger.rol }],
    withdrawalMethod: `Trek de toestemming in bij ${v.naam}${bereikbaar ? ` (${bereikbaar})` : ''} en noem het nummer van de toestemming, ${row.toestemmingId}. `
      + 'Vanaf de intrekking wordt op grond van deze toestemming niets meer verstrekt; wat eerder is verstrekt, blijft rechtmatig (AVG art. 7 lid 3). '
      + 'U krijgt een ondertekend ontvangstbewijs van de intrekking.',
    privacyRights: [
      {
        right: 'inzage', legalReference: 'AVG art. 15',
        description: `Vraag ${v.naam} welke gegevens over u zijn uitgewisseld, met wie, wanneer en waarvoor. De gemeente stelt dan een inzagerapport op uit het logboek.`,
        url: `${ctx.basisUrl}/v1/trajecten/${row.trajectId}/inzage`,
      },
      {
        right: 'rectificatie, wissing, beperking en overdraagbaarheid', legalReference: 'AVG art. 16 tot en met 20',
        description: `Vraag ${v.naam} om gegevens te verbeteren of te wissen, de verwerking te beperken, of uw gegevens te krijgen om mee te nemen.`,
      },
    ],
    authorityParty: {
      partyName: 'Autoriteit Persoonsgegevens', partyUrl: 'https://autoriteitpersoonsgegevens.nl',
      description: 'De toezichthouder. Bent u het niet eens met hoe met uw gegevens wordt omgegaan, dan kunt u daar een klacht indienen.',
    },
    events,
    // Doelpoort: who issued it, when, under which policy, and where it sits in the logboek.
    issuer: ctx.basisUrl,
    issuedAt: ctx.uitgegevenOp,
    policyVersion: row.beleidsversie,
    logboek: ctx.logboek,
    ...(ctx.gebeurtenis === 'ingetrokken' ? { previousReceipt: ctx.vorige ?? null } : {}),
  };
}

export type Ontvangstbewijs = ReturnType<typeof ontvangstbewijs>;

/** Sign a receipt: a compact JWS over its canonical JSON with the current logboek key. */
export async function ondertekenOntvangstbewijs(sleutels: LogboekSleutels, bewijs: Ontvangstbewijs): Promise<{ jws: string; sleutel: string }> {
  return { jws: await sleutels.sign(canonicalize(bewijs), ONTVANGSTBEWIJS_TYP), sleutel: sleutels.kid };
}

/** The content of a receipt this gateway stored (its own JWS: decoded, not verified). */
export function inhoudVan(jws: string): Ontvangstbewijs {
  const payload = jws.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Ontvangstbewijs;
}

/** SHA-256 (hex) of a receipt's compact JWS: how a withdrawal receipt names the receipt before it. */
export function jwsHash(jws: string): string {
  return crypto.createHash('sha256').update(jws, 'ascii').digest('hex');
}

/** Verify a receipt against a key set (e.g. the JWKS of `/v1/logboek/sleutels`); the signed content when valid. */
export async function controleerOntvangstbewijs(jws: string, jwks: jose.JSONWebKeySet): Promise<{ geldig: true; inhoud: Ontvangstbewijs; kid: string } | { geldig: false; reden: string }> {
  const v = await verifieerJws(jws, jwks, ONTVANGSTBEWIJS_TYP);
  return v.geldig ? { geldig: true, inhoud: v.payload as unknown as Ontvangstbewijs, kid: v.kid } : v;
}
