// Auto-captioning a dataset: a job that runs a local WD14-style tagger (one ONNX Runtime
// session per job, batched) or Claude vision (concurrent, with rate-limit handling) over
// the dataset's images and writes captions as it goes, in one of three modes (fill empty /
// overwrite / append). Every image's caption before and after is logged (result-log.ts),
// so the user reviews the run and undoes it, wholly or image by image; an undo never
// overwrites a caption edited since the run unless forced.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import type { CostEstimate, TaggingDefaults, TaggingRequest, TaggingResults, TaggingRun } from '@shared/contract/tagging';
import { TaggingRequest as TaggingRequestShape } from '@shared/contract/tagging';
import type { Job } from '@shared/contract';
import { StudioError } from '../../core/studio-error';
import type { JobContext, JobExecutor, JobService } from '../../jobs/job-service';
import type { Logger } from '../../logging/logger';
import { captionPathFor, readCaption, writeCaption } from '../captions';
import type { DatasetItemBasic } from '../dataset-service';
import { absFile } from '../names';
import { CaptionError, ClaudeCaptioner } from './claude-captioner';
import { ResultLog, resultLogFile } from './result-log';
import { estimateCost, loadTaggingConfig, taggingConfigFile, usageCost, type TaggingConfig } from './tagging-config';
import { preprocess, selectTags, Wd14Tagger } from './wd14';

export const TAGGING_KIND = 'datasets.tag';
export const MISSING_KEY_MESSAGE = 'No Anthropic API key. Set it in Settings → API keys, or set ANTHROPIC_API_KEY.';

/** What tagging needs of the dataset service. */
export interface TaggingDatasets {
  get(name: string): { name: string; dir: string; trigger: string };
  items(name: string): DatasetItemBasic[];
  notifyChanged?(name: string): void;
  /** Captions were written: the dataset's warning count follows (DatasetService.captionsChanged). */
  captionsChanged?(name: string): Promise<void>;
}

export interface TaggingServiceDeps {
  dataDir: string;
  resourcesDir: string;
  datasets: TaggingDatasets;
  jobs: JobService;
  getKey: () => string | null;
  baseURL?: string;
  log: Logger;
  /** ONNX Runtime execution providers for the tagger. Default ['cpu']. */
  providers?: readonly string[];
}

export const TagJobParams = TaggingRequestShape.extend({ dir: z.string().min(1), trigger: z.string() });
export type TagJobParams = z.infer<typeof TagJobParams>;

/** Blank captions count as missing. */
function isEmpty(caption: string | null): boolean {
  return caption === null || caption.trim() === '';
}

/** The instruction with `[trigger]` replaced by the trigger word (or "the main subject" without one). */
export function substituteTrigger(instruction: string, trigger: string): string {
  const word = trigger.trim() || 'the main subject';
  return instruction.replace(/\[trigger\]/gi, word);
}

/** The caption a mode makes from the old one and the generated text. */
export function combine(mode: TaggingRequest['mode'], before: string | null, generated: string, kind: 'tagger' | 'claude'): string {
  if (mode !== 'append' || isEmpty(before)) return generated;
  const old = before!.trimEnd();
  if (kind === 'claude') return `${old} ${generated}`;
  // Tags: add only the ones the caption does not have yet.
  const have = new Set(old.split(',').map((t) => t.trim().toLowerCase()));
  const extra = generated.split(',').map((t) => t.trim()).filter((t) => t !== '' && !have.has(t.toLowerCase()));
  if (extra.length === 0) return before!;
  return `${old.replace(/,\s*$/, '')}, ${extra.join(', ')}`;
}

class PauseGate {
  paused = false;
  private waiters: Array<() => void> = [];

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const w of this.waiters.splice(0)) w();
  }

  async wait(signal: AbortSignal): Promise<void> {
    while (this.paused) {
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }
}

interface Planned {
  item: DatasetItemBasic;
  /** false: left alone by the mode (fill and already captioned). */
  process: boolean;
}

