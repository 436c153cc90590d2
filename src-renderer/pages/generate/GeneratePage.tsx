import { useEffect, useRef, useState, type ReactElement } from 'react';
import { ChipIcon, CloudIcon, GalleryIcon, InfoIcon } from '../../components/Icons';
import { Kbd, PageHeader } from '../../components/Controls';
import { buildDraftRequest, effectiveChoices, useDraft } from '../../stores/draft';
import { usePresets } from '../../stores/presets';
import { useSettings } from '../../stores/settings';
import { hrefFor } from '../../stores/router';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { EnhancePanel } from './EnhancePanel';
import { useImageDrop } from './use-image-drop';
import { useDebounced } from '../../hooks/use-debounced';
import { PresetsPanel } from './PresetsPanel';
import type { ResolveState } from './ResolveSummary';
import { PromptEditor } from './PromptEditor';
import { StylePicker } from './StylePicker';
import { LocalStatusChip } from './LocalStatusChip';
import { FirstModelOffer } from './FirstModelOffer';
import { GenerationView, RuntimePicker, useRuntimeTarget } from './RuntimePicker';
import { useJobs } from '../../stores/jobs';
import { usePods } from '../../stores/pods';
import { lorasForSubmit, useLoras } from '../../stores/loras';
import { LoraPicker } from './LoraPicker';

const NOT_YET = 'Generation is not connected yet: connecting a RunPod pod or a local model comes in the next update.';
const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The one Generate action (button and Ctrl/Cmd+Enter). No runtime is connected yet, so it says so. */
function generate(): void {
  notify(NOT_YET, 'info');
}

/** generation.resolve for the current draft, debounced; stale answers are dropped. */
function useResolve(key: string | null): { resolve: ResolveState; pending: boolean } {
  const settled = useDebounced(key, 120);
  const [resolve, setResolve] = useState<ResolveState>({ state: 'idle' });
  useEffect(() => {
    if (settled === null) return;
    let live = true;
    studio.generation.resolve(JSON.parse(settled) as Parameters<typeof studio.generation.resolve>[0]).then(
      (resolved) => {
        if (live) setResolve({ state: 'ok', key: settled, resolved });
      },
      (err: unknown) => {
        if (!live) return;
        if (err instanceof StudioCallError) {
          const message = err.message.replace(/^generation\.resolve: /, '');
          setResolve({ state: 'error', key: settled, field: err.field ?? null, message: message.charAt(0).toUpperCase() + message.slice(1) });
        } else {
          setResolve({ state: 'error', key: settled, field: null, message: err instanceof Error ? err.message : String(err) });
        }
      },
    );
    return () => {
      live = false;
    };
  }, [settled]);
  const pending = key !== null && (resolve.state === 'idle' || resolve.key !== key);
  return { resolve, pending };
}

