// The stage page of a student: publishes camera and microphone, shows and
// plays the teacher and everyone else on stage, and takes part in the class:
// chat, the member count, polls and quiz questions, and the microphone the
// teacher may mute. The class events travel on the media session's socket.

import { ClassClient } from '../lib/ClassClient.ts';
import { ChatPanel } from '../lib/class/ChatPanel.ts';
import { MemberCount } from '../lib/class/MemberCount.ts';
import { MicrophoneToggle } from '../lib/class/MicrophoneToggle.ts';
import { PollBoard } from '../lib/class/PollBoard.ts';
import { QuizBoard } from '../lib/class/QuizBoard.ts';
import { element, startPage } from '../lib/page.ts';

const page = startPage();
const preview = element('#preview', HTMLVideoElement);
const client = new ClassClient(page.session.socket);
const section = (id: string): HTMLElement => element(`#${id}`, HTMLElement);
const microphone = new MicrophoneToggle(client, section('microphone'));

new MemberCount(client, section('class'));
new ChatPanel(client, section('chat'));
new PollBoard(client, section('polls'));
new QuizBoard(client, section('quiz'));

async function startCamera(): Promise<void> {
	const stream = await navigator.mediaDevices.getUserMedia({
		audio: true,
		video: { width: { ideal: 640 }, height: { ideal: 360 } },
	});
	const [video] = stream.getVideoTracks();
	const [audio] = stream.getAudioTracks();

	preview.srcObject = stream;
	if (audio !== undefined) {
		microphone.attach(audio);
	}

	await Promise.all([
		video === undefined ? undefined : page.session.publish('camera', video),
		audio === undefined ? undefined : page.session.publish('microphone', audio),
	]);
}

page.ready = startCamera();
