// Room names of the interactive class, besides the class and user rooms
// joined at the handshake.

export { classRoom, userRoom } from '../authenticate.ts';

/** The teacher's sockets (members with `grants.moderate`): tallies and the hand queue. */
export const moderatorRoom = (classId: string): string => `moderators:${classId}`;

/** One chat delivery slot of a class on a process (signaling/class/ChatDelivery.ts). */
export const chatSlotRoom = (classId: string, slot: number): string =>
	`chat-slot:${classId}:${slot}`;
