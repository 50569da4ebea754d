/**
 * Audit: owns which processing activity (verwerkingsactiviteit, AVG art. 30; LDV's
 * `dpl.core.processing_activity_id`) every logboek record names. One mapping, used by the one place
 * that builds records (`seal` in record.ts), so a handler cannot forget it:
 *
 * - the gateway's own processing (trajectory management, consent administration, supervision of the
 *   logboek, access requests, retention, access control, notifications) has fixed ids; their register
 *   entries are `eigenVerwerkingen` in `policies/doelen.json` (the policy loader refuses to start
 *   without every one of them, under exactly the URI below);
 * - an action whose processing IS its doel (a read, a publication, a notification) names the doel's
 *   own URI when the doel is known — also when a request is refused after naming a registered doel
 *   (`?doel=`) — and its own fallback activity when no doel was known (usually `toegangsbeheer`:
 *   refused before the doel was established).
 *
 * A new action does not compile without its entry (`Record<AuditActie, …>`).
 */
import type { AuditActie } from './record.js';

/** The gateway's own processing activities (register: `eigenVerwerkingen` in doelen.json). */
export const EIGEN_VERWERKINGEN = [
  'trajectbeheer',
  'toestemmingsbeheer',
  'toezicht-logboek',
  'inzageverzoeken',
  'bewaartermijnen',
  'toegangsbeheer',
  'meldingen',
] as const;
export type EigenVerwerkingId = (typeof EIGEN_VERWERKINGEN)[number];

/** The URI of a processing activity with id `id` (doelen and own processing share the scheme). */
export function verwerkingsactiviteitUri(id: string): string {
  return `urn:doelpoort:verwerkingsactiviteit:${id}`;
}

interface ActieActiviteit {
  /** The own processing activity of the action — for a doel-bound action: when no doel is known. */
  activiteit: EigenVerwerkingId;
  /** The doel, once known, is the processing activity (reads, publications, notifications). */
  doel?: true;
}

const eigen = (activiteit: EigenVerwerkingId): ActieActiviteit => ({ activiteit });
const doelOf = (activiteit: EigenVerwerkingId): ActieActiviteit => ({ activiteit, doel: true });

export const ACTIE_ACTIVITEIT: Readonly<Record<AuditActie, ActieActiviteit>> = {
  // Opening, changing and closing trajectories, assignments, the providers' own references, bundle intake.
  'traject-openen': eigen('trajectbeheer'),
  'traject-lezen': eigen('trajectbeheer'),
  'traject-wijzigen': eigen('trajectbeheer'),
  'traject-afsluiten': eigen('trajectbeheer'),
  'toewijzing-toevoegen': eigen('trajectbeheer'),
  'toewijzing-beeindigen': eigen('trajectbeheer'),
  'toewijzingen-lezen': eigen('trajectbeheer'),
  'kenmerk-vastleggen': eigen('trajectbeheer'),
  'kenmerk-verwijderen': eigen('trajectbeheer'),
  'bundel-aanleveren': eigen('trajectbeheer'),
  // Recording, withdrawing and reading consent: the record's `doel` says which doel the consent is for.
  'toestemming-vastleggen': eigen('toestemmingsbeheer'),
  'toestemming-intrekken': eigen('toestemmingsbeheer'),
  'toestemmingen-lezen': eigen('toestemmingsbeheer'),
  'ontvangstbewijzen-lezen': eigen('toestemmingsbeheer'),
  // Message exchange under a doel.
  'bericht-publiceren': doelOf('toegangsbeheer'),
  'bericht-intrekken': doelOf('toegangsbeheer'),
  'berichten-lezen': doelOf('toegangsbeheer'),
  'bericht-lezen': doelOf('toegangsbeheer'),
  'trajecten-lezen': doelOf('toegangsbeheer'),
  'stand-lezen': doelOf('toegangsbeheer'),
  'signalen-lezen': doelOf('toegangsbeheer'),
  'signaal-lezen': doelOf('toegangsbeheer'),
  'signaal-afhandelen': doelOf('toegangsbeheer'),
  // Issue 13: a quarter's figures under doel monitoring, and the CBS delivery under doel cbs-verantwoording.
  'monitoring-lezen': doelOf('toegangsbeheer'),
  'monitoring-exporteren': doelOf('toegangsbeheer'),
  'cbs-levering-opstellen': doelOf('toegangsbeheer'),
  // Explaining a decision discloses nothing and changes nothing: part of access control.
  'beleid-toetsen': eigen('toegangsbeheer'),
  'traject-verkennen': eigen('toegangsbeheer'),
  'verzoek-weigeren': eigen('toegangsbeheer'),
  // The privacy officer's supervision, and the participant's right of access.
  'logboek-lezen': eigen('toezicht-logboek'),
  'logboek-exporteren': eigen('toezicht-logboek'),
  'logboek-verifieren': eigen('toezicht-logboek'),
  'inzage-opstellen': eigen('inzageverzoeken'),
  // Retention: the scheduled purge and a gemeente's erasure (AVG art. 5 lid 1 sub e, art. 17).
  'bewaartermijn-toepassen': eigen('bewaartermijnen'),
  'traject-wissen': eigen('bewaartermijnen'),
  // Subscriptions; a delivery is a disclosure of metadata under the subscription's doel.
  'abonnement-aanmaken': eigen('meldingen'),
  'abonnementen-lezen': eigen('meldingen'),
  'abonnement-verwijderen': eigen('meldingen'),
  'abonnement-hervatten': eigen('meldingen'),
  'afleveringen-lezen': eigen('meldingen'),
  'melding-afleveren': doelOf('meldingen'),
};

/** Whether the action's processing activity is its doel once known (a read's `?doel=`). */
export function isDoelgebonden(actie: AuditActie): boolean {
  return ACTIE_ACTIVITEIT[actie].doel === true;
}

/**
 * The processing activity a record names: for a doel-bound action the doel's URI when one is known
 * (`doelUri`), otherwise the action's own activity. Never null.
 */
export function verwerkingsactiviteitVan(actie: AuditActie, doelUri: string | null): string {
  const m = ACTIE_ACTIVITEIT[actie];
  if (m?.doel && doelUri) return doelUri;
  return verwerkingsactiviteitUri(m?.activiteit ?? 'toegangsbeheer');
}
