import type { types } from 'mediasoup';

import type { ProducerAppData } from './MediaPeer.ts';

type Producer = types.Producer<ProducerAppData>;

/**
 * What a class puts on air for the audience and the archive: the teacher's
 * screen share (else camera) and every sending microphone, the teacher's
 * first, to be mixed. `key` names exactly these producers, so two programs
 * with the same key carry the same streams.
 */
export interface Program {
	/** Undefined while the teacher sends no picture: the slate stands in. */
	video: Producer | undefined;
	audio: readonly Producer[];
	key: string;
}

/**
 * The program a class's producers make now, or undefined while it is off
 * air: while its teacher sends neither a picture nor a microphone (the
 * stage's microphones join the mix of a teacher who is on air).
 */
export function selectProgram(producers: Iterable<Producer>): Program | undefined {
	// A paused producer sends nothing: it leaves the program, and its mix
	// slot gets silence.
	const sending = [...producers].filter((producer) => !producer.closed && !producer.paused);
	const teacher = sending.filter((producer) => producer.appData.role === 'teacher');
	const video =
		teacher.find((producer) => producer.appData.source === 'screen') ??
		teacher.find((producer) => producer.appData.source === 'camera');
	const audio = sending
		.filter((producer) => producer.appData.source === 'microphone')
		.sort((a, b) => Number(b.appData.role === 'teacher') - Number(a.appData.role === 'teacher'));

	if (video === undefined && !audio.some((producer) => producer.appData.role === 'teacher')) {
		return undefined;
	}

	return {
		video,
		audio,
		key: [video?.id ?? 'slate', ...audio.map((producer) => producer.id)].join('+'),
	};
}
