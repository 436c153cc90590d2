// POSIX single-quoting for the remote shell that sshd hands a command line to. Only the
// studio's fixed argv goes through here (program paths, flags, workspace paths); user text
// (prompts, names) never does: it travels as JSON on stdin.

/** One argument, safe for sh/bash/dash/zsh: `'…'` with each `'` written as `'\''`. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('an argument contains a NUL byte');
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** `cd '<cwd>' && env 'K=V' … 'argv0' 'argv1' …` for ssh exec. */
export function commandLine(argv: readonly string[], opts: { cwd?: string; env?: Readonly<Record<string, string>> } = {}): string {
  if (argv.length === 0) throw new Error('empty argv');
  let cmd = argv.map(shellQuote).join(' ');
  const env = Object.entries(opts.env ?? {});
  if (env.length > 0) {
    for (const [k] of env) if (!ENV_NAME.test(k)) throw new Error(`bad environment variable name ${JSON.stringify(k)}`);
    cmd = `env ${env.map(([k, v]) => shellQuote(`${k}=${v}`)).join(' ')} ${cmd}`;
  }
  if (opts.cwd) cmd = `cd ${shellQuote(opts.cwd)} && ${cmd}`;
  return cmd;
}
