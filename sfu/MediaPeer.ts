import type { types } from 'mediasoup';

import type { Role } from '../common/auth/JoinToken.ts';
import type { Logger } from '../common/logger.ts';
import { ProtocolError } from '../signaling/protocol/errors.ts';
import type { MediaSource } from '../signaling/protocol/media.ts';

/** Who a peer is: one socket of one user in one class. */
export interface PeerIdentity {
	peerId: string;
	classId: string;
	userId: string;
	displayName: string;
	/** The join token's role; the HLS program is the teacher's media. */
	role: Role;
}

export interface ProducerAppData extends types.AppData {
	peerId: string;
	userId: string;
	displayName: string;
	role: Role;
	source: MediaSource;
}

/**
 * One page's media in a class: its transports, and the producers and
 * consumers on them. Closing the peer closes its transports, and mediasoup
 * closes what runs on them.
 */
export class MediaPeer {
	readonly identity: PeerIdentity;
	readonly logger: Logger;
	readonly transports = new Map<string, types.WebRtcTransport>();
	readonly producers = new Map<string, types.Producer<ProducerAppData>>();
	readonly consumers = new Map<string, types.Consumer>();
	#closed = false;

	constructor(identity: PeerIdentity, logger: Logger) {
		this.identity = identity;
		this.logger = logger.child({ peerId: identity.peerId, userId: identity.userId });
	}

	get closed(): boolean {
		return this.#closed;
	}

	transport(transportId: string): types.WebRtcTransport {
		return found(this.transports.get(transportId), 'transport', transportId);
	}

	producer(producerId: string): types.Producer<ProducerAppData> {
		return found(this.producers.get(producerId), 'producer', producerId);
	}

	consumer(consumerId: string): types.Consumer {
		return found(this.consumers.get(consumerId), 'consumer', consumerId);
	}

	addTransport(transport: types.WebRtcTransport): void {
		this.transports.set(transport.id, transport);
		transport.observer.once('close', () => this.transports.delete(transport.id));
	}

	addProducer(producer: types.Producer<ProducerAppData>): void {
		this.producers.set(producer.id, producer);
		producer.observer.once('close', () => this.producers.delete(producer.id));
	}

	addConsumer(consumer: types.Consumer): void {
		this.consumers.set(consumer.id, consumer);
		consumer.observer.once('close', () => this.consumers.delete(consumer.id));
	}

	/** Closes every transport (and so every producer and consumer); idempotent. */
	close(): void {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		for (const transport of [...this.transports.values()]) {
			transport.close();
		}

		this.logger.info('media peer closed');
	}
}

function found<T>(value: T | undefined, what: string, id: string): T {
	if (value === undefined) {
		throw new ProtocolError('not_found', `no ${what} ${id} of yours`);
	}

	return value;
}
