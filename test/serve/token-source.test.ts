import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { chooseToken } from '../../src-main/serve/token-source';
import { tempDir } from '../helpers/studio';

describe('where serve takes its token from (issue 17, item 11)', () => {
  test('a file or the environment keep it off the command line; --token still works', () => {
    const file = path.join(tempDir(), 'token');
    fs.writeFileSync(file, '  from-a-file-0123456789\n');
    expect(chooseToken({ tokenFile: file }, {})).toEqual({ ok: true, token: 'from-a-file-0123456789', from: '--token-file' });
    expect(chooseToken({}, { FLUX_STUDIO_TOKEN: 'from-the-environment-42' })).toEqual({ ok: true, token: 'from-the-environment-42', from: 'FLUX_STUDIO_TOKEN' });
    expect(chooseToken({ token: 'from-the-argument-1234' }, { FLUX_STUDIO_TOKEN: 'from-the-environment-42' })).toMatchObject({ token: 'from-the-argument-1234' });
    expect(chooseToken({}, {})).toEqual({ ok: true, token: undefined, from: 'random' });
  });

  test('short, spaced, unreadable or doubled tokens are refused with a message that does not echo them', () => {
    expect(chooseToken({ token: 'short' }, {})).toEqual({ ok: false, message: '--token: use at least 16 characters' });
    expect(chooseToken({}, { FLUX_STUDIO_TOKEN: 'has a space in it ok' })).toMatchObject({ ok: false, message: expect.stringMatching(/no spaces/) as unknown as string });
    const missing = chooseToken({ tokenFile: '/nonexistent/flux-token' }, {});
    expect(missing).toEqual({ ok: false, message: '--token-file: cannot read it (ENOENT)' });
    expect(chooseToken({ token: 'x'.repeat(20), tokenFile: '/x' }, {})).toMatchObject({ ok: false });
  });
});