export class TaggingService {
  private readonly gates = new Map<string, PauseGate>();

  constructor(private readonly deps: TaggingServiceDeps) {}

  config(): TaggingConfig {
    return loadTaggingConfig(taggingConfigFile(this.deps.dataDir, this.deps.resourcesDir));
  }

  defaults(): TaggingDefaults {
    const c = this.config();
    return {
      claude: { model: c.claude.model, instruction: c.claude.instruction.trim(), maxTokens: c.claude.maxTokens, concurrency: c.claude.concurrency, longSide: c.claude.longSide },
      tagger: c.tagger,
      confirmAboveUsd: c.confirmAboveUsd,
      pricedModels: Object.keys(c.prices),
    };
  }

  private plan(req: Pick<TaggingRequest, 'dataset' | 'mode' | 'files'>): { dir: string; trigger: string; planned: Planned[] } {
    const ds = this.deps.datasets.get(req.dataset);
    let items = this.deps.datasets.items(req.dataset);
    if (req.files) {
      const byFile = new Map(items.map((i) => [i.file, i]));
      const missing = req.files.filter((f) => !byFile.has(f));
      if (missing.length > 0) {
        throw new StudioError('not_found', `files: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''} not in dataset ${ds.name}.`, 'files');
      }
      const wanted = new Set(req.files);
      items = items.filter((i) => wanted.has(i.file));
    }
    if (items.length === 0) throw new StudioError('conflict', `Dataset ${ds.name} has no images to caption. Import some first.`);
    return { dir: ds.dir, trigger: ds.trigger, planned: items.map((item) => ({ item, process: req.mode !== 'fill' || isEmpty(item.caption) })) };
  }

  private claudeSettings(source: Extract<TaggingRequest['source'], { kind: 'claude' }>, trigger: string, c: TaggingConfig) {
    return {
      model: source.model ?? c.claude.model,
      maxTokens: source.maxTokens ?? c.claude.maxTokens,
      concurrency: source.concurrency ?? c.claude.concurrency,
      instruction: substituteTrigger(source.instruction ?? c.claude.instruction.trim(), trigger),
    };
  }

  async estimate(req: TaggingRequest): Promise<CostEstimate> {
    if (req.source.kind !== 'claude') throw new StudioError('invalid_input', 'source: only Claude runs have a cost; the local tagger is free.', 'source');
    const c = this.config();
    const { trigger, planned } = this.plan(req);
    const s = this.claudeSettings(req.source, trigger, c);
    const todo = planned.filter((p) => p.process);
    const sizes: Array<{ width: number; height: number }> = [];
    for (const p of todo) {
      try {
        const m = await sharp(p.item.imagePath).metadata();
        const swap = (m.orientation ?? 1) >= 5;
        sizes.push({ width: (swap ? m.height : m.width) ?? 0, height: (swap ? m.width : m.height) ?? 0 });
      } catch {
        sizes.push({ width: 0, height: 0 }); // unreadable: it will fail without being sent
      }
    }
    return estimateCost({
      model: s.model,
      sizes,
      skipped: planned.length - todo.length,
      instruction: s.instruction,
      maxTokens: s.maxTokens,
      longSide: c.claude.longSide,
      prices: c.prices,
      confirmAboveUsd: c.confirmAboveUsd,
    });
  }

  /** Checks what can be checked up front, then queues the job. */
  start(req: TaggingRequest): Job {
    const { dir, trigger } = this.plan(req);
    if (req.source.kind === 'claude' && !this.deps.getKey()) throw new StudioError('unavailable', MISSING_KEY_MESSAGE);
    if (req.source.kind === 'tagger') {
      for (const f of ['model.onnx', 'selected_tags.csv']) {
        if (!fs.existsSync(`${req.source.dir}/${f}`)) {
          throw new StudioError('invalid_input', `source.dir: ${req.source.dir} has no ${f}. Choose a WD14 tagger folder (model.onnx + selected_tags.csv).`, 'source.dir');
        }
      }
    }
    this.config(); // a broken config file fails here, not in the job
    return this.deps.jobs.submit(TAGGING_KIND, { ...req, dir, trigger });
  }