export function GeneratePage(): ReactElement {
  const settings = useSettings((s) => s.settings);
  const presets = usePresets((s) => s.view);
  const presetsError = usePresets((s) => s.error);
  const loadPresets = usePresets((s) => s.load);
  const draft = useDraft();
  const drop = useImageDrop();
  const runtime = settings?.defaultRuntime ?? 'remote';
  const eff = effectiveChoices(draft, settings, presets);
  const request = buildDraftRequest(draft, eff, presets);
  const requestKey = request.ok ? JSON.stringify(request.draft) : null;
  const { resolve: resolved, pending } = useResolve(presets ? requestKey : null);
  const resolve: ResolveState = request.ok ? resolved : { state: 'error', key: '', field: request.field, message: request.message };
  // A pod (or the local runtime) makes Generate live; with none the page says so, as before.
  const target = useRuntimeTarget(runtime);
  const hasRuntime = usePods((s) => s.pods.length > 0 || s.runtimes.some((r) => r.id === 'local' && r.available));
  const [jobId, setJobId] = useState<string | null>(null);
  const submitRef = useRef<() => void>(generate);
  const submit = (): void => {
    if (!hasRuntime) return generate();
    if (!target.ready) return notify(target.reason ?? NOT_YET, 'info');
    if (!request.ok) return notify(request.message, 'info');
    // A random seed is drawn per image (the result shows it); a fixed one is used as set.
    // Trained LoRAs apply on the remote runtime (the studio uploads them to the pod when needed).
    const loras = target.runtime === 'remote' ? lorasForSubmit(useLoras.getState().chosen) : [];
    studio.generation.submit({ draft: request.draft, runtime: target.runtime, ...(target.podId ? { podId: target.podId } : {}), ...(loras.length > 0 ? { loras } : {}) }).then((job) => {
      useJobs.getState().merge(job);
      setJobId(job.id);
    }, reportError);
  };
  useEffect(() => {
    submitRef.current = submit;
  });

  // The presets carry the Settings overrides: read them again when those change.
  const overridesKey = JSON.stringify(settings?.presetOverrides ?? null);
  useEffect(() => {
    void loadPresets();
  }, [loadPresets, overridesKey]);

  // Ctrl/Cmd+Enter anywhere on the page is Generate.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey) || e.defaultPrevented) return;
      if (e.target instanceof Element && e.target.closest('dialog')) return;
      e.preventDefault();
      submitRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="page page-wide" data-testid="page-generate" {...drop.handlers}>
      {drop.overlay}
      <PageHeader
        title="Generate"
        description="Write a prompt, pick a runtime and make an image with FLUX. Finished images land in the Gallery. Drop an image here to load its parameters."
      />
      {hasRuntime ? null : (
        <div className="callout" id="generate-not-connected" data-testid="generate-not-connected">
          <InfoIcon size={18} />
          <div>
            <div className="callout-title">No GPU connected yet</div>
            <p>
              Generating needs a <strong>RunPod pod</strong> over SSH (remote) or a <strong>local model</strong> run with ONNX Runtime on this
              machine: add either in <a href={hrefFor('settings')}>Settings</a>. Until then you can compose and check everything here.
            </p>
            <FirstModelOffer />
          </div>
        </div>
      )}
      <div className="generate-grid">
        <div className="generate-left">
          <section className="card generate-compose" aria-labelledby="prompt-label">
            <PromptEditor model={eff.model} onGenerate={submit} />
            <StylePicker />
            <EnhancePanel />
          </section>
          <section className="card generate-settings" aria-labelledby="image-settings-title">
            <div className="card-head">
              <h2 className="section-title" id="image-settings-title">
                Image settings
              </h2>
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                title="Back to the generation defaults from Settings (the prompt stays)"
                onClick={() => draft.reset()}
                data-testid="draft-reset"
              >
                Use my defaults
              </button>
            </div>
            {presets ? (
              <PresetsPanel presets={presets} eff={eff} resolve={resolve} pending={pending && request.ok} />
            ) : presetsError ? (
              <div className="callout is-danger" role="alert" data-testid="presets-error">
                <div>
                  <div className="callout-title">Can’t read the presets</div>
                  <p>{presetsError}</p>
                  <button type="button" className="btn btn-sm" onClick={() => void loadPresets()}>
                    Try again
                  </button>
                </div>
              </div>
            ) : (
              <p className="muted">Loading presets…</p>
            )}
            <div className="compose-meta">
              {hasRuntime ? <RuntimePicker target={target} /> : <div className="runtime-pill" data-testid="generate-runtime">
                {runtime === 'remote' ? <CloudIcon /> : <ChipIcon />}
                <span>
                  Runs on <strong>{runtime === 'remote' ? 'a remote pod' : 'this machine'}</strong>
                </span>
                <span className="muted">· default from Settings</span>
              </div>}
              {hasRuntime && target.runtime === 'remote' ? <LoraPicker /> : null}
              {hasRuntime && target.runtime === 'local' ? <LocalStatusChip /> : null}
              <div className="generate-action">
                <span className="shortcut-hint" aria-hidden="true">
                  <Kbd>{IS_MAC ? '⌘' : 'Ctrl'}</Kbd>
                  <Kbd>↵</Kbd>
                </span>
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={!hasRuntime || !target.ready}
                  title={hasRuntime ? (target.reason ?? 'Generate') : NOT_YET}
                  aria-describedby={hasRuntime ? undefined : 'generate-not-connected'}
                  aria-keyshortcuts="Control+Enter Meta+Enter"
                  onClick={submit}
                  data-testid="generate-submit"
                >
                  Generate
                </button>
              </div>
            </div>
          </section>
        </div>
        <section className="card generate-preview" aria-label="Preview">
          {jobId ? <GenerationView jobId={jobId} /> : null}
          {jobId ? null : (
            <div className="preview-frame">
              <div
                className={resolve.state === 'ok' && resolve.resolved.height > resolve.resolved.width ? 'aspect-box is-tall' : 'aspect-box'}
                style={resolve.state === 'ok' ? { aspectRatio: `${resolve.resolved.width} / ${resolve.resolved.height}` } : undefined}
                data-testid="preview-aspect"
              >
                <GalleryIcon size={28} />
                <p>Your image will appear here</p>
                {resolve.state === 'ok' ? (
                  <p className="muted small" data-testid="preview-size">
                    {resolve.resolved.width} × {resolve.resolved.height} px
                  </p>
                ) : null}
              </div>
              {settings ? (
                <p className="muted small preview-path">
                  Saved to <code className="path">{settings.outputDir}</code>
                </p>
              ) : null}
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
