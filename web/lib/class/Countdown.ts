// The seconds left on a timed quiz question, ticking once a second until
// the time is up or the question closes first.
//
// NOTE: `closesAt` is the server's clock and this counts on the browser's;
// a skewed clock shows the wrong time, but the server still takes answers
// only until closesAt by its own clock.

import { h } from './dom.ts';

export class Countdown {
	readonly element = h('p', { className: 'countdown', role: 'timer' });
	readonly #closesAt: number;
	#timer: ReturnType<typeof setInterval> | undefined;
	#onEnd: () => void = () => undefined;

	constructor(closesAt: number) {
		this.#closesAt = closesAt;
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
		const left = Math.max(0, Math.ceil((this.#closesAt - Date.now()) / 1000));

		this.element.textContent = left > 0 ? `${left} s left` : 'Time is up.';
		if (left === 0) {
			this.stop();
			this.#onEnd();
		}
	}
}
