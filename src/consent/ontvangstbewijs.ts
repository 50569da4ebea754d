/**
 * Consent receipt (ontvangstbewijs): what the gemeente hands the participant as proof of what was
 * recorded. Field names follow the Kantara Initiative Consent Receipt Specification v1.1 (the
 * interoperable format that ISO/IEC TS 27560 builds on), so a consent-management tool can read it;
 * the elements ISO/IEC TS 27560 adds to the Kantara core (legal basis, expiry, withdrawal, policy
 * version, recipients) sit beside them. Values are Dutch; no name, BSN or contact detail of the
 * participant appears — the trajectId is the only subject key.
 */
import type { Doel, Gegevenscategorie, Partij } from '../policy/types.js';
import type { ToestemmingRow } from '../store/store.js';

export interface OntvangstbewijsContext {
  doel: Doel;
  /** The gemeente that recorded the consent: the controller. */
  verantwoordelijke: Partij;
  ontvanger: Partij;
  categorieen: readonly Gegevenscategorie[];
  /** Where the register entry of the doel can be read. */
  policyUrl: string;
}

export function ontvangstbewijs(row: ToestemmingRow, ctx: OntvangstbewijsContext) {
  const bijzonder = ctx.categorieen.filter((c) => c.bijzonder);
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: 'NL',
    consentTimestamp: Math.floor(Date.parse(row.gegevenOp) / 1000),
    collectionMethod: `${row.bewijs ? `${row.bewijs.vorm} gegeven` : 'gegeven'} aan en vastgelegd door ${ctx.verantwoordelijke.naam}`,
    consentReceiptID: row.toestemmingId,
    language: 'nl',
    piiPrincipalId: row.trajectId,
    piiControllers: [{ piiController: ctx.verantwoordelijke.naam, piiControllerId: `urn:nl:oin:${ctx.verantwoordelijke.oin}`, onBehalf: false }],
    policyUrl: ctx.policyUrl,
    services: [
      {
        service: 'Doelpoort: gegevensuitwisseling in het inburgeringstraject',
        purposes: [
          {
            purpose: ctx.doel.doel,
            purposeCategory: [ctx.doel.naam],
            consentType: 'EXPLICIT',
            piiCategory: ctx.categorieen.map((c) => c.naam),
            primaryPurpose: false,
            termination: `Geldig tot en met ${row.geldigTot}; de deelnemer kan de toestemming altijd via ${ctx.verantwoordelijke.naam} intrekken, waarna niets meer wordt verstrekt.`,
            thirdPartyDisclosure: true,
            thirdPartyName: ctx.ontvanger.naam,
          },
        ],
      },
    ],
    sensitive: bijzonder.length > 0,
    spiCat: bijzonder.map((c) => c.naam),
    // ISO/IEC TS 27560 elements beyond the Kantara v1.1 core.
    legalBasis: `toestemming (${ctx.doel.grondslag.avg})`,
    recipients: [{ name: ctx.ontvanger.naam, id: `urn:nl:oin:${ctx.ontvanger.oin}` }],
    expiry: row.geldigTot,
    withdrawalTimestamp: row.ingetrokkenOp,
    policyVersion: row.beleidsversie,
  };
}
