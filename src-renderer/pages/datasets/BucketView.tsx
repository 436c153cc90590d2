// ai-toolkit's buckets for this dataset, per resolution: counts per bucket and each image's bucket.
import { useEffect, useState, type ReactElement } from 'react';
import type { BucketPreview, Dataset } from '@shared/contract/datasets';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';

export function BucketView(props: { dataset: Dataset }): ReactElement {
  const [preview, setPreview] = useState<BucketPreview | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    studio.datasets.buckets({ name: props.dataset.name }).then((p) => live && setPreview(p), reportError);
    return () => {
      live = false;
    };
  }, [props.dataset.name, props.dataset.resolutions]);
  if (!preview) return <p className="muted">Computing buckets…</p>;
  return (
    <div className="ds-buckets" data-testid="ds-buckets">
      <p className="muted">64-px buckets, centre crop, never upscaled (small images get small buckets), as ai-toolkit does it.</p>
      {preview.resolutions.map((r) => (
        <section key={r.resolution} className="ds-bucket-res">
          <h3 className="ds-h3">
            {r.resolution} px · {r.buckets.length} bucket{r.buckets.length === 1 ? '' : 's'}
          </h3>
          <table className="ds-table">
            <thead>
              <tr>
                <th scope="col">Bucket</th>
                <th scope="col">Images</th>
              </tr>
            </thead>
            <tbody>
              {r.buckets.map((b) => (
                <tr key={`${b.width}x${b.height}`} data-testid="ds-bucket-row">
                  <td>
                    {b.width}×{b.height}
                  </td>
                  <td>{b.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(open === r.resolution ? null : r.resolution)}>
            {open === r.resolution ? 'Hide images' : 'Show each image'}
          </button>
          {open === r.resolution ? (
            <ul className="ds-bucket-items">
              {r.items.map((it) => (
                <li key={it.file}>
                  {it.file}: {it.width}×{it.height} → {it.bucketWidth}×{it.bucketHeight}
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ))}
    </div>
  );
}
