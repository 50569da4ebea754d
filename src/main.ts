/** Entry point of `npm start`: start the gateway with its embedded defaults, stop cleanly on SIGTERM/SIGINT. */
import { ConfigError } from './config.js';
import { PortInUseError, startGateway } from './gateway.js';

/** Exit code when the port is taken (98: Linux's errno for EADDRINUSE). Documented in the README. */
export const EXIT_PORT_IN_USE = 98;
import { PolicyError } from './policy/errors.js';

try {
  const gateway = await startGateway();
  const shutdown = (signal: string) => {
    gateway.services.logger.info({ signal }, 'draining and stopping');
    gateway.stop().then(
      () => process.exit(0),
      (err) => {
        gateway.services.logger.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (gateway.config.mode === 'embedded') {
    console.log(`\nDoelpoort runs at ${gateway.url} (embedded OpenID Provider at ${gateway.config.issuer}).`);
    console.log(`Demo client keys: ${gateway.config.dataDir}/dev-clients/. A token: npm run token -- gemeente-hengelo`);
    console.log(`Privacy officer's pages: ${gateway.config.publicUrl}/privacy (users fg-hengelo, fg-roc; password in the README)\n`);
  }
} catch (e) {
  if (e instanceof ConfigError || e instanceof PolicyError) {
    console.error(`Doelpoort did not start: ${e.message}`);
    process.exit(78);
  }
  if (e instanceof PortInUseError) {
    console.error(`Doelpoort kon niet starten: poort ${e.port} is al in gebruik / Doelpoort could not start: port ${e.port} is already in use (PORT=${e.port}, HOST=${e.host})`);
    process.exit(EXIT_PORT_IN_USE);
  }
  throw e;
}
