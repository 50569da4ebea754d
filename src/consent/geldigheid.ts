/**
 * Consent (toestemming): owns the question "does this participant's consent count right now?".
 * A consent counts from the moment it was recorded up to and including its `geldigTot` date (a
 * Dutch calendar date), unless it was withdrawn: from the withdrawal moment on it counts as absent,
 * and so does an expired one. Pure functions — the policy engine calls them inside a decision.
 */

/** What a decision needs to know of one consent record (the rest stays in the store). */
export interface Toestemmingsfeit {
  toestemmingId: string;
  /** The data categories the participant agreed to (a subset of the doel's categories). */
  gegevenscategorieen: readonly string[];
  /** When it was recorded (RFC 3339, UTC, as `Date.toISOString()` writes it). */
  gegevenOp: string;
  /** Last day it is valid (YYYY-MM-DD, inclusive, Dutch calendar). */
  geldigTot: string;
  /** When it was withdrawn, or null. */
  ingetrokkenOp: string | null;
}

/** "Now", in both forms a decision needs: the instant (UTC ISO) and the Dutch calendar date. */
export interface Moment {
  tijdstip: string;
  datum: string;
}

export type ToestemmingStatus = 'geldig' | 'ingetrokken' | 'verlopen' | 'nog-niet-geldig';

export function statusOp(feit: Toestemmingsfeit, moment: Moment): ToestemmingStatus {
  if (feit.ingetrokkenOp !== null && feit.ingetrokkenOp <= moment.tijdstip) return 'ingetrokken';
  if (feit.geldigTot < moment.datum) return 'verlopen';
  if (feit.gegevenOp > moment.tijdstip) return 'nog-niet-geldig';
  return 'geldig';
}

/** The consents that count at `moment`, taken together. */
export interface Toestemmingsoordeel {
  /** `geldig` when at least one counts; otherwise why the most recent one does not (or `geen`). */
  status: ToestemmingStatus | 'geen';
  /** The union of the categories of every consent that counts. */
  gegevenscategorieen: readonly string[];
  /** The consents that count (the decision relies on these). */
  toestemmingIds: readonly string[];
  /** The most recent consent that does not count, to explain a refusal. */
  laatsteOngeldige: (Toestemmingsfeit & { status: ToestemmingStatus }) | null;
}

const GEEN: Toestemmingsoordeel = Object.freeze({ status: 'geen', gegevenscategorieen: [], toestemmingIds: [], laatsteOngeldige: null });

export function beoordeel(feiten: readonly Toestemmingsfeit[] | undefined, moment: Moment | undefined): Toestemmingsoordeel {
  if (!feiten || feiten.length === 0 || !moment) return GEEN;
  const categorieen = new Set<string>();
  const ids: string[] = [];
  let laatste: Toestemmingsoordeel['laatsteOngeldige'] = null;
  for (const feit of feiten) {
    const status = statusOp(feit, moment);
    if (status === 'geldig') {
      ids.push(feit.toestemmingId);
      for (const c of feit.gegevenscategorieen) categorieen.add(c);
    } else if (!laatste || feit.gegevenOp > laatste.gegevenOp) {
      laatste = { ...feit, status };
    }
  }
  if (ids.length === 0) return { status: laatste?.status ?? 'geen', gegevenscategorieen: [], toestemmingIds: [], laatsteOngeldige: laatste };
  return { status: 'geldig', gegevenscategorieen: [...categorieen].sort(), toestemmingIds: ids, laatsteOngeldige: laatste };
}

/** A refusal reason in plain Dutch for a consent that does not count. */
export function waaromNiet(oordeel: Toestemmingsoordeel): string {
  const l = oordeel.laatsteOngeldige;
  switch (oordeel.status) {
    case 'ingetrokken':
      return `de toestemming ${l!.toestemmingId} is ingetrokken op ${l!.ingetrokkenOp}`;
    case 'verlopen':
      return `de toestemming ${l!.toestemmingId} was geldig tot en met ${l!.geldigTot} en is verlopen`;
    case 'nog-niet-geldig':
      return `de toestemming ${l!.toestemmingId} geldt pas vanaf ${l!.gegevenOp}`;
    case 'geen':
      return 'er is geen toestemming vastgelegd voor deze ontvanger en dit doel';
    default:
      return 'er is een geldige toestemming';
  }
}
