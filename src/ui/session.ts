/**
 * UI: server-side sessions of the privacy pages. The browser only holds a random 256-bit id in the
 * cookie `doelpoort_privacy` (`HttpOnly; SameSite=Lax; Path=/privacy`, plus `Secure` over TLS);
 * the officer's tokens stay on the server (backend-for-frontend) and never reach the browser or a
 * URL. Each session has a CSRF token for its POST forms. Sessions end after 30 minutes idle or
 * 8 hours in total (one that never logged in: 10 minutes idle); the store is in memory (a restart
 * logs officers out; several replicas need sticky sessions) and bounded, evicting anonymous
 * sessions before signed-in ones.
 */
import crypto from 'node:crypto';
import type { Request, Response } from 'express';

export const COOKIE_NAME = 'doelpoort_privacy';
const IDLE_MS = 30 * 60_000;
const ABSOLUTE_MS = 8 * 3600_000;
const LOGIN_TTL_MS = 10 * 60_000;
const MAX_SESSIONS = 10_000;
const MAX_PENDING_LOGINS = 5;

/** An authorization request in flight (one per browser tab that started a login). */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where to go after the login: a path under /privacy. */
  returnTo: string;
  started: number;
}

export interface Officer {
  sub: string;
  naam: string;
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** Access token expiry, epoch ms. */
  expiresAt: number;
}

export interface UiSession {
  id: string;
  csrf: string;
  created: number;
  lastSeen: number;
  logins: Map<string, PendingLogin>;
  officer: Officer | null;
}

const newId = () => crypto.randomBytes(32).toString('base64url');

export class SessionStore {
  private readonly sessions = new Map<string, UiSession>();
  constructor(
    private readonly now: () => number = Date.now,
    private readonly max = MAX_SESSIONS,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: string | undefined): UiSession | null {
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    const now = this.now();
    if (this.expired(s, now)) {
      this.sessions.delete(id);
      return null;
    }
    s.lastSeen = now;
    for (const [state, login] of s.logins) if (now - login.started > LOGIN_TTL_MS) s.logins.delete(state);
    return s;
  }

  create(): UiSession {
    this.sweep();
    const now = this.now();
    const s: UiSession = { id: newId(), csrf: newId(), created: now, lastSeen: now, logins: new Map(), officer: null };
    this.sessions.set(s.id, s);
    return s;
  }

  /** A new id and CSRF token for a session whose privilege changes (login): no session fixation. */
  rotate(s: UiSession): UiSession {
    this.sessions.delete(s.id);
    const now = this.now();
    const next: UiSession = { ...s, id: newId(), csrf: newId(), created: now, lastSeen: now, logins: new Map() };
    this.sessions.set(next.id, next);
    return next;
  }

  destroy(s: UiSession): void {
    this.sessions.delete(s.id);
  }

  addLogin(s: UiSession, login: PendingLogin): void {
    s.logins.set(login.state, login);
    while (s.logins.size > MAX_PENDING_LOGINS) s.logins.delete(s.logins.keys().next().value!);
  }

  /** Idle or too old; a session that never logged in only lives as long as a login may take. */
  private expired(s: UiSession, now: number): boolean {
    return now - s.lastSeen > (s.officer ? IDLE_MS : LOGIN_TTL_MS) || now - s.created > ABSOLUTE_MS;
  }

  private sweep(): void {
    if (this.sessions.size < this.max) return;
    const now = this.now();
    for (const [id, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(id);
    // Still full: drop sessions that never logged in first (oldest first; a Map keeps insertion
    // order), so that a flood of anonymous requests cannot push signed-in officers out.
    for (const [id, s] of this.sessions) {
      if (this.sessions.size < this.max) return;
      if (!s.officer) this.sessions.delete(id);
    }
    while (this.sessions.size >= this.max) this.sessions.delete(this.sessions.keys().next().value!);
  }
}

export function readSessionId(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE_NAME) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface CookieOptions {
  /** Cookie path: `<base>/privacy`. */
  path: string;
  /** Set `Secure`: the request came over TLS or the public URL is https. */
  secure: boolean;
}

export function setSessionCookie(res: Response, s: UiSession, o: CookieOptions): void {
  res.append('Set-Cookie', `${COOKIE_NAME}=${s.id}; Path=${o.path}; HttpOnly; SameSite=Lax${o.secure ? '; Secure' : ''}`);
}

export function clearSessionCookie(res: Response, o: CookieOptions): void {
  res.append('Set-Cookie', `${COOKIE_NAME}=; Path=${o.path}; HttpOnly; SameSite=Lax; Max-Age=0${o.secure ? '; Secure' : ''}`);
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(s: UiSession, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(s.csrf).digest();
  return crypto.timingSafeEqual(a, b);
}
