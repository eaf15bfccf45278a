// The media protocol between a page and signaling: event names, payload
// schemas and reply types. Shared by the server and the browser pages, so
// no Node.js imports here.
//
// The WebRTC parameter blobs (RTP parameters, DTLS parameters, RTP
// capabilities) are checked for their shape here; mediasoup checks the rest
// and a value it rejects becomes `bad_request`.

import type {
	DtlsParameters as ClientDtlsParameters,
	IceCandidate,
	IceParameters,
	RtpCapabilities as ClientRtpCapabilities,
	RtpParameters as ClientRtpParameters,
} from 'mediasoup-client/types';
import { z } from 'zod';

const id = z.string().min(1).max(64);

const rtpCodec = z.looseObject({
	mimeType: z.string().regex(/^(audio|video)\/[\w.-]+$/, 'must be a MIME type'),
	payloadType: z.number().int().min(0).max(127),
	clockRate: z.number().int().positive(),
	channels: z.number().int().positive().optional(),
	parameters: z.record(z.string(), z.unknown()).optional(),
	rtcpFeedback: z
		.array(z.looseObject({ type: z.string(), parameter: z.string().optional() }))
		.max(32)
		.optional(),
});

export const RtpParameters = z.looseObject({
	mid: z.string().max(32).optional(),
	codecs: z.array(rtpCodec).min(1).max(32),
	headerExtensions: z
		.array(z.looseObject({ uri: z.string().max(256), id: z.number().int().min(1).max(255) }))
		.max(32)
		.optional(),
	encodings: z.array(z.looseObject({})).max(8).optional(),
	rtcp: z.looseObject({}).optional(),
});

export const RtpCapabilities = z.looseObject({
	codecs: z
		.array(z.looseObject({ mimeType: z.string(), kind: z.enum(['audio', 'video']) }))
		.max(64)
		.optional(),
	headerExtensions: z
		.array(z.looseObject({ uri: z.string() }))
		.max(64)
		.optional(),
});

export const DtlsParameters = z.looseObject({
	role: z.enum(['auto', 'client', 'server']).optional(),
	fingerprints: z
		.array(z.object({ algorithm: z.string().max(16), value: z.string().max(256) }))
		.min(1)
		.max(8),
});

/** What a producer carries; the teacher's camera is the one sent in simulcast. */
export const MediaSource = z.enum(['camera', 'microphone', 'screen']);
export type MediaSource = z.infer<typeof MediaSource>;

/** Client-to-server events, each with its payload schema. */
export const MediaRequests = {
	/** Enters the class's media session; replies with the router's capabilities. */
	'media:join': z.object({}).strict(),
	'media:createTransport': z.object({ direction: z.enum(['send', 'recv']) }).strict(),
	'media:connectTransport': z.object({ transportId: id, dtlsParameters: DtlsParameters }).strict(),
	'media:produce': z
		.object({
			transportId: id,
			kind: z.enum(['audio', 'video']),
			rtpParameters: RtpParameters,
			source: MediaSource,
		})
		.strict(),
	'media:closeProducer': z.object({ producerId: id }).strict(),
	'media:pauseProducer': z.object({ producerId: id }).strict(),
	'media:resumeProducer': z.object({ producerId: id }).strict(),
	/** Creates a consumer, paused; the page resumes it once it has set it up. */
	'media:consume': z
		.object({ transportId: id, producerId: id, rtpCapabilities: RtpCapabilities })
		.strict(),
	'media:resumeConsumer': z.object({ consumerId: id }).strict(),
	'media:pauseConsumer': z.object({ consumerId: id }).strict(),
	'media:setPreferredLayers': z
		.object({
			consumerId: id,
			spatialLayer: z.number().int().min(0).max(3),
			temporalLayer: z.number().int().min(0).max(3).optional(),
		})
		.strict(),
	'media:restartIce': z.object({ transportId: id }).strict(),
	'media:leave': z.object({}).strict(),
} as const;

export type MediaRequestName = keyof typeof MediaRequests;
export type MediaRequest<Name extends MediaRequestName> = z.infer<(typeof MediaRequests)[Name]>;

/** A producer as other members of the class learn of it. */
export interface ProducerInfo {
	producerId: string;
	peerId: string;
	userId: string;
	displayName: string;
	kind: 'audio' | 'video';
	source: MediaSource;
}

export interface TransportInfo {
	id: string;
	iceParameters: IceParameters;
	iceCandidates: IceCandidate[];
	dtlsParameters: ClientDtlsParameters;
}

export interface ConsumerInfo {
	consumerId: string;
	producerId: string;
	kind: 'audio' | 'video';
	rtpParameters: ClientRtpParameters;
}

/** The reply of each request. */
export interface MediaReplies {
	'media:join': {
		peerId: string;
		routerRtpCapabilities: ClientRtpCapabilities;
		producers: ProducerInfo[];
	};
	'media:createTransport': TransportInfo;
	'media:connectTransport': Record<string, never>;
	'media:produce': { producerId: string };
	'media:closeProducer': Record<string, never>;
	'media:pauseProducer': Record<string, never>;
	'media:resumeProducer': Record<string, never>;
	'media:consume': ConsumerInfo;
	'media:resumeConsumer': Record<string, never>;
	'media:pauseConsumer': Record<string, never>;
	'media:setPreferredLayers': Record<string, never>;
	'media:restartIce': { iceParameters: IceParameters };
	'media:leave': Record<string, never>;
}

/** Server-to-client events. */
export interface MediaNotifications {
	/** A member of the class started sending; consume it if it is not yours. */
	'media:newProducer': ProducerInfo;
	'media:producerClosed': { producerId: string };
	/** The producer of one of your consumers went away; the consumer is closed. */
	'media:consumerClosed': { consumerId: string; producerId: string };
	/**
	 * The class's media session is gone (its SFU worker died); join again and
	 * re-create transports, producers and consumers.
	 */
	'media:reset': { classId: string };
	'media:activeSpeaker': { peerId: string; userId: string };
	'media:audioLevels': { levels: { peerId: string; userId: string; volume: number }[] };
}