  results(jobId: string): TaggingResults {
    const log = new ResultLog(resultLogFile(this.deps.dataDir, jobId));
    if (!log.exists()) {
      const job = this.deps.jobs.get(jobId);
      if (job.kind !== TAGGING_KIND) throw new StudioError('invalid_input', `jobId: job ${jobId} is not a tagging job.`, 'jobId');
      throw new StudioError('not_found', job.state === 'queued' ? 'The tagging job has not started yet.' : `No results were recorded for job ${jobId}.`, 'jobId');
    }
    return log.read();
  }

  /** Earlier runs of a dataset, newest first, from the result logs (they outlive cleared job rows). */
  runs(dataset: string, limit = 20): TaggingRun[] {
    const dir = path.join(this.deps.dataDir, 'tagging');
    let files: string[];
    try {
      files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    } catch {
      return [];
    }
    const name = dataset.normalize('NFC');
    const headers = files
      .map((f) => new ResultLog(path.join(dir, f)))
      .map((log) => ({ log, header: log.header() }))
      .filter((x) => x.header !== null && x.header.dataset.normalize('NFC') === name)
      .sort((a, b) => (a.header!.startedAt < b.header!.startedAt ? 1 : a.header!.startedAt > b.header!.startedAt ? -1 : 0))
      .slice(0, limit);
    return headers.map(({ log, header }) => {
      const { items: _items, usage: _usage, ...rest } = log.read();
      let state: TaggingRun['state'] = null;
      try {
        state = this.deps.jobs.get(header!.jobId).state;
      } catch {
        state = null;
      }
      return { ...rest, state };
    });
  }

  pause(jobId: string, paused: boolean): { paused: boolean } {
    const gate = this.gates.get(jobId);
    if (!gate) throw new StudioError('conflict', 'This tagging job is not running.', 'jobId');
    if (paused) gate.pause();
    else gate.resume();
    return { paused: gate.paused };
  }

  undo(jobId: string, file: string | undefined, force = false): { undone: number; conflicts: Array<{ file: string; reason: string }>; results: TaggingResults } {
    if (this.gates.has(jobId)) throw new StudioError('conflict', 'The tagging job is still running: cancel it or wait for it to finish, then undo.', 'jobId');
    const results = this.results(jobId);
    const log = new ResultLog(resultLogFile(this.deps.dataDir, jobId));
    let targets = results.items.filter((i) => i.status === 'written');
    if (file !== undefined) {
      const item = results.items.find((i) => i.file === file);
      if (!item) throw new StudioError('not_found', `file: ${file} was not part of this run.`, 'file');
      if (item.status !== 'written') throw new StudioError('conflict', `file: ${file} has nothing to undo (${item.status}).`, 'file');
      targets = [item];
    }
    let undone = 0;
    const conflicts: Array<{ file: string; reason: string }> = [];
    for (const item of targets) {
      const imagePath = absFile(results.dir, item.file);
      let current: string | null;
      try {
        current = readCaption(imagePath);
      } catch (err) {
        conflicts.push({ file: item.file, reason: `could not read its caption: ${(err as Error).message}` });
        continue;
      }
      if (current !== item.after && !force) {
        conflicts.push({ file: item.file, reason: 'the caption was changed after the run; undo with force to put back the old one anyway' });
        continue;
      }
      if (item.before === null) fs.rmSync(captionPathFor(imagePath), { force: true });
      else writeCaption(imagePath, item.before);
      log.item({ ...item, status: 'undone', error: null });
      undone++;
    }
    if (undone > 0) {
      this.deps.datasets.notifyChanged?.(results.dataset);
      // The count is a convenience of the list: a failed recount must not fail the undo.
      void this.deps.datasets.captionsChanged?.(results.dataset).catch(() => undefined);
    }
    return { undone, conflicts, results: log.read() };
  }

