/** A labelled box in pixels of the original image, with x1 <= x2 and y1 <= y2. */
export interface LocalizedBox {
  label: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A labelled point in pixels of the original image. */
export interface LocalizedPoint {
  label: string;
  x: number;
  y: number;
}

export interface Localizations {
  boxes: LocalizedBox[];
  points: LocalizedPoint[];
  /** Entries that looked like boxes or points but were unusable (wrong arity, not numbers, empty area). */
  skipped: number;
}
