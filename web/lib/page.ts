// What every page shares: the join token from the address, the session,
// the grid of remote video and audio, a status line, and a small handle on
// `window.classroom` that tests and the console can read.

import { MediaSession, type RemoteTrack } from './MediaSession.ts';

export interface PageHandle {
	session: MediaSession;
	/** Milliseconds from navigation start to the first decoded remote video frame. */
	firstFrameMs: number | undefined;
	/** The same for the page's own camera preview: what the browser alone takes. */
	previewFirstFrameMs: number | undefined;
	receiveStats: MediaSession['receiveStats'];
	remoteVideoCount(): number;
	/** Settles once the page has its camera and microphone and has asked to publish them. */
	ready?: Promise<void>;
	/** Teacher studio only. */
	startScreen?: () => Promise<void>;
	stopScreen?: () => Promise<void>;
}

declare global {
	interface Window {
		classroom?: PageHandle;
	}
}

/** The join token from `#token=...` or `?token=...`. */
export function readToken(): string {
	const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
	const token = fromHash ?? new URLSearchParams(location.search).get('token');

	if (token === null || token === '') {
		throw new Error('open this page with #token=<join token> in the address');
	}

	return token;
}

export function element<T extends HTMLElement>(selector: string, type: new () => T): T {
	const found = document.querySelector(selector);

	if (!(found instanceof type)) {
		throw new Error(`the page has no ${selector}`);
	}

	return found;
}

/** Starts the session and shows what it receives in `#remotes`. */
export function startPage(): PageHandle {
	const status = element('#status', HTMLElement);
	const remotes = element('#remotes', HTMLElement);
	let token: string;

	try {
		token = readToken();
	} catch (error) {
		status.textContent = error instanceof Error ? error.message : String(error);
		throw error;
	}

	const session = new MediaSession(location.origin, token);
	const handle: PageHandle = {
		session,
		firstFrameMs: undefined,
		previewFirstFrameMs: undefined,
		receiveStats: () => session.receiveStats(),
		remoteVideoCount: () => remotes.querySelectorAll('video').length,
	};

	session.on('status', (text) => {
		status.textContent = text;
	});
	session.on('remoteAdded', (remote) => remotes.append(render(remote, handle)));
	session.on('remoteRemoved', (consumerId) => {
		remotes.querySelector(`[data-consumer-id="${CSS.escape(consumerId)}"]`)?.remove();
	});
	element('#preview', HTMLVideoElement).requestVideoFrameCallback(() => {
		handle.previewFirstFrameMs ??= performance.now();
	});
	window.classroom = handle;

	return handle;
}

function render(remote: RemoteTrack, handle: PageHandle): HTMLElement {
	const { producer, track } = remote;
	const media = document.createElement(producer.kind === 'video' ? 'video' : 'audio');

	media.srcObject = new MediaStream([track]);
	media.autoplay = true;
	media.dataset.consumerId = remote.consumerId;
	media.dataset.source = producer.source;
	media.dataset.userId = producer.userId;
	media.title = `${producer.displayName} (${producer.source})`;
	if (media instanceof HTMLVideoElement) {
		media.muted = true;
		media.playsInline = true;
		media.requestVideoFrameCallback(() => {
			handle.firstFrameMs ??= performance.now();
		});
	}

	void media.play().catch(() => {
		// Autoplay of audio may wait for a click; video is muted and plays.
	});

	return media;
}
