// The HTTP origin the CDN pulls from: each live class's playlists and
// segments, with cache headers a CDN can act on and CORS for web players.
// Only names the ladder writes are served, and only from the class's folder.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

/** `/live/<classId>/<file>`; the file name is one the ladder writes. */
const LIVE_PATH =
	/^\/live\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/([a-z0-9]{1,16}(?:_\d{1,9})?\.(m3u8|ts))$/;

/** Anything that could step out of a folder once decoded. */
const SUSPICIOUS = /%2e|%2f|%5c|\\|\/\.\.?(\/|$)|\0/i;

/**
 * Live playlists change every segment, so edges may keep them a second; the
 * master playlist stays for the class; a segment never changes once written.
 */
export function cacheControl(file: string): string {
	if (file === 'master.m3u8') {
		return 'public, max-age=30';
	}

	return file.endsWith('.m3u8')
		? 'public, max-age=1, stale-while-revalidate=1'
		: 'public, max-age=31536000, immutable';
}

const CONTENT_TYPES: Record<string, string> = {
	m3u8: 'application/vnd.apple.mpegurl',
	ts: 'video/mp2t',
};

const CORS = {
	'access-control-allow-origin': '*',
	'access-control-allow-methods': 'GET, HEAD, OPTIONS',
	'access-control-allow-headers': 'range',
	'access-control-max-age': '86400',
};

/**
 * Answers `/live/...` requests from `rootDir/<classId>/`; returns false for
 * other paths so the caller can serve them.
 */
export function createOriginHandler(rootDir: string) {
	return (req: IncomingMessage, res: ServerResponse): boolean => {
		const url = req.url ?? '/';

		if (!url.startsWith('/live/')) {
			return false;
		}

		void serve(rootDir, url, req, res).catch(() => {
			res.destroy();
		});

		return true;
	};
}

async function serve(
	rootDir: string,
	url: string,
	req: IncomingMessage,
	res: ServerResponse,
): Promise<void> {
	const path = url.split('?')[0] ?? '';

	if (SUSPICIOUS.test(path)) {
		refuse(res, 400, 'bad_path', 'path segments must be plain names');

		return;
	}

	const match = LIVE_PATH.exec(path);

	if (match === null) {
		refuse(res, 404, 'not_found', 'no such playlist or segment');

		return;
	}

	if (req.method === 'OPTIONS') {
		res.writeHead(204, CORS).end();

		return;
	}

	if (req.method !== 'GET' && req.method !== 'HEAD') {
		refuse(res, 405, 'method_not_allowed', 'GET, HEAD or OPTIONS only');

		return;
	}

	const [, classId = '', file = '', extension = ''] = match;
	const filePath = join(rootDir, classId, file);
	const info = await stat(filePath).catch(() => undefined);

	if (info === undefined || !info.isFile()) {
		refuse(res, 404, 'not_found', 'no such playlist or segment');

		return;
	}

	res.writeHead(200, {
		...CORS,
		'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
		'content-length': info.size,
		'cache-control': cacheControl(file),
		'last-modified': info.mtime.toUTCString(),
	});

	if (req.method === 'HEAD') {
		res.end();

		return;
	}

	createReadStream(filePath).pipe(res);
}

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
	res.writeHead(status, {
		...CORS,
		'content-type': 'application/json',
		'cache-control': 'no-store',
	});
	res.end(JSON.stringify({ error: { code, message } }));
}
