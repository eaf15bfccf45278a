import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import type { Logger } from '../common/logger.ts';
import { RepeatingTask } from '../common/RepeatingTask.ts';
import { parseSegments } from './playlist.ts';
import { RECORDING_PLAYLIST } from './SegmentRecorder.ts';

export interface SegmentUploaderOptions {
	s3: S3Client;
	bucket: string;
	/** Objects go under `<prefix>/`, e.g. `recordings/<classId>`. */
	prefix: string;
	/** The class's local recording folder. */
	dir: string;
	logger: Logger;
	intervalMs?: number;
}

/**
 * Uploads each finished segment of a recording to S3 as soon as the
 * playlist lists it, then the playlist itself. A failed upload is tried
 * again on the next pass, and the files stay on disk until then, so an S3
 * outage delays the archive but loses nothing. What S3 already holds is
 * read back on start, so a restarted recorder resumes where it stopped.
 */
export class SegmentUploader {
	readonly #options: SegmentUploaderOptions;
	readonly #uploaded = new Set<string>();
	#playlistUploaded = '';
	readonly #loop: RepeatingTask;

	constructor(options: SegmentUploaderOptions) {
		this.#options = options;
		this.#loop = new RepeatingTask(
			() => this.sync(),
			options.intervalMs ?? 500,
			(error) => {
				options.logger.warn({ err: error }, 'uploading the recording failed; retrying');
			},
		);
	}

	/** How many segments are in S3. */
	get uploadedCount(): number {
		return this.#uploaded.size;
	}

	async start(): Promise<void> {
		await this.#resume();

		this.#loop.start();
	}

	/** Stops the loop, then uploads what is left, retrying until it is in. */
	async close(retryForMs = 60_000): Promise<void> {
		await this.#loop.stop();

		const deadline = Date.now() + retryForMs;

		for (;;) {
			try {
				await this.sync();

				return;
			} catch (error) {
				if (Date.now() > deadline) {
					throw error;
				}

				await new Promise((resolve) => setTimeout(resolve, 1000));
			}
		}
	}

	/** One pass: every listed segment not yet in S3, then the playlist. */
	async sync(): Promise<void> {
		const playlist = await readFile(join(this.#options.dir, RECORDING_PLAYLIST), 'utf8').catch(
			() => undefined,
		);

		if (playlist === undefined) {
			return;
		}

		for (const segment of parseSegments(playlist)) {
			if (!this.#uploaded.has(segment.uri)) {
				await this.#put(
					segment.uri,
					await readFile(join(this.#options.dir, segment.uri)),
					'video/mp2t',
				);
				this.#uploaded.add(segment.uri);
			}
		}

		if (playlist !== this.#playlistUploaded) {
			await this.#put(RECORDING_PLAYLIST, Buffer.from(playlist), 'application/vnd.apple.mpegurl');
			this.#playlistUploaded = playlist;
		}
	}

	async #resume(): Promise<void> {
		let token: string | undefined;

		do {
			const page = await this.#options.s3.send(
				new ListObjectsV2Command({
					Bucket: this.#options.bucket,
					Prefix: `${this.#options.prefix}/`,
					ContinuationToken: token,
				}),
			);

			for (const object of page.Contents ?? []) {
				const name = object.Key?.slice(this.#options.prefix.length + 1) ?? '';

				if (name.endsWith('.ts')) {
					this.#uploaded.add(name);
				}
			}

			token = page.NextContinuationToken;
		} while (token !== undefined);

		if (this.#uploaded.size > 0) {
			this.#options.logger.info(
				{ segments: this.#uploaded.size },
				'resuming a recording already in S3',
			);
		}
	}

	async #put(name: string, body: Buffer, contentType: string): Promise<void> {
		await this.#options.s3.send(
			new PutObjectCommand({
				Bucket: this.#options.bucket,
				Key: `${this.#options.prefix}/${name}`,
				Body: body,
				ContentType: contentType,
			}),
		);
	}
}
