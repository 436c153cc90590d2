// "Enhance with Claude": a first-use notice (the prompt leaves this machine), then the
// answer beside the original for the user to accept, edit or discard — never a silent rewrite.
import { useRef, useState, type ReactElement } from 'react';
import { ENHANCE_MODES, type EnhanceMode, type EnhanceResult, type ErrorCode } from '@shared/contract';
import { Segmented, Switch } from '../../components/Controls';
import { AlertIcon, KeyIcon, ScissorsIcon, SparkIcon } from '../../components/Icons';
import { useDraft } from '../../stores/draft';
import { useSettings } from '../../stores/settings';
import { reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { useElapsed } from './use-elapsed';
import { focusPromptEnd, replacePrompt } from './prompt-actions';

type Phase =
  | { phase: 'idle' }
  | { phase: 'notice' }
  | { phase: 'running'; id: number; startedAt: number; prompt: string }
  | { phase: 'result'; result: EnhanceResult; trimmedAlt: string | null }
  | { phase: 'error'; code: ErrorCode; message: string };

const MODE_OPTIONS = ENHANCE_MODES.map((m) => ({
  value: m,
  label: m.charAt(0).toUpperCase() + m.slice(1),
  hint:
    m === 'focused'
      ? 'Tighten and clarify what you wrote; add little'
      : m === 'balanced'
        ? 'Add useful visual detail while keeping your idea'
        : 'Take liberties: richer scene, style and mood',
}));

const ERROR_TITLES: Partial<Record<ErrorCode, string>> = {
  unavailable: 'Enhancement isn’t set up',
  upstream: 'Anthropic answered with an error',
  network: 'Couldn’t reach Anthropic',
  invalid_input: 'The prompt can’t be sent',
  internal: 'Something went wrong in the studio',
};

/** Where in Settings the user can fix this error, if anywhere. */
function settingsTarget(message: string): 'api-keys' | 'enhance' | null {
  if (/API key|ANTHROPIC_API_KEY/i.test(message)) return 'api-keys';
  if (/in Settings/i.test(message)) return 'enhance';
  return null;
}

function openSettings(anchor: string): void {
  window.location.hash = `/settings/${anchor}`;
}

export function EnhancePanel(): ReactElement {
  const prompt = useDraft((s) => s.prompt);
  const mode = useDraft((s) => s.enhanceMode);
  const trimOverride = useDraft((s) => s.enhanceTrim);
  const setDraft = useDraft((s) => s.set);
  const settings = useSettings((s) => s.settings);
  const updateSettings = useSettings((s) => s.update);
  const trim = trimOverride ?? settings?.enhanceTrimToClip ?? true;
  const [phase, setPhase] = useState<Phase>({ phase: 'idle' });
  const seq = useRef(0);
  const elapsed = useElapsed(phase.phase === 'running' ? phase.startedAt : null);
  const empty = prompt.trim() === '';
  const model = settings?.enhanceModel ?? 'Claude';

  async function run(): Promise<void> {
    const id = ++seq.current;
    const text = prompt;
    setPhase({ phase: 'running', id, startedAt: Date.now(), prompt: text });
    try {
      const result = await studio.prompt.enhance({ prompt: text, mode, trimToClip: trim });
      if (seq.current !== id) return;
      setPhase({ phase: 'result', result, trimmedAlt: null });
    } catch (err) {
      if (seq.current !== id) return;
      if (err instanceof StudioCallError) setPhase({ phase: 'error', code: err.code, message: err.message.replace(/^prompt\.enhance: /, '') });
      else setPhase({ phase: 'error', code: 'internal', message: err instanceof Error ? err.message : String(err) });
    }
  }

  function start(): void {
    if (empty) return;
    if (settings && !settings.enhanceNoticeAccepted) {
      setPhase({ phase: 'notice' });
      return;
    }
    void run();
  }

  async function acceptNotice(): Promise<void> {
    try {
      await updateSettings({ enhanceNoticeAccepted: true });
    } catch (err) {
      reportError(err);
      return;
    }
    void run();
  }

  function stopWaiting(): void {
    seq.current++;
    setPhase({ phase: 'idle' });
  }

  /** The trim switch after the answer came: cut the full answer here if it was not asked for. */
  async function setTrim(on: boolean): Promise<void> {
    setDraft({ enhanceTrim: on });
    if (!on || phase.phase !== 'result' || phase.result.wasTrimmed || phase.trimmedAlt !== null) return;
    try {
      const count = await studio.prompt.tokens({ text: phase.result.enhanced });
      if (count.available && !count.fits) setPhase({ ...phase, trimmedAlt: count.trimmed });
    } catch (err) {
      reportError(err);
    }
  }

  const busy = phase.phase === 'running';
  const target = phase.phase === 'error' ? settingsTarget(phase.message) : null;
  return (
    <div className="enhance" data-testid="enhance">
      <div className="enhance-row">
        <button
          type="button"
          className="btn"
          disabled={empty || busy}
          title={empty ? 'Write a prompt first' : `Ask Claude (${model}) to expand the prompt; you review the answer before it replaces anything`}
          onClick={start}
          data-testid="enhance-button"
        >
          <SparkIcon size={15} />
          Enhance with Claude
        </button>
        <Segmented<EnhanceMode> label="Enhancement style" value={mode} options={MODE_OPTIONS} onChange={(v) => setDraft({ enhanceMode: v })} testId="enhance-mode" />
        <label className="inline-switch">
          <Switch checked={trim} label="Trim to CLIP limit" onChange={(v) => void setTrim(v)} testId="enhance-trim" />
          <span>Trim to CLIP limit</span>
        </label>
      </div>

      {phase.phase === 'notice' ? (
        <div className="callout enhance-notice" role="dialog" aria-labelledby="enhance-notice-title" data-testid="enhance-notice">
          <SparkIcon size={18} />
          <div>
            <div className="callout-title" id="enhance-notice-title">
              Your prompt will be sent to Anthropic
            </div>
            <p>
              Your prompt is sent to Anthropic (model <code>{model}</code>) to be rewritten, using your Anthropic API key. Nothing else is sent, and
              the answer is shown here for you to accept, edit or discard. You’ll see this notice once; you can bring it back in Settings.
            </p>
            <div className="callout-actions">
              <button type="button" className="btn btn-primary btn-sm" onClick={() => void acceptNotice()} data-testid="enhance-notice-continue">
                Continue
              </button>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setPhase({ phase: 'idle' })} data-testid="enhance-notice-cancel">
                Cancel
              </button>
            </div>
          </div>
        </div>
      ) : null}

      {phase.phase === 'running' ? (
        <div className="enhance-progress" role="status" data-testid="enhance-progress">
          <span className="spinner" aria-hidden="true" />
          <span>
            Asking Claude ({mode})… <span className="num">{elapsed.toFixed(0)} s</span>
          </span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={stopWaiting} data-testid="enhance-cancel">
            Stop waiting
          </button>
        </div>
      ) : null}

      {phase.phase === 'error' ? (
        <div className="callout is-danger" role="alert" data-testid="enhance-error" data-code={phase.code}>
          <AlertIcon size={18} />
          <div>
            <div className="callout-title">
              {phase.code === 'unavailable' && target === 'api-keys' ? 'Anthropic API key needed' : (ERROR_TITLES[phase.code] ?? 'Enhancement failed')}
            </div>
            <p data-testid="enhance-error-message">{phase.message}</p>
            <div className="callout-actions">
              {target === 'api-keys' ? (
                <button type="button" className="btn btn-primary btn-sm" onClick={() => openSettings('api-keys')} data-testid="enhance-open-settings">
                  <KeyIcon size={14} />
                  Settings → API keys
                </button>
              ) : target === 'enhance' ? (
                <button type="button" className="btn btn-sm" onClick={() => openSettings('enhance')} data-testid="enhance-open-settings">
                  Settings → Prompt enhancement
                </button>
              ) : null}
              {phase.code !== 'unavailable' ? (
                <button type="button" className="btn btn-sm" onClick={() => void run()} data-testid="enhance-retry">
                  Try again
                </button>
              ) : null}
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setPhase({ phase: 'idle' })} data-testid="enhance-error-dismiss">
                Dismiss
              </button>
            </div>
          </div>
        </div>
      ) : null}

      {phase.phase === 'result' ? <EnhanceResultView result={phase.result} trimmedAlt={phase.trimmedAlt} trim={trim} onDone={() => setPhase({ phase: 'idle' })} /> : null}
    </div>
  );
}

