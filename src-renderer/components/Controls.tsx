import { useId, useRef, type KeyboardEvent, type ReactElement, type ReactNode } from 'react';
import type { JobState } from '@shared/contract';

export function PageHeader(props: { title: string; description?: ReactNode; actions?: ReactNode }): ReactElement {
  return (
    <header className="page-header">
      <div>
        <h1 className="page-title" tabIndex={-1} data-page-heading>
          {props.title}
        </h1>
        {props.description ? <p className="page-description">{props.description}</p> : null}
      </div>
      {props.actions ? <div className="page-actions">{props.actions}</div> : null}
    </header>
  );
}

export function EmptyState(props: {
  icon: ReactNode;
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  testId?: string;
}): ReactElement {
  return (
    <section className="empty-state" data-testid={props.testId}>
      <div className="empty-icon">{props.icon}</div>
      <h2 className="empty-title">{props.title}</h2>
      <div className="empty-body">{props.children}</div>
      {props.actions ? <div className="empty-actions">{props.actions}</div> : null}
    </section>
  );
}

export interface SegmentedOption<T extends string> {
  value: T;
  label: string;
  icon?: ReactNode;
  hint?: string;
  /** A second, smaller line: the number the choice stands for (e.g. "20 steps"). */
  detail?: string;
}

/** A radio group drawn as a segmented control: Tab reaches the selected item, arrows move. */
export function Segmented<T extends string>(props: {
  label: string;
  /** null: nothing chosen (e.g. a disabled control whose choice does not apply). */
  value: T | null;
  options: readonly SegmentedOption<T>[];
  onChange(value: T): void;
  disabled?: boolean;
  testId?: string;
  labelledBy?: string;
  describedBy?: string;
}): ReactElement {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const selected = props.options.findIndex((o) => o.value === props.value);
  const withDetails = props.options.some((o) => o.detail !== undefined);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (props.disabled) return;
    const i = selected;
    let next = -1;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = (i + 1) % props.options.length;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = (i - 1 + props.options.length) % props.options.length;
    else return;
    e.preventDefault();
    const opt = props.options[next];
    if (!opt) return;
    props.onChange(opt.value);
    refs.current[next]?.focus();
  };
  return (
    <div
      className={`segmented${withDetails ? ' has-details' : ''}${props.disabled ? ' is-disabled' : ''}`}
      role="radiogroup"
      aria-label={props.labelledBy ? undefined : props.label}
      aria-labelledby={props.labelledBy}
      aria-describedby={props.describedBy}
      aria-disabled={props.disabled ? true : undefined}
      data-testid={props.testId}
      onKeyDown={onKeyDown}
    >
      {props.options.map((o, i) => {
        const checked = o.value === props.value;
        return (
          <button
            key={o.value}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="radio"
            aria-checked={checked}
            tabIndex={checked || (selected < 0 && i === 0) ? 0 : -1}
            disabled={props.disabled}
            title={o.hint}
            className={checked ? 'segment is-selected' : 'segment'}
            data-testid={props.testId ? `${props.testId}-${o.value}` : undefined}
            onClick={() => props.onChange(o.value)}
          >
            {o.icon}
            {o.detail !== undefined ? (
              <span className="segment-text">
                <span className="segment-label">{o.label}</span>
                <span className="segment-detail">{o.detail}</span>
              </span>
            ) : (
              <span>{o.label}</span>
            )}
          </button>
        );
      })}
    </div>
  );
}

export function Switch(props: {
  checked: boolean;
  onChange(checked: boolean): void;
  label?: string;
  labelledBy?: string;
  describedBy?: string;
  disabled?: boolean;
  testId?: string;
}): ReactElement {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={props.checked}
      aria-label={props.labelledBy ? undefined : props.label}
      aria-labelledby={props.labelledBy}
      aria-describedby={props.describedBy}
      disabled={props.disabled}
      className={props.checked ? 'switch is-on' : 'switch'}
      data-testid={props.testId}
      onClick={() => props.onChange(!props.checked)}
    >
      <span className="switch-thumb" />
    </button>
  );
}

const STATE_LABEL: Record<JobState, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

export function StateBadge(props: { state: JobState; testId?: string }): ReactElement {
  return (
    <span className={`badge badge-${props.state}`} data-testid={props.testId} data-state={props.state}>
      {STATE_LABEL[props.state]}
    </span>
  );
}

/** fraction null = indeterminate. */
export function ProgressBar(props: { fraction: number | null; label: string; testId?: string; tone?: 'accent' | 'success' | 'danger' | 'muted' }): ReactElement {
  const pct = props.fraction === null ? null : Math.round(Math.max(0, Math.min(1, props.fraction)) * 100);
  return (
    <div
      className={`progress tone-${props.tone ?? 'accent'}${pct === null ? ' is-indeterminate' : ''}`}
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      data-testid={props.testId}
    >
      <div className="progress-fill" style={pct === null ? undefined : { width: `${pct}%` }} />
    </div>
  );
}

export function Kbd(props: { children: ReactNode }): ReactElement {
  return <kbd className="kbd">{props.children}</kbd>;
}

/** A labelled form row: label + description on the left, control on the right. */
export function FieldRow(props: {
  label: string;
  htmlFor?: string;
  labelId?: string;
  description?: ReactNode;
  children: ReactNode;
  /** Shown after the label, e.g. where a value came from. */
  badge?: ReactNode;
  stacked?: boolean;
  testId?: string;
}): ReactElement {
  const fallback = useId();
  const descId = `${props.labelId ?? fallback}-desc`;
  return (
    <div className={props.stacked ? 'field-row is-stacked' : 'field-row'} data-testid={props.testId}>
      <div className="field-text">
        <div className="field-label-row">
          {props.htmlFor ? (
            <label className="field-label" htmlFor={props.htmlFor} id={props.labelId}>
              {props.label}
            </label>
          ) : (
            <div className="field-label" id={props.labelId}>
              {props.label}
            </div>
          )}
          {props.badge}
        </div>
        {props.description ? (
          <div className="field-description" id={descId}>
            {props.description}
          </div>
        ) : null}
      </div>
      <div className="field-control">{props.children}</div>
    </div>
  );
}

/** A titled card on the Settings page. */
export function Section(props: { title: string; description?: ReactNode; children: ReactNode; testId?: string }): ReactElement {
  const id = useId();
  return (
    <section className="card settings-section" aria-labelledby={id} data-testid={props.testId}>
      <header className="section-head">
        <h2 id={id} className="section-title">
          {props.title}
        </h2>
        {props.description ? <p className="section-description">{props.description}</p> : null}
      </header>
      <div className="section-body">{props.children}</div>
    </section>
  );
}
