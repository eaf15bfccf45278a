// Where the setup scripts put what they build: one folder per version under
// the cache, outside the checkout. Mirrors infra/setup/*.sh.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { projectRoot } from '../common/paths.ts';

interface Toolchain {
	mediasoup: string;
	ferretdb: string;
	minio: string;
}

const toolchain = JSON.parse(
	readFileSync(join(projectRoot, 'infra', 'toolchain.json'), 'utf8'),
) as Toolchain;

/** The cache root, as infra/setup/lib.sh computes it. */
export const cacheDir =
	process.env.CLASSROOM_CACHE_DIR ??
	join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'live-classroom');

export const ferretdbBin = join(cacheDir, 'go', `ferretdb-${toolchain.ferretdb}`, 'ferretdb');

export const minioBin = join(cacheDir, 'go', `minio-${toolchain.minio}`, 'minio');

/** The worker binary built by infra/setup/mediasoup-worker.sh. */
export const mediasoupWorkerBin = join(
	cacheDir,
	'mediasoup-worker',
	toolchain.mediasoup,
	'mediasoup-worker',
);
