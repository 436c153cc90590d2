// "Train LoRA" hands a dataset to the Train page through the URL: #/train?dataset=<name>.
// The Train page reads it with trainDatasetFromHash(window.location.hash).

export function trainHash(dataset: string): string {
  return `/train?dataset=${encodeURIComponent(dataset)}`;
}

/** The dataset preselected for the Train page, or null. */
export function trainDatasetFromHash(hash: string): string | null {
  const q = hash.indexOf('?');
  if (q < 0) return null;
  const value = new URLSearchParams(hash.slice(q + 1)).get('dataset');
  return value && value.trim() !== '' ? value : null;
}

export function goTrain(dataset: string): void {
  window.location.hash = trainHash(dataset);
}
