// Hosts from ~/.ssh/config, as pod candidates (the `ssh-config` package resolves Host blocks
// the way ssh does: first value wins, wildcards apply).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import type { SshConfigHost } from '@shared/contract/pods';
import { expandHome } from './ssh-command-parser';

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function readSshConfigHosts(file = path.join(os.homedir(), '.ssh', 'config'), home = os.homedir()): SshConfigHost[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const config = SSHConfig.parse(text);
  const aliases: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    const values = Array.isArray(line.value) ? line.value.map((v) => (typeof v === 'string' ? v : v.val)) : String(line.value).split(/\s+/);
    for (const v of values) if (v && !/[*?!]/.test(v) && !aliases.includes(v)) aliases.push(v);
  }
  const out: SshConfigHost[] = [];
  for (const alias of aliases) {
    const c = config.compute(alias) as Record<string, string | string[] | undefined>;
    const host = first(c.HostName) ?? alias;
    const port = Number(first(c.Port) ?? 22);
    const identity = first(c.IdentityFile);
    out.push({
      alias,
      host: host.replace(/%h/g, alias),
      port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 22,
      user: first(c.User) ?? 'root',
      keyPath: identity ? path.resolve(expandHome(identity, home)) : null,
    });
  }
  return out;
}
