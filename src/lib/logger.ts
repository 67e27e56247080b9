import { maskEmails } from "./pii";

/** Structured JSON logs: one object per line, fields never include secrets (callers pass none). */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const parseLevel = (value: string | undefined): LogLevel =>
  value === "debug" || value === "info" || value === "warn" || value === "error" ? value : "info";

/** Builds a logger writing JSON lines at or above `level` (from LOG_LEVEL), with `base` fields on every line. */
export function createLogger(level: string | undefined, base: LogFields = {}): Logger {
  const min = ORDER[parseLevel(level)];
  const write = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (ORDER[lvl] < min) return;
    // No email address is ever logged whole (lib/pii.ts); JSON escaping leaves addresses as they are.
    const line = maskEmails(
      JSON.stringify({ level: lvl, time: new Date().toISOString(), msg, ...base, ...fields }),
    );
    if (lvl === "error") console.error(line);
    else if (lvl === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }),
  };
}
