// Dataset names → folder names. The display name is validated by the contract's
// DatasetName (letters of any script, digits, spaces, a few punctuation marks); the folder
// is the NFC-normalised name, which is already safe on Windows, macOS and Linux.
import path from 'node:path';
import { DatasetName } from '@shared/contract/datasets';
import { StudioError } from '../core/studio-error';

export function parseDatasetName(name: string): string {
  const parsed = DatasetName.safeParse(name);
  if (!parsed.success) {
    throw new StudioError('invalid_input', `name: ${parsed.error.issues[0]?.message ?? 'is not a valid dataset name'}`, 'name');
  }
  return parsed.data.normalize('NFC');
}

/** The folder a copied dataset lives in: <data dir>/datasets/<name>. */
export function datasetFolder(dataDir: string, name: string): string {
  return path.join(dataDir, 'datasets', parseDatasetName(name));
}

/** `a/b.jpg` for `<dir>/a/b.jpg`: the id of a dataset file in every call. */
export function relFile(dir: string, abs: string): string {
  return path.relative(dir, abs).split(path.sep).join('/');
}

/** The absolute path for a dataset-relative file, refusing anything that leaves the folder. */
export function absFile(dir: string, file: string): string {
  const abs = path.resolve(dir, ...file.split('/'));
  const rel = path.relative(dir, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new StudioError('invalid_input', `file: ${JSON.stringify(file)} is not inside the dataset`, 'file');
  }
  return abs;
}
