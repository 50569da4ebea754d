import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { clearSessionCookie, csrfMatches, SessionStore, setSessionCookie, TeVeelInlogpogingen } from './session.js';

function fakeResponse() {
  const headers: string[] = [];
  return { res: { append: (_n: string, v: string) => headers.push(v) } as unknown as Response, headers };
}

const officer = { sub: 'fg-hengelo', naam: 'FG', accessToken: 'toegangstoken-geheim', refreshToken: 'vernieuwtoken-geheim', idToken: null, expiresAt: 0 };

let dir: string;
let store: Store;
/** A store instance as a second replica would see the same database (a fresh SessionStore, no shared memory). */
const sessions = (now?: () => number, perIp?: number) => new SessionStore(store.shared, now, perIp);
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-sessies-'));
  store = openSqliteStore(path.join(dir, 'doelpoort.db'));
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let ipCounter = 0;
const freshIp = () => `192.0.2.${++ipCounter}`;

describe('sessions (in the shared state)', () => {
  it('end after 30 minutes idle, and live on while used', async () => {
    let now = Date.now();
    const s = await sessions(() => now).create(freshIp());
    const signedIn = await sessions(() => now).rotate(s, officer);
    now += 29 * 60_000;
    expect((await sessions(() => now).get(signedIn.id))?.officer).toEqual(officer);
    now += 29 * 60_000;
    expect((await sessions(() => now).get(signedIn.id))?.officer).toEqual(officer);
    now += 31 * 60_000;
    expect(await sessions(() => now).get(signedIn.id)).toBeNull();
  });

  it('a session that never logged in ends after 10 minutes idle', async () => {
    let now = Date.now();
    const s = await sessions(() => now).create(freshIp());
    now += 9 * 60_000;
    expect(await sessions(() => now).get(s.id)).not.toBeNull();
    now += 11 * 60_000;
    expect(await sessions(() => now).get(s.id)).toBeNull();
  });

  it('end after 8 hours however busy', async () => {
    let now = Date.now();
    const s = await sessions(() => now).rotate(await sessions(() => now).create(freshIp()), officer);
    const start = now;
    for (; now < start + 8 * 3600_000; now += 20 * 60_000) expect(await sessions(() => now).get(s.id)).not.toBeNull();
    now = start + 8 * 3600_000 + 1;
    expect(await sessions(() => now).get(s.id)).toBeNull();
  });

  it('rotate gives a new id and CSRF token, forgets the old id, and signs the officer in', async () => {
    const s = await sessions().create(freshIp());
    const r = await sessions().rotate(s, officer);
    expect(r.id).not.toBe(s.id);
    expect(r.csrf).not.toBe(s.csrf);
    expect(await sessions().get(s.id)).toBeNull();
    expect(await sessions().get(r.id)).toMatchObject({ id: r.id, csrf: r.csrf, officer });
  });

  it('pending logins are kept per session, at most five (the oldest goes)', async () => {
    const s = await sessions().create(freshIp());
    for (let i = 0; i < 7; i++) sessions().addLogin(s, { state: `s${i}`, nonce: 'n', codeVerifier: 'v', returnTo: '/privacy/logboek', started: Date.now() });
    await sessions().save(s);
    expect([...(await sessions().get(s.id))!.logins.keys()]).toEqual(['s2', 's3', 's4', 's5', 's6']);
  });

  it('a flood of anonymous sessions from one address is refused after 20, and touches no other address and no officer', async () => {
    const officerSession = await sessions().rotate(await sessions().create(freshIp()), officer);
    const flood = freshIp();
    const other = await sessions().create(freshIp());
    const made = [];
    for (let i = 0; i < 20; i++) made.push(await sessions().create(flood));
    const refused = await sessions().create(flood).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TeVeelInlogpogingen);
    expect((refused as TeVeelInlogpogingen).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as TeVeelInlogpogingen).retryAfterSeconds).toBeLessThanOrEqual(600);
    // Nothing was evicted: the flood's own sessions, another address's login and the officer all live.
    for (const s of made) expect(await sessions().get(s.id)).not.toBeNull();
    expect(await sessions().get(other.id)).not.toBeNull();
    expect((await sessions().get(officerSession.id))?.officer).toEqual(officer);
    // Another address may still start a login.
    await expect(sessions().create(freshIp())).resolves.toBeDefined();
  });

  it('the database alone reveals nothing: hashed row keys, encrypted content; a wrong id or an altered row reads as no session', async () => {
    const s = await sessions().rotate(await sessions().create(freshIp()), officer);
    const db = new Database(path.join(dir, 'doelpoort.db'), { readonly: true });
    const rows = db.prepare("SELECT sleutel, waarde FROM gedeelde_staat WHERE soort = 'privacy-sessie'").all() as Array<{ sleutel: string; waarde: string }>;
    db.close();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.sleutel).not.toBe(s.id);
      expect(await sessions().get(row.sleutel)).toBeNull(); // a row key is not a cookie
      expect(row.waarde).not.toContain('geheim');
      expect(row.waarde).not.toContain(s.csrf);
      expect(row.waarde).not.toContain('fg-hengelo');
    }
    // An altered row (one byte of the ciphertext) does not decrypt.
    const mine = crypto.createHash('sha256').update(`doelpoort-privacy-sessie:${s.id}`).digest('base64url');
    const sealed = (await store.shared.get('privacy-sessie', mine)) as string;
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    await store.shared.put('privacy-sessie', mine, bytes.toString('base64url'), Date.now() + 60_000);
    expect(await sessions().get(s.id)).toBeNull();
  });

  it('the CSRF check accepts the session token only', async () => {
    const s = await sessions().create(freshIp());
    expect(csrfMatches(s, s.csrf)).toBe(true);
    expect(csrfMatches(s, `${s.csrf}x`)).toBe(false);
    expect(csrfMatches(s, '')).toBe(false);
    expect(csrfMatches(s, undefined)).toBe(false);
  });

  it('the cookie is HttpOnly, SameSite=Lax, scoped to /privacy, and Secure only over TLS', async () => {
    const s = await sessions().create(freshIp());
    const plain = fakeResponse();
    setSessionCookie(plain.res, s, { path: '/privacy', secure: false });
    expect(plain.headers).toEqual([`doelpoort_privacy=${s.id}; Path=/privacy; HttpOnly; SameSite=Lax`]);
    const tls = fakeResponse();
    setSessionCookie(tls.res, s, { path: '/privacy', secure: true });
    clearSessionCookie(tls.res, { path: '/privacy', secure: true });
    expect(tls.headers[0]).toMatch(/; Secure$/);
    expect(tls.headers[1]).toMatch(/^doelpoort_privacy=; Path=\/privacy; HttpOnly; SameSite=Lax; Max-Age=0; Secure$/);
  });
});
