import { PathTrie, type Leaf, type PathScope } from '../../src/events/index.js';
import { createDetector, loadClassifierSet, type Detection } from '../../src/detect/index.js';

/** The built-in detector plus a helper that classifies one value at one path. */
export async function builtinDetector() {
  const detector = createDetector(await loadClassifierSet());
  const trie = new PathTrie();
  return {
    detector,
    detect(path: string, value: Leaf, scope: PathScope = 'user'): Detection | null {
      return detector.detect(trie.resolve(path, scope), value);
    },
    /** The classifier id found at a path for a value (of a group call with scope `group`), or null. */
    category(path: string, value: Leaf, scope: PathScope = 'user'): string | null {
      return detector.detect(trie.resolve(path, scope), value)?.classifier.id ?? null;
    },
  };
}
