import { join } from 'node:path';

import { projectRoot } from '../common/paths.ts';

/** Where `web/build.ts` writes the bundled pages and signaling serves them from. */
export const webBuildDir = join(projectRoot, 'dist', 'web');
