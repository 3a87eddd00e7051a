import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs (pino); pretty on a TTY unless told otherwise. Credentials are redacted by path. */
export function createLogger(opts: { level: string; pretty: 'auto' | 'always' | 'never'; destination?: NodeJS.WritableStream }): Logger {
  const pretty = opts.pretty === 'always' || (opts.pretty === 'auto' && process.stdout.isTTY === true && opts.destination === undefined);
  const base = {
    level: opts.level,
    base: { svc: 'gatehouse' },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.key', '*.token', '*.secret'], censor: '[REDACTED]' },
  };
  if (pretty) return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,svc' } } });
  return opts.destination ? pino(base, opts.destination as pino.DestinationStream) : pino(base);
}

/** A logger that drops everything (tests, quiet CLI commands). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
