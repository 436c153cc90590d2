// Datasets: folders of training images with same-named .txt captions (ai-toolkit's
// format), indexed in SQLite. Import (a job with a report), checks, bucket preview and
// the caption editor's calls. Auto-captioning lives in ./tagging.ts.
import { z } from 'zod';
import { AbsolutePath, call, Job } from './shapes';

// ---------- shapes ----------

/**
 * A dataset's display name: letters (any script), digits, spaces, `_ - . ( ) '` and `+`,
 * 1–64 characters, not starting or ending with a space or dot. Its folder name is derived
 * from it (spaces kept; see datasetFolderName in main).
 */
export const DatasetName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'is too long (64 characters at most)')
  .refine((n) => /^[\p{L}\p{N}_\-.()'+ ]+$/u.test(n), "may only contain letters, digits, spaces and _ - . ( ) ' +")
  .refine((n) => !/^[. ]|[. ]$/.test(n), 'must not start or end with a dot or space')
  .refine((n) => !/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(n), 'is a reserved name on Windows');
export type DatasetName = z.infer<typeof DatasetName>;

/** A training resolution (ai-toolkit `resolution` list entry): 256–2048, a multiple of 64. */
export const Resolution = z
  .number()
  .int('must be a whole number')
  .min(256, 'must be at least 256')
  .max(2048, 'must be at most 2048')
  .refine((r) => r % 64 === 0, 'must be a multiple of 64');
export const Resolutions = z.array(Resolution).min(1, 'must name at least one resolution').max(8);
export const DEFAULT_RESOLUTIONS = [512, 768, 1024] as const;

/** A trigger word: one line, no brackets (it replaces `[trigger]` in captions). */
export const TriggerWord = z
  .string()
  .trim()
  .max(100, 'is too long (100 characters at most)')
  .refine((t) => !/[\r\n\0[\]]/.test(t), 'must be one line without [ or ]');

/** A file inside a dataset, relative to its folder, '/'-separated. */
export const DatasetFile = z
  .string()
  .min(1)
  .max(1024)
  .refine((f) => !f.includes('\0') && !f.split('/').some((p) => p === '..' || p === '.' || p === '') && !f.startsWith('/') && !f.includes('\\'), 'must be a path inside the dataset');

export const DatasetCounts = z.object({
  images: z.number().int(),
  captioned: z.number().int(),
  uncaptioned: z.number().int(),
  /** Warnings from the last import or check. */
  warnings: z.number().int(),
});

export const Dataset = z.object({
  name: z.string(),
  /** Absolute folder of the images and captions. */
  dir: z.string(),
  /** True when the dataset is a user folder used where it is (not copied into the data dir). */
  inPlace: z.boolean(),
  trigger: z.string(),
  resolutions: z.array(z.number().int()),
  createdAt: z.string(),
  counts: DatasetCounts,
  /** False when the folder is gone (moved or deleted outside the studio). */
  present: z.boolean(),
});
export type Dataset = z.infer<typeof Dataset>;

export const WARNING_CODES = ['too_small', 'small', 'aspect', 'near_duplicate', 'orphan_caption', 'no_caption'] as const;
export type WarningCode = (typeof WARNING_CODES)[number];
export const WARNING_SEVERITIES = ['error', 'warning', 'info'] as const;
export type WarningSeverity = (typeof WARNING_SEVERITIES)[number];
/**
 * How much each kind matters (derived from the code, so stored reports need no migration):
 * "error" = the image will not train usefully (fix or remove it), "warning" = it trains but
 * worse, "info" = worth knowing. Lists show errors first.
 */
export const WARNING_SEVERITY: Readonly<Record<WarningCode, WarningSeverity>> = {
  too_small: 'error',
  orphan_caption: 'warning',
  near_duplicate: 'warning',
  aspect: 'warning',
  no_caption: 'warning',
  small: 'info',
};
/** A kind's name in lists ("Too small to train · 3"). */
export const WARNING_KIND_LABEL: Readonly<Record<WarningCode, string>> = {
  too_small: 'Too small to train',
  small: 'Below the training resolution',
  aspect: 'Extreme aspect ratio',
  near_duplicate: 'Near-duplicate',
  orphan_caption: 'Caption without an image',
  no_caption: 'No caption',
};
export const DatasetWarning = z.object({
  file: z.string(),
  code: z.enum(WARNING_CODES),
  message: z.string(),
});
export type DatasetWarning = z.infer<typeof DatasetWarning>;

export const DatasetItem = z.object({
  /** Relative to the dataset folder, '/'-separated: the item's id in every call. */
  file: z.string(),
  imagePath: z.string(),
  caption: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  sizeBytes: z.number().int(),
  /** Under the 'thumbs' media root; null when the image cannot be thumbnailed. */
  thumb: z.string().nullable(),
  warnings: z.array(z.enum(WARNING_CODES)),
});
export type DatasetItem = z.infer<typeof DatasetItem>;

export const REPORT_OUTCOMES = ['accepted', 'converted', 'rejected', 'caption', 'ignored'] as const;
export const ImportEntry = z.object({
  /** The input as given: the path relative to the dropped folder, or `zip.zip!entry`. */
  source: z.string(),
  outcome: z.enum(REPORT_OUTCOMES),
  /** Where it went, relative to the dataset folder (accepted, converted, caption). */
  file: z.string().nullable(),
  /** Why (rejected, ignored) or what was done (converted: "gif → png"). */
  reason: z.string().nullable(),
});
export type ImportEntry = z.infer<typeof ImportEntry>;

export const ImportReport = z.object({
  dataset: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  entries: z.array(ImportEntry),
  warnings: z.array(DatasetWarning),
  totals: z.object({
    accepted: z.number().int(),
    converted: z.number().int(),
    rejected: z.number().int(),
    caption: z.number().int(),
    ignored: z.number().int(),
  }),
});
export type ImportReport = z.infer<typeof ImportReport>;

/** `dataset check`: the folder as it is now. */
export const CheckReport = z.object({
  dataset: z.string(),
  accepted: z.array(z.object({ file: z.string(), width: z.number().int(), height: z.number().int() })),
  rejected: z.array(z.object({ file: z.string(), reason: z.string() })),
  warnings: z.array(DatasetWarning),
});
export type CheckReport = z.infer<typeof CheckReport>;

export const BucketPreview = z.object({
  resolutions: z.array(
    z.object({
      resolution: z.number().int(),
      buckets: z.array(z.object({ width: z.number().int(), height: z.number().int(), count: z.number().int() })),
      items: z.array(z.object({ file: z.string(), width: z.number().int(), height: z.number().int(), bucketWidth: z.number().int(), bucketHeight: z.number().int() })),
    }),
  ),
});
export type BucketPreview = z.infer<typeof BucketPreview>;

const CaptionText = z.string().max(20_000, 'is too long (20,000 characters at most)');

export const BulkOp = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('prepend'), text: CaptionText.min(1, 'must not be empty') }).strict(),
  z.object({ kind: z.literal('append'), text: CaptionText.min(1, 'must not be empty') }).strict(),
  /** Puts `[trigger]` first (or last) where the caption does not already have it. */
  z.object({ kind: z.literal('insertTrigger'), position: z.enum(['start', 'end']) }).strict(),
  z
    .object({
      kind: z.literal('replace'),
      find: z.string().min(1, 'must not be empty').max(1000),
      replace: z.string().max(1000),
      regex: z.boolean(),
      caseSensitive: z.boolean(),
    })
    .strict(),
  /** Removes a comma-separated tag (exact, case-insensitive, trimmed) from every caption. */
  z.object({ kind: z.literal('removeTag'), tag: z.string().trim().min(1, 'must not be empty').max(200) }).strict(),
]);
export type BulkOp = z.infer<typeof BulkOp>;

