/**
 * The parts of signal handling outside the rule table: closing with a coded outcome, who may read
 * a signal, and that evaluation neither mutates its input nor depends on anything but its arguments.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config.js';
import { loadPolicies } from '../policy/load.js';
import { addDays, schemas, weekTotalen } from '../../test/support/signaalberichten.js';
import { applyBericht, emptyStand } from '../stand/stand.js';
import { afhandelen, AfhandelingError, evaluateSignalen, isActive, mayReadSignaal } from './evaluate.js';
import { loadSignaalregels } from './load.js';
import { AFHANDELUITKOMSTEN, type Signaal } from './types.js';

const root = projectRoot();
const policies = loadPolicies(path.join(root, 'policies'), schemas);
const regels = loadSignaalregels(path.join(root, 'policies'), policies, schemas).regels;
const regel = (id: string) => regels.find((r) => r.id === id)!;

const open: Signaal = {
  signaalId: 's1', soort: 'verzuim', trajectId: 't', aanbieder: 'roc-van-twente', status: 'open', geopendOp: '2026-11-09T09:00:00.000Z',
  bijgewerktOp: '2026-11-09T09:00:00.000Z', berichtIds: ['w1'], codes: {}, afgehandeldOp: null, uitkomst: null,
};

describe('afhandelen', () => {
  it.each(AFHANDELUITKOMSTEN)('closes an open signal with outcome %s', (uitkomst) => {
    expect(afhandelen(open, uitkomst, '2026-11-10T10:00:00.000Z')).toEqual({ ...open, status: 'afgehandeld', uitkomst, afgehandeldOp: '2026-11-10T10:00:00.000Z', bijgewerktOp: '2026-11-10T10:00:00.000Z' });
  });

  it('refuses an outcome outside the code list (also the gateway\'s own "opgeheven") and a signal already closed', () => {
    expect(() => afhandelen(open, 'opgeheven', '2026-11-10T10:00:00.000Z')).toThrow(AfhandelingError);
    expect(() => afhandelen(open, 'belde de deelnemer', '2026-11-10T10:00:00.000Z')).toThrow(/onbekende uitkomst/);
    const closed = afhandelen(open, 'doorverwezen', '2026-11-10T10:00:00.000Z');
    expect(() => afhandelen(closed, 'doorverwezen', '2026-11-11T10:00:00.000Z')).toThrow(/al afgehandeld/);
  });
});

describe('mayReadSignaal', () => {
  const gemeente = { partij: 'gemeente-hengelo', eigenaar: true, toewijzingen: [], doel: 'trajectbegeleiding' };
  it('the owning gemeente under the rule\'s doel only', () => {
    expect(mayReadSignaal(regel('verzuim'), open, gemeente)).toBe(true);
    expect(mayReadSignaal(regel('verzuim'), open, { ...gemeente, doel: 'handhaving' })).toBe(false);
    expect(mayReadSignaal(regel('verzuim'), open, { ...gemeente, eigenaar: false })).toBe(false);
  });

  it('a provider only where the rule allows it, with a listed assignment, under the provider doel', () => {
    const niveau = { ...open, soort: 'niveau-behaald' as const, aanbieder: 'roc-van-twente' };
    const werkshop = { partij: 'werkshop', eigenaar: false, toewijzingen: ['participatie' as const], doel: 'bemiddeling' };
    expect(mayReadSignaal(regel('niveau-behaald'), niveau, werkshop)).toBe(true);
    expect(mayReadSignaal(regel('niveau-behaald'), niveau, { ...werkshop, toewijzingen: [] })).toBe(false);
    expect(mayReadSignaal(regel('niveau-behaald'), niveau, { ...werkshop, doel: 'trajectbegeleiding' })).toBe(false);
    expect(mayReadSignaal(regel('niveau-behaald'), niveau, { ...werkshop, partij: 'roc-van-twente', toewijzingen: ['taal'] })).toBe(false);
    // No provider reads verzuim, not even its own.
    expect(mayReadSignaal(regel('verzuim'), open, { partij: 'roc-van-twente', eigenaar: false, toewijzingen: ['taal'], doel: 'trajectbegeleiding' })).toBe(false);
    // A rule never answers for another kind's signal.
    expect(mayReadSignaal(regel('niveau-behaald'), open, gemeente)).toBe(false);
  });

  it('a per-provider kind shows a provider only its own signals', () => {
    const r = { ...regel('verzuim'), aanbieders: { doel: 'bemiddeling', toewijzingen: ['participatie' as const] } };
    const lezer = { partij: 'werkshop', eigenaar: false, toewijzingen: ['participatie' as const], doel: 'bemiddeling' };
    expect(mayReadSignaal(r, { ...open, aanbieder: 'werkshop' }, lezer)).toBe(true);
    expect(mayReadSignaal(r, open, lezer)).toBe(false);
  });
});

describe('evaluateSignalen as a function', () => {
  it('does not mutate the state, the rules or the open signals, and gives the same answer twice', () => {
    const b = weekTotalen({ berichtId: 'w2', van: '2026-11-02' }, { gepland: 600, ongeoorloofd: 300 });
    const stand = applyBericht(emptyStand(), b);
    const ctx = { trajectId: 't', now: '2026-11-09T09:00:00.000Z', toewijzingen: [], openSignalen: [open], bericht: b, newId: () => 'x' };
    const before = JSON.stringify([stand, regels, ctx]);
    const first = evaluateSignalen(stand, regels, ctx);
    expect(first).toEqual([{ actie: 'bijwerken', vorige: open, signaal: { ...open, berichtIds: ['w1', 'w2'], bijgewerktOp: '2026-11-09T09:00:00.000Z' } }]);
    expect(evaluateSignalen(stand, regels, ctx)).toEqual(first);
    expect(JSON.stringify([stand, regels, ctx])).toBe(before);
  });

  it('keeps at most 20 message ids, the newest', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `old${i}`);
    const b = weekTotalen({ berichtId: 'nieuw', van: '2026-11-02' }, { gepland: 600, ongeoorloofd: 300 });
    const [d] = evaluateSignalen(applyBericht(emptyStand(), b), [regel('verzuim')], { trajectId: 't', now: '2026-11-09T09:00:00.000Z', toewijzingen: [], openSignalen: [{ ...open, berichtIds: ids }], bericht: b });
    expect(d!.signaal.berichtIds).toHaveLength(20);
    expect(d!.signaal.berichtIds.at(-1)).toBe('nieuw');
    expect(d!.signaal.berichtIds[0]).toBe('old1');
  });

  it('isActive: from the first day, through the last day, until it was ended', () => {
    const t = { partij: 'p', rol: 'taal' as const, vanaf: '2026-11-01', tot: '2026-11-30', beeindigdOp: null };
    expect(isActive(t, '2026-10-31T23:59:59.999Z')).toBe(false);
    expect(isActive(t, '2026-11-01T00:00:00.000Z')).toBe(true);
    expect(isActive(t, '2026-11-30T23:59:59.999Z')).toBe(true);
    expect(isActive(t, `${addDays('2026-11-30', 1)}T00:00:00.000Z`)).toBe(false);
    expect(isActive({ ...t, beeindigdOp: '2026-11-10T12:00:00.000Z' }, '2026-11-10T11:59:59.000Z')).toBe(true);
    expect(isActive({ ...t, beeindigdOp: '2026-11-10T12:00:00.000Z' }, '2026-11-10T12:00:00.000Z')).toBe(false);
  });
});