  executor(): JobExecutor<TagJobParams> {
    return {
      kind: TAGGING_KIND,
      params: TagJobParams,
      lane: () => 'tagging',
      title: (p) => `Caption ${p.dataset} with ${p.source.kind === 'claude' ? 'Claude' : 'the tagger'} (${p.mode})`,
      run: (ctx) => this.run(ctx),
    };
  }

  private async run(ctx: JobContext<TagJobParams>): Promise<TaggingResults> {
    const { params, signal, job } = ctx;
    const c = this.config();
    const { planned } = this.plan(params);
    const source = params.source;
    const claude = source.kind === 'claude' ? this.claudeSettings(source, params.trigger, c) : null;
    const log = ResultLog.create(resultLogFile(this.deps.dataDir, job.id), {
      jobId: job.id,
      dataset: params.dataset,
      dir: params.dir,
      mode: params.mode,
      source: source.kind,
      sourceDetail: source.kind === 'tagger' ? source.dir : claude!.model,
      startedAt: new Date().toISOString(),
      files: planned.map((p) => p.item.file),
    });
    for (const p of planned) {
      if (!p.process) log.item({ file: p.item.file, before: p.item.caption, after: null, generated: null, status: 'skipped', error: null });
    }
    const todo = planned.filter((p) => p.process).map((p) => p.item);
    const gate = new PauseGate();
    this.gates.set(job.id, gate);
    let done = 0;
    const total = todo.length;
    ctx.progress({ step: 0, total, message: `0 / ${total}` });

    /** Writes one image's result (the caption is read again just before, in case it changed). */
    const record = (item: DatasetItemBasic, generated: string | null, error: string | null): void => {
      let before: string | null = null;
      try {
        before = readCaption(item.imagePath);
        if (generated === null) {
          log.item({ file: item.file, before, after: null, generated: null, status: 'failed', error });
        } else if (params.mode === 'fill' && !isEmpty(before)) {
          log.item({ file: item.file, before, after: null, generated, status: 'skipped', error: 'a caption appeared while the run was going' });
        } else {
          const after = combine(params.mode, before, generated, source.kind);
          if (after === before) log.item({ file: item.file, before, after: null, generated, status: 'unchanged', error: null });
          else {
            writeCaption(item.imagePath, after);
            log.item({ file: item.file, before, after, generated, status: 'written', error: null });
          }
        }
      } catch (err) {
        log.item({ file: item.file, before, after: null, generated, status: 'failed', error: `could not write the caption: ${(err as Error).message}` });
      }
      done++;
      ctx.progress({ step: done, total, message: `${done} / ${total} ${item.file}${error ? ' (failed)' : ''}` });
    };

    const pauseCheck = async (): Promise<void> => {
      if (gate.paused) ctx.progress({ step: done, total, message: `paused at ${done} / ${total}` });
      await gate.wait(signal);
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
    };

    try {
      if (source.kind === 'tagger') await this.runTagger(source, todo, record, pauseCheck, ctx);
      else await this.runClaude(claude!, c, todo, record, pauseCheck, log, ctx);
    } finally {
      this.gates.delete(job.id);
      this.deps.datasets.notifyChanged?.(params.dataset);
      await this.deps.datasets.captionsChanged?.(params.dataset);
    }
    const results = log.read();
    ctx.log.info(
      `captioned ${params.dataset}: ${results.counts.written} written, ${results.counts.unchanged} unchanged, ${results.counts.skipped} skipped, ${results.counts.failed} failed`,
    );
    return results;
  }

