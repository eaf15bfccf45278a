// Serves the built browser pages (teacher studio, stage) from the signaling
// HTTP server, so pages and the socket.io endpoint share one origin.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.map': 'application/json',
};

/**
 * A request handler for the files under `root`; answers false when the path
 * names none, so the caller can answer 404. Folders serve their index.html.
 */
export function servePages(root: string) {
	return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			return false;
		}

		let path: string;

		try {
			path = decodeURIComponent(new URL(req.url ?? '/', 'http://local').pathname);
		} catch {
			return false;
		}

		const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));

		if (!file.startsWith(root + sep)) {
			return false;
		}

		const info = await stat(file).catch(() => undefined);

		if (info?.isFile() !== true) {
			return false;
		}

		res.writeHead(200, {
			'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
			'content-length': info.size,
			'cache-control': 'no-cache',
		});
		if (req.method === 'HEAD') {
			res.end();
		} else {
			createReadStream(file).pipe(res);
		}

		return true;
	};
}
