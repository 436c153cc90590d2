// The Generate page: prompt, where it runs and the Generate button on the left (the button
// never moves), image settings below, the result pane on the right (sticky). With a local
// model the model folder's kind decides the model and the choices that apply; the page resolves
// the draft for the runtime it will run on, so "Will generate" is what runs and what the image
// records (generation-service.ts `resolve`).
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { GenerationResolve } from '@shared/contract/generation';
import { PageHeader } from '../../components/Controls';
import { buildDraftRequest, effectiveChoices, useDraft } from '../../stores/draft';
import { usePresets } from '../../stores/presets';
import { useSettings } from '../../stores/settings';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { EnhancePanel } from './EnhancePanel';
import { useImageDrop } from './use-image-drop';
import { useDebounced } from '../../hooks/use-debounced';
import { useRecoveryTick } from '../../hooks/use-recovery-tick';
import { PresetsPanel } from './PresetsPanel';
import type { ResolveState } from './ResolveSummary';
import { PromptEditor } from './PromptEditor';
import { StylePicker } from './StylePicker';
import { useRuntimeTarget } from './RuntimePicker';
import { GenerateBar, blockerFor } from './GenerateBar';
import { NoRuntimeCallout } from './NoRuntimeCallout';
import { ResultPane } from './ResultPane';
import { presetModelFor, useActiveLocalModel } from './use-local-model';
import { useJobs } from '../../stores/jobs';
import { usePods } from '../../stores/pods';
import { lorasForSubmit, useLoras } from '../../stores/loras';
import { LoraPicker } from './LoraPicker';
import './generate.css';

/** generation.resolve for the current draft, debounced; stale answers are dropped, and an error that is not the draft's clears itself when the server answers again. */
function useResolve(key: string | null): { resolve: ResolveState; pending: boolean } {
  const settled = useDebounced(key, 120);
  const [resolve, setResolve] = useState<ResolveState>({ state: 'idle' });
  const [unreachable, setUnreachable] = useState(false);
  const tick = useRecoveryTick(unreachable);
  useEffect(() => {
    if (settled === null) return;
    let live = true;
    studio.generation.resolve(JSON.parse(settled) as GenerationResolve).then(
      (resolved) => {
        if (!live) return;
        setUnreachable(false);
        setResolve({ state: 'ok', key: settled, resolved });
      },
      (err: unknown) => {
        if (!live) return;
        const isDraft = err instanceof StudioCallError && err.code === 'invalid_input';
        setUnreachable(!isDraft);
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
  }, [settled, tick]);
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
  const target = useRuntimeTarget(runtime);
  const localModel = useActiveLocalModel();
  // On the local runtime the model folder's kind decides the model (and so steps and guidance).
  const forcedModel = target.runtime === 'local' && target.ready ? presetModelFor(localModel?.kind ?? null) : null;
  const chosen = effectiveChoices(draft, settings, presets);
  const eff = forcedModel ? { ...chosen, model: forcedModel } : chosen;
  const request = buildDraftRequest(draft, eff, presets);
  const where = target.ready ? { runtime: target.runtime } : {};
  const requestKey = request.ok ? JSON.stringify({ ...request.draft, ...where }) : null;
  const { resolve: resolved, pending } = useResolve(presets ? requestKey : null);
  const resolve: ResolveState = request.ok ? resolved : { state: 'error', key: '', field: request.field, message: request.message };
  const hasRuntime = usePods((s) => s.pods.length > 0 || s.runtimes.some((r) => r.id === 'local' && r.available));
  const runtimesLoaded = usePods((s) => s.loaded);
  const blocker = blockerFor(target, draft.prompt, resolve.state === 'error' ? resolve.message : null);
  const [jobId, setJobId] = useState<string | null>(null);
  const submit = (): void => {
    if (blocker) return notify(blocker.reason, 'info');
    if (!request.ok) return notify(request.message, 'info');
    // A random seed is drawn when the job is queued (the result shows it); a fixed one is used as set.
    // Trained LoRAs apply on the remote runtime (the studio uploads them to the pod when needed).
    const loras = target.runtime === 'remote' ? lorasForSubmit(useLoras.getState().chosen) : [];
    studio.generation.submit({ draft: request.draft, runtime: target.runtime, ...(target.podId ? { podId: target.podId } : {}), ...(loras.length > 0 ? { loras } : {}) }).then((job) => {
      useJobs.getState().merge(job);
      setJobId(job.id);
    }, reportError);
  };
  const submitRef = useRef<() => void>(submit);
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
        description="Write a prompt, pick where it runs and make an image with FLUX. Finished images land in the Gallery. Drop an image here to load its parameters."
      />
      {hasRuntime || !runtimesLoaded ? null : <NoRuntimeCallout />}
      <div className={jobId ? 'generate-grid has-run' : 'generate-grid'}>
        <div className="generate-left">
          <section className="card generate-compose" aria-labelledby="prompt-label">
            <PromptEditor model={eff.model} onGenerate={submit} />
            <GenerateBar target={target} blocker={blocker} onGenerate={submit} />
            {target.ready && target.runtime === 'remote' ? <LoraPicker /> : null}
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
              <PresetsPanel presets={presets} eff={eff} resolve={resolve} pending={pending && request.ok} localModel={forcedModel ? localModel : null} />
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
          </section>
        </div>
        <ResultPane jobId={jobId} size={resolve.state === 'ok' ? resolve.resolved : null} outputDir={settings?.outputDir ?? null} />
      </div>
    </div>
  );
}
