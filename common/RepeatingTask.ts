/**
 * Runs an async step again and again, a fixed pause after each run ends (so
 * runs never overlap), until stopped. A failed run is reported and the next
 * one tries again.
 */
export class RepeatingTask {
	readonly #run: () => Promise<void>;
	readonly #intervalMs: number;
	readonly #onError: (error: unknown) => void;
	#timer: NodeJS.Timeout | undefined;
	#running: Promise<void> = Promise.resolve();
	#stopped = false;

	constructor(run: () => Promise<void>, intervalMs: number, onError: (error: unknown) => void) {
		this.#run = run;
		this.#intervalMs = intervalMs;
		this.#onError = onError;
	}

	start(): void {
		const tick = (): void => {
			this.#running = this.#run()
				.catch(this.#onError)
				.finally(() => {
					if (!this.#stopped) {
						this.#timer = setTimeout(tick, this.#intervalMs);
					}
				});
		};

		tick();
	}

	/** Stops scheduling and waits for a run in progress; idempotent. */
	async stop(): Promise<void> {
		this.#stopped = true;
		clearTimeout(this.#timer);
		await this.#running;
	}
}
