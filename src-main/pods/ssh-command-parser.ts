// "Paste the SSH command": RunPod shows `ssh root@1.2.3.4 -p 12345 -i ~/.ssh/id_ed25519`
// (and changes IP and port on every deployment), so a pasted command fills or updates a
// profile. Also accepts ssh://user@host:port and plain user@host[:port].
import os from 'node:os';
import path from 'node:path';
import type { ParsedSshCommand } from '@shared/contract/pods';

/** Options of OpenSSH's `ssh` that take an argument (man ssh). */
const WITH_ARG = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

/** Splits like a POSIX shell would for a simple command: quotes and backslashes, no expansion. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) {
      const next = text[++i] as string;
      if (next !== '\n') cur += next;
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new Error('unbalanced quotes');
  if (has || cur) words.push(cur);
  return words;
}

export function expandHome(p: string, home = os.homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

export class SshCommandError extends Error {}

const IGNORED = 'Text after the host (a remote command) was ignored.';

export function parseSshCommand(command: string, home = os.homedir()): ParsedSshCommand {
  let words: string[];
  try {
    words = splitWords(command.trim().replace(/^\$\s+/, ''));
  } catch (err) {
    throw new SshCommandError(`cannot read the command: ${(err as Error).message}`);
  }
  if (words.length === 0) throw new SshCommandError('the command is empty');
  if (path.basename(words[0] as string) === 'ssh' || words[0] === 'ssh.exe') words.shift();
  let port: number | null = null;
  let user: string | null = null;
  let keyPath: string | null = null;
  let destination: string | null = null;
  const warnings: string[] = [];
  const setPort = (v: string) => {
    if (!/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new SshCommandError(`port “${v}” is not a number from 1 to 65535`);
    port = Number(v);
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '--') continue;
    if (w.startsWith('-') && w.length > 1) {
      // Options may follow the host (RunPod prints `ssh root@IP -p PORT -i KEY`; glibc's
      // getopt permutes). Bundled flags (-tA) and options glued to their value (-p2222).
      for (let k = 1; k < w.length; k++) {
        const flag = w[k] as string;
        if (!WITH_ARG.has(flag)) continue;
        const glued = w.slice(k + 1);
        const value = glued !== '' ? glued : words[++i];
        if (value === undefined) throw new SshCommandError(`-${flag} needs a value`);
        if (flag === 'p') setPort(value);
        else if (flag === 'i') keyPath = path.resolve(expandHome(value, home));
        else if (flag === 'l') user = value;
        else if (flag === 'o') {
          const m = /^\s*(\w+)\s*[= ]\s*(.+)$/.exec(value);
          const key = m?.[1]?.toLowerCase();
          if (key === 'port') setPort((m?.[2] ?? '').trim());
          else if (key === 'user') user = (m?.[2] ?? '').trim();
          else if (key === 'identityfile') keyPath = path.resolve(expandHome((m?.[2] ?? '').trim(), home));
        } else if (flag === 'J') warnings.push('Jump hosts (-J) are not supported: the studio connects directly.');
        break;
      }
      continue;
    }
    if (destination === null) {
      destination = w;
      continue;
    }
    if (!warnings.includes(IGNORED)) warnings.push(IGNORED);
  }
  if (!destination) throw new SshCommandError('no host found in the command (expected something like root@1.2.3.4)');
  let host = destination;
  const url = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(destination);
  if (url) {
    if (url[1]) user = url[1];
    host = url[2] as string;
    if (url[3]) setPort(url[3]);
  } else {
    const at = destination.lastIndexOf('@');
    if (at >= 0) {
      user = destination.slice(0, at);
      host = destination.slice(at + 1);
    }
    const hp = /^([^:\s]+):(\d+)$/.exec(host);
    if (hp && port === null) {
      host = hp[1] as string;
      setPort(hp[2] as string);
    }
  }
  host = host.replace(/^\[(.*)\]$/, '$1');
  if (!/^[A-Za-z0-9._:-]+$/.test(host)) throw new SshCommandError(`“${host}” is not a host name or IP address`);
  if (user !== null && !/^[A-Za-z0-9._-]+$/.test(user)) throw new SshCommandError(`“${user}” is not a user name`);
  if (/(^|\.)ssh\.runpod\.io$/i.test(host)) {
    warnings.push('This is RunPod\'s SSH proxy: it allows an interactive shell only (no SFTP or commands). Use the pod\'s "SSH over exposed TCP" command (root@<ip> -p <port>) instead.');
  }
  return { host, port: port ?? 22, user: user ?? 'root', keyPath, warnings };
}
