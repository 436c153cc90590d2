// The datasets.* calls: thin wrappers over the DatasetService (requests arrive parsed).
import type { datasetCalls } from '@shared/contract/datasets';
import type { HandlersFor } from '../api/handlers-type';
import type { DatasetService } from './dataset-service';
import { previewBuckets } from './buckets';

export function datasetHandlers(datasets: DatasetService) {
  const recounted = async <T>(name: string, result: T | Promise<T>): Promise<T> => {
    const r = await result;
    await datasets.captionsChanged(name);
    return r;
  };
  return {
    'datasets.list': () => datasets.list(),
    'datasets.get': ({ name }) => datasets.get(name),
    'datasets.create': (req) => datasets.create(req),
    'datasets.update': ({ name, trigger, resolutions }) => datasets.update(name, { trigger, resolutions }),
    'datasets.delete': ({ name, deleteFiles }) => ({ deleted: datasets.delete(name, deleteFiles === true) }),
    'datasets.items': ({ name }) => datasets.index.items(name),
    'datasets.import': (req) => datasets.submitImport(req),
    'datasets.upload': (req) => datasets.receiveUpload(req),
    'datasets.report': ({ name }) => datasets.index.lastReport(name),
    'datasets.check': ({ name }) => datasets.index.check(name),
    'datasets.buckets': async ({ name, resolutions }) => {
      const ds = datasets.ref(name);
      const measured = await datasets.index.measuredAll(ds.name);
      return previewBuckets(measured, resolutions ?? ds.resolutions);
    },
    // Captions changed: the list's warning count follows (DatasetService.captionsChanged).
    'datasets.setCaption': ({ name, file, text }) => recounted(name, datasets.captions.setCaption(name, file, text)),
    'datasets.bulk': ({ name, files, op }) => recounted(name, datasets.captions.bulk(name, op, files)),
    'datasets.undo': ({ name }) => recounted(name, datasets.captions.undoLast(name)),
    'datasets.tags': ({ name }) => datasets.captions.tags(name),
  } satisfies HandlersFor<keyof typeof datasetCalls>;
}
