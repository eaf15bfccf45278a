import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import type { Logger } from '../common/logger.ts';
import { RepeatingTask } from '../common/RepeatingTask.ts';
import { cacheControl } from './Origin.ts';

export interface S3PublisherOptions {
	s3: S3Client;
	bucket: string;
	/** Objects go under `<prefix>/<file>`, e.g. `live/<classId>`. */
	prefix: string;
	/** The ladder's output folder. */
	dir: string;
	logger: Logger;
	intervalMs?: number;
	/** How long a segment stays in S3 after it left every live playlist. */
	expireAfterMs?: number;
}

const CONTENT_TYPES = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t' } as const;

/**
 * Mirrors a live ladder folder into S3, the CDN's origin: every segment a
 * playlist lists is uploaded before the playlist that names it, so no
 * player ever sees a playlist pointing at a missing segment. Segments that
 * have left the live window are deleted after a grace period.
 */
export class S3Publisher {
	readonly #options: S3PublisherOptions;
	readonly #uploaded = new Set<string>();
	/** Segment name → when it was last seen in a playlist. */
	readonly #lastListed = new Map<string, number>();
	readonly #playlistBodies = new Map<string, string>();
	readonly #loop: RepeatingTask;
	#closed = false;

	constructor(options: S3PublisherOptions) {
		this.#options = options;
		this.#loop = new RepeatingTask(
			() => this.sync(),
			options.intervalMs ?? 250,
			(error) => {
				options.logger.warn({ err: error }, 'publishing to S3 failed; retrying');
			},
		);
	}

	start(): void {
		this.#loop.start();
	}

	/** Stops after a last pass, so the final playlists reach S3. */
	async close(): Promise<void> {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		await this.#loop.stop();
		await this.sync();
	}

	/** One pass: new segments, then changed playlists, then expired segments. */
	async sync(): Promise<void> {
		const master = await this.#read('master.m3u8');

		if (master === undefined) {
			return;
		}

		const variants = playlistEntries(master);
		const now = Date.now();
		const playlists = new Map<string, string>();

		for (const variant of variants) {
			const body = await this.#read(variant);

			if (body === undefined) {
				continue;
			}

			playlists.set(variant, body);
			for (const segment of playlistEntries(body)) {
				this.#lastListed.set(segment, now);
				if (!this.#uploaded.has(segment)) {
					await this.#put(segment, await readFile(join(this.#options.dir, segment)));
					this.#uploaded.add(segment);
				}
			}
		}

		for (const [name, body] of [['master.m3u8', master] as const, ...playlists]) {
			if (this.#playlistBodies.get(name) !== body) {
				await this.#put(name, Buffer.from(body));
				this.#playlistBodies.set(name, body);
			}
		}

		await this.#expire(now);
	}

	async #expire(now: number): Promise<void> {
		const grace = this.#options.expireAfterMs ?? 30_000;
		const expired = [...this.#lastListed]
			.filter(([, seen]) => now - seen > grace)
			.map(([name]) => name);

		if (expired.length === 0) {
			return;
		}

		await this.#options.s3.send(
			new DeleteObjectsCommand({
				Bucket: this.#options.bucket,
				Delete: { Objects: expired.map((name) => ({ Key: this.#key(name) })), Quiet: true },
			}),
		);
		for (const name of expired) {
			this.#lastListed.delete(name);
			this.#uploaded.delete(name);
		}
	}

	async #put(name: string, body: Buffer): Promise<void> {
		const extension = name.endsWith('.m3u8') ? 'm3u8' : 'ts';

		await this.#options.s3.send(
			new PutObjectCommand({
				Bucket: this.#options.bucket,
				Key: this.#key(name),
				Body: body,
				ContentType: CONTENT_TYPES[extension],
				CacheControl: cacheControl(name),
			}),
		);
	}

	#key(name: string): string {
		return `${this.#options.prefix}/${name}`;
	}

	async #read(name: string): Promise<string | undefined> {
		return readFile(join(this.#options.dir, name), 'utf8').catch(() => undefined);
	}
}

/** The URIs a playlist lists: variant playlists in a master, segments in a variant. */
function playlistEntries(playlist: string): string[] {
	return playlist
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line !== '' && !line.startsWith('#') && /^[a-z0-9_]+\.(m3u8|ts)$/.test(line));
}
