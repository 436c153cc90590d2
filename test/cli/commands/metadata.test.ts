import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { CliError } from '../../../src-main/cli/cli-kit';
import { embedMetadata } from '../../../src-main/metadata/embed';
import { registerMetadataCommand } from '../../../src-main/cli/commands/metadata';
import { emptyParameters } from '../../../src-main/metadata/params';
import { basePng, insertAfterIhdr, tEXt } from '../../metadata/build';

async function run(args: string[]): Promise<{ out: string; err: unknown }> {
  const program = new Command('flux-studio').exitOverride();
  program.configureOutput({ writeOut: (s) => chunks.push(s), writeErr: (s) => chunks.push(s) });
  registerMetadataCommand(program);
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    chunks.push(String(s));
    return true;
  });
  let err: unknown = null;
  try {
    await program.parseAsync(['node', 'flux-studio', ...args]);
  } catch (e) {
    err = e;
  } finally {
    spy.mockRestore();
  }
  return { out: chunks.join(''), err };
}

afterEach(() => vi.restoreAllMocks());

describe('flux-studio metadata read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meta-cli-'));

  test('--json prints one object with prompt, seed, steps, width, height, guidance', async () => {
    const file = path.join(dir, 'ours.png');
    const params = { ...emptyParameters(), prompt: 'a cat, sitting: politely 🐈', seed: 42, steps: 28, guidance: 3.5, model: 'flux-dev', width: 16, height: 12 };
    fs.writeFileSync(file, embedMetadata(await basePng(), params, { version: '0.1.0' }));
    const { out, err } = await run(['metadata', 'read', file, '--json']);
    expect(err).toBeNull();
    const o = JSON.parse(out) as Record<string, unknown>;
    expect(o).toMatchObject({ prompt: 'a cat, sitting: politely 🐈', seed: 42, steps: 28, width: 16, height: 12, guidance: 3.5, source: 'studio' });
    expect(out.trim().split('\n')).toHaveLength(1);
  });

  test('human output lists the parameters', async () => {
    const file = path.join(dir, 'a1111.png');
    fs.writeFileSync(file, insertAfterIhdr(await basePng(), tEXt('parameters', 'a fox\nNegative prompt: blurry\nSteps: 20, Sampler: Euler, Seed: 9, Size: 64x64')));
    const { out, err } = await run(['metadata', 'read', file]);
    expect(err).toBeNull();
    expect(out).toContain('source:');
    expect(out).toMatch(/prompt: +a fox/);
    expect(out).toMatch(/negative: +blurry/);
    expect(out).toMatch(/seed: +9/);
    expect(out).toMatch(/size: +64x64/);
  });

  test('unreadable files: CliError exit 1 with the reason', async () => {
    const garbage = path.join(dir, 'garbage.png');
    fs.writeFileSync(garbage, 'definitely not a png');
    for (const [file, reason] of [
      [garbage, /cannot read .*garbage\.png: unknown format/],
      [path.join(dir, 'missing.png'), /cannot read .*missing\.png: no such file/],
    ] as const) {
      const { err } = await run(['metadata', 'read', file]);
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(1);
      expect((err as CliError).message).toMatch(reason);
    }
  });

  test('--help describes the command', async () => {
    const { out } = await run(['metadata', 'read', '--help']);
    expect(out).toContain('--json');
    expect(out).toContain('<file>');
  });
});
