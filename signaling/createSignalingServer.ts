// One signaling process: the socket.io edge with the Redis streams adapter,
// the handshake, the interactive class and its write-behind buffers, the live
// media path (mediasoup workers run in this process; README "Live media") and
// the built pages, the HLS bridge and its origin, and the program feed to the
// recorder. Used by main.ts, and started as real separate processes by the
// tests.

import { createServer } from 'node:http';
import { join } from 'node:path';

import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server } from 'socket.io';

import { createMongoClient } from '../common/clients/mongo.ts';
import { createRedis } from '../common/clients/redis.ts';
import { required, type Config } from '../common/config.ts';
import { listen } from '../common/listen.ts';
import type { Logger } from '../common/logger.ts';
import type { OpsServer } from '../common/OpsServer.ts';
import { HlsBridge } from '../hls-bridge/HlsBridge.ts';
import { createOriginHandler } from '../hls-bridge/Origin.ts';
import { ProgramFeeds } from '../sfu/ProgramFeeds.ts';
import { webBuildDir } from '../web/paths.ts';
import { ensureAnalyticsIndex } from '../common/events/AnalyticsEvent.ts';
import { SINK_PORT_PAIRS } from '../common/events/ProgramFeed.ts';
import { ensureTimelineIndex, TIMELINE_EVENTS_COLLECTION } from '../common/events/TimelineEvent.ts';
import { authenticate } from './authenticate.ts';
import { Analytics, ANALYTICS_COLLECTION, reviveTimestamp } from './class/Analytics.ts';
import { Ballots } from './class/Ballots.ts';
import { CHAT_COLLECTION, ChatService, type StoredChatMessage } from './class/ChatService.ts';
import { attachClassSocket, type ClassServices } from './class/ClassGateway.ts';
import type { ClassIo } from './class/ClassIo.ts';
import { ClassEnding } from './class/ClassEnding.ts';
import { ClassTimeline } from './class/ClassTimeline.ts';
import { HandQueue } from './class/HandQueue.ts';
import { LiveTallies } from './class/LiveTallies.ts';
import { MemberCounts } from './class/MemberCounts.ts';
import { Moderation } from './class/Moderation.ts';
import { Polls, RESULTS_COLLECTION } from './class/Polls.ts';
import { Presence } from './class/Presence.ts';
import { Quizzes } from './class/Quizzes.ts';
import { RateLimiter } from './class/RateLimiter.ts';
import { Stage, type StageChange } from './class/Stage.ts';
import { WriteBehind } from './class/WriteBehind.ts';
import { hlsUpload } from './media/hlsUpload.ts';
import { servePages } from './media/servePages.ts';
import { startMedia, type Media } from './media/startMedia.ts';
import { ProtocolError } from './protocol/errors.ts';
import { ProcessRelay } from './ProcessRelay.ts';
import { refuseUnknownEvents } from './refuseUnknownEvents.ts';

export interface SignalingServerOptions {
	config: Config;
	logger: Logger;
	ops: OpsServer;
	/**
	 * A hook for stage changes on any process (those made here and those heard
	 * from other processes), besides the media path's own.
	 */
	onStageChange?: (change: StageChange) => void;
}

/** How often the teacher gets the changed hand queue and live tallies. */
const CHANGES_INTERVAL_MS = 500;

export interface SignalingServer {
	io: ClassIo;
	port: number;
	media: Media;
	close(): Promise<void>;
}

