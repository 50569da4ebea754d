import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../config.js';
import { loadSchemas } from '../schemas/registry.js';
import { createPolicyEngine } from './engine.js';
import { PolicyError } from './errors.js';
import { loadPolicies } from './load.js';

const root = projectRoot();
const schemas = loadSchemas(path.join(root, 'schemas'));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function policyDir(mutate?: (json: { functionarissen: Array<Record<string, unknown>> }) => void, remove = false): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-fg-'));
  dirs.push(dir);
  fs.cpSync(path.join(root, 'policies'), dir, { recursive: true });
  const file = path.join(dir, 'functionarissen.json');
  if (remove) fs.rmSync(file);
  else if (mutate) {
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    mutate(json);
    fs.writeFileSync(file, JSON.stringify(json));
  }
  return dir;
}

describe('functionarissen.json', () => {
  it('the shipped registry: fg-hengelo for gemeente-hengelo, fg-roc for roc-van-twente', () => {
    const engine = createPolicyEngine(loadPolicies(path.join(root, 'policies'), schemas));
    expect(engine.functionaris('fg-hengelo', null)).toMatchObject({ id: 'fg-hengelo', partij: 'gemeente-hengelo' });
    expect(engine.functionaris('fg-roc', 'wie-dan-ook')).toMatchObject({ id: 'fg-roc', partij: 'roc-van-twente' });
    // The browser client names the officer in sub; no other client does.
    expect(engine.functionaris('doelpoort-privacy', 'fg-hengelo')?.id).toBe('fg-hengelo');
    expect(engine.functionaris('doelpoort-privacy', 'gemeente-hengelo')).toBeUndefined();
    expect(engine.functionaris('doelpoort-privacy', null)).toBeUndefined();
    expect(engine.functionaris('gemeente-hengelo', 'fg-hengelo')).toBeUndefined();
  });

  it('is optional: without it there are no officers', () => {
    const set = loadPolicies(policyDir(undefined, true), schemas);
    expect(set.functionarissen).toEqual([]);
  });

  it('is validated against its schema', () => {
    expect(() => loadPolicies(policyDir((j) => { j.functionarissen[0]!.rol = 'baas'; }), schemas)).toThrow(/functionarissen\.json: voldoet niet aan het schema/);
  });

  it('refuses an officer of an unknown party', () => {
    expect(() => loadPolicies(policyDir((j) => { j.functionarissen[0]!.partij = 'gemeente-nergens'; }), schemas)).toThrow(PolicyError);
  });

  it('refuses a client that is both a party\'s and an officer\'s', () => {
    expect(() => loadPolicies(policyDir((j) => { j.functionarissen[0]!.clientIds = ['gemeente-hengelo']; }), schemas)).toThrow(/client-id "gemeente-hengelo" komt meer dan eens voor/);
  });
});