  private async runTagger(
    source: Extract<TagJobParams['source'], { kind: 'tagger' }>,
    todo: DatasetItemBasic[],
    record: (item: DatasetItemBasic, generated: string | null, error: string | null) => void,
    pauseCheck: () => Promise<void>,
    ctx: JobContext<TagJobParams>,
  ): Promise<void> {
    if (todo.length === 0) return;
    const tagger = await Wd14Tagger.load(source.dir, { providers: this.deps.providers });
    ctx.log.info(`tagger ${source.dir}: ${tagger.info.tags} tags, ${tagger.info.size}px input, batch ${tagger.info.batch}, ${tagger.info.provider}`);
    try {
      for (let start = 0; start < todo.length; start += tagger.info.batch) {
        await pauseCheck();
        const chunk = todo.slice(start, start + tagger.info.batch);
        const ready: Array<{ item: DatasetItemBasic; pixels: Float32Array }> = [];
        for (const item of chunk) {
          try {
            ready.push({ item, pixels: await preprocess(item.imagePath, tagger.info.size) });
          } catch (err) {
            record(item, null, `could not read the image: ${(err as Error).message}`);
          }
        }
        if (ready.length === 0) continue;
        let probs: Float32Array[];
        try {
          probs = await tagger.predict(ready.map((r) => r.pixels));
        } catch (err) {
          for (const r of ready) record(r.item, null, `the tagger failed: ${(err as Error).message}`);
          continue;
        }
        ready.forEach((r, i) => {
          const tags = selectTags(probs[i]!, tagger.tags, source);
          record(r.item, tags.map((t) => t.tag).join(', '), null);
        });
      }
    } finally {
      await tagger.release();
    }
  }

  private async runClaude(
    s: { model: string; maxTokens: number; concurrency: number; instruction: string },
    c: TaggingConfig,
    todo: DatasetItemBasic[],
    record: (item: DatasetItemBasic, generated: string | null, error: string | null) => void,
    pauseCheck: () => Promise<void>,
    log: ResultLog,
    ctx: JobContext<TagJobParams>,
  ): Promise<void> {
    const key = this.deps.getKey();
    if (!key) throw new StudioError('unavailable', MISSING_KEY_MESSAGE);
    const captioner = new ClaudeCaptioner({
      apiKey: key,
      baseURL: this.deps.baseURL,
      model: s.model,
      maxTokens: s.maxTokens,
      instruction: s.instruction,
      longSide: c.claude.longSide,
      jpegQuality: c.claude.jpegQuality,
      maxRetries: c.claude.maxRetries,
      backoffBaseMs: c.claude.backoffBaseMs,
      backoffMaxMs: c.claude.backoffMaxMs,
      maxRetryAfterMs: c.claude.maxRetryAfterMs,
      timeoutMs: c.claude.timeoutMs,
      log: ctx.log,
    });
    ctx.log.info(`captioning ${todo.length} images with ${s.model}, ${s.concurrency} at a time`);
    // A fatal error (bad key, unknown model) stops the other workers too.
    const stop = new AbortController();
    const onAbort = () => stop.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let fatal: CaptionError | null = null;
    let next = 0;
    let inputTokens = 0;
    let outputTokens = 0;
    const worker = async (): Promise<void> => {
      while (!stop.signal.aborted) {
        await pauseCheck();
        if (stop.signal.aborted) return;
        const item = todo[next++];
        if (!item) return;
        try {
          const r = await captioner.caption(item.imagePath, stop.signal);
          inputTokens += r.inputTokens;
          outputTokens += r.outputTokens;
          record(item, r.text, null);
        } catch (err) {
          if (stop.signal.aborted) return;
          if (err instanceof CaptionError && err.fatal) {
            fatal = err;
            record(item, null, err.message);
            stop.abort(err);
            return;
          }
          record(item, null, err instanceof Error ? err.message : String(err));
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(s.concurrency, todo.length) }, () => worker()));
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      log.usage(inputTokens, outputTokens, usageCost(c.prices, s.model, inputTokens, outputTokens));
    }
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('cancelled');
    if (fatal) throw new StudioError('upstream', (fatal as CaptionError).message);
  }
}
