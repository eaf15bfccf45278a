// The teacher studio: camera (in simulcast), microphone and screen share,
// a preview, and the class around them: raised hands, the stage, polls and
// quiz questions with live tallies, the chat with its moderation, and the
// member list. The class events travel on the media session's socket.

import { ClassClient } from '../lib/ClassClient.ts';
import { ChatModeration } from '../lib/class/ChatModeration.ts';
import { ChatPanel } from '../lib/class/ChatPanel.ts';
import { HandQueuePanel } from '../lib/class/HandQueuePanel.ts';
import { MemberCount } from '../lib/class/MemberCount.ts';
import { MemberList } from '../lib/class/MemberList.ts';
import { PollComposer } from '../lib/class/PollComposer.ts';
import { QuizComposer } from '../lib/class/QuizComposer.ts';
import { StagePanel } from '../lib/class/StagePanel.ts';
import { element, startPage } from '../lib/page.ts';

const page = startPage();
const { session } = page;
const preview = element('#preview', HTMLVideoElement);
const startButton = element('#screen-start', HTMLButtonElement);
const stopButton = element('#screen-stop', HTMLButtonElement);
const client = new ClassClient(session.socket);
const section = (id: string): HTMLElement => element(`#${id}`, HTMLElement);
const members = new MemberList(client, section('members'));

new MemberCount(client, section('class'));
new HandQueuePanel(client, section('hands'));
new StagePanel(client, section('stage'));
new PollComposer(client, section('polls'));
new QuizComposer(client, section('quiz'));
new ChatPanel(client, section('chat'), {
	moderator: { onMuted: (userId) => members.markMuted(userId, true) },
});
new ChatModeration(client, section('chat-moderation'));

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

startButton.addEventListener('click', () => void startScreen());
stopButton.addEventListener('click', () => void stopScreen());
page.startScreen = startScreen;
page.stopScreen = stopScreen;
page.ready = startCamera();
