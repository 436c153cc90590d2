// What the dataset index and the caption operations need from the dataset service: looking a
// dataset up and saying it changed. An interface here (implemented by DatasetService) keeps
// those modules from importing the service that owns them (no import loop: docs/architecture.md).
export interface DatasetRef {
  name: string;
  dir: string;
  inPlace: boolean;
  trigger: string;
  resolutions: number[];
}

/** One image of a dataset as the tagging and training modules see it. */
export interface DatasetItemBasic {
  /** Relative to the dataset folder, '/'-separated. */
  file: string;
  imagePath: string;
  caption: string | null;
}

export interface DatasetLookup {
  /** The dataset by name; throws StudioError not_found. */
  ref(name: string): DatasetRef;
  dirOf(name: string): string;
  items(name: string): DatasetItemBasic[];
  /** Tell the UI the dataset's files or captions changed. */
  notifyChanged(name: string): void;
}
