// The stage page of a student: publishes camera and microphone, shows and
// plays the teacher and everyone else on stage.

import { element, startPage } from '../lib/page.ts';

const page = startPage();
const preview = element('#preview', HTMLVideoElement);

async function startCamera(): Promise<void> {
	const stream = await navigator.mediaDevices.getUserMedia({
		audio: true,
		video: { width: { ideal: 640 }, height: { ideal: 360 } },
	});
	const [video] = stream.getVideoTracks();
	const [audio] = stream.getAudioTracks();

	preview.srcObject = stream;
	await Promise.all([
		video === undefined ? undefined : page.session.publish('camera', video),
		audio === undefined ? undefined : page.session.publish('microphone', audio),
	]);
}

page.ready = startCamera();
