/**
 * The logboek's signing keys (ES256): created on first start under `<data>/logboek/sleutels.json`
 * (mode 0600), newest first. Rotation puts a new key in front and keeps the older ones — stripped of
 * their private half — so that every checkpoint ever signed still verifies. The public keys are served
 * as a JWKS at `GET /v1/logboek/sleutels` and stored beside the checkpoints in the database.
 * The first key is created write-once (`write-once.ts`): replicas that start together on an empty
 * shared data folder all sign with the same key.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as jose from 'jose';
import { readIfExists, writeOnce } from '../write-once.js';

const ALG = 'ES256';

export interface BewaardeSleutel {
  aangemaaktOp: string;
  /** Private JWK for the current key; public only for retired keys. */
  jwk: jose.JWK & { kid: string; alg: string };
}

export interface LogboekSleutels {
  /** The current signing key's id. */
  kid: string;
  /** Sign a payload (canonical JSON) as a compact JWS with the current key. */
  sign(payload: string, typ: string): Promise<string>;
  /** The public keys, current first: what verifies every checkpoint. */
  jwks: jose.JSONWebKeySet;
  /** For the database copy. */
  publiek: Array<{ kid: string; jwk: string; aangemaaktOp: string }>;
}

export function sleutelBestand(dataDir: string): string {
  return path.join(dataDir, 'logboek', 'sleutels.json');
}

function publicHalf(jwk: jose.JWK): jose.JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
}

async function newKey(now: Date): Promise<BewaardeSleutel> {
  const { privateKey } = await jose.generateKeyPair(ALG, { extractable: true });
  const kid = `logboek-${now.toISOString().slice(0, 10)}-${crypto.randomBytes(4).toString('hex')}`;
  return { aangemaaktOp: now.toISOString(), jwk: { ...(await jose.exportJWK(privateKey)), kid, alg: ALG, use: 'sig' } };
}

function read(file: string): BewaardeSleutel[] | null {
  const text = readIfExists(file);
  return text === null ? null : (JSON.parse(text) as { sleutels: BewaardeSleutel[] }).sleutels;
}

function write(file: string, sleutels: BewaardeSleutel[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ sleutels }, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

async function toSet(sleutels: BewaardeSleutel[]): Promise<LogboekSleutels> {
  const current = sleutels[0]!;
  if (!current.jwk.d) throw new Error('de nieuwste logboeksleutel heeft geen privé-deel');
  const key = await jose.importJWK(current.jwk, ALG);
  return {
    kid: current.jwk.kid,
    async sign(payload, typ) {
      return new jose.CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: ALG, kid: current.jwk.kid, typ }).sign(key);
    },
    jwks: { keys: sleutels.map((s) => ({ ...publicHalf(s.jwk), use: 'sig', alg: ALG })) },
    publiek: sleutels.map((s) => ({ kid: s.jwk.kid, jwk: JSON.stringify(publicHalf(s.jwk)), aangemaaktOp: s.aangemaaktOp })),
  };
}

/** The keys of this data folder; the first start creates one. */
export async function logboekSleutels(dataDir: string, now = new Date()): Promise<LogboekSleutels> {
  const file = sleutelBestand(dataDir);
  let sleutels = read(file);
  if (!sleutels?.length) {
    const created = `${JSON.stringify({ sleutels: [await newKey(now)] }, null, 2)}\n`;
    sleutels = (JSON.parse(writeOnce(file, created)) as { sleutels: BewaardeSleutel[] }).sleutels;
  }
  return toSet(sleutels);
}

/**
 * Rotate: a new current key; the previous ones stay for verification but lose their private half
 * (nothing can sign with them any more). A running gateway picks the new key up at its next start.
 */
export async function roteerLogboekSleutel(dataDir: string, now = new Date()): Promise<LogboekSleutels> {
  const file = sleutelBestand(dataDir);
  const old = (read(file) ?? []).map((s) => ({ ...s, jwk: publicHalf(s.jwk) as BewaardeSleutel['jwk'] }));
  const sleutels = [await newKey(now), ...old];
  write(file, sleutels);
  return toSet(sleutels);
}
