// Datasets → Train: the Datasets page opens the wizard for a dataset by navigating to
// #/train?dataset=<name>; the Train page reads it (and clears it once taken).
export function trainHref(dataset: string): string {
  return `#/train?dataset=${encodeURIComponent(dataset)}`;
}

export function openTrainingFor(dataset: string): void {
  window.location.hash = `/train?dataset=${encodeURIComponent(dataset)}`;
}

export function handedOverDataset(hash: string = window.location.hash): string | null {
  const q = hash.split('?')[1];
  if (!q) return null;
  const name = new URLSearchParams(q).get('dataset');
  return name && name.trim() ? name : null;
}

export function clearHandoff(): void {
  if (window.location.hash.includes('?')) history.replaceState(null, '', '#/train');
}