export async function createSignalingServer(
	options: SignalingServerOptions,
): Promise<SignalingServer> {
	const { config, logger, ops } = options;
	const redisUrl = required(config.redis.url, 'REDIS_URL');
	const mongoUrl = required(config.mongo.url, 'MONGODB_URL');
	const prefix = config.signaling.redisPrefix;
	const redis = createRedis(redisUrl, { keyPrefix: prefix });
	// The adapter names its stream itself, so its connection has no key prefix.
	const adapterRedis = createRedis(redisUrl);
	const feedSubscriber = createRedis(redisUrl);
	const relayReader = createRedis(redisUrl, { keyPrefix: prefix });
	// The lifecycle channel is shared by every service, so this connection has no prefix.
	const lifecycleSubscriber = createRedis(redisUrl);
	const mongo = createMongoClient(mongoUrl);
	const db = mongo.db(config.mongo.database);

	for (const client of [redis, adapterRedis, feedSubscriber, relayReader, lifecycleSubscriber]) {
		client.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	}

	ops.addCheck('redis', async () => {
		await redis.ping();
	});

	const pages = servePages(webBuildDir);
	const hlsDir = join(config.dataDir, 'hls');
	const origin = createOriginHandler(hlsDir);
	const http = createServer((req, res) => {
		if (ops.handle(req, res) || origin(req, res)) {
			return;
		}

		void pages(req, res).then((served) => {
			if (!served) {
				res.writeHead(404, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such path' } }));
			}
		});
	});
	const io: ClassIo = new Server(http, {
		serveClient: false,
		// NOTE: the transport limit sits well above every event's own limit
		// (defineHandler), so an oversized message gets payload_too_large and
		// the socket stays; a message over this one disconnects it.
		maxHttpBufferSize: 2 * 1024 * 1024,
		adapter: createAdapter(adapterRedis, { streamName: `${prefix}socket.io` }),
	});
	// The media path reads the stage from the same (prefixed) Redis keys the
	// class side writes.
	const media = await startMedia(
		io,
		redis,
		{
			workers: config.sfu.workers,
			rtcPortBase: config.sfu.rtcPortBase,
			listenIp: '0.0.0.0',
			announcedIp: config.sfu.announcedIp,
			// The teacher and a full stage, as many as a program feed's sink can take.
			programSlots: Math.min(1 + config.signaling.stageLimit, SINK_PORT_PAIRS - 1),
		},
		logger,
		ops,
	);
	const hls = new HlsBridge({
		control: media.control,
		rootDir: hlsDir,
		...config.hls,
		s3: await hlsUpload(config, logger),
		logger,
	});
	const feeds = new ProgramFeeds({
		control: media.control,
		redis,
		subscriber: feedSubscriber,
		prefix,
		logger,
	});

	await feeds.start();

	const onStageChange = (change: StageChange): void => {
		void media.signaling.onStageChanged(change);
		options.onStageChange?.(change);
	};

	const relay = new ProcessRelay({ redis, reader: relayReader, logger });

	// Changes made on other processes; those made here call onStageChange directly.
	relay.on('stage', ({ change }) => onStageChange(change));
	await relay.start();

	const buffers = {
		chat: new WriteBehind({
			redis,
			stream: 'chat:pending',
			collection: db.collection(CHAT_COLLECTION),
			revive: reviveTimestamp,
			logger,
		}),
		analytics: new WriteBehind({
			redis,
			stream: 'analytics:pending',
			collection: db.collection(ANALYTICS_COLLECTION),
			revive: reviveTimestamp,
			logger,
			intervalMs: 1000,
		}),
		results: new WriteBehind({
			redis,
			stream: 'results:pending',
			collection: db.collection(RESULTS_COLLECTION),
			revive: reviveTimestamp,
			logger,
		}),
		// NOTE: chat, polls and quizzes add their timeline entries to their own
		// buffers' round trips, which works because every buffer here shares
		// the one prefixed `redis` connection.
		timeline: new WriteBehind({
			redis,
			stream: 'timeline:pending',
			collection: db.collection(TIMELINE_EVENTS_COLLECTION),
			revive: reviveTimestamp,
			logger,
		}),
	};
	const analytics = new Analytics(buffers.analytics, logger);
	const moderation = new Moderation(redis, io);
	const presence = new Presence({
		redis,
		ttlSeconds: config.signaling.presenceTtlSeconds,
		logger,
		// The teacher's queue shows the hand gone at the next push.
		onHandLowered: (classId) => services.hands.changed(classId),
	});
	const timeline = new ClassTimeline({ buffer: buffers.timeline, presence, logger });
	const ballots = new Ballots(redis);
	const tallies = new LiveTallies(ballots, io);
	const services: ClassServices = {
		chat: new ChatService({
			redis,
			io,
			buffer: buffers.chat,
			collection: db.collection<StoredChatMessage>(CHAT_COLLECTION),
			moderation,
			analytics,
			timeline,
			relay,
			historySize: config.signaling.chatHistory,
			tickMs: config.signaling.tickMs,
			logger,
		}),
		moderation,
		presence,
		counts: new MemberCounts({
			io,
			presence,
			intervalMs: config.signaling.presenceCountIntervalMs,
			logger,
		}),
		hands: new HandQueue(redis, io, presence, timeline),
		stage: new Stage({
			redis,
			io,
			limit: config.signaling.stageLimit,
			onStageChange,
			relay,
			timeline,
			logger,
		}),
		polls: new Polls({ ballots, io, tallies, results: buffers.results, analytics, timeline }),
		quizzes: new Quizzes({
			redis,
			ballots,
			io,
			tallies,
			results: buffers.results,
			analytics,
			timeline,
			logger,
		}),
		ballots,
		analytics,
		requestLimiter: new RateLimiter({ capacity: 30, refillPerSecond: 10 }),
		chatLimiter: new RateLimiter({ capacity: 5, refillPerSecond: 2 }),
		logger,
	};

	const ending = new ClassEnding({
		redis,
		subscriber: lifecycleSubscriber,
		io,
		onEnded: (classId) => hls.end(classId),
		logger,
	});

	await ending.start();

	authenticate(io, required(config.joinTokens.keys, 'JOIN_TOKEN_KEYS'), logger);
	io.use((socket, next) => {
		const { classId, userId } = socket.data.claims;

		Promise.all([ending.isEnded(classId), moderation.isRemoved(classId, userId)]).then(
			([ended, removed]) => {
				const refusal = ended
					? new ProtocolError('class_ended')
					: removed
						? new ProtocolError('forbidden', 'removed from this class')
						: undefined;

				next(
					refusal === undefined
						? undefined
						: Object.assign(new Error(refusal.message), { data: refusal.toBody() }),
				);
			},
			(error: unknown) => {
				logger.warn({ err: error }, 'join checks failed');
				next(
					Object.assign(new Error('unavailable'), {
						data: new ProtocolError('unavailable').toBody(),
					}),
				);
			},
		);
	});
	io.on('connection', (socket) => {
		// The media side bound its handlers first (startMedia); the class
		// side binds its own at once, before its first await.
		refuseUnknownEvents(socket);
		attachClassSocket(socket, services).catch((error: unknown) => {
			logger.warn({ err: error }, 'class join failed');
			socket.disconnect(true);
		});
	});

	// Counts (signaling/class/MemberCounts.ts), the hand queue and live
	// tallies are pushed on intervals, never per join or per answer.
	const timers = [
		setInterval(() => {
			Promise.all([services.hands.publishChanges(), tallies.publishChanges()]).catch(
				(error: unknown) => logger.warn({ err: error }, 'publishing changes failed'),
			);
		}, CHANGES_INTERVAL_MS),
	];

	services.counts.start();
	for (const buffer of Object.values(buffers)) {
		buffer.start();
	}

	void ensureIndexes(db, logger);

	const port = await listen(http, config.signaling.port, 'SIGNALING_PORT');
	let closing: Promise<void> | undefined;

	return {
		io,
		port,
		media,
		close: () => {
			closing ??= (async () => {
				for (const timer of timers) {
					clearInterval(timer);
				}

				await services.counts.close();
				await services.chat.close();
				services.quizzes.stopTimers();
				services.requestLimiter.close();
				services.chatLimiter.close();
				ending.close();
				await io.close();
				await relay.close();
				await hls.close();
				await feeds.close();
				await media.close();
				await presence.close();
				await Promise.all(Object.values(buffers).map((buffer) => buffer.close()));
				await mongo.close();
				redis.disconnect();
				adapterRedis.disconnect();
				feedSubscriber.disconnect();
			})();

			return closing;
		},
	};
}

/**
 * Indexes for history paging, analytics and the timeline; retried in the
 * background if MongoDB is down.
 */
async function ensureIndexes(
	db: ReturnType<ReturnType<typeof createMongoClient>['db']>,
	logger: Logger,
) {
	for (let attempt = 1; ; attempt++) {
		try {
			await db.collection(CHAT_COLLECTION).createIndex({ classId: 1, at: -1 });
			await ensureAnalyticsIndex(db);
			await ensureTimelineIndex(db);

			return;
		} catch (error) {
			logger.warn({ err: error, attempt }, 'creating indexes failed; will retry');
			await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, attempt * 2000)));
		}
	}
}
