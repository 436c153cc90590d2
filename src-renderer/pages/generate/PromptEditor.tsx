// The prompt textarea with its live CLIP counter. The part of the prompt CLIP will cut
// (past 75 tokens) is highlighted in a mirror drawn behind the transparent textarea, and
// spelled out under it; "Trim to 75" cuts at the token boundary main computed.
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import type { ModelId, TokenCount } from '@shared/contract';
import { AlertIcon, ScissorsIcon, UndoIcon } from '../../components/Icons';
import { useDraft } from '../../stores/draft';
import { studio } from '../../transport/client';
import { useDebounced } from '../../hooks/use-debounced';
import { useRecoveryTick } from '../../hooks/use-recovery-tick';
import { PROMPT_ID, replacePrompt, undoReplace, usePromptUndo } from './prompt-actions';

type TokenState =
  | { state: 'idle' }
  | { state: 'ok'; text: string; model: ModelId; result: TokenCount }
  | { state: 'error'; text: string; message: string };

function useTokenCount(text: string, model: ModelId): TokenState & { pending: boolean } {
  const key = useDebounced(`${model}\u0000${text}`, 80);
  const [state, setState] = useState<TokenState>({ state: 'idle' });
  // "Can't count tokens" clears itself: counted again when the server is back.
  const tick = useRecoveryTick(state.state === 'error');
  useEffect(() => {
    let live = true;
    const sep = key.indexOf('\u0000');
    const m = key.slice(0, sep) as ModelId;
    const t = key.slice(sep + 1);
    studio.prompt.tokens({ text: t, model: m }).then(
      (result) => {
        if (live) setState({ state: 'ok', text: t, model: m, result });
      },
      (err: unknown) => {
        if (live) setState({ state: 'error', text: t, message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const pending = state.state === 'idle' || state.text !== text;
  return { ...state, pending };
}

/** The text behind the textarea: transparent, except the part CLIP cuts, which is marked. */
function Mirror(props: { text: string; cutAt: number | null; scrollTop: number }): ReactElement {
  const cut = props.cutAt !== null && props.cutAt < props.text.length ? props.cutAt : null;
  return (
    <div className="prompt-mirror" aria-hidden="true" style={{ transform: `translateY(${-props.scrollTop}px)` }}>
      {cut === null ? (
        props.text
      ) : (
        <>
          {props.text.slice(0, cut)}
          <mark className="prompt-cut" data-testid="prompt-cut-mark">
            {props.text.slice(cut)}
          </mark>
        </>
      )}
      {/* A trailing newline needs a character after it to take up its line. */}
      {'\u200b'}
    </div>
  );
}

export function PromptEditor(props: { model: ModelId; onGenerate(): void }): ReactElement {
  const prompt = useDraft((s) => s.prompt);
  const setDraft = useDraft((s) => s.set);
  const undo = usePromptUndo((s) => s.entry);
  const tokens = useTokenCount(prompt, props.model);
  const fieldRef = useRef<HTMLTextAreaElement>(null);
  const [scrollTop, setScrollTop] = useState(0);

  // Grow with the text, so the mirror and the textarea always wrap the same way.
  useLayoutEffect(() => {
    const el = fieldRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + 2}px`;
  }, [prompt]);

  const result = tokens.state === 'ok' ? tokens.result : null;
  const available = result?.available ?? false;
  const over = result !== null && available && !result.fits;
  // While a new count is on its way, the last one is still the best guide for the mark.
  const cutAt = over && result.cutAt !== null ? Math.min(result.cutAt, prompt.length) : null;
  const cutText = cutAt !== null ? prompt.slice(cutAt).trim() : '';
  const canUndo = undo !== null && undo.next === prompt;

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      props.onGenerate();
      return;
    }
    // Ctrl/Cmd+Z right after a trim, style or enhancement: take it back even where the
    // browser's own undo stack did not record the replacement.
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z' && canUndo) {
      e.preventDefault();
      undoReplace();
    }
  };

  return (
    <div className="prompt-editor">
      <div className="prompt-head">
        <label className="field-label" htmlFor={PROMPT_ID} id="prompt-label">
          Prompt
        </label>
        <TokenMeter tokens={tokens} result={result} />
      </div>
      <div className={over ? 'prompt-box is-over' : 'prompt-box'}>
        <Mirror text={prompt} cutAt={cutAt} scrollTop={scrollTop} />
        <textarea
          ref={fieldRef}
          id={PROMPT_ID}
          className="textarea prompt-textarea"
          rows={5}
          spellCheck
          value={prompt}
          placeholder="A cinematic photo of a lighthouse at dusk, volumetric fog, 35mm film grain"
          aria-describedby="prompt-counter prompt-cut-preview"
          aria-keyshortcuts="Control+Enter Meta+Enter"
          onChange={(e) => setDraft({ prompt: e.target.value })}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
          onKeyDown={onKeyDown}
          data-testid="generate-prompt"
        />
      </div>
      {over ? (
        <div className="prompt-cut-row" data-testid="prompt-over">
          <p id="prompt-cut-preview" className="prompt-cut-preview" data-testid="prompt-cut-preview">
            <AlertIcon size={14} />
            <span>
              <strong>Will be cut by CLIP</strong> ({result.count - result.limit} token{result.count - result.limit === 1 ? '' : 's'} over):{' '}
              <span className="cut-text">“{cutText}”</span>
            </span>
          </p>
          <button
            type="button"
            className="btn btn-sm"
            title={`Cut the prompt at the last whole token that fits CLIP’s ${result.limit}`}
            onClick={() => replacePrompt(result.trimmed, `Trimmed to ${result.limit} tokens`, { focus: true })}
            data-testid="prompt-trim"
          >
            <ScissorsIcon size={14} />
            Trim to {result.limit}
          </button>
        </div>
      ) : null}
      {canUndo ? (
        <div className="undo-bar" role="status" data-testid="prompt-undo-bar">
          <span>{undo.label}.</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => undoReplace()} data-testid="prompt-undo">
            <UndoIcon size={14} />
            Undo
          </button>
          <span className="muted small">or Ctrl+Z in the prompt</span>
        </div>
      ) : null}
    </div>
  );
}

function TokenMeter(props: { tokens: TokenState & { pending: boolean }; result: TokenCount | null }): ReactElement {
  const { tokens, result } = props;
  if (tokens.state === 'error') {
    return (
      <div id="prompt-counter" className="token-meter is-error" role="status" data-testid="clip-error">
        Can’t count tokens: {tokens.message}
      </div>
    );
  }
  if (!result) {
    return (
      <div id="prompt-counter" className="token-meter" aria-busy="true">
        <span className="muted">Counting tokens…</span>
      </div>
    );
  }
  const t5 = (
    <span
      className="token-t5"
      title={result.t5.estimate ? 'No T5 tokenizer data here: this is an estimate from the text length' : 'T5 tokens (the long text encoder)'}
      data-testid="t5-count"
    >
      T5 <span className="num">{result.t5.count}</span> / {result.t5.limit}
      {result.t5.estimate ? (
        <span className="estimate-tag" data-testid="t5-estimate">
          ≈ estimate
        </span>
      ) : null}
    </span>
  );
  if (!result.available) {
    return (
      <div id="prompt-counter" className="token-meter" role="status">
        <span className="token-unavailable" data-testid="clip-unavailable" title={result.reason ?? undefined}>
          <AlertIcon size={14} />
          {result.reason ?? 'No CLIP tokenizer data'}
        </span>
        {t5}
      </div>
    );
  }
  const over = !result.fits;
  return (
    <div id="prompt-counter" className={`token-meter${tokens.pending ? ' is-pending' : ''}`}>
      {/* Announced only when crossing the limit, not on every keystroke. */}
      <span className="sr-only" aria-live="polite">
        {over ? `Over the CLIP limit: the end of the prompt will be cut` : ''}
      </span>
      <span
        className={over ? 'token-clip is-over' : 'token-clip'}
        title="CLIP sees 77 tokens including its start and end tokens: 75 of your prompt"
        data-testid="clip-counter"
        data-over={over}
      >
        CLIP{' '}
        <span className="num" data-testid="clip-count">
          {result.count} / {result.limit}
        </span>
      </span>
      {t5}
    </div>
  );
}
