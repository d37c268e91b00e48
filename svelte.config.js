/**
 * Component styles size with `rem`, which means the root font size of the page they are on. On
 * the site that is ours; in the widget it is a docs page's (62.5 % or 125 % are common), which
 * would shrink or grow every component. So each `Nrem` length becomes
 * `calc(N * var(--ll-rem, 1rem))`: unset on the site (1rem, nothing changes), and set by the
 * widget's shadow host to its own font size (src/widget/main.ts).
 */
const REM = /(^|[^\w.#-])(-?(?:\d+\.?\d*|\.\d+))rem\b/g;

/** @type {import('svelte/compiler').PreprocessorGroup} */
const remThroughVariable = {
  name: 'rem-through-variable',
  style: ({ content }) => ({ code: content.replace(REM, '$1calc($2 * var(--ll-rem, 1rem))') }),
};

export default { preprocess: [remThroughVariable] };