export const UndoResult = z.object({
  /** What was undone ("edit cat.jpg", "prepend to 12 captions"); null when nothing was left. */
  undone: z.string().nullable(),
  files: z.array(z.string()),
  /** Steps still undoable for this dataset in this session. */
  remaining: z.number().int(),
});

export const TagCount = z.object({ tag: z.string(), count: z.number().int(), files: z.array(z.string()) });

const Named = z.object({ name: DatasetName }).strict();
/** Client-made id for a browser upload's staging folder. */
export const UploadId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 letters, digits, _ or -');
/**
 * A browser upload's chunk: the size the page sends on serve's binary upload route
 * (POST /api/upload/<uploadId>, raw bytes) and the most that route accepts (413 above it).
 * One constant for both sides, so they cannot drift apart again.
 */
export const MAX_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
/** A JSON call's body limit on serve (the contract's datasets.upload must fit in it, base64 and all). */
export const MAX_CALL_BODY_BYTES = 1024 * 1024;
/** datasets.upload (base64 in JSON, for API clients): at most this many bytes per chunk, so its body stays under MAX_CALL_BODY_BYTES. */
export const MAX_BASE64_UPLOAD_CHUNK_BYTES = 512 * 1024;
/** One file of a browser upload: 256 MiB at most (zips included). */
export const MAX_UPLOAD_FILE_BYTES = 256 * 1024 * 1024;
/** One upload (all its files): 4 GiB at most. */
export const MAX_UPLOAD_TOTAL_BYTES = 4 * 2 ** 30;
/** Uploads not yet imported, at most, and their bytes together: what a client can park in the data dir. */
export const MAX_OPEN_UPLOADS = 8;
export const MAX_OPEN_UPLOAD_BYTES = 8 * 2 ** 30;

/** Strict base64 (padding only at the end): anything else is refused, not decoded into garbage. */
const Base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');

