// A stand-in for the SFU's PlainTransport output in tests: ffmpeg sending a
// generated picture (VP8) and tone (Opus) as RTP, in real time, until stopped.

import { spawn } from 'node:child_process';

import type { ProgramDescription } from '../../sfu/programSdp.ts';
import { freeRtpPortPair } from '../../common/udpPorts.ts';

export interface RtpSource {
	program: ProgramDescription;
	stop(): Promise<void>;
}

/** `keyframeSeconds` stands in for the SFU's keyframe request when a receiver starts. */
export async function startRtpSource(size = '640x360', keyframeSeconds = 1): Promise<RtpSource> {
	const program: ProgramDescription = {
		video: { port: await freeRtpPortPair(), payloadType: 96, codec: 'VP8', clockRate: 90000 },
		audio: {
			port: await freeRtpPortPair(),
			payloadType: 100,
			codec: 'opus',
			clockRate: 48000,
			channels: 2,
		},
	};
	const child = spawn(
		'ffmpeg',
		[
			...['-hide_banner', '-loglevel', 'error', '-re'],
			...['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`],
			...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
			...[
				'-map',
				'0:v',
				'-c:v',
				'libvpx',
				'-deadline',
				'realtime',
				'-cpu-used',
				'8',
				'-b:v',
				'800k',
			],
			...[
				'-g',
				String(Math.max(1, Math.round(30 * keyframeSeconds))),
				'-f',
				'rtp',
				'-payload_type',
				'96',
				`rtp://127.0.0.1:${program.video.port}`,
			],
			...['-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-f', 'rtp', '-payload_type', '100'],
			`rtp://127.0.0.1:${program.audio.port}`,
		],
		{ stdio: 'ignore' },
	);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

	return {
		program,
		stop: async () => {
			child.kill('SIGTERM');
			await exited;
		},
	};
}
