import { PathTrie, type Leaf } from '../../src/events/index.js';
import { createDetector, loadClassifierSet, type Detection } from '../../src/detect/index.js';

/** The built-in detector plus a helper that classifies one value at one path. */
export async function builtinDetector() {
  const detector = createDetector(await loadClassifierSet());
  const trie = new PathTrie();
  return {
    detector,
    detect(path: string, value: Leaf, type?: string): Detection | null {
      return detector.detect(trie.resolve(path, type), value);
    },
    /** The classifier id found at a path for a value (in an event of call type `type`), or null. */
    category(path: string, value: Leaf, type?: string): string | null {
      return detector.detect(trie.resolve(path, type), value)?.classifier.id ?? null;
    },
  };
}
