/** Where the package's own files live, from src/ (vitest) or dist/ (built) alike. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
export const fixturesDir = join(packageRoot, 'fixtures');
