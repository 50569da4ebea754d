import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DEMO_PASSWORD, loadConfig } from './config.js';

const production = { OIDC_ISSUER: 'https://idp.example/realms/doelpoort', OIDC_AUDIENCE: 'https://doelpoort.example/v1', DOELPOORT_POLICY_DIR: '/etc/doelpoort', DOELPOORT_PUBLIC_URL: 'https://doelpoort.example' };

describe('configuration of the privacy pages', () => {
  it('embedded mode: the demo client doelpoort-privacy with its key in dev-clients/ and the documented demo password', () => {
    const c = loadConfig({ DOELPOORT_DATA_DIR: '/tmp/x' });
    expect(c.ui).toMatchObject({ clientId: 'doelpoort-privacy', clientKeyFile: '/tmp/x/dev-clients/doelpoort-privacy.jwk.json', clientSecret: null, demoPassword: DEFAULT_DEMO_PASSWORD });
    expect(c.ui!.redirectUri).toBe('http://127.0.0.1:8080/privacy/callback');
    expect(c.uiApiUrl).toBeNull();
    expect(loadConfig({ DOELPOORT_DEMO_WACHTWOORD: 'anders' }).ui!.demoPassword).toBe('anders');
  });

  it('production mode: off without DOELPOORT_UI_CLIENT_ID; on with a key file or a secret; never a demo password', () => {
    expect(loadConfig(production).ui).toBeNull();
    const withKey = loadConfig({ ...production, DOELPOORT_UI_CLIENT_ID: 'fg-portaal', DOELPOORT_UI_CLIENT_KEY_FILE: '/run/secrets/fg.jwk.json' }).ui!;
    expect(withKey).toMatchObject({ clientId: 'fg-portaal', clientKeyFile: '/run/secrets/fg.jwk.json', clientSecret: null, demoPassword: null, redirectUri: 'https://doelpoort.example/privacy/callback' });
    expect(loadConfig({ ...production, DOELPOORT_UI_CLIENT_ID: 'fg-portaal', DOELPOORT_UI_CLIENT_SECRET: 's3cr3t' }).ui!.clientSecret).toBe('s3cr3t');
  });

  it('production mode refuses a UI client with neither or both of key file and secret', () => {
    expect(() => loadConfig({ ...production, DOELPOORT_UI_CLIENT_ID: 'fg-portaal' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, DOELPOORT_UI_CLIENT_ID: 'fg-portaal', DOELPOORT_UI_CLIENT_KEY_FILE: '/k', DOELPOORT_UI_CLIENT_SECRET: 's' })).toThrow(ConfigError);
  });

  it('DOELPOORT_UI_API_URL points the pages at another logboek API', () => {
    expect(loadConfig({ DOELPOORT_UI_API_URL: 'http://intern:8080/' }).uiApiUrl).toBe('http://intern:8080');
  });
});
