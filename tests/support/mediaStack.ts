// The signaling pieces the media tests need, in the test process: an HTTP
// server with the built pages, socket.io with the handshake check, and the
// live media path on one mediasoup worker, using this file's Redis prefix.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Redis } from 'ioredis';
import { Server } from 'socket.io';

import { signJoinToken, type JoinClaims } from '../../common/auth/JoinToken.ts';
import { createRedis } from '../../common/clients/redis.ts';
import { required } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { HlsBridge } from '../../hls-bridge/HlsBridge.ts';
import { createOriginHandler } from '../../hls-bridge/Origin.ts';
import { freePort } from '../../infra/stack/ports.ts';
import { authenticate } from '../../signaling/authenticate.ts';
import { stageKey } from '../../signaling/media/MediaSignaling.ts';
import { hlsUpload } from '../../signaling/media/hlsUpload.ts';
import { servePages } from '../../signaling/media/servePages.ts';
import { startMedia, type Media } from '../../signaling/media/startMedia.ts';
import { webBuildDir } from '../../web/paths.ts';
import { createTestResources, type TestResources } from './resources.ts';

export interface MediaStack {
	origin: string;
	io: Server;
	media: Media;
	/** The HLS bridge, when the stack was started with `hls: true`. */
	hls: HlsBridge | undefined;
	/** The folder the bridge writes each class's ladder under. */
	hlsDir: string;
	redis: Redis;
	classId: string;
	/** A join token for a new member of the test class. */
	token(role: JoinClaims['role'], displayName: string): Promise<{ token: string; userId: string }>;
	putOnStage(userId: string): Promise<void>;
	close(): Promise<void>;
}

export async function startMediaStack(options: { hls?: boolean } = {}): Promise<MediaStack> {
	const resources: TestResources = await createTestResources();
	const { config } = resources;
	const keys = required(config.joinTokens.keys, 'JOIN_TOKEN_KEYS');
	const [signingKey] = keys;

	if (signingKey === undefined) {
		throw new Error('JOIN_TOKEN_KEYS holds no key');
	}

	const logger = createLogger(
		'test-signaling',
		process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent',
	);
	const redis = createRedis(resources.redisUrl, { keyPrefix: resources.redisPrefix });
	const pages = servePages(webBuildDir);
	const hlsDir = mkdtempSync(join(tmpdir(), 'classroom-hls-'));
	const origin = createOriginHandler(hlsDir);
	const http = createServer((req, res) => {
		if (origin(req, res)) {
			return;
		}

		void pages(req, res).then((served) => {
			if (!served) {
				res.writeHead(404);
				res.end();
			}
		});
	});
	const io = new Server(http, { serveClient: false, maxHttpBufferSize: 2 * 1024 * 1024 });

	authenticate(io, keys, logger);

	const media = await startMedia(
		io,
		redis,
		{ workers: 1, rtcPortBase: await freePort(), listenIp: '127.0.0.1', announcedIp: '127.0.0.1' },
		logger,
	);

	const hls =
		options.hls === true
			? new HlsBridge({
					control: media.control,
					rootDir: hlsDir,
					...config.hls,
					s3: await hlsUpload(config, logger),
					logger,
				})
			: undefined;

	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

	const classId = randomUUID();

	return {
		origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
		io,
		media,
		hls,
		hlsDir,
		redis,
		classId,
		token: async (role, displayName) => {
			const userId = randomUUID();
			const publish = role === 'teacher';
			const token = signJoinToken(
				signingKey,
				{ classId, userId, displayName, role, grants: { publish, moderate: publish } },
				600,
			);

			return { token, userId };
		},
		putOnStage: async (userId) => {
			await redis.sadd(stageKey(classId), userId);
		},
		close: async () => {
			await io.close();
			await hls?.close();
			await media.close();
			rmSync(hlsDir, { recursive: true, force: true });
			await redis.del(stageKey(classId));
			redis.disconnect();
			await resources.release();
		},
	};
}
