/**
 * Signal evaluation: owns the decision "does this trajectory's state, after this message or at this
 * moment, open, update or close a signal?" — as data, with no I/O and no clock of its own (the
 * caller passes `now`, the assignments, the trajectory's open signals and, when a message was just
 * applied, that message). The caller writes the decisions in the same transaction as the message
 * (or, for the scheduler, in one transaction per trajectory) together with their outbox events.
 *
 * Guarantees:
 * - One open signal per kind per trajectory, and per provider where the rule says `perAanbieder`:
 *   a new occurrence while one is open yields `bijwerken` of that signal, never a second `openen`.
 *   At most one decision per (kind, provider) per call.
 * - Idempotent per message: a message whose id an open signal already lists yields no decision.
 * - A signal carries only the codes its rule lists (e.g. the end reason code), nothing else of the
 *   messages; `berichtIds` keeps at most MAX_BERICHT_IDS ids.
 * - `uit-beeld` is raised only when the scheduler evaluates (no `bericht`); with a message it can
 *   only be cleared.
 * - Only `vanzelfOpgeheven` kinds are closed by the gateway (uitkomst `opgeheven`); every other
 *   signal stays open until the gemeente closes it with an outcome (`afhandelen`).
 *
 * The rules, and every boundary, are in docs/signalen.md and test/signaalregels.csv.
 */
import crypto from 'node:crypto';
import type { ToewijzingRol } from '../policy/types.js';
import { isRunning, lastAttendance, lastWeeks, mijlpaalKey, summarize, type Bericht, type Minuten, type PlaatsingStand, type Stand, type Week } from '../stand/stand.js';
import { AFHANDELUITKOMSTEN, MAX_BERICHT_IDS, OPGEHEVEN, type Afhandeluitkomst, type Signaal, type SignaalCodes, type Signaalregel, type Soort } from './types.js';

/** An assignment of a party to the trajectory, as the store keeps it. */
export interface Toewijzing {
  partij: string;
  rol: ToewijzingRol;
  /** First day, YYYY-MM-DD. */
  vanaf: string;
  /** Last day (inclusive), or null for open-ended. */
  tot: string | null;
  /** When it was ended early, or null. */
  beeindigdOp: string | null;
}

export interface EvaluatieContext {
  trajectId: string;
  /** The moment of evaluation (ISO 8601): the message's commit time, or the scheduler's tick. */
  now: string;
  toewijzingen: readonly Toewijzing[];
  /** This trajectory's open signals. */
  openSignalen: readonly Signaal[];
  /** The message just folded into `stand`; absent when the scheduler evaluates. */
  bericht?: Bericht;
  /** Ids for new signals; default crypto.randomUUID. */
  newId?: () => string;
}

export type SignaalBesluit =
  | { actie: 'openen'; signaal: Signaal }
  | { actie: 'bijwerken'; signaal: Signaal; vorige: Signaal }
  | { actie: 'sluiten'; signaal: Signaal; vorige: Signaal };

const DAY_MS = 86_400_000;

function sumWeek(w: Week): Minuten {
  const out = { gepland: 0, aanwezig: 0, ongeoorloofdAfwezig: 0, ziek: 0, ongeoorloofdeLessen: 0 };
  for (const m of Object.values(w.activiteiten)) {
    if (!m) continue;
    out.gepland += m.gepland;
    out.aanwezig += m.aanwezig;
    out.ongeoorloofdAfwezig += m.ongeoorloofdAfwezig;
    out.ziek += m.ziek;
    out.ongeoorloofdeLessen += m.ongeoorloofdeLessen;
  }
  return out;
}

function hasUnexcused(w: Week): boolean {
  const s = sumWeek(w);
  return s.ongeoorloofdAfwezig > 0 || s.ongeoorloofdeLessen > 0;
}

/**
 * The verzuim condition over a window of weeks: unexcused minutes at least `aandeel` of the planned
 * minutes (compared in basis points, so 20 % of 15 minutes is exactly 3), or at least `lessen`
 * unexcused lessons.
 */
export function verzuimConditionHolds(window: readonly Week[], aandeel: number, lessen: number): boolean {
  const s = summarize(window);
  const bp = Math.round(aandeel * 10_000);
  const byShare = s.gepland > 0 && s.ongeoorloofdAfwezig * 10_000 >= bp * s.gepland;
  return byShare || s.ongeoorloofdeLessen >= lessen;
}

/** Whether an assignment is in force at `now` (dates compared as UTC calendar days). */
export function isActive(t: Toewijzing, now: string): boolean {
  const today = new Date(now).toISOString().slice(0, 10);
  if (t.vanaf > today) return false;
  if (t.tot !== null && t.tot < today) return false;
  if (t.beeindigdOp !== null && Date.parse(t.beeindigdOp) <= Date.parse(now)) return false;
  return true;
}

