import { EventEmitter } from 'node:events';

import type { Redis } from 'ioredis';

import {
	FEED_REFRESH_MS,
	PROGRAM_FEED_CHANNEL,
	ProgramFeed,
	ProgramFeedMessage,
	ProgramSink,
	SINK_PORT_PAIRS,
	SINK_TTL_MS,
	parseFeedJson,
	programFeedKey,
	programSinksKey,
} from '../common/events/ProgramFeed.ts';
import type { Logger } from '../common/logger.ts';
import { freeRtpPortPairs } from '../common/udpPorts.ts';
import type { OpenProgram, ProgramSource } from './ProgramSource.ts';

export interface SfuProgramSourceOptions {
	/** Commands, with the deployment's key prefix. */
	redis: Redis;
	/** A connection of its own for the channel. */
	subscriber: Redis;
	/** The key prefix, which Redis does not apply to channel names. */
	prefix: string;
	/** The address of this host that the SFU sends the program to. */
	host: string;
	logger: Logger;
}

/** The recorder's sink id in every class it records. */
const SINK_ID = 'recorder';

/**
 * The recorder side of the program feed (common/events/ProgramFeed.ts): for
 * each class it records, offers ports as the class's `recorder` sink,
 * follows the SDP the SFU publishes for it, and asks for keyframes.
 */
export class SfuProgramSource implements ProgramSource {
	readonly #options: SfuProgramSourceOptions;
	readonly #channel: string;
	readonly #open = new Map<string, FeedReceiver>();

	constructor(options: SfuProgramSourceOptions) {
		this.#options = options;
		this.#channel = `${options.prefix}${PROGRAM_FEED_CHANNEL}`;
		options.subscriber.on('message', (channel: string, text: string) => {
			const message =
				channel === this.#channel ? parseFeedJson(ProgramFeedMessage, text) : undefined;

			if (message?.type === 'feed' && message.sinkId === SINK_ID) {
				void this.#open.get(message.classId)?.poll();
			}
		});
	}

	/** Listens for feed changes; call before the first open(). */
	async start(): Promise<void> {
		await this.#options.subscriber.subscribe(this.#channel);
	}

	async open(classId: string): Promise<OpenProgram> {
		this.#open.get(classId)?.stop();

		const receiver = new FeedReceiver(classId, this.#options, this.#channel, () => {
			if (this.#open.get(classId) === receiver) {
				this.#open.delete(classId);
			}
		});

		this.#open.set(classId, receiver);
		await receiver.start();

		return receiver;
	}

	/** Stops listening; the open programs belong to their recordings. */
	async close(): Promise<void> {
		await this.#options.subscriber.unsubscribe(this.#channel).catch(() => undefined);
	}
}

/** One class's feed as the recorder takes it. */
class FeedReceiver
	extends EventEmitter<{ change: [sdp: string | undefined] }>
	implements OpenProgram
{
	readonly #classId: string;
	readonly #options: SfuProgramSourceOptions;
	readonly #channel: string;
	readonly #onClose: () => void;
	readonly #logger: Logger;
	#sink: ProgramSink | undefined;
	#revision: number | undefined;
	#sdp: string | undefined;
	#timer: NodeJS.Timeout | undefined;
	#polling: Promise<void> | undefined;
	#closed = false;

	constructor(
		classId: string,
		options: SfuProgramSourceOptions,
		channel: string,
		onClose: () => void,
	) {
		super();
		this.#classId = classId;
		this.#options = options;
		this.#channel = channel;
		this.#onClose = onClose;
		this.#logger = options.logger.child({ classId, component: 'program-feed' });
	}

	get sdp(): string | undefined {
		return this.#sdp;
	}

	/** Offers the sink and reads the feed as it stands. */
	async start(): Promise<void> {
		const { redis, host } = this.#options;
		const key = programSinksKey(this.#classId);
		// NOTE: a recorder restarted after a crash offers the ports its
		// predecessor offered, so the SFU's feed does not change and the new
		// ffmpeg takes the stream the moment the old one lets go of the ports.
		const previous = parseFeedJson(ProgramSink, await redis.hget(key, SINK_ID));
		const ports =
			previous !== undefined && previous.host === host && previous.expiresAt > Date.now()
				? previous.ports
				: await freeRtpPortPairs(SINK_PORT_PAIRS, host);

		this.#sink = { host, ports, expiresAt: 0 };
		await this.#refresh();
		await this.#announce();
		await this.poll();
		this.#timer = setInterval(() => {
			this.#refresh()
				.then(() => this.poll())
				.catch((error: unknown) => this.#logger.warn({ err: error }, 'refreshing the sink failed'));
		}, FEED_REFRESH_MS);
		this.#timer.unref();
		this.#logger.info({ ports, reused: previous?.ports === ports }, 'program sink offered');
	}

	/** Reads the feed and reports a change of SDP; overlapping calls share one read. */
	poll(): Promise<void> {
		this.#polling ??= this.#read()
			.catch((error: unknown) => this.#logger.warn({ err: error }, 'reading the feed failed'))
			.finally(() => {
				this.#polling = undefined;
			});

		return this.#polling;
	}

	requestKeyFrame(): void {
		const message: ProgramFeedMessage = {
			type: 'keyframe',
			classId: this.#classId,
			sinkId: SINK_ID,
		};

		this.#options.redis.publish(this.#channel, JSON.stringify(message)).catch(() => undefined);
	}

	/** Stops refreshing; a finished recording withdraws its sink at once. */
	async close(finished: boolean): Promise<void> {
		if (this.#closed) {
			return;
		}

		this.stop();
		if (finished) {
			await this.#options.redis.hdel(programSinksKey(this.#classId), SINK_ID);
			await this.#announce();
		}
	}

	/** Stops refreshing and reporting, leaving the sink to expire. */
	stop(): void {
		this.#closed = true;
		clearInterval(this.#timer);
		this.#onClose();
	}

	async #refresh(): Promise<void> {
		if (this.#sink === undefined || this.#closed) {
			return;
		}

		this.#sink = { ...this.#sink, expiresAt: Date.now() + SINK_TTL_MS };
		await this.#options.redis.hset(
			programSinksKey(this.#classId),
			SINK_ID,
			JSON.stringify(this.#sink),
		);
	}

	async #announce(): Promise<void> {
		const message: ProgramFeedMessage = { type: 'sinks', classId: this.#classId };

		await this.#options.redis.publish(this.#channel, JSON.stringify(message));
	}

	async #read(): Promise<void> {
		const feed = parseFeedJson(
			ProgramFeed,
			await this.#options.redis.get(programFeedKey(this.#classId, SINK_ID)),
		);

		if (this.#closed || feed?.revision === this.#revision) {
			return;
		}

		this.#revision = feed?.revision;

		const sdp = feed?.sdp ?? undefined;

		if (sdp !== this.#sdp) {
			this.#sdp = sdp;
			this.#logger.info({ revision: feed?.revision, onAir: sdp !== undefined }, 'program changed');
			this.emit('change', sdp);
		}
	}
}
