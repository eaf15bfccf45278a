// Bundles the browser pages (TypeScript, mediasoup-client, socket.io-client)
// into dist/web with esbuild. `npm start` and the browser tests run it; run
// it alone with `npm run build:web`.

import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { projectRoot } from '../common/paths.ts';
import { webBuildDir } from './paths.ts';

const PAGES = ['teacher', 'stage', 'audience', 'replay'] as const;

/** Builds every page into `outDir` (dist/web by default). */
export async function buildPages(outDir = webBuildDir): Promise<void> {
	await build({
		entryPoints: PAGES.map((page) => ({
			in: join(projectRoot, 'web', page, 'main.ts'),
			out: join(page, 'main'),
		})),
		outdir: outDir,
		bundle: true,
		format: 'esm',
		platform: 'browser',
		target: ['chrome110'],
		sourcemap: true,
		logLevel: 'warning',
	});

	await Promise.all(
		PAGES.map(async (page) => {
			await mkdir(join(outDir, page), { recursive: true });
			await copyFile(
				join(projectRoot, 'web', page, 'index.html'),
				join(outDir, page, 'index.html'),
			);
		}),
	);
	await copyFile(join(projectRoot, 'web', 'lib', 'page.css'), join(outDir, 'page.css'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	await buildPages();
	process.stdout.write(`pages built in ${webBuildDir}\n`);
}
