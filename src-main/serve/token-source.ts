// Where serve's token comes from. `--token` works but shows in `ps` to every local user,
// so a file (`--token-file`, read once, surrounding whitespace trimmed) or the environment
// (FLUX_STUDIO_TOKEN) are preferred; with none, a random token is made.
import fs from 'node:fs';

export const TOKEN_ENV = 'FLUX_STUDIO_TOKEN';
export const MIN_TOKEN_LENGTH = 16;

export type TokenChoice = { ok: true; token: string | undefined; from: string } | { ok: false; message: string };

export function chooseToken(opts: { token?: string; tokenFile?: string }, env: NodeJS.ProcessEnv): TokenChoice {
  const given = [opts.token !== undefined && '--token', opts.tokenFile !== undefined && '--token-file'].filter(Boolean);
  if (given.length > 1) return { ok: false, message: 'give one of --token and --token-file' };
  let token: string | undefined;
  let from: string;
  if (opts.tokenFile !== undefined) {
    try {
      token = fs.readFileSync(opts.tokenFile, 'utf8').trim();
    } catch (err) {
      return { ok: false, message: `--token-file: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    from = '--token-file';
  } else if (opts.token !== undefined) {
    token = opts.token;
    from = '--token';
  } else if (env[TOKEN_ENV] !== undefined && env[TOKEN_ENV] !== '') {
    token = env[TOKEN_ENV];
    from = TOKEN_ENV;
  } else {
    return { ok: true, token: undefined, from: 'random' };
  }
  if (token.length < MIN_TOKEN_LENGTH) return { ok: false, message: `${from}: use at least ${MIN_TOKEN_LENGTH} characters` };
  if (/[\s\0]/.test(token)) return { ok: false, message: `${from}: no spaces or control characters in the token` };
  return { ok: true, token, from };
}
