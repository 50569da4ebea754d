import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { controleerControlepunt, ondertekenControlepunt } from './controlepunt.js';
import { logboekSleutels, roteerLogboekSleutel, sleutelBestand } from './sleutels.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-sleutels-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const inhoud = { aantal: 42, laatsteHash: 'a'.repeat(64), tijdstip: '2026-11-20T10:00:00.000Z' };

describe('logboek signing keys', () => {
  it('are created once, private (0600), and the same on the next start', async () => {
    const dir = tmp();
    const first = await logboekSleutels(dir);
    expect(fs.statSync(sleutelBestand(dir)).mode & 0o777).toBe(0o600);
    const again = await logboekSleutels(dir);
    expect(again.kid).toBe(first.kid);
    expect(first.jwks.keys).toHaveLength(1);
    expect(first.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('rotation: the new key signs, a checkpoint signed by the old key still verifies, the old key can no longer sign', async () => {
    const dir = tmp();
    const old = await logboekSleutels(dir);
    const oldPunt = await ondertekenControlepunt(old, inhoud);
    const rotated = await roteerLogboekSleutel(dir);
    expect(rotated.kid).not.toBe(old.kid);
    expect(rotated.jwks.keys.map((k) => k.kid)).toEqual([rotated.kid, old.kid]);
    // After a restart the rotated set is what is loaded.
    const loaded = await logboekSleutels(dir);
    expect(loaded.kid).toBe(rotated.kid);
    const check = await controleerControlepunt(oldPunt.jws, loaded.jwks);
    expect(check).toMatchObject({ geldig: true, kid: old.kid, inhoud });
    const newPunt = await ondertekenControlepunt(loaded, inhoud);
    expect(newPunt.sleutel).toBe(rotated.kid);
    expect((await controleerControlepunt(newPunt.jws, loaded.jwks)).geldig).toBe(true);
    const stored = JSON.parse(fs.readFileSync(sleutelBestand(dir), 'utf8')) as { sleutels: { jwk: Record<string, unknown> }[] };
    expect(stored.sleutels[0]!.jwk.d).toBeDefined();
    expect(stored.sleutels[1]!.jwk.d).toBeUndefined();
  });

  it('a checkpoint signed by an unknown key, or altered, does not verify', async () => {
    const mine = await logboekSleutels(tmp());
    const theirs = await logboekSleutels(tmp());
    const punt = await ondertekenControlepunt(theirs, inhoud);
    expect(await controleerControlepunt(punt.jws, mine.jwks)).toEqual({ geldig: false, reden: 'ondertekend met een onbekende sleutel' });
    const own = await ondertekenControlepunt(mine, inhoud);
    const [h, , sig] = own.jws.split('.');
    const altered = `${h}.${Buffer.from(JSON.stringify({ ...inhoud, aantal: 41 })).toString('base64url')}.${sig}`;
    expect(await controleerControlepunt(altered, mine.jwks)).toEqual({ geldig: false, reden: 'handtekening ongeldig' });
  });
});
