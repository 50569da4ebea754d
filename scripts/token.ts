/**
 * `npm run token -- <client_id>`: print an access token of a demo client, for curl examples.
 * The gateway must be running (npm start). Honours PORT, DOELPOORT_DATA_DIR and DOELPOORT_PUBLIC_URL.
 */
import path from 'node:path';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';

const clientId = process.argv[2];
if (!clientId) {
  console.error('usage: npm run token -- <client_id>   (e.g. gemeente-hengelo, roc-van-twente, taalschool-oost, werkshop)');
  process.exit(64);
}
const dataDir = path.resolve(process.env.DOELPOORT_DATA_DIR ?? './data');
const base = (process.env.DOELPOORT_PUBLIC_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`).replace(/\/+$/, '');
try {
  const { accessToken } = await fetchAccessToken({ issuer: `${base}/oidc`, clientId, jwk: readDevClientKey(dataDir, clientId) });
  process.stdout.write(`${accessToken}\n`);
} catch (e) {
  console.error(`Could not get a token for ${clientId} from ${base}/oidc: ${(e as Error).message}`);
  process.exit(1);
}
