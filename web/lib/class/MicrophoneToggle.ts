// A stage member's microphone switch. The teacher's mute (`stage:mute`)
// turns the microphone off at once; the teacher's unmute only asks, and the
// member decides.
//
// A muted microphone is a disabled track: the producer keeps running and
// sends silence, so unmuting needs no new negotiation.

import type { ClassClient } from '../ClassClient.ts';
import { h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';

export class MicrophoneToggle {
	readonly #button = h('button', {
		type: 'button',
		textContent: 'Mute microphone',
		disabled: true,
	});
	readonly #feedback = new FeedbackLine();
	#track: MediaStreamTrack | undefined;
	/** Kept apart from the track, so a mute that comes before the track still holds. */
	#muted = false;

	constructor(client: ClassClient, host: HTMLElement) {
		host.append(h('p', {}, this.#button), this.#feedback.element);
		this.#button.addEventListener('click', () => {
			this.#set(!this.#muted);
			this.#feedback.clear();
		});
		client.on('stage:mute', ({ muted }) => {
			if (muted) {
				this.#set(true);
				this.#feedback.show('The teacher muted your microphone.');
			} else if (this.#muted) {
				this.#feedback.show('The teacher asks you to unmute your microphone.');
			}
		});
	}

	/** The microphone track the page publishes. */
	attach(track: MediaStreamTrack): void {
		this.#track = track;
		this.#button.disabled = false;
		this.#set(this.#muted);
	}

	#set(muted: boolean): void {
		this.#muted = muted;
		if (this.#track !== undefined) {
			this.#track.enabled = !muted;
		}

		this.#button.textContent = muted ? 'Unmute microphone' : 'Mute microphone';
	}
}
