import { describe, expect, test } from 'vitest';
import { createElectronPlatform } from '../../src-main/app/electron-platform';

// Electron's types stay out of tests (lint: only src-main/app imports 'electron'); they
// are taken from the factory's parameter instead.
type Deps = Parameters<typeof createElectronPlatform>[0];
type BaseWindow = NonNullable<ReturnType<Deps['parentWindow']>>;
type OpenDialogOptions = Parameters<Deps['dialog']['showOpenDialog']>[0];
type OpenDialogReturnValue = Awaited<ReturnType<Deps['dialog']['showOpenDialog']>>;

function setup(opts: { dialogResult?: OpenDialogReturnValue; openFails?: boolean; window?: BaseWindow | null } = {}) {
  const opened: string[] = [];
  const revealed: string[] = [];
  const dialogs: { parent: boolean; options: OpenDialogOptions }[] = [];
  const warnings: string[] = [];
  const result = opts.dialogResult ?? { canceled: false, filePaths: ['/home/me/pictures'] };
  const showOpenDialog = (a: BaseWindow | OpenDialogOptions, b?: OpenDialogOptions): Promise<OpenDialogReturnValue> => {
    dialogs.push(b ? { parent: true, options: b } : { parent: false, options: a as OpenDialogOptions });
    return Promise.resolve(result);
  };
  const platform = createElectronPlatform({
    shell: {
      openExternal: (url: string) => {
        if (opts.openFails) return Promise.reject(new Error('no browser'));
        opened.push(url);
        return Promise.resolve();
      },
      showItemInFolder: (p: string) => {
        revealed.push(p);
      },
    },
    dialog: { showOpenDialog } as unknown as Deps['dialog'],
    parentWindow: () => opts.window ?? null,
    log: { warn: (m: string) => warnings.push(m) },
  });
  return { platform, opened, revealed, dialogs, warnings };
}

describe('electron platform', () => {
  test('is the electron transport and can pick folders', () => {
    const { platform } = setup();
    expect(platform.transport).toBe('electron');
    expect(platform.canPickFolders).toBe(true);
  });

  test('opens https URLs', async () => {
    const { platform, opened } = setup();
    expect(await platform.openExternal(new URL('https://huggingface.co/black-forest-labs'))).toBe(true);
    expect(opened).toEqual(['https://huggingface.co/black-forest-labs']);
  });

  test.each(['http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@example.com/'])(
    're-checks the URL and refuses %s even if a caller skipped the parse',
    async (text) => {
      const { platform, opened, warnings } = setup();
      expect(await platform.openExternal(new URL(text))).toBe(false);
      expect(opened).toEqual([]);
      expect(warnings.length).toBe(1);
    },
  );

  test('a failing system browser answers false', async () => {
    const { platform } = setup({ openFails: true });
    expect(await platform.openExternal(new URL('https://example.com/'))).toBe(false);
  });

  test('pickFolder asks for a directory and returns the pick, or null when cancelled', async () => {
    const picked = setup();
    expect(await picked.platform.pickFolder({ title: 'Output folder', defaultPath: '/home/me' })).toBe('/home/me/pictures');
    expect(picked.dialogs[0]?.options).toMatchObject({ title: 'Output folder', defaultPath: '/home/me' });
    expect(picked.dialogs[0]?.options.properties).toContain('openDirectory');
    expect(picked.dialogs[0]?.parent).toBe(false);
    const cancelled = setup({ dialogResult: { canceled: true, filePaths: [] } });
    expect(await cancelled.platform.pickFolder({})).toBeNull();
  });

  test('pickFolder is modal to a live window and ignores a relative defaultPath', async () => {
    const win = { isDestroyed: () => false } as unknown as BaseWindow;
    const { platform, dialogs } = setup({ window: win });
    await platform.pickFolder({ defaultPath: 'relative/dir' });
    expect(dialogs[0]?.parent).toBe(true);
    expect(dialogs[0]?.options.defaultPath).toBeUndefined();
  });

  test('revealPath shows absolute paths only', async () => {
    const { platform, revealed } = setup();
    const abs = process.platform === 'win32' ? 'C:\\studio\\a.jpg' : '/studio/out/a.jpg';
    expect(await platform.revealPath(abs)).toBe(true);
    expect(await platform.revealPath('relative/a.jpg')).toBe(false);
    expect(revealed).toEqual([abs]);
  });
});
