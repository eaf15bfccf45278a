import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root folder. */
export const projectRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/** Where `npm start` keeps its data unless CLASSROOM_DATA_DIR says otherwise. */
export const defaultDataDir = join(projectRoot, '.data');
