// The teacher studio: camera (in simulcast), microphone and screen share,
// a preview, and who is on stage.

import { element, startPage } from '../lib/page.ts';

const page = startPage();
const { session } = page;
const preview = element('#preview', HTMLVideoElement);
const startButton = element('#screen-start', HTMLButtonElement);
const stopButton = element('#screen-stop', HTMLButtonElement);
const stage = element('#stage', HTMLUListElement);

async function startCamera(): Promise<void> {
	const stream = await navigator.mediaDevices.getUserMedia({
		audio: true,
		video: { width: { ideal: 1280 }, height: { ideal: 720 } },
	});
	const [video] = stream.getVideoTracks();
	const [audio] = stream.getAudioTracks();

	preview.srcObject = stream;
	await Promise.all([
		video === undefined ? undefined : session.publish('camera', video, true),
		audio === undefined ? undefined : session.publish('microphone', audio),
	]);
}

async function startScreen(): Promise<void> {
	const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
	const [track] = stream.getVideoTracks();

	if (track === undefined) {
		return;
	}

	track.addEventListener('ended', () => {
		startButton.disabled = false;
		stopButton.disabled = true;
	});
	await session.publish('screen', track);
	startButton.disabled = true;
	stopButton.disabled = false;
}

async function stopScreen(): Promise<void> {
	await session.unpublish('screen');
	startButton.disabled = false;
	stopButton.disabled = true;
}

/** Lists the distinct people whose media this page receives. */
function showStage(): void {
	const names = new Set([...session.remotes.values()].map((remote) => remote.producer.displayName));

	stage.replaceChildren(
		...[...names].map((name) => Object.assign(document.createElement('li'), { textContent: name })),
	);
}

session.on('remoteAdded', showStage);
session.on('remoteRemoved', showStage);
startButton.addEventListener('click', () => void startScreen());
stopButton.addEventListener('click', () => void stopScreen());
page.startScreen = startScreen;
page.stopScreen = stopScreen;
page.ready = startCamera();
