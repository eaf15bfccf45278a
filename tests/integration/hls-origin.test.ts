import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createOriginHandler } from '../../hls-bridge/Origin.ts';

/** A raw request: fetch() would normalize `..` and encoded slashes away. */
function get(port: number, path: string, method = 'GET') {
	return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
		(resolve, reject) => {
			const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
				let body = '';

				res.on('data', (chunk: Buffer) => (body += chunk.toString()));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
			});

			req.on('error', reject);
			req.end();
		},
	);
}

describe('HLS origin', () => {
	const root = mkdtempSync(join(tmpdir(), 'classroom-origin-'));
	const classA = randomUUID();
	const classB = randomUUID();
	let server: Server;
	let port: number;

	beforeAll(async () => {
		for (const id of [classA, classB]) {
			mkdirSync(join(root, id));
			writeFileSync(join(root, id, 'master.m3u8'), `#EXTM3U\n# ${id}\n`);
			writeFileSync(join(root, id, '720p.m3u8'), '#EXTM3U\n720p_00001.ts\n');
			writeFileSync(join(root, id, '720p_00001.ts'), Buffer.alloc(188, 0x47));
		}

		writeFileSync(join(root, 'secret.txt'), 'outside every class');

		const origin = createOriginHandler(root);

		server = createServer((req, res) => {
			if (!origin(req, res)) {
				res.writeHead(418).end();
			}
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as AddressInfo).port;
	});

	afterAll(async () => {
		await new Promise<void>((resolve) => server.close(() => resolve()));
		rmSync(root, { recursive: true, force: true });
	});

	it('serves a live playlist with a one-second cache and CORS', async () => {
		const res = await get(port, `/live/${classA}/720p.m3u8`);

		expect(res.status).toBe(200);
		expect(res.body).toContain('720p_00001.ts');
		expect(res.headers['content-type']).toBe('application/vnd.apple.mpegurl');
		expect(res.headers['cache-control']).toBe('public, max-age=1, stale-while-revalidate=1');
		expect(res.headers['access-control-allow-origin']).toBe('*');
	});

	it('serves segments as immutable and the master playlist for longer', async () => {
		const segment = await get(port, `/live/${classA}/720p_00001.ts`);
		const master = await get(port, `/live/${classB}/master.m3u8`);

		expect(segment.status).toBe(200);
		expect(segment.headers['content-type']).toBe('video/mp2t');
		expect(segment.headers['cache-control']).toBe('public, max-age=31536000, immutable');
		expect(master.body).toContain(classB);
		expect(master.headers['cache-control']).toBe('public, max-age=30');
	});

	it('answers a CORS preflight', async () => {
		const res = await get(port, `/live/${classA}/master.m3u8`, 'OPTIONS');

		expect(res.status).toBe(204);
		expect(res.headers['access-control-allow-methods']).toContain('GET');
	});

	it.each([
		['a parent step', `/live/${classA}/../${classB}/master.m3u8`, 400],
		['a parent step to the root', `/live/${classA}/../secret.txt`, 400],
		['an encoded slash', `/live/${classA}%2f..%2f${classB}/master.m3u8`, 400],
		['an encoded dot', `/live/${classA}/%2e%2e/secret.txt`, 400],
		['a backslash', `/live/${classA}/..\\secret.txt`, 400],
		['a file the ladder never writes', `/live/${classA}/program.sdp`, 404],
		['a class id that is not one', '/live/not-a-class/master.m3u8', 404],
		['a missing segment', `/live/${classA}/720p_00099.ts`, 404],
	])('refuses %s', async (_name, path, status) => {
		const res = await get(port, path);

		expect(res.status).toBe(status);
		expect(res.body).not.toContain('outside every class');
		expect(res.body).not.toContain(classB);
	});

	it('refuses methods other than GET, HEAD and OPTIONS', async () => {
		expect((await get(port, `/live/${classA}/master.m3u8`, 'DELETE')).status).toBe(405);
	});

	it('leaves other paths to the caller', async () => {
		expect((await get(port, '/healthz')).status).toBe(418);
	});
});