function EnhanceResultView(props: { result: EnhanceResult; trimmedAlt: string | null; trim: boolean; onDone(): void }): ReactElement {
  const { result } = props;
  const trimmedText = result.wasTrimmed ? result.trimmed : props.trimmedAlt;
  const cut = props.trim && trimmedText !== null && trimmedText !== result.enhanced;
  const chosen = cut && trimmedText !== null ? trimmedText : result.enhanced;
  // The part the trim drops, shown struck through after the kept part.
  const dropped = cut && trimmedText !== null && result.enhanced.startsWith(trimmedText) ? result.enhanced.slice(trimmedText.length) : null;

  return (
    <div className="enhance-result" data-testid="enhance-result">
      <div className="enhance-columns">
        <section className="enhance-col" aria-label="Your prompt">
          <div className="enhance-col-head">Yours</div>
          <p className="enhance-text" data-testid="enhance-original">
            {result.original}
          </p>
        </section>
        <section className="enhance-col is-new" aria-label="Claude’s version">
          <div className="enhance-col-head">
            Claude’s version
            <span className="enhance-meta" data-testid="enhance-meta">
              {result.model} · {result.mode} · {(result.elapsedMs / 1000).toFixed(1)} s
            </span>
          </div>
          <p className="enhance-text" data-testid="enhance-enhanced">
            {dropped !== null ? (
              <>
                {chosen}
                <del className="enhance-dropped" data-testid="enhance-dropped" title="Left off by the trim to the CLIP limit">
                  {dropped}
                </del>
              </>
            ) : (
              chosen
            )}
          </p>
          {cut ? (
            <p className="enhance-trim-note" data-testid="enhance-trimmed-note">
              <ScissorsIcon size={14} />
              Trimmed to the CLIP limit (75 tokens); the struck-out part is left off. Turn off “Trim to CLIP limit” to keep it.
            </p>
          ) : trimmedText !== null && !props.trim ? (
            <p className="enhance-trim-note" data-testid="enhance-untrimmed-note">
              <AlertIcon size={14} />
              Not trimmed: CLIP will cut what is past 75 tokens.
            </p>
          ) : null}
        </section>
      </div>
      <div className="enhance-actions">
        <button
          type="button"
          className="btn btn-primary btn-sm"
          onClick={() => {
            replacePrompt(chosen, 'Replaced with Claude’s version', { focus: true });
            props.onDone();
          }}
          data-testid="enhance-accept"
        >
          Accept
        </button>
        <button
          type="button"
          className="btn btn-sm"
          title="Put Claude’s version in the prompt to edit it"
          onClick={() => {
            replacePrompt(chosen, 'Replaced with Claude’s version', { focus: true });
            props.onDone();
            focusPromptEnd();
          }}
          data-testid="enhance-edit"
        >
          Edit
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={props.onDone} data-testid="enhance-discard">
          Discard
        </button>
      </div>
    </div>
  );
}
