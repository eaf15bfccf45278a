import { Counter, Gauge, type Registry } from 'prom-client';

import type { ClassLifecycleEvent } from '../common/events/ClassLifecycle.ts';
import { ClassRecording, completeRecording, type RecordingSettings } from './ClassRecording.ts';
import type { ProgramSource } from './ProgramSource.ts';

export interface RecorderOptions extends RecordingSettings {
	source: ProgramSource;
	registry?: Registry;
}

/**
 * Records every live class: starts on `class.started`, finalizes on
 * `class.ended`, and on start picks up classes that are live and recordings
 * that are unfinished. Work on one class runs in order; classes run side by side.
 */
export class Recorder {
	readonly #options: RecorderOptions;
	readonly #live = new Map<string, ClassRecording>();
	/** The tail of each class's chain of work. */
	readonly #queues = new Map<string, Promise<void>>();
	readonly #finalized: Counter;
	readonly #failures: Counter;
	#closed = false;

	constructor(options: RecorderOptions) {
		this.#options = options;

		const registers = options.registry === undefined ? [] : [options.registry];

		const live = this.#live;

		new Gauge({
			name: 'recorder_live_recordings',
			help: 'Classes being recorded by this process',
			registers,
			collect() {
				this.set(live.size);
			},
		});
		this.#finalized = new Counter({
			name: 'recorder_finalized_total',
			help: 'Recordings finalized into a VOD',
			registers,
		});
		this.#failures = new Counter({
			name: 'recorder_failures_total',
			help: 'Recordings that could not be started or finalized',
			registers,
		});
	}

	/** Classes being recorded now. */
	get liveClassIds(): string[] {
		return [...this.#live.keys()];
	}

	/** Resumes what a previous run left: live classes, and recordings of ended ones. */
	async start(): Promise<void> {
		const { db } = this.#options;
		const live = await db.selectFrom('classes').select('id').where('state', '=', 'live').execute();
		const unfinished = await db
			.selectFrom('recordings')
			.innerJoin('classes', 'classes.id', 'recordings.class_id')
			.select('classes.id')
			.where('recordings.state', 'in', ['recording', 'processing'])
			.where('classes.state', '!=', 'live')
			.execute();

		this.#options.logger.info(
			{ live: live.length, unfinished: unfinished.length },
			'resuming recordings',
		);

		await Promise.all([
			...live.map((row) => this.#enqueue(row.id, () => this.#begin(row.id))),
			...unfinished.map((row) => this.#enqueue(row.id, () => this.#end(row.id))),
		]);
	}

	/** Acts on one lifecycle message; resolves when that class's work is done. */
	handle(event: ClassLifecycleEvent): Promise<void> {
		return this.#enqueue(event.classId, () =>
			event.type === 'class.started' ? this.#begin(event.classId) : this.#end(event.classId),
		);
	}

	/** Stops every recording without finalizing, for a restart to resume; idempotent. */
	async close(): Promise<void> {
		this.#closed = true;
		await Promise.all(this.#queues.values());
		await Promise.all([...this.#live.values()].map((recording) => recording.close()));
		this.#live.clear();
	}

	#enqueue(classId: string, work: () => Promise<void>): Promise<void> {
		const logger = this.#options.logger.child({ classId });
		const next = (this.#queues.get(classId) ?? Promise.resolve())
			.then(work)
			.catch((error: unknown) => {
				this.#failures.inc();
				logger.error({ err: error }, 'recording failed');
			});

		this.#queues.set(classId, next);
		void next.then(() => {
			if (this.#queues.get(classId) === next) {
				this.#queues.delete(classId);
			}
		});

		return next;
	}

	async #begin(classId: string): Promise<void> {
		if (this.#closed || this.#live.has(classId)) {
			return;
		}

		// The channel is shared by every deployment on the Redis server, and a
		// message can be stale: only a class live in this database is recorded.
		const row = await this.#options.db
			.selectFrom('classes')
			.select('state')
			.where('id', '=', classId)
			.executeTakeFirst();

		if (row?.state !== 'live') {
			return;
		}

		this.#live.set(
			classId,
			await ClassRecording.start(classId, this.#options, this.#options.source),
		);
	}

	async #end(classId: string): Promise<void> {
		const recording = this.#live.get(classId);

		if (recording !== undefined) {
			this.#live.delete(classId);
			await recording.finish();
			this.#finalized.inc();

			return;
		}

		// Ended while no recorder held it: finalize what reached S3.
		const unfinished = await this.#options.db
			.selectFrom('recordings')
			.select('id')
			.where('class_id', '=', classId)
			.where('state', 'in', ['recording', 'processing'])
			.executeTakeFirst();

		if (unfinished !== undefined && !this.#closed) {
			await completeRecording(classId, this.#options);
			this.#finalized.inc();
		}
	}
}
