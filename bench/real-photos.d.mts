// Types for bench/real-photos.mjs (imported by the TypeScript browser specs).
export const PHOTO_WIDTH: number;
export const PHOTO_HEIGHT: number;
export function realPhotos(count: number): Promise<string[]>;
