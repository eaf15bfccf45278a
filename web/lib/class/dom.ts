// A small element builder for the class panels: a tag, its properties and
// its children, so each panel reads as the markup it makes.

type Child = Node | string;

/** Properties set on the element itself (textContent, type, disabled, ariaLabel...). */
export type Props<Tag extends keyof HTMLElementTagNameMap> = Partial<
	Omit<HTMLElementTagNameMap[Tag], 'style' | 'dataset' | 'classList'>
>;

export function h<Tag extends keyof HTMLElementTagNameMap>(
	tag: Tag,
	props: Props<Tag> = {},
	...children: Child[]
): HTMLElementTagNameMap[Tag] {
	const element = Object.assign(document.createElement(tag), props);

	element.append(...children);

	return element;
}

/** "1 person", "2 people": a count with the word that fits it. */
export function counted(count: number, one: string, many: string): string {
	return `${count} ${count === 1 ? one : many}`;
}
