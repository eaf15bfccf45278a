// The media protocol on a socket: every `media:*` request validated, checked
// against the sender's role and stage place, and handed to the SFU control
// interface; notifications from the SFU delivered to peers and class rooms.

import type { Redis } from 'ioredis';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';

import type { JoinClaims } from '../../common/auth/JoinToken.ts';
import type { Logger } from '../../common/logger.ts';
import type { MediaNotifier } from '../../sfu/MediaNotifier.ts';
import type { SfuControl } from '../../sfu/SfuControl.ts';
import { classRoom, type SocketData } from '../authenticate.ts';
import { defineHandler, type HandlerOptions } from '../defineHandler.ts';
import { ProtocolError } from '../protocol/errors.ts';
import {
	MediaRequests,
	type MediaReplies,
	type MediaRequest,
	type MediaRequestName,
} from '../protocol/media.ts';

/** The Redis set of the users on a class's stage, kept by the class side. */
export const stageKey = (classId: string): string => `class:${classId}:stage`;

/** What the class side sends (and relays to the other processes) when the stage changes. */
export const StageChanged = z.object({
	classId: z.uuid(),
	userId: z.uuid(),
	onStage: z.boolean(),
});

/** RTP parameters and capabilities of a simulcast camera run to a few kilobytes. */
const PARAMETERS_MAX_BYTES = 32 * 1024;

/** A socket.io notifier: a peer is its socket's own room, a class its class room. */
export function socketNotifier(io: Server): MediaNotifier {
	return {
		toPeer: (peerId, event, payload) => io.to(peerId).emit(event, payload),
		toClass: (classId, event, payload) => io.to(classRoom(classId)).emit(event, payload),
	};
}

export class MediaSignaling {
	readonly #control: SfuControl;
	readonly #redis: Redis;
	readonly #logger: Logger;

	constructor(io: Server, control: SfuControl, redis: Redis, logger: Logger) {
		this.#control = control;
		this.#redis = redis;
		this.#logger = logger;

		// Stage changes reach onStageChanged through the class side, from this
		// process and (through signaling/ProcessRelay.ts) from the others: see
		// createSignalingServer.
		io.on('connection', (socket) => this.#attach(socket));
	}

	/**
	 * Applies a stage change: a user taken off the stage stops publishing.
	 * Called by the class side in this process, and on `stage:changed` from others.
	 */
	async onStageChanged(payload: unknown): Promise<void> {
		const parsed = StageChanged.safeParse(payload);

		if (!parsed.success) {
			this.#logger.warn('ignored a malformed stage:changed');

			return;
		}

		if (!parsed.data.onStage) {
			await this.onStageRemoved(parsed.data.classId, parsed.data.userId);
		}
	}

	/** Closes the producers a user has in a class; the class side calls it on removal. */
	async onStageRemoved(classId: string, userId: string): Promise<void> {
		const closed = await this.#control.closeProducersOfUser(classId, userId);

		this.#logger.info({ classId, userId, closed }, 'producers closed: off the stage');
	}

	#attach(socket: Socket): void {
		const { claims } = socket.data as SocketData;
		const { classId } = claims;
		const peerId = socket.id;
		const logger = this.#logger.child({ classId, peerId, userId: claims.userId });
		const control = this.#control;

		const bind = <Name extends MediaRequestName>(
			name: Name,
			handle: (payload: MediaRequest<Name>) => Promise<MediaReplies[Name]>,
			options?: HandlerOptions,
		): void => {
			const event: string = name;

			socket.on(
				event,
				defineHandler(
					name,
					MediaRequests[name],
					(payload) => handle(payload as MediaRequest<Name>),
					logger,
					options,
				),
			);
		};
		const large = { maxBytes: PARAMETERS_MAX_BYTES };

		bind('media:join', async () => {
			await this.#checkMayJoin(claims);

			return control.join({
				peerId,
				classId,
				userId: claims.userId,
				displayName: claims.displayName,
				role: claims.role,
			});
		});
		bind('media:createTransport', () => control.createTransport(classId, peerId));
		bind(
			'media:connectTransport',
			async (request) => {
				await control.connectTransport(classId, peerId, request);

				return {};
			},
			large,
		);
		bind('media:restartIce', async ({ transportId }) => ({
			iceParameters: await control.restartIce(classId, peerId, transportId),
		}));
		bind(
			'media:produce',
			async (request) => {
				// NOTE: checked before anything reaches the SFU, so a refused
				// produce leaves no trace on the router.
				await this.#checkMayPublish(claims);

				return { producerId: await control.produce(classId, peerId, request) };
			},
			large,
		);
		bind('media:closeProducer', async ({ producerId }) => {
			await control.closeProducer(classId, peerId, producerId);

			return {};
		});
		bind('media:pauseProducer', async ({ producerId }) => {
			await control.pauseProducer(classId, peerId, producerId, true);

			return {};
		});
		bind('media:resumeProducer', async ({ producerId }) => {
			await control.pauseProducer(classId, peerId, producerId, false);

			return {};
		});
		bind('media:consume', (request) => control.consume(classId, peerId, request), large);
		bind('media:resumeConsumer', async ({ consumerId }) => {
			await control.pauseConsumer(classId, peerId, consumerId, false);

			return {};
		});
		bind('media:pauseConsumer', async ({ consumerId }) => {
			await control.pauseConsumer(classId, peerId, consumerId, true);

			return {};
		});
		bind('media:setPreferredLayers', async (request) => {
			await control.setPreferredLayers(classId, peerId, request);

			return {};
		});
		bind('media:leave', async () => {
			await control.leave(classId, peerId);

			return {};
		});

		socket.on('disconnect', () => {
			void control.leave(classId, peerId);
		});
	}

	async #checkMayJoin(claims: JoinClaims): Promise<void> {
		// The audience watches HLS; it comes into the media session only on stage.
		if (claims.role === 'audience' && !(await this.#isOnStage(claims))) {
			throw new ProtocolError('forbidden', 'the audience joins the media session only on stage');
		}
	}

	async #checkMayPublish(claims: JoinClaims): Promise<void> {
		if (claims.grants.publish || (await this.#isOnStage(claims))) {
			return;
		}

		throw new ProtocolError('forbidden', 'only the teacher and students on stage may publish');
	}

	async #isOnStage(claims: JoinClaims): Promise<boolean> {
		try {
			return (await this.#redis.sismember(stageKey(claims.classId), claims.userId)) === 1;
		} catch (error) {
			this.#logger.warn({ err: error }, 'stage lookup failed');
			throw new ProtocolError('unavailable', 'cannot check the stage now; retry shortly');
		}
	}
}
