// The replay page: plays a recording's VOD with hls.js and lists the class's
// timeline events as the video reaches them, worded by describeEvents.ts. The
// presigned URLs come in the address's fragment, `#vod=<url>&timeline=<url>`,
// which never reaches a server.

import Hls from 'hls.js';

import type { ReplayEvent, ReplayTimeline } from '../../recorder/Timeline.ts';
import { describeEvents } from './describeEvents.ts';

interface ShownEvent extends ReplayEvent {
	/** Where the video was when the event appeared. */
	shownAtSeconds: number;
	/** The line the list shows for it. */
	text: string;
}

/** What tests and the console can read. */
interface ReplayHandle {
	shown: ShownEvent[];
	events: number;
}

declare global {
	interface Window {
		replay?: ReplayHandle;
	}
}

function element<T extends HTMLElement>(id: string, type: new () => T): T {
	const found = document.getElementById(id);

	if (!(found instanceof type)) {
		throw new Error(`the page has no #${id}`);
	}

	return found;
}

const status = element('status', HTMLParagraphElement);
const video = element('vod', HTMLVideoElement);
const list = element('timeline', HTMLOListElement);

function isTimeline(value: unknown): value is ReplayTimeline {
	return (
		typeof value === 'object' &&
		value !== null &&
		'events' in value &&
		Array.isArray(value.events) &&
		value.events.every(
			(event: unknown) =>
				typeof event === 'object' &&
				event !== null &&
				'offsetSeconds' in event &&
				typeof event.offsetSeconds === 'number' &&
				'type' in event &&
				typeof event.type === 'string',
		)
	);
}

async function main(): Promise<void> {
	const params = new URLSearchParams(location.hash.slice(1));
	const vodUrl = params.get('vod');
	const timelineUrl = params.get('timeline');

	if (vodUrl === null || timelineUrl === null) {
		throw new Error('the address needs #vod=<url>&timeline=<url>');
	}

	const response = await fetch(timelineUrl);
	const timeline: unknown = await response.json();

	if (!response.ok || !isTimeline(timeline)) {
		throw new Error(`the timeline could not be read (${response.status})`);
	}

	const sorted = [...timeline.events].sort((a, b) => a.offsetSeconds - b.offsetSeconds);
	const lines = describeEvents(sorted);
	const pending = sorted.map((event, index) => ({ event, text: lines[index] ?? '' }));
	const handle: ReplayHandle = { shown: [], events: pending.length };

	window.replay = handle;

	// Checked on every frame rather than on timeupdate, which fires only
	// every quarter second or so.
	const reveal = (): void => {
		while (pending[0] !== undefined && pending[0].event.offsetSeconds <= video.currentTime) {
			const { event, text } = pending[0];
			const item = document.createElement('li');

			pending.shift();
			// Text only: chat and names are what members typed.
			item.textContent = text;
			item.dataset.type = event.type;
			list.append(item);
			handle.shown.push({ ...event, shownAtSeconds: video.currentTime, text });
		}

		video.requestVideoFrameCallback(reveal);
	};

	video.requestVideoFrameCallback(reveal);

	if (Hls.isSupported()) {
		const hls = new Hls();

		hls.on(Hls.Events.ERROR, (_event, data) => {
			if (data.fatal) {
				status.textContent = `playback failed: ${data.details}`;
			}
		});
		hls.loadSource(vodUrl);
		hls.attachMedia(video);
	} else {
		video.src = vodUrl;
	}

	status.textContent = 'playing';
	await video.play();
}

main().catch((error: unknown) => {
	status.textContent = error instanceof Error ? error.message : String(error);
});
