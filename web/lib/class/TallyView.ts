// A poll's or quiz question's tally, drawn the same way on every page, so
// the teacher and the audience read the same figures.

import type { Tally } from '../../../signaling/protocol/class.ts';
import { counted, h } from './dom.ts';

/** The tally as a list, one option a line; `correct` marks a quiz's right answer. */
export function renderTally(
	options: readonly string[],
	tally: Tally,
	correct?: number,
): HTMLElement {
	const rows = options.map((option, index) => {
		const count = tally.counts[index] ?? 0;
		const share = tally.voters === 0 ? 0 : Math.round((count * 100) / tally.voters);
		const right = index === correct;

		return h(
			'li',
			{ className: right ? 'right' : '' },
			h('span', { className: 'option' }, right ? `${option} (right answer)` : option),
			' ',
			h('meter', { min: 0, max: Math.max(1, tally.voters), value: count, ariaHidden: 'true' }),
			' ',
			h('span', { className: 'count' }, `${count} (${share}%)`),
		);
	});

	return h(
		'div',
		{ className: 'tally' },
		h('ul', {}, ...rows),
		h('p', {}, `${counted(tally.voters, 'person', 'people')} answered`),
	);
}
