/** Test helper: `node --import tsx test/support/logboek-cli.ts …` runs `doelpoort logboek …` as a process. */
import { logboekCommand } from '../../src/audit/cli.js';

process.exitCode = await logboekCommand(process.argv.slice(2));
