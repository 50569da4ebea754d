/** Every action and every rule the gateway records has Dutch words on the officer's pages. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIES } from '../audit/record.js';
import { projectRoot } from '../config.js';
import { PROBLEMS } from '../http/problem.js';
import { ACTIE_LABELS, REGEL_LABELS, actieLabel, regelLabel } from './labels.js';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const f = path.join(dir, e.name);
    return e.isDirectory() ? sources(f) : f.endsWith('.ts') && !f.endsWith('.test.ts') ? [f] : [];
  });
}

describe('Dutch labels', () => {
  it('every action has one, and none is its code', () => {
    for (const a of AUDIT_ACTIES) {
      expect(ACTIE_LABELS[a], a).toBeTruthy();
      expect(actieLabel(a)).not.toBe(a);
    }
  });

  it('every rule written in src/, every kind of problem, every token refusal and every shipped policy rule has one', () => {
    const src = path.join(projectRoot(), 'src');
    const codes = new Set<string>();
    for (const f of sources(src)) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(/regel: '([a-z0-9-]+)'/g)) codes.add(m[1]!);
      for (const m of text.matchAll(/new AuthError\('([a-z0-9-]+)'/g)) codes.add(m[1]!);
    }
    for (const kind of Object.keys(PROBLEMS)) codes.add(kind);
    const regels = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'policies', 'regels.json'), 'utf8')) as { regels: { id: string }[] };
    for (const r of regels.regels) codes.add(r.id);
    expect(codes.size).toBeGreaterThan(40);
    const missing = [...codes].filter((c) => !REGEL_LABELS[c]);
    expect(missing).toEqual([]);
    for (const c of codes) expect(regelLabel(c)).not.toBe(c);
  });
});
