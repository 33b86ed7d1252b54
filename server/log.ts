/**
 * One-line JSON logs: easy to grep, easy to parse in tests. Payloads never go
 * through here at info level; callers pass sizes and ids, not content.
 */
export type LogLevel = 'silent' | 'error' | 'info' | 'debug';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  error(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

const rank: Record<LogLevel, number> = { silent: 0, error: 1, info: 2, debug: 3 };

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
  now: () => Date = () => new Date(),
): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>, msg: string, fields: LogFields = {}): void => {
    if (rank[at] > rank[level]) return;
    write(`${JSON.stringify({ t: now().toISOString(), level: at, msg, ...fields })}\n`);
  };
  return {
    error: (msg, fields) => emit('error', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    debug: (msg, fields) => emit('debug', msg, fields),
  };
}
