// One logger for main, the CLI and serve: console at info, a size-rotated JSON-lines file
// at debug under <data dir>/logs, and a feed of info+ lines for the UI's log panel (the
// UI gets errors' messages; their stacks stay in the file).
// Every line passes through the redactor first, so a secret that slips into a message or
// an error (e.g. an API client echoing its key) is masked before it is written anywhere.
import fs from 'node:fs';
import path from 'node:path';
import type { LogLevel, LogLine } from '@shared/contract';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
  child(scope: string): Logger;
}

export interface LogSinkOptions {
  file: string | null;
  consoleLevel: LogLevel | 'silent';
  fileLevel: LogLevel;
  maxBytes: number;
  maxFiles: number;
  /** Values to mask wherever they appear (the secrets in effect), read at each write. */
  redactions: () => readonly string[];
  /** Console writer; stderr by default so stdout stays clean for CLI output like --json. */
  consoleWrite?: (text: string) => void;
}

export class LogSink {
  private size = 0;
  private readonly recent: LogLine[] = [];
  private readonly subscribers = new Set<(line: LogLine) => void>();

  constructor(private readonly opts: LogSinkOptions) {
    if (opts.file) {
      fs.mkdirSync(path.dirname(opts.file), { recursive: true });
      try {
        this.size = fs.statSync(opts.file).size;
      } catch {
        this.size = 0;
      }
    }
  }

  get file(): string | null {
    return this.opts.file;
  }

  logger(scope: string): Logger {
    const at = (level: LogLevel) => (message: string, detail?: unknown) => this.write(level, scope, message, detail);
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (sub) => this.logger(`${scope}:${sub}`),
    };
  }

  subscribe(cb: (line: LogLine) => void): () => void {
    this.subscribers.add(cb);
    return () => this.subscribers.delete(cb);
  }

  recentLines(limit: number): LogLine[] {
    return this.recent.slice(-limit);
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.opts.redactions()) {
      // Short values would mask ordinary words; secrets worth hiding are long.
      if (value.length >= 6) out = out.split(value).join('[redacted]');
    }
    return out;
  }

  private write(level: LogLevel, scope: string, message: string, detail?: unknown): void {
    const full = detail === undefined ? message : `${message}: ${describe(detail, true)}`;
    const line: LogLine = { time: new Date().toISOString(), level, scope, message: this.redact(full) };
    if (this.opts.consoleLevel !== 'silent' && ORDER[level] >= ORDER[this.opts.consoleLevel]) {
      const text = `${line.time} ${level.toUpperCase().padEnd(5)} [${scope}] ${line.message}\n`;
      (this.opts.consoleWrite ?? ((t: string) => process.stderr.write(t)))(text);
    }
    if (this.opts.file && ORDER[level] >= ORDER[this.opts.fileLevel]) this.append(JSON.stringify(line) + '\n');
    if (ORDER[level] >= ORDER.info) {
      // The UI (logs.recent, log.line: possibly a browser elsewhere) gets the message
      // without the stack: stacks carry install paths and stay in the file log.
      const brief = detail instanceof Error ? { ...line, message: this.redact(`${message}: ${describe(detail, false)}`) } : line;
      this.recent.push(brief);
      if (this.recent.length > 1000) this.recent.splice(0, this.recent.length - 1000);
      for (const cb of this.subscribers) cb(brief);
    }
  }

  private append(text: string): void {
    const file = this.opts.file;
    if (!file) return;
    const bytes = Buffer.byteLength(text);
    if (this.size + bytes > this.opts.maxBytes && this.size > 0) this.rotate(file);
    fs.appendFileSync(file, text, { mode: 0o600 });
    this.size += bytes;
  }

  private rotate(file: string): void {
    // studio.log -> studio.1.log -> … -> studio.<maxFiles-1>.log; the oldest is dropped.
    const ext = path.extname(file);
    const base = file.slice(0, file.length - ext.length);
    const nth = (n: number) => `${base}.${n}${ext}`;
    fs.rmSync(nth(this.opts.maxFiles - 1), { force: true });
    for (let n = this.opts.maxFiles - 2; n >= 1; n--) {
      if (fs.existsSync(nth(n))) fs.renameSync(nth(n), nth(n + 1));
    }
    if (this.opts.maxFiles > 1) fs.renameSync(file, nth(1));
    else fs.rmSync(file, { force: true });
    this.size = 0;
  }
}

function describe(detail: unknown, withStack: boolean): string {
  if (detail instanceof Error) return (withStack ? detail.stack : undefined) ?? `${detail.name}: ${detail.message}`;
  if (typeof detail === 'string') return detail;
  try {
    return JSON.stringify(detail);
  } catch {
    return String(detail);
  }
}