function mergeIds(a: readonly string[], b: readonly string[]): string[] {
  const out = [...a];
  for (const id of b) if (!out.includes(id)) out.push(id);
  return out.slice(-MAX_BERICHT_IDS);
}

function onlyCodes(regel: Signaalregel, codes: SignaalCodes): SignaalCodes {
  const out: SignaalCodes = {};
  for (const c of regel.codes) {
    const v = codes[c];
    if (v !== undefined) (out as Record<string, unknown>)[c] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

export function evaluateSignalen(stand: Stand, regels: readonly Signaalregel[], ctx: EvaluatieContext): SignaalBesluit[] {
  const newId = ctx.newId ?? (() => crypto.randomUUID());
  const out: SignaalBesluit[] = [];
  const decided = new Set<string>();
  const key = (soort: Soort, aanbieder: string | null) => `${soort}|${aanbieder ?? ''}`;
  const findOpen = (regel: Signaalregel, aanbieder: string | null) =>
    ctx.openSignalen.find((s) => s.status === 'open' && s.trajectId === ctx.trajectId && s.soort === regel.id && (!regel.perAanbieder || s.aanbieder === aanbieder));

  /** Open a signal, or update the open one: the "one open per kind (per provider)" rule. */
  const occur = (regel: Signaalregel, aanbieder: string | null, trigger: string | null, berichtIds: readonly string[], codes: SignaalCodes) => {
    const k = key(regel.id, regel.perAanbieder ? aanbieder : null);
    if (decided.has(k)) return;
    const open = findOpen(regel, aanbieder);
    if (open) {
      if (trigger === null || open.berichtIds.includes(trigger)) return; // nothing new
      decided.add(k);
      out.push({ actie: 'bijwerken', vorige: open, signaal: { ...open, aanbieder, bijgewerktOp: ctx.now, berichtIds: mergeIds(open.berichtIds, berichtIds), codes: onlyCodes(regel, codes) } });
      return;
    }
    decided.add(k);
    out.push({
      actie: 'openen',
      signaal: {
        signaalId: newId(), soort: regel.id, trajectId: ctx.trajectId, aanbieder, status: 'open', geopendOp: ctx.now, bijgewerktOp: ctx.now,
        berichtIds: mergeIds([], berichtIds), codes: onlyCodes(regel, codes), afgehandeldOp: null, uitkomst: null,
      },
    });
  };

  /** Close an open signal whose condition no longer holds (self-clearing kinds only). */
  const clear = (regel: Signaalregel, open: Signaal) => {
    if (!regel.vanzelfOpgeheven) return;
    const k = key(regel.id, regel.perAanbieder ? open.aanbieder : null);
    if (decided.has(k)) return;
    decided.add(k);
    out.push({ actie: 'sluiten', vorige: open, signaal: { ...open, status: 'afgehandeld', bijgewerktOp: ctx.now, afgehandeldOp: ctx.now, uitkomst: OPGEHEVEN } });
  };

  const b = ctx.bericht;
  for (const regel of regels) {
    switch (regel.id) {
      case 'verzuim': {
        if (b?.berichttype !== 'aanwezigheid') break;
        const window = lastWeeks(stand.aanwezigheid[b.afzender]?.weken ?? [], regel.drempels.weken!);
        const own = window.find((w) => w.berichtId === b.berichtId);
        // Only a report that is itself in the window and itself holds unexcused absence is a new occurrence.
        if (!own || !hasUnexcused(own)) break;
        if (!verzuimConditionHolds(window, regel.drempels.aandeelOngeoorloofd!, regel.drempels.ongeoorloofdeLessen!)) break;
        occur(regel, b.afzender, b.berichtId, window.filter(hasUnexcused).map((w) => w.berichtId), {});
        break;
      }
      case 'uit-beeld': {
        const rollen = regel.drempels.toewijzingen ?? [];
        const nowMs = Date.parse(ctx.now);
        const since = new Map<string, number>(); // provider → start of its earliest active relevant assignment
        for (const t of ctx.toewijzingen) {
          if (!rollen.includes(t.rol) || !isActive(t, ctx.now)) continue;
          const start = Date.parse(`${t.vanaf}T00:00:00Z`);
          since.set(t.partij, Math.min(since.get(t.partij) ?? start, start));
        }
        for (const [partij, start] of [...since].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))) {
          const last = lastAttendance(stand, partij);
          const ref = Math.max(start, last === null ? -Infinity : Date.parse(last));
          const silent = nowMs - ref > regel.drempels.dagen! * DAY_MS;
          const open = findOpen(regel, partij);
          // Raised only by the scheduler (no message); a message can only clear it.
          if (silent && !open && !b) {
            const id = stand.aanbieders[partij]?.laatsteAanwezigheidBerichtId;
            occur(regel, partij, null, id ? [id] : [], {});
          } else if (!silent && open) clear(regel, open);
        }
        for (const open of ctx.openSignalen) {
          if (open.soort === regel.id && open.status === 'open' && open.aanbieder !== null && !since.has(open.aanbieder)) clear(regel, open);
        }
        break;
      }
      case 'niveau-behaald':
      case 'streefniveau-behaald': {
        const m = b?.berichttype === 'taalvoortgang' ? b.inhoud.mijlpaal : undefined;
        if (!b || !m || m.soort !== regel.id) break;
        const kept = stand.mijlpalen.find((x) => mijlpaalKey(x) === mijlpaalKey(m));
        if (kept?.berichtId !== b.berichtId) break; // reported before: not a new milestone
        occur(regel, b.afzender, b.berichtId, [b.berichtId], { niveau: m.niveau, vaardigheden: [...m.vaardigheden].sort() });
        break;
      }
      case 'plaatsing-beeindigd':
      case 'plaatsing-uitgevallen': {
        if (b?.berichttype !== 'plaatsing') break;
        const status = regel.id === 'plaatsing-beeindigd' ? 'beeindigd' : 'uitgevallen';
        if (b.inhoud.status !== status) break;
        const current = stand.plaatsingen.find((p) => p.aanbieder === b.afzender && p.plaatsingId === b.inhoud.plaatsingId);
        if (current?.berichtId !== b.berichtId) break; // a stale version
        occur(regel, b.afzender, b.berichtId, [b.berichtId], { plaatsingId: b.inhoud.plaatsingId, ...(b.inhoud.eindreden ? { eindreden: b.inhoud.eindreden } : {}) });
        break;
      }
      case 'nazorg-ontbreekt': {
        const vormen = regel.drempels.vormen ?? [];
        const ontbreekt = regel.drempels.nazorgOntbreektBij ?? [];
        const missing = (partij: string): PlaatsingStand[] => stand.plaatsingen.filter((p) =>
          p.aanbieder === partij && isRunning(p) && vormen.includes(p.vorm) && (p.nazorg === null || ontbreekt.includes(p.nazorg.vorm)));
        if (b?.berichttype === 'plaatsing') {
          const hit = missing(b.afzender).find((p) => p.plaatsingId === b.inhoud.plaatsingId && p.berichtId === b.berichtId);
          if (hit) occur(regel, b.afzender, b.berichtId, [b.berichtId], { plaatsingId: hit.plaatsingId });
        }
        for (const open of ctx.openSignalen) {
          if (open.soort === regel.id && open.status === 'open' && missing(open.aanbieder ?? '').length === 0) clear(regel, open);
        }
        break;
      }
    }
  }
  return out;
}

