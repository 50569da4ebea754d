/**
 * The pino logger. Redaction is belt and braces: the request serializer already logs only method
 * and path, and nothing logs bodies; these paths catch a token or message content that someone
 * passes to the logger by mistake.
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'authorization',
  'token',
  'access_token',
  '*.token',
  '*.access_token',
  'inhoud',
  '*.inhoud',
  'body',
  '*.body',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[verborgen]' }, base: { service: 'doelpoort' } }, destination);
}
