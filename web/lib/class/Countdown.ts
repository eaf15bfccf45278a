// The seconds left on a timed quiz question, ticking once a second until
// the time is up or the question closes first.
//
// NOTE: `closesAt` is on the server's clock, so the countdown reads the
// server's time as the page estimates it (ClassClient.serverNow), not the
// browser's own clock, which may be minutes off. Either way the server takes
// answers only until closesAt by its own clock.

import { h } from './dom.ts';

export class Countdown {
	readonly element = h('p', { className: 'countdown', role: 'timer' });
	readonly #closesAt: number;
	readonly #now: () => number;
	#timer: ReturnType<typeof setInterval> | undefined;
	#onEnd: () => void = () => undefined;

	/** `now` tells the time on the server's clock. */
	constructor(closesAt: number, now: () => number) {
		this.#closesAt = closesAt;
		this.#now = now;
	}

	/** Starts ticking; `onEnd` runs once when the time is up. */
	start(onEnd: () => void): void {
		this.#onEnd = onEnd;
		this.#timer ??= setInterval(() => this.#tick(), 1000);
		this.#tick();
	}

	/** Stops ticking; idempotent. */
	stop(): void {
		clearInterval(this.#timer);
	}

	#tick(): void {
		const left = Math.max(0, Math.ceil((this.#closesAt - this.#now()) / 1000));

		this.element.textContent = left > 0 ? `${left} s left` : 'Time is up.';
		if (left === 0) {
			this.stop();
			this.#onEnd();
		}
	}
}