/** Thrown by `afhandelen` for a signal that is not open or an outcome outside the code list. */
export class AfhandelingError extends Error {
  override name = 'AfhandelingError';
  constructor(readonly code: 'onbekende-uitkomst' | 'al-afgehandeld', message: string) {
    super(message);
  }
}

/** The gemeente closes an open signal with a coded outcome (no free text). */
export function afhandelen(signaal: Signaal, uitkomst: string, now: string): Signaal {
  if (!(AFHANDELUITKOMSTEN as readonly string[]).includes(uitkomst)) throw new AfhandelingError('onbekende-uitkomst', `onbekende uitkomst "${uitkomst}" (bekend: ${AFHANDELUITKOMSTEN.join(', ')})`);
  if (signaal.status !== 'open') throw new AfhandelingError('al-afgehandeld', `signaal ${signaal.signaalId} is al afgehandeld`);
  return { ...signaal, status: 'afgehandeld', bijgewerktOp: now, afgehandeldOp: now, uitkomst: uitkomst as Afhandeluitkomst };
}

/** Who reads a signal: the owning gemeente under the rule's doel, or an assigned provider where the rule allows it. */
export interface SignaalLezer {
  /** The reader's party id. */
  partij: string;
  /** The reader's party is the trajectory's gemeente. */
  eigenaar: boolean;
  /** The reader's active assignments on the trajectory. */
  toewijzingen: readonly ToewijzingRol[];
  /** The doel the reader declared. */
  doel: string;
}

/**
 * Whether a reader may see this signal. Deny by default: the owning gemeente under the rule's doel;
 * a provider only where the rule names provider visibility, under that doel, with an active
 * assignment of a listed role, and — for per-provider kinds — only the signals about itself.
 */
export function mayReadSignaal(regel: Signaalregel, signaal: Pick<Signaal, 'soort' | 'aanbieder'>, lezer: SignaalLezer): boolean {
  if (signaal.soort !== regel.id) return false;
  if (lezer.eigenaar) return lezer.doel === regel.doel;
  const a = regel.aanbieders;
  if (a === null || lezer.doel !== a.doel || !lezer.toewijzingen.some((r) => a.toewijzingen.includes(r))) return false;
  return !regel.perAanbieder || signaal.aanbieder === lezer.partij;
}
