/** Entry point of `npm start`: start the gateway with its embedded defaults, stop cleanly on SIGTERM/SIGINT. */
import { ConfigError } from './config.js';
import { PortInUseError, startGateway } from './gateway.js';

/** Exit code when the port is taken (98: Linux's errno for EADDRINUSE). Documented in the README. */
export const EXIT_PORT_IN_USE = 98;
import { PolicyError } from './policy/errors.js';

// Everything the gateway creates (data folder, database, WAL, keys) is for its own user only.
process.umask(0o077);

try {
  const gateway = await startGateway();
  const shutdown = (signal: string) => {
    gateway.services.logger.info({ signal }, 'draining and stopping');
    // Whatever runs (a logboek query in SQLite cannot be interrupted, and a worker stuck in one even
    // holds process.exit), the process ends by the deadline: committed data is safe, since every
    // acknowledged write was fsync'ed before its answer.
    setTimeout(() => {
      gateway.services.logger.error({ signal, seconden: gateway.config.stopDeadlineSeconden }, 'stop deadline passed: ending the process');
      process.kill(process.pid, 'SIGKILL');
    }, gateway.config.stopDeadlineSeconden * 1000).unref();
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
  if (gateway.config.demo) {
    console.log(`\nDEMO MODE (DOELPOORT_DEMO): demo parties, officers and a published password; never for real data.`);
    console.log(`Doelpoort runs at ${gateway.url} (embedded OpenID Provider at ${gateway.config.issuer}).`);
    console.log(`Demo client keys: ${gateway.config.dataDir}/dev-clients/. A token: npm run token -- gemeente-hengelo`);
    console.log(`Privacy officer's pages: ${gateway.config.publicUrl}/privacy (users fg-hengelo, fg-roc; password in the README)\n`);
  } else {
    console.log(`\nDoelpoort runs at ${gateway.url} (production: tokens of ${gateway.config.issuer}; public URL ${gateway.config.publicUrl}).\n`);
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