/** Where a chunk on the binary upload route goes (its query string: ?file=…&offset=…). */
export const UploadChunkQuery = z
  .object({
    /** The file's name or its relative path in a dropped folder ('/'-separated). */
    file: z.string().min(1).max(1024),
    offset: z.string().regex(/^\d{1,10}$/, 'must be a whole number of bytes').transform(Number).pipe(z.number().max(MAX_UPLOAD_FILE_BYTES)),
  })
  .strict();

// ---------- calls ----------

export const datasetCalls = {
  'datasets.list': call({
    summary: 'Every dataset with its counts, newest first.',
    request: z.object({}).strict(),
    response: z.array(Dataset),
  }),
  'datasets.get': call({
    summary: 'One dataset by name.',
    request: Named,
    response: Dataset,
  }),
  'datasets.create': call({
    summary: 'Create an empty dataset in <data dir>/datasets/<name>, or register a folder to use in place.',
    request: z
      .object({ name: DatasetName, folder: AbsolutePath.optional(), trigger: TriggerWord.optional(), resolutions: Resolutions.optional() })
      .strict(),
    response: Dataset,
  }),
  'datasets.update': call({
    summary: 'Change a dataset\'s trigger word or resolution list.',
    request: z.object({ name: DatasetName, trigger: TriggerWord.optional(), resolutions: Resolutions.optional() }).strict(),
    response: Dataset,
  }),
  'datasets.delete': call({
    summary: 'Forget a dataset. A copied dataset\'s folder is deleted only with deleteFiles; an in-place folder never is.',
    request: z.object({ name: DatasetName, deleteFiles: z.boolean().optional() }).strict(),
    response: z.object({ deleted: z.boolean() }),
  }),
  'datasets.items': call({
    summary: 'The images of a dataset with captions, sizes, thumbnails and warnings, sorted by file.',
    request: Named,
    response: z.array(DatasetItem),
  }),
  'datasets.import': call({
    summary: 'Import files, folders or zips (paths, or a finished browser upload) into a new or existing dataset: a job whose result is the import report.',
    request: z
      .object({
        name: DatasetName,
        sources: z.array(AbsolutePath).min(1).max(10_000).optional(),
        uploadId: UploadId.optional(),
        /** Use the (single) source folder where it is instead of copying. */
        inPlace: z.boolean().optional(),
        resolutions: Resolutions.optional(),
        trigger: TriggerWord.optional(),
      })
      .strict()
      .refine((r) => (r.sources === undefined) !== (r.uploadId === undefined), 'give exactly one of sources and uploadId')
      .refine((r) => !r.inPlace || (r.sources?.length === 1), 'in-place import takes exactly one folder'),
    response: Job,
  }),
  'datasets.upload': call({
    summary: 'Send one chunk of a file (base64, at most 512 KiB) into an upload\'s staging folder (the page uses serve\'s binary route POST /api/upload/<uploadId> instead).',
    request: z
      .object({
        uploadId: UploadId,
        /** The file's name or its relative path in a dropped folder ('/'-separated). */
        file: z.string().min(1).max(1024),
        offset: z.number().int().min(0).max(MAX_UPLOAD_FILE_BYTES),
        dataBase64: Base64.max(Math.ceil(MAX_BASE64_UPLOAD_CHUNK_BYTES / 3) * 4),
      })
      .strict(),
    response: z.object({ received: z.number().int() }),
  }),
  'datasets.report': call({
    summary: 'The last import report of a dataset (null when it has none).',
    request: Named,
    response: ImportReport.nullable(),
  }),
  'datasets.check': call({
    summary: 'Check a dataset\'s folder as it is now: accepted images, rejected files with reasons, warnings.',
    request: Named,
    response: CheckReport,
  }),
  'datasets.buckets': call({
    summary: 'ai-toolkit\'s bucket for every image, per resolution (the dataset\'s list unless given).',
    request: z.object({ name: DatasetName, resolutions: Resolutions.optional() }).strict(),
    response: BucketPreview,
  }),
  'datasets.setCaption': call({
    summary: 'Write one caption (atomically); undoable.',
    request: z.object({ name: DatasetName, file: DatasetFile, text: CaptionText }).strict(),
    response: z.object({ file: z.string(), caption: z.string(), previous: z.string().nullable() }),
  }),
  'datasets.bulk': call({
    summary: 'Apply one operation to the selected captions (all when no files are given); one undo step.',
    request: z.object({ name: DatasetName, files: z.array(DatasetFile).max(100_000).optional(), op: BulkOp }).strict(),
    response: z.object({ changed: z.array(z.string()), examined: z.number().int() }),
  }),
  'datasets.undo': call({
    summary: 'Undo the last caption edit or bulk operation on a dataset (this session).',
    request: Named,
    response: UndoResult,
  }),
  'datasets.tags': call({
    summary: 'Tag frequencies for comma-separated captions, most frequent first, with the files that have each.',
    request: Named,
    response: z.array(TagCount),
  }),
} as const;

export const datasetEvents = {
  /** A dataset's list entry, files or captions changed: refresh what is shown. */
  'datasets.changed': z.object({ name: z.string() }),
} as const;
