import type { MediaNotifications } from '../signaling/protocol/media.ts';

/**
 * Where the SFU sends what pages must learn: to one peer, or to every
 * member of a class. Signaling implements it over socket.io rooms.
 */
export interface MediaNotifier {
	toPeer<Name extends keyof MediaNotifications>(
		peerId: string,
		event: Name,
		payload: MediaNotifications[Name],
	): void;
	toClass<Name extends keyof MediaNotifications>(
		classId: string,
		event: Name,
		payload: MediaNotifications[Name],
	): void;
}
