/**
 * UI: what makes a week in the overview "opvallend" (unusual), so that an officer sees at a glance
 * where to look. Deliberately simple, explainable rules, each with a Dutch sentence:
 * - any refusal by policy or authentication (`geweigerd > 0`): someone tried something the rules do
 *   not allow (a party's own input errors — `invoerfouten` — are counted apart and never flagged);
 * - a read count far above that party's usual for the same doel in the period shown
 *   (at least twice the median of its other weeks and at least 5 more; needs two other weeks);
 * - a party reading for a doel for the first time in the period (when earlier weeks exist).
 */
import type { WeekRij } from './api.js';
import { actieLabel } from './labels.js';

export interface Signaal {
  soort: 'weigeringen' | 'piek' | 'nieuw';
  tekst: string;
}

export type GesignaleerdeRij = WeekRij & { signalen: Signaal[] };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rows newest week first (then party, doel), each with its signals. */
export function signaleer(weken: readonly WeekRij[]): GesignaleerdeRij[] {
  const allWeeks = [...new Set(weken.map((w) => w.week))].sort();
  const byKey = new Map<string, WeekRij[]>();
  for (const w of weken) {
    const key = `${w.partij}\u0000${w.doel ?? ''}\u0000${w.actie}`;
    const list = byKey.get(key) ?? [];
    list.push(w);
    byKey.set(key, list);
  }
  const out: GesignaleerdeRij[] = weken.map((w) => {
    const signalen: Signaal[] = [];
    if (w.geweigerd > 0) {
      const wat = actieLabel(w.actie).toLowerCase();
      signalen.push({ soort: 'weigeringen', tekst: w.geweigerd === 1 ? `1 geweigerde poging (${wat})` : `${w.geweigerd} geweigerde pogingen (${wat})` });
    }
    const same = byKey.get(`${w.partij}\u0000${w.doel ?? ''}\u0000${w.actie}`)!;
    const others = same.filter((o) => o !== w).map((o) => o.gelezen);
    if (others.length >= 2) {
      const m = median(others);
      if (w.gelezen >= 2 * m && w.gelezen - m >= 5) {
        signalen.push({ soort: 'piek', tekst: `${w.gelezen} keer gelezen, gebruikelijk is ${m} per week` });
      }
    }
    const firstRead = same.filter((o) => o.gelezen > 0).map((o) => o.week).sort()[0];
    if (w.gelezen > 0 && firstRead === w.week && allWeeks[0]! < w.week) {
      signalen.push({ soort: 'nieuw', tekst: 'eerste keer in deze periode dat deze partij voor dit doel leest' });
    }
    return { ...w, signalen };
  });
  return out.sort((a, b) => (a.week === b.week ? a.partij.localeCompare(b.partij) || (a.doel ?? '').localeCompare(b.doel ?? '') || a.actie.localeCompare(b.actie) : a.week < b.week ? 1 : -1));
}
