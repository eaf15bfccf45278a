import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** The pids of the direct children of a process, read from /proc (Linux). */
export function childPids(parentPid: number): number[] {
	return readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry))
		.flatMap((entry) => {
			try {
				// Field 4 of stat is the parent pid; the command in field 2 may
				// hold spaces, so fields are counted after its closing paren.
				const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
				const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');

				return Number(fields[1]) === parentPid ? [Number(entry)] : [];
			} catch {
				return [];
			}
		});
}

/** The command line of a process, arguments joined by spaces; '' when it is gone. */
export function commandLine(pid: number): string {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
	} catch {
		return '';
	}
}

/** The pids of ffmpeg processes (any parent) whose command line holds the text. */
export function processesMentioning(text: string, program = 'ffmpeg'): number[] {
	return readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
		.map(Number)
		.filter((pid) => {
			const line = commandLine(pid);
			// fluent-ffmpeg runs the program by its full path (/usr/bin/ffmpeg).
			const executable = line.split(' ')[0] ?? '';

			return basename(executable) === program && line.includes(text);
		});
}
