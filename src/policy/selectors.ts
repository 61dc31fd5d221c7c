import type { PathNode } from '../events/index.js';
import type { Classification } from '../detect/index.js';

/** What a control decision may depend on: never the value itself, so decisions cache per path. */
export interface LeafFacts {
  node: PathNode;
  /** Classifier id (`email`), or null for an unclassified leaf. */
  category: string | null;
  /** Unclassified leaves are `green`. */
  classification: Classification;
}

/**
 * How specific a match is, so an `allow` exception can override a broader match:
 * classification (1) < category (2) < path (3 + depth of the matched path node, so a deeper
 * path beats its ancestor). 0 means no match.
 */
export const NO_MATCH = 0;

export class Selector {
  private readonly classifications: ReadonlySet<Classification> | null;
  private readonly categories: ReadonlySet<string> | null;
  private readonly paths: ReadonlySet<string> | null;

  constructor(spec: { classifications?: readonly Classification[]; categories?: readonly string[]; paths?: readonly string[] }) {
    this.classifications = spec.classifications ? new Set(spec.classifications) : null;
    this.categories = spec.categories ? new Set(spec.categories) : null;
    this.paths = spec.paths ? new Set(spec.paths) : null;
  }

  get usesPaths(): boolean {
    return this.paths !== null;
  }

  /** True when unclassified leaves can match (they count as green). */
  get matchesGreen(): boolean {
    return this.classifications?.has('green') === true;
  }

  /**
   * Union of the listed selectors; returns the most specific one that matches. A path selector
   * matches the leaf at that path and every leaf below it (`properties.address` covers
   * `properties.address.street`, `properties.emails` covers `properties.emails[]`).
   */
  specificity(leaf: LeafFacts): number {
    if (this.paths !== null) {
      // Leaf first, then ancestors: the first hit is the deepest, hence the most specific.
      for (let node: PathNode | null = leaf.node; node !== null && node.parent !== null; node = node.parent) {
        if (this.paths.has(node.path)) return 3 + node.depth;
      }
    }
    if (this.categories !== null && leaf.category !== null && this.categories.has(leaf.category)) return 2;
    if (this.classifications?.has(leaf.classification)) return 1;
    return NO_MATCH;
  }

  /** The category ids this selector names (for validation against the loaded classifiers). */
  categoryIds(): readonly string[] {
    return this.categories ? [...this.categories] : [];
  }
}
