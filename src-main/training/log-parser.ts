// ai-toolkit's log (stdout + stderr, PYTHONUNBUFFERED) → events. Input arrives in arbitrary
// chunks read from a byte offset; lines end in \n or \r (tqdm redraws), and a chunk may
// stop mid-line (or mid UTF-8 character), so the unfinished tail is kept for the next
// chunk. Only the job's own bar (desc == config.name) counts as training progress
// (ai-toolkit's tqdm bars): "Caching latents", "Generating Images" and sampler bars share its shape.
// What the real program prints is listed in ../shared/vendor/README.md: no line on success (the
// final "Saved checkpoint to …/<name>.safetensors" then "Saved optimizer to …" are the end), the
// bar redrawn twice per step (so the loss beside a count is not that step's: the loss chart
// reads loss_log.db instead, loss-log.ts), "Found N images" once per resolution, sampling as a
// nested "Generating Images" bar drawn with \x1b[A.
import { StringDecoder } from 'node:string_decoder';

export const PROGRESS_RE =
  /^(.+?):\s+(\d+)%\|.*?\|\s*(\d+)\/(\d+)\s*\[([\d:]+)<([\d:?]+),\s*([\d.]+)(s\/it|it\/s)(?:,\s*lr:\s*([\d.e+-]+))?(?:\s+loss:\s*([\d.e+-]+))?/;

export type LogEvent =
  | { type: 'progress'; step: number; total: number; secondsPerStep: number; lr: number | null; loss: number | null }
  | { type: 'images'; count: number }
  | { type: 'sampling'; done: number | null; total: number | null }
  | { type: 'resuming'; path: string }
  | { type: 'resumed'; step: number }
  | { type: 'saving'; step: number }
  | { type: 'saved'; path: string }
  | { type: 'optimizerSaved' }
  | { type: 'removed'; path: string }
  | { type: 'oom'; count: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string }
  | { type: 'line'; text: string };

function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Parse one complete line (no \r or \n in it). Returns the events it carries. */
export function parseLine(line: string, jobName: string): LogEvent[] {
  // eslint-disable-next-line no-control-regex -- strip ANSI colour codes
  const text = line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trimEnd();
  if (text.trim() === '') return [];
  const m = PROGRESS_RE.exec(text);
  if (m) {
    // A line printed right after an unterminated bar ends up on the bar's line ("…]Job stopped").
    const close = text.indexOf(']', m[0].length);
    const rest = close >= 0 ? parseLine(text.slice(close + 1), jobName) : [];
    const desc = m[1]?.trim();
    if (desc === 'Generating Images') return [{ type: 'sampling', done: Number(m[3]), total: Number(m[4]) }, ...rest];
    if (desc !== jobName) return rest; // another bar (latents, samplers): not our step
    const rate = Number(m[7]);
    const secondsPerStep = m[8] === 's/it' ? rate : rate > 0 ? 1 / rate : 0;
    return [{ type: 'progress', step: Number(m[3]), total: Number(m[4]), secondsPerStep, lr: num(m[9]), loss: num(m[10]) }, ...rest];
  }
  const out: LogEvent[] = [];
  let r: RegExpExecArray | null;
  if ((r = /^\s*-\s+Found (\d+) images/.exec(text))) out.push({ type: 'images', count: Number(r[1]) });
  else if ((r = /^Generating Images:.*?\|\s*(\d+)\/(\d+)/.exec(text))) out.push({ type: 'sampling', done: Number(r[1]), total: Number(r[2]) });
  else if (/Generating baseline samples before training|^Generating Images/.test(text)) out.push({ type: 'sampling', done: null, total: null });
  else if ((r = /#### IMPORTANT RESUMING FROM (.+?) ####/.exec(text))) out.push({ type: 'resuming', path: r[1] ?? '' });
  else if ((r = /Found step (\d+) in metadata, starting from there/.exec(text))) out.push({ type: 'resumed', step: Number(r[1]) });
  else if ((r = /^Saving at step (\d+)/.exec(text))) out.push({ type: 'saving', step: Number(r[1]) });
  else if ((r = /^Saved checkpoint to (.+)$/.exec(text))) out.push({ type: 'saved', path: r[1]?.trim() ?? '' });
  else if (/^Saved optimizer to /.test(text)) out.push({ type: 'optimizerSaved' });
  else if ((r = /^Removing old save: (.+)$/.exec(text))) out.push({ type: 'removed', path: r[1]?.trim() ?? '' });
  else if ((r = /# OOM during training step, skipping batch (\d+)\/3 #/.exec(text))) out.push({ type: 'oom', count: Number(r[1]) });
  else if (/^Job stopped/.test(text)) out.push({ type: 'stopped' });
  else if ((r = /^Error running job: (.*)$/.exec(text))) out.push({ type: 'error', message: r[1] ?? '' });
  out.push({ type: 'line', text });
  return out;
}

export class LogParser {
  private tail = '';
  private readonly decoder = new StringDecoder('utf8');
  /** Steps already reported, so a speculatively parsed unfinished bar is not reported twice. */
  private lastProgressKey = '';

  constructor(private readonly jobName: string) {}

  /** Feed raw bytes; returns the events of every line completed by them (and of a finished-looking bar). */
  push(chunk: Buffer | string): LogEvent[] {
    this.tail += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const parts = this.tail.split(/\r\n|\r|\n/);
    this.tail = parts.pop() ?? '';
    // A "\r" at the very end may be the first half of "\r\n": "\r\n" then yields an empty line, which parses to nothing.
    const events: LogEvent[] = [];
    for (const line of parts) events.push(...this.dedupe(parseLine(line, this.jobName)));
    // tqdm leaves its newest redraw unterminated until the next one: parse it now when it
    // looks complete (ends with "]"), so progress is not one redraw late.
    if (this.tail.endsWith(']')) events.push(...this.dedupe(parseLine(this.tail, this.jobName).filter((e) => e.type === 'progress')));
    return events;
  }

  /** End of input (the process ended): the unfinished tail is a line too. */
  flush(): LogEvent[] {
    const rest = this.tail + this.decoder.end();
    this.tail = '';
    return rest ? this.dedupe(parseLine(rest, this.jobName)) : [];
  }

  private imagesSeen = false;

  private dedupe(events: LogEvent[]): LogEvent[] {
    return events.filter((e) => {
      // Printed once per training resolution: the dataset's count is shown once.
      if (e.type === 'images') {
        if (this.imagesSeen) return false;
        this.imagesSeen = true;
        return true;
      }
      if (e.type !== 'progress') return true;
      const key = `${e.step}/${e.total}/${e.loss}`;
      if (key === this.lastProgressKey) return false;
      this.lastProgressKey = key;
      return true;
    });
  }
}

/** ETA in seconds from the remaining steps and the measured speed (tqdm's own ETA is reset by pauses). */
export function etaSeconds(step: number, total: number, secondsPerStep: number | null): number | null {
  if (secondsPerStep === null || !(secondsPerStep > 0) || total <= 0) return null;
  return Math.max(0, Math.round((total - step) * secondsPerStep));
}

/** `<name>_000000250.safetensors` → 250; `<name>.safetensors` → null (final). undefined when not this run's checkpoint. */
export function checkpointStep(file: string, name: string): number | null | undefined {
  if (file === `${name}.safetensors`) return null;
  const m = /^(.+)_(\d{9})\.safetensors$/.exec(file);
  if (m && m[1] === name) return Number(m[2]);
  return undefined;
}

/** `samples/<epoch_ms>__<000000250>_<promptIdx>.jpg` → { step, prompt }. */
export function sampleInfo(file: string): { step: number; prompt: number } | null {
  const m = /__(\d{9})_(\d+)\.\w+$/.exec(file);
  return m ? { step: Number(m[1]), prompt: Number(m[2]) } : null;
}
