import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Ack } from '../../signaling/protocol/errors.ts';
import type { MediaReplies } from '../../signaling/protocol/media.ts';
import { startMediaStack, type MediaStack } from '../support/mediaStack.ts';

/** RTP parameters mediasoup accepts for an Opus producer (no browser needed). */
function opusParameters(ssrc: number) {
	return {
		mid: '0',
		codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
		headerExtensions: [],
		encodings: [{ ssrc }],
		rtcp: { cname: `test-${ssrc}` },
	};
}

/** The number of producers on the class's router, from mediasoup's own dump. */
async function producersOnRouter(stack: MediaStack): Promise<number> {
	const dump = (await stack.media.control.dumpClass(stack.classId)) as
		{ mapProducerIdConsumerIds: Record<string, unknown> | unknown[] } | undefined;

	return dump === undefined ? 0 : Object.keys(dump.mapProducerIdConsumerIds).length;
}

describe('media signaling refusals', () => {
	let stack: MediaStack;
	const sockets: Socket[] = [];

	beforeAll(async () => {
		stack = await startMediaStack();
	});

	afterAll(async () => {
		for (const socket of sockets) {
			socket.close();
		}

		await stack.close();
	});

	async function member(role: 'teacher' | 'student', name: string) {
		const { token, userId } = await stack.token(role, name);
		const socket = connect(stack.origin, {
			auth: { token },
			transports: ['websocket'],
			reconnection: false,
		});

		sockets.push(socket);
		await new Promise<void>((resolve, reject) => {
			socket.once('connect', resolve);
			socket.once('connect_error', reject);
		});

		const request = async <Name extends keyof MediaReplies>(
			name: Name,
			payload: unknown,
		): Promise<Ack<MediaReplies[Name]>> =>
			(await socket.timeout(10_000).emitWithAck(name, payload)) as Ack<MediaReplies[Name]>;

		return { socket, userId, request };
	}

	async function sendTransportOf(request: Awaited<ReturnType<typeof member>>['request']) {
		const joined = await request('media:join', {});

		expect(joined.ok).toBe(true);

		const transport = await request('media:createTransport', { direction: 'send' });

		if (!transport.ok) {
			throw new Error(transport.error.message);
		}

		return transport.data.id;
	}

	it('refuses consume before join with out_of_order', async () => {
		const { request } = await member('student', 'Early');
		const reply = await request('media:consume', {
			transportId: 'x',
			producerId: 'y',
			rtpCapabilities: { codecs: [] },
		});

		expect(reply).toMatchObject({ ok: false, error: { code: 'out_of_order' } });
	});

	it('lets the teacher produce, and the router holds the producer', async () => {
		const { request } = await member('teacher', 'Teacher');
		const transportId = await sendTransportOf(request);
		const reply = await request('media:produce', {
			transportId,
			kind: 'audio',
			rtpParameters: opusParameters(1111),
			source: 'microphone',
		});

		expect(reply.ok).toBe(true);
		expect(await producersOnRouter(stack)).toBe(1);
	});

	it('refuses produce from a student without a stage place with forbidden; nothing reaches the router', async () => {
		const before = await producersOnRouter(stack);
		const { request } = await member('student', 'Off stage');
		const transportId = await sendTransportOf(request);
		const reply = await request('media:produce', {
			transportId,
			kind: 'audio',
			rtpParameters: opusParameters(2222),
			source: 'microphone',
		});

		expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		expect(await producersOnRouter(stack)).toBe(before);
	});

	it('lets a student produce once the class puts them on stage', async () => {
		const { request, userId } = await member('student', 'On stage');
		const transportId = await sendTransportOf(request);

		await stack.putOnStage(userId);

		const reply = await request('media:produce', {
			transportId,
			kind: 'audio',
			rtpParameters: opusParameters(3333),
			source: 'microphone',
		});

		expect(reply.ok).toBe(true);
	});

	it('closes the producers of a student taken off the stage', async () => {
		const { request, userId } = await member('student', 'Leaving stage');
		const transportId = await sendTransportOf(request);

		await stack.putOnStage(userId);
		await request('media:produce', {
			transportId,
			kind: 'audio',
			rtpParameters: opusParameters(4444),
			source: 'microphone',
		});

		const before = await producersOnRouter(stack);

		await stack.media.signaling.onStageRemoved(stack.classId, userId);
		expect(await producersOnRouter(stack)).toBe(before - 1);
	});

	it.each([
		['an unknown transport id', 'not_found', { transportId: 'no-such-transport' }],
		['RTP parameters without codecs', 'bad_request', { rtpParameters: { codecs: [] } }],
		[
			'RTP parameters with a codec the router lacks',
			'bad_request',
			{
				rtpParameters: {
					...opusParameters(5555),
					codecs: [{ mimeType: 'audio/nosuch', payloadType: 100, clockRate: 8000 }],
				},
			},
		],
		['an unknown field', 'bad_request', { extra: true }],
	])('refuses produce with %s (%s), and the class carries on', async (_name, code, change) => {
		const { request } = await member('teacher', 'Teacher again');
		const transportId = await sendTransportOf(request);
		const before = await producersOnRouter(stack);
		const reply = await request('media:produce', {
			transportId,
			kind: 'audio',
			rtpParameters: opusParameters(6666),
			source: 'microphone',
			...change,
		});

		expect(reply).toMatchObject({ ok: false, error: { code } });
		expect(await producersOnRouter(stack)).toBe(before);
		expect((await request('media:createTransport', { direction: 'recv' })).ok).toBe(true);
	});

	it('refuses a 1 MB payload with payload_too_large and keeps the socket', async () => {
		const { request, socket } = await member('teacher', 'Big sender');

		await sendTransportOf(request);

		const reply = await request('media:connectTransport', {
			transportId: 'x',
			dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'a'.repeat(1024 * 1024) }] },
		});

		expect(reply).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
		expect(socket.connected).toBe(true);
		expect((await request('media:createTransport', { direction: 'recv' })).ok).toBe(true);
	});

	it('refuses a malformed payload with bad_request', async () => {
		const { request } = await member('teacher', 'Sloppy');

		expect(await request('media:createTransport', 'not an object')).toMatchObject({
			ok: false,
			error: { code: 'bad_request' },
		});
		expect(await request('media:createTransport', { direction: 'sideways' })).toMatchObject({
			ok: false,
			error: { code: 'bad_request' },
		});
	});

	it('restarts ICE on a transport of the sender with new ICE credentials', async () => {
		const { request } = await member('teacher', 'Restarter');
		const transportId = await sendTransportOf(request);
		const reply = await request('media:restartIce', { transportId });

		expect(reply.ok).toBe(true);
		expect(reply.ok && reply.data.iceParameters.password).toMatch(/\w{8,}/);

		const other = await member('teacher', 'Other');

		await other.request('media:join', {});
		expect(await other.request('media:restartIce', { transportId })).toMatchObject({
			ok: false,
			error: { code: 'not_found' },
		});
	});

	it('refuses a second join from one connection with conflict', async () => {
		const { request } = await member('student', 'Twice');

		expect((await request('media:join', {})).ok).toBe(true);
		expect(await request('media:join', {})).toMatchObject({
			ok: false,
			error: { code: 'conflict' },
		});
	});
});
