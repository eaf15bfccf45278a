import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import ffmpeg from 'fluent-ffmpeg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLogger } from '../../common/logger.ts';
import { HlsLadder } from '../../hls-bridge/HlsLadder.ts';
import { programSdp } from '../../sfu/programSdp.ts';
import { parseLadder } from '../../hls-bridge/Rendition.ts';
import { startRtpSource, type RtpSource } from '../support/rtpSource.ts';

const RENDITIONS = parseLadder('360p:640x360:800,240p:426x240:400,144p:256x144:200');

function segmentsOf(playlist: string): string[] {
	return playlist.split('\n').filter((line) => line.endsWith('.ts'));
}

async function waitFor<T>(
	what: string,
	probe: () => T | undefined,
	timeoutMs = 30_000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;

	while (Date.now() < deadline) {
		const value = probe();

		if (value !== undefined) {
			return value;
		}

		await sleep(200);
	}

	throw new Error(`timed out waiting for ${what}`);
}

/** The first video frames of a file, as ffprobe reports them. */
function firstVideoFrames(file: string): { key_frame: number; pict_type: string }[] {
	const output = execFileSync('ffprobe', [
		...['-v', 'error', '-select_streams', 'v:0', '-show_frames', '-read_intervals', '%+#2'],
		...['-show_entries', 'frame=key_frame,pict_type', '-of', 'json', file],
	]);

	return (JSON.parse(output.toString()) as { frames: { key_frame: number; pict_type: string }[] })
		.frames;
}

function probe(file: string): Promise<ffmpeg.FfprobeData> {
	return new Promise((resolve, reject) => {
		ffmpeg.ffprobe(file, (error, data) => (error ? reject(error as Error) : resolve(data)));
	});
}

describe('HlsLadder', () => {
	const dir = mkdtempSync(join(tmpdir(), 'classroom-hls-'));
	let source: RtpSource;
	let ladder: HlsLadder;

	const read = (name: string): string | undefined => {
		const file = join(dir, name);

		return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
	};

	beforeAll(async () => {
		source = await startRtpSource();
		ladder = new HlsLadder({
			sdp: programSdp(source.program),
			outputDir: dir,
			renditions: RENDITIONS,
			segmentSeconds: 1,
			listSize: 6,
			logger: createLogger('test', 'silent'),
		});
		ladder.start();
	});

	afterAll(async () => {
		await ladder.close();
		await source.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	it('writes a master playlist listing every rendition', async () => {
		const master = await waitFor('master.m3u8', () => read('master.m3u8'));

		for (const rendition of RENDITIONS) {
			expect(master).toContain(`RESOLUTION=${rendition.width}x${rendition.height}`);
			expect(master).toContain(`${rendition.name}.m3u8`);
		}
	});

	it('writes H.264 and AAC segments with program date-times, starting on keyframes', async () => {
		for (const rendition of RENDITIONS) {
			const playlist = await waitFor(`${rendition.name} segments`, () => {
				const text = read(`${rendition.name}.m3u8`);

				return text !== undefined && segmentsOf(text).length >= 3 ? text : undefined;
			});

			expect(playlist).toContain('#EXT-X-PROGRAM-DATE-TIME:');
			expect(playlist).toMatch(/#EXT-X-TARGETDURATION:1\n/);

			const first = segmentsOf(playlist)[0] ?? '';
			const data = await probe(join(dir, first));
			const video = data.streams.find((stream) => stream.codec_type === 'video');
			const audio = data.streams.find((stream) => stream.codec_type === 'audio');
			const frames = firstVideoFrames(join(dir, first));

			expect(video).toMatchObject({
				codec_name: 'h264',
				width: rendition.width,
				height: rendition.height,
			});
			expect(audio).toMatchObject({ codec_name: 'aac' });
			expect(frames[0]).toMatchObject({ key_frame: 1, pict_type: 'I' });
		}
	});

	it('restarts ffmpeg killed with SIGKILL and continues the playlists after a discontinuity', async () => {
		const before = segmentsOf(read('360p.m3u8') ?? '');
		const lastBefore = before.at(-1) ?? '';
		const pid = ladder.process.pid;

		expect(pid).toBeGreaterThan(0);

		const restarted = once(ladder.process, 'started');

		process.kill(pid ?? 0, 'SIGKILL');
		await restarted;

		const after = await waitFor('segments after the restart', () => {
			const text = read('360p.m3u8') ?? '';
			const tail = text.slice(text.indexOf('#EXT-X-DISCONTINUITY'));

			return text.includes('#EXT-X-DISCONTINUITY') && segmentsOf(tail).length >= 2
				? text
				: undefined;
		});
		const segments = segmentsOf(after);

		expect(ladder.process.restarts).toBe(1);
		expect(ladder.process.pid).not.toBe(pid);
		// Numbering continues past what was published before the crash.
		expect(segments.at(-1)?.localeCompare(lastBefore)).toBe(1);
		expect(after).toContain('#EXT-X-PROGRAM-DATE-TIME:');
	});
});
