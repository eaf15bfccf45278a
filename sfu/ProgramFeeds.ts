import type { Redis } from 'ioredis';

import {
	FEED_REFRESH_MS,
	FEED_TTL_SECONDS,
	PROGRAM_FEED_CHANNEL,
	ProgramFeedMessage,
	ProgramSink,
	parseFeedJson,
	programFeedKey,
	programRevisionKey,
	programSinksKey,
	type ProgramFeed,
} from '../common/events/ProgramFeed.ts';
import type { Logger } from '../common/logger.ts';
import type { ProgramOutput } from './ProgramSwitcher.ts';
import type { SfuControl } from './SfuControl.ts';

export interface ProgramFeedsOptions {
	control: SfuControl;
	/** Commands, with the deployment's key prefix. */
	redis: Redis;
	/** A connection of its own for the channel. */
	subscriber: Redis;
	/** The key prefix, which Redis does not apply to channel names. */
	prefix: string;
	logger: Logger;
}

/** What one sink of a class gets from this process. */
interface SinkFeed {
	/** The sink's address and ports the output was made for. */
	signature: string;
	output: ProgramOutput;
}

/** A class whose media runs in this process and has gone on air. */
interface FedClass {
	feeds: Map<string, SinkFeed>;
	/** Reconciliations of one class run one after another. */
	queue: Promise<void>;
	closed: boolean;
}

/**
 * The SFU side of the program feed (common/events/ProgramFeed.ts): for each
 * class whose media runs in this process and has gone on air, sends the
 * program (sfu/ProgramSwitcher.ts) to every sink a receiver offered,
 * publishes the SDP of what it sends, and follows sinks that come and go
 * and keyframe requests. Program changes happen inside the one stream, so
 * the SDP changes only when a sink or the class's media does. The recorder
 * is the receiver today.
 */
export class ProgramFeeds {
	readonly #options: ProgramFeedsOptions;
	readonly #logger: Logger;
	readonly #classes = new Map<string, FedClass>();
	readonly #channel: string;
	#timer: NodeJS.Timeout | undefined;
	#closed = false;

	constructor(options: ProgramFeedsOptions) {
		this.#options = options;
		this.#logger = options.logger.child({ component: 'program-feed' });
		this.#channel = `${options.prefix}${PROGRAM_FEED_CHANNEL}`;

		options.control.on('programchange', (classId, program) => {
			if (program !== undefined && !this.#closed && !this.#classes.has(classId)) {
				const fed: FedClass = { feeds: new Map(), queue: Promise.resolve(), closed: false };

				this.#classes.set(classId, fed);
				this.#reconcile(classId, fed);
			}
		});
		options.control.on('classclosed', (classId) => {
			const fed = this.#classes.get(classId);

			if (fed !== undefined) {
				this.#classes.delete(classId);
				this.#reconcile(classId, fed, true);
			}
		});
		options.subscriber.on('message', (channel: string, text: string) => {
			if (channel === this.#channel) {
				this.#onMessage(text);
			}
		});
	}

	/** Listens for receivers, and looks again at every fed class on an interval. */
	async start(): Promise<void> {
		await this.#options.subscriber.subscribe(this.#channel);
		this.#timer = setInterval(() => {
			for (const [classId, fed] of this.#classes) {
				this.#reconcile(classId, fed);
			}
		}, FEED_REFRESH_MS);
		this.#timer.unref();
	}

	/** Stops every feed and tells the receivers the program is off; idempotent. */
	async close(): Promise<void> {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		clearInterval(this.#timer);

		const classes = [...this.#classes.entries()];

		this.#classes.clear();
		await Promise.all(
			classes.map(([classId, fed]) => {
				this.#reconcile(classId, fed, true);

				return fed.queue;
			}),
		);
		await this.#options.subscriber.unsubscribe(this.#channel).catch(() => undefined);
	}

	#onMessage(text: string): void {
		const message = parseFeedJson(ProgramFeedMessage, text);
		const fed = message === undefined ? undefined : this.#classes.get(message.classId);

		if (message === undefined || fed === undefined) {
			return;
		}

		if (message.type === 'sinks') {
			this.#reconcile(message.classId, fed);
		} else if (message.type === 'keyframe') {
			fed.feeds.get(message.sinkId)?.output.requestKeyFrame();
		}
	}

	/** Queues an #apply; a `final` one is the class's last, and stops every feed. */
	#reconcile(classId: string, fed: FedClass, final = false): void {
		fed.queue = fed.queue
			.then(async () => {
				if (fed.closed) {
					return;
				}

				fed.closed = final;
				await this.#apply(classId, fed, final);
			})
			.catch((error: unknown) =>
				this.#logger.warn({ err: error, classId }, 'program feed change failed'),
			);
	}

	/** Brings every sink's feed in line with the class's sinks now. */
	async #apply(classId: string, fed: FedClass, final: boolean): Promise<void> {
		const { redis } = this.#options;
		const sinks = final ? new Map<string, ProgramSink>() : await this.#sinks(classId);

		for (const [sinkId, feed] of fed.feeds) {
			if (!sinks.has(sinkId)) {
				feed.output.close();
				fed.feeds.delete(sinkId);
				// The receiver learns the program is off; a gone sink's key just expires.
				await this.#publish(classId, sinkId, null);
			}
		}

		for (const [sinkId, sink] of sinks) {
			const feed = fed.feeds.get(sinkId);
			const signature = `${sink.host}:${sink.ports.join(',')}`;

			if (feed?.signature === signature) {
				await redis.expire(programFeedKey(classId, sinkId), FEED_TTL_SECONDS);
				continue;
			}

			feed?.output.close();

			const output = await this.#open(classId, sink);

			if (output === undefined) {
				fed.feeds.delete(sinkId);
				continue;
			}

			fed.feeds.set(sinkId, { signature, output });
			await this.#publish(classId, sinkId, output.sdp);
			this.#logger.info({ classId, sinkId, host: sink.host }, 'program feed sent to a sink');
		}
	}

	/** The class's sinks that are still refreshed. */
	async #sinks(classId: string): Promise<Map<string, ProgramSink>> {
		const stored = await this.#options.redis.hgetall(programSinksKey(classId));
		const now = Date.now();
		const sinks = new Map<string, ProgramSink>();

		for (const [sinkId, text] of Object.entries(stored)) {
			const sink = parseFeedJson(ProgramSink, text);

			if (sink !== undefined && sink.expiresAt > now) {
				sinks.set(sinkId, sink);
			}
		}

		return sinks;
	}

	async #open(classId: string, sink: ProgramSink): Promise<ProgramOutput | undefined> {
		const { control } = this.#options;
		const [video = 0, ...audio] = sink.ports;

		if (audio.length < control.programSlots) {
			this.#logger.warn(
				{ classId, ports: sink.ports.length, needed: 1 + control.programSlots },
				'a sink offers too few ports for the program',
			);

			return undefined;
		}

		return control.openProgramOutput(classId, {
			host: sink.host,
			video,
			audio: audio.slice(0, control.programSlots),
		});
	}

	async #publish(classId: string, sinkId: string, sdp: string | null): Promise<void> {
		const { redis } = this.#options;
		const revision = await redis.incr(programRevisionKey(classId));
		const feed: ProgramFeed = { revision, sdp };
		const message: ProgramFeedMessage = { type: 'feed', classId, sinkId };

		await redis.set(programFeedKey(classId, sinkId), JSON.stringify(feed), 'EX', FEED_TTL_SECONDS);
		await redis.publish(this.#channel, JSON.stringify(message));
	}
}
