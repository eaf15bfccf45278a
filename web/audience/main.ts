// The audience page: plays the class's HLS program with hls.js, which picks
// the rendition by measured bandwidth. It starts muted so browsers let it
// autoplay; the controls unmute it.
//
// Beside the video, the page takes part in the class over a socket.io
// connection of its own: chat, the member count, the raised hand, polls and
// quiz questions, and the teacher's invitation to the stage.
//
// NOTE: the audience never joins the media session from this page (it sends
// no media:join). A member who accepts a place on the stage is linked to the
// stage page with the same join token, and that page publishes.

import Hls from 'hls.js';

import { ClassClient } from '../lib/ClassClient.ts';
import { ChatPanel } from '../lib/class/ChatPanel.ts';
import { HandButton } from '../lib/class/HandButton.ts';
import { MemberCount } from '../lib/class/MemberCount.ts';
import { PollBoard } from '../lib/class/PollBoard.ts';
import { QuizBoard } from '../lib/class/QuizBoard.ts';
import { StageInvitation } from '../lib/class/StageInvitation.ts';
import { element, readToken } from '../lib/page.ts';
import type { ErrorBody } from '../../signaling/protocol/errors.ts';

export interface AudienceHandle {
	classId: string;
	/** The playback position in seconds. */
	currentTime(): number;
	/** The height of the rendition playing now, if known. */
	level(): number | undefined;
	/** The heights of every rendition the master playlist offers, as hls.js orders them. */
	levels(): number[];
	/** Wall clock minus the program date-time of what plays now, in ms. */
	latencyMs(): number | undefined;
	/** Fatal errors hls.js could not recover from, most recent last. */
	errors: string[];
}

declare global {
	interface Window {
		audience?: AudienceHandle;
	}
}

/** How long to wait before loading the playlist again after a fatal error. */
const RETRY_MS = 1000;

/** The class id from the join token's claims (the server verifies the token, not this page). */
function classIdOf(token: string): string {
	const [, payload = ''] = token.split('.');
	const claims: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));

	if (typeof claims !== 'object' || claims === null || !('classId' in claims)) {
		throw new Error('the join token names no class');
	}

	return String(claims.classId);
}

/** The class beside the video, on a socket of the page's own. */
function joinClass(token: string): void {
	const status = element('#class-status', HTMLElement);
	const client = ClassClient.connect(location.origin, token);
	const section = (id: string): HTMLElement => element(`#${id}`, HTMLElement);

	client.socket.on('connect', () => {
		status.textContent = 'connected';
	});
	client.socket.on('disconnect', (reason) => {
		status.textContent =
			reason === 'io server disconnect'
				? 'disconnected by the server'
				: 'disconnected; reconnecting';
	});
	client.socket.on('connect_error', (error: Error & { data?: ErrorBody }) => {
		status.textContent = `cannot connect: ${error.data?.code ?? error.message}`;
	});

	new MemberCount(client, section('class'));
	new HandButton(client, section('hand'));
	new StageInvitation(client, section('stage'), {
		stagePageUrl: `/stage/#token=${encodeURIComponent(token)}`,
	});
	new PollBoard(client, section('polls'));
	new QuizBoard(client, section('quiz'));
	new ChatPanel(client, section('chat'));
}

function start(): void {
	const status = element('#status', HTMLElement);
	const video = element('#program', HTMLVideoElement);
	const token = readToken();
	const classId = classIdOf(token);

	joinClass(token);
	const source = `/live/${classId}/master.m3u8`;
	const errors: string[] = [];

	if (!Hls.isSupported()) {
		status.textContent = 'this browser cannot play HLS through Media Source Extensions';

		return;
	}

	const hls = new Hls({
		// Stay close to the live edge: a few one-second segments behind it.
		liveSyncDurationCount: 2,
		liveMaxLatencyDurationCount: 5,
		maxLiveSyncPlaybackRate: 1.1,
		lowLatencyMode: true,
		backBufferLength: 10,
		// The playlist can be missing for a moment while the program starts.
		manifestLoadPolicy: {
			default: {
				maxTimeToFirstByteMs: 10_000,
				maxLoadTimeMs: 20_000,
				timeoutRetry: { maxNumRetry: 10, retryDelayMs: 500, maxRetryDelayMs: 2000 },
				errorRetry: { maxNumRetry: 60, retryDelayMs: 1000, maxRetryDelayMs: 2000 },
			},
		},
	});

	hls.on(Hls.Events.MANIFEST_PARSED, () => {
		status.textContent = 'playing';
		void video.play().catch(() => {
			status.textContent = 'press play';
		});
	});
	hls.on(Hls.Events.ERROR, (_event, data) => {
		if (!data.fatal) {
			return;
		}

		errors.push(`${data.type}: ${data.details}`);
		status.textContent = `recovering (${data.details})`;
		if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
			hls.recoverMediaError();

			return;
		}

		// The origin or the program went away for a moment: load it again.
		setTimeout(() => {
			hls.loadSource(source);
			hls.startLoad();
		}, RETRY_MS);
	});
	hls.loadSource(source);
	hls.attachMedia(video);

	window.audience = {
		classId,
		currentTime: () => video.currentTime,
		level: () => hls.levels[hls.currentLevel]?.height,
		levels: () => hls.levels.map((level) => level.height),
		latencyMs: () => {
			const playing = hls.playingDate;

			return playing === null ? undefined : Date.now() - playing.getTime();
		},
		errors,
	};
}

start();
