// The GPU catalog and storage prices of the local RunPod server (docs/architecture.md, "Tests").
// Prices are in the range RunPod lists (USD per GPU-hour); storage prices are RunPod's
// published ones (shared reference runpod.md §5), with a month of 30 days.

export interface CatalogGpu {
  id: string;
  name: string;
  memory: number;
  manufacturer: 'NVIDIA' | 'AMD' | 'UNKNOWN';
  price: { secure: number; community: number };
  maxCount: { secure: number; community: number };
  /** GPUs free right now (setCapacity); 0 makes a create answer 400 "no capacity". */
  available: number;
  cudaVersions: string[];
}

export const DEFAULT_GPUS: readonly CatalogGpu[] = [
  { id: 'NVIDIA GeForce RTX 4090', name: 'RTX 4090', memory: 24, manufacturer: 'NVIDIA', price: { secure: 0.69, community: 0.34 }, maxCount: { secure: 8, community: 8 }, available: 8, cudaVersions: ['12.4', '12.8'] },
  { id: 'NVIDIA RTX A5000', name: 'RTX A5000', memory: 24, manufacturer: 'NVIDIA', price: { secure: 0.27, community: 0.16 }, maxCount: { secure: 8, community: 8 }, available: 8, cudaVersions: ['12.4', '12.8'] },
  { id: 'NVIDIA RTX A6000', name: 'RTX A6000', memory: 48, manufacturer: 'NVIDIA', price: { secure: 0.49, community: 0.33 }, maxCount: { secure: 8, community: 8 }, available: 8, cudaVersions: ['12.4', '12.8'] },
  { id: 'NVIDIA L40S', name: 'L40S', memory: 48, manufacturer: 'NVIDIA', price: { secure: 0.86, community: 0.79 }, maxCount: { secure: 8, community: 8 }, available: 8, cudaVersions: ['12.4', '12.8'] },
  { id: 'NVIDIA A100 80GB PCIe', name: 'A100 PCIe', memory: 80, manufacturer: 'NVIDIA', price: { secure: 1.64, community: 1.19 }, maxCount: { secure: 8, community: 8 }, available: 8, cudaVersions: ['12.4', '12.8'] },
  { id: 'NVIDIA H100 80GB HBM3', name: 'H100 SXM', memory: 80, manufacturer: 'NVIDIA', price: { secure: 2.99, community: 2.69 }, maxCount: { secure: 8, community: 8 }, available: 8, cudaVersions: ['12.4', '12.8'] },
];

export const DATA_CENTERS = [
  { id: 'EU-RO-1', name: 'EU Romania 1' },
  { id: 'US-KS-2', name: 'US Kansas 2' },
];

const HOURS_PER_MONTH = 30 * 24;

/** USD per GB-hour (runpod.md §5). */
export const STORAGE_USD_PER_GB_HOUR = {
  containerDisk: 0.1 / HOURS_PER_MONTH,
  volumeRunning: 0.1 / HOURS_PER_MONTH,
  volumeStopped: 0.2 / HOURS_PER_MONTH,
  networkVolume: 0.07 / HOURS_PER_MONTH,
};

export function availabilityLevel(available: number): 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' {
  if (available <= 0) return 'NONE';
  if (available <= 2) return 'LOW';
  if (available <= 6) return 'MEDIUM';
  return 'HIGH';
}

/**
 * What RunPod answers when a GPU type cannot be placed (400, `detail`): the message its API has
 * returned for years (runpodctl#189, dstack#1740).
 */
export const NO_CAPACITY_DETAIL = 'There are no longer any instances available with the requested specifications. Please refresh and try again.';
