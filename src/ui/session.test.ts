import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { clearSessionCookie, csrfMatches, SessionStore, setSessionCookie } from './session.js';

function fakeResponse() {
  const headers: string[] = [];
  return { res: { append: (_n: string, v: string) => headers.push(v) } as unknown as Response, headers };
}

const officer = { sub: 'fg-hengelo', naam: 'FG', accessToken: 'a', refreshToken: null, idToken: null, expiresAt: 0 };

describe('sessions', () => {
  it('end after 30 minutes idle, and live on while used', () => {
    let now = 0;
    const store = new SessionStore(() => now);
    const s = store.create();
    s.officer = officer;
    now = 29 * 60_000;
    expect(store.get(s.id)).toBe(s);
    now += 29 * 60_000;
    expect(store.get(s.id)).toBe(s);
    now += 31 * 60_000;
    expect(store.get(s.id)).toBeNull();
  });

  it('a session that never logged in ends after 10 minutes idle', () => {
    let now = 0;
    const store = new SessionStore(() => now);
    const s = store.create();
    now = 11 * 60_000;
    expect(store.get(s.id)).toBeNull();
  });

  it('a flood of anonymous sessions evicts anonymous ones, not a signed-in officer', () => {
    const store = new SessionStore(Date.now, 100);
    const signedIn = store.create();
    signedIn.officer = officer;
    const first = store.create();
    for (let i = 0; i < 500; i++) store.create();
    expect(store.size).toBeLessThanOrEqual(100);
    expect(store.get(signedIn.id)).toBe(signedIn);
    expect(store.get(first.id)).toBeNull();
  });

  it('end after 8 hours however busy', () => {
    let now = 0;
    const store = new SessionStore(() => now);
    const s = store.create();
    s.officer = officer;
    for (now = 0; now < 8 * 3600_000; now += 20 * 60_000) expect(store.get(s.id)).not.toBeNull();
    now = 8 * 3600_000 + 1;
    expect(store.get(s.id)).toBeNull();
  });

  it('rotate gives a new id and CSRF token and forgets the old id', () => {
    const store = new SessionStore();
    const s = store.create();
    const r = store.rotate(s);
    expect(r.id).not.toBe(s.id);
    expect(r.csrf).not.toBe(s.csrf);
    expect(store.get(s.id)).toBeNull();
    expect(store.get(r.id)).toBe(r);
  });

  it('the CSRF check accepts the session token only', () => {
    const s = new SessionStore().create();
    expect(csrfMatches(s, s.csrf)).toBe(true);
    expect(csrfMatches(s, `${s.csrf}x`)).toBe(false);
    expect(csrfMatches(s, '')).toBe(false);
    expect(csrfMatches(s, undefined)).toBe(false);
  });

  it('the cookie is HttpOnly, SameSite=Lax, scoped to /privacy, and Secure only over TLS', () => {
    const s = new SessionStore().create();
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
