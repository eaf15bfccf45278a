import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ffmpeg from 'fluent-ffmpeg';
import { afterAll, describe, expect, it } from 'vitest';

describe('ffmpeg through fluent-ffmpeg', () => {
	const dir = mkdtempSync(join(tmpdir(), 'classroom-ffmpeg-'));

	afterAll(() => {
		rmSync(dir, { recursive: true, force: true });
	});

	it('encodes a generated clip to H.264 and AAC that ffprobe reads back', async () => {
		const output = join(dir, 'clip.mp4');

		await new Promise<void>((resolve, reject) => {
			ffmpeg()
				.input('testsrc2=size=640x360:rate=30')
				.inputFormat('lavfi')
				.input('sine=frequency=440:sample_rate=48000')
				.inputFormat('lavfi')
				.duration(2)
				.videoCodec('libx264')
				.outputOptions(['-preset veryfast', '-pix_fmt yuv420p', '-g 30'])
				.audioCodec('aac')
				.on('end', () => resolve())
				.on('error', reject)
				.save(output);
		});

		const probe = await new Promise<ffmpeg.FfprobeData>((resolve, reject) => {
			ffmpeg.ffprobe(output, (error, data) => (error ? reject(error as Error) : resolve(data)));
		});
		const video = probe.streams.find((stream) => stream.codec_type === 'video');
		const audio = probe.streams.find((stream) => stream.codec_type === 'audio');

		expect(video).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
		expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: 48000 });
		expect(Number(probe.format.duration)).toBeCloseTo(2, 0);
	});
});
