// The limits of the class protocol that the pages show to people (input
// lengths, option counts). Kept apart from the schemas so that a page can
// read them without bundling zod.

/** The longest chat message, in characters. */
export const CHAT_MAX_CHARS = 500;

/** The most options a poll or quiz question may offer. */
export const POLL_MAX_OPTIONS = 10;
