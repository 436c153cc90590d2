// The review step's YAML editor: monospace, line numbers in a gutter, and each validation
// error shown at its line (the gutter number turns red, the line is marked, the message sits
// under it) as well as in the list below, where "Line N" moves the cursor there.
import { useMemo, useRef, useState, type ReactElement } from 'react';
import { lineForPath } from './yaml-lines';

/** Must match .yaml-editor's line-height and padding in train.css. */
const LINE_PX = 20;
const PAD_PX = 10;

export interface YamlError {
  path: string;
  message: string;
}

export function YamlEditor(props: { id: string; value: string; errors: YamlError[]; onChange(text: string): void; label: string; testId: string }): ReactElement {
  const area = useRef<HTMLTextAreaElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const lineCount = useMemo(() => props.value.split('\n').length, [props.value]);
  const located = useMemo(() => props.errors.map((e) => ({ ...e, line: lineForPath(props.value, e.path) })), [props.errors, props.value]);
  const errorLines = new Set(located.map((e) => e.line).filter((l): l is number => l !== null));

  const goTo = (line: number) => {
    const el = area.current;
    if (!el) return;
    const lines = el.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    el.scrollTop = Math.max(0, (line - 3) * LINE_PX);
  };

  return (
    <div className="yaml-editor-wrap">
      <div className="yaml-editor" data-testid={`${props.testId}-editor`}>
        <div className="yaml-gutter" aria-hidden="true">
          <div style={{ transform: `translateY(${-scrollTop}px)` }}>
            {Array.from({ length: lineCount }, (_, i) => (
              <div key={i} className={errorLines.has(i + 1) ? 'yaml-gutter-line is-error' : 'yaml-gutter-line'} data-testid="yaml-line-number">
                {i + 1}
              </div>
            ))}
          </div>
        </div>
        <div className="yaml-main">
          {[...errorLines].map((line) => (
            <div key={line} className="yaml-line-mark" aria-hidden="true" style={{ top: PAD_PX + (line - 1) * LINE_PX - scrollTop }} />
          ))}
          <textarea
            ref={area}
            id={props.id}
            className="yaml-textarea"
            wrap="off"
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            aria-label={props.label}
            aria-invalid={props.errors.length > 0 ? true : undefined}
            aria-describedby={props.errors.length > 0 ? `${props.id}-errors` : undefined}
            data-testid={props.testId}
            value={props.value}
            onChange={(e) => props.onChange(e.target.value)}
            onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
          />
          {located.map((e) =>
            e.line !== null ? (
              <div
                key={`${e.path}:${e.message}`}
                className="yaml-line-error"
                aria-hidden="true"
                data-testid="yaml-inline-error"
                data-line={e.line}
                style={{ top: PAD_PX + e.line * LINE_PX - scrollTop }}
              >
                {e.message}
              </div>
            ) : null,
          )}
        </div>
      </div>
      {located.length > 0 ? (
        <ul className="field-error yaml-error-list" role="alert" id={`${props.id}-errors`} data-testid={`${props.testId}-errors`}>
          {located.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              {e.line !== null ? (
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => goTo(e.line as number)} data-testid="yaml-goto-line">
                  Line {e.line}
                </button>
              ) : null}{' '}
              <code>{e.path}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
