import type { ManagedProcess } from './ManagedProcess.ts';

/** What every local server gets from the stack. */
export interface ServerOptions {
	/** The stack's folder; each server keeps its data in a subfolder. */
	dir: string;
	port: number;
	/** The stack's generated secret, used where a server wants a password. */
	password: string;
	/** False for throwaway test stacks: trade crash safety for speed. */
	durable: boolean;
}

export interface StartedServer {
	process: ManagedProcess;
	/** The settings (see common/config.ts) that point a service at this server. */
	env: Record<string, string>;
	address: string;
}
