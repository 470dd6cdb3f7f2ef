/** A few DOM helpers for the web UI's pages: elements from tag, attributes and children; no framework. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/**
 * `<tag attrs>children</tag>`: an attribute `onX` with a function becomes an event listener, `true`
 * an empty attribute, `false`/null/undefined none; string children become text nodes (never HTML).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** Appends `children` (text for strings and numbers; nothing for null, undefined, false). */
export function append(el: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces the children of `el` by `children`. */
export function replace(el: Node, ...children: Child[]): void {
  while (el.firstChild !== null) el.removeChild(el.firstChild);
  append(el, children);
}

/** A labelled form control: `<label>text control</label>`. */
export function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  return h('label', {}, h('span', { class: 'label' }, text), control);
}
