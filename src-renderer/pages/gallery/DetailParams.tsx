// Every parameter of an image in the detail view: model, seed, steps, guidance, size, timings,
// LoRAs, the file and where the parameters were read from.
import type { ReactElement, ReactNode } from 'react';
import type { GalleryImage } from '@shared/contract';
import { SOURCE_LABEL } from '../../handoffs/remix';

export function formatFileSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function fmtDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function Param(props: { label: string; children: ReactNode; testId?: string; wide?: boolean }): ReactElement | null {
  return (
    <div className={props.wide ? 'param is-wide' : 'param'}>
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.children}</dd>
    </div>
  );
}

export function DetailParams(props: { image: GalleryImage }): ReactElement {
  const { image } = props;
  const p = image.params;
  const fileSize = image.width !== null && image.height !== null ? `${image.width} × ${image.height}` : null;
  const genSize = p.width !== null && p.height !== null ? `${p.width} × ${p.height}` : null;
  const size = fileSize && genSize && fileSize !== genSize ? `${fileSize} (generated at ${genSize})` : (fileSize ?? genSize);
  return (
    <dl className="params" data-testid="detail-params">
      <Param label="Model" testId="detail-model">{p.model ?? '—'}</Param>
      <Param label="Seed" testId="detail-seed">{p.seed ?? '—'}</Param>
      <Param label="Steps" testId="detail-steps">{p.steps ?? '—'}</Param>
      <Param label="Guidance" testId="detail-guidance">{p.guidance ?? '—'}</Param>
      <Param label="Size" testId="detail-size">{size ?? '—'}</Param>
      <Param label="JPEG quality" testId="detail-jpeg-quality">{p.jpegQuality ?? '—'}</Param>
      <Param label="Runtime" testId="detail-runtime">
        {p.runtime ? (p.runtime === 'remote' ? `Remote${p.pod ? ` · ${p.pod}` : ''}` : 'This machine') : '—'}
      </Param>
      {p.sampler ? <Param label="Sampler">{p.sampler}</Param> : null}
      <Param label="Timings" testId="detail-timings">
        {p.loadSeconds === null && p.genSeconds === null
          ? '—'
          : [p.loadSeconds !== null ? `load ${p.loadSeconds.toFixed(1)} s` : null, p.genSeconds !== null ? `generate ${p.genSeconds.toFixed(1)} s` : null].filter(Boolean).join(' · ')}
      </Param>
      <Param label="Created" testId="detail-created">{fmtDate(image.createdAt)}</Param>
      <Param label="LoRAs" testId="detail-loras" wide>
        {p.loras.length === 0 ? 'none' : p.loras.map((l) => `${l.name} × ${l.scale}`).join(', ')}
      </Param>
      <Param label="File" testId="detail-path" wide>
        <code className="path">{image.path}</code>
      </Param>
      <Param label="File size" testId="detail-file-size">
        {formatFileSize(image.sizeBytes)}
        {image.format ? ` · ${image.format.toUpperCase()}` : ''}
      </Param>
      <Param label="Parameters from" testId="detail-params-source">
        {p.source ? SOURCE_LABEL[p.source] : 'none found in the file'}
      </Param>
    </dl>
  );
}
