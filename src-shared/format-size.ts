// One way to write a size in bytes, for the UI and the CLI alike ("14 MB", "2.3 GB", "512 KB"),
// so `flux-studio local add` and Settings → Models say the same thing. Binary units (1 MB =
// 1024² bytes), as file managers on the platforms we ship for do.
export function formatSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
