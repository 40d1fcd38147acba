/** Ambient types for the UI: lets TypeScript (tsc, not only svelte-check) import `.svelte` files. */
/// <reference types="svelte" />
