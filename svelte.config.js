/**
 * Svelte 5 compiler options, read by @sveltejs/vite-plugin-svelte and svelte-check.
 * Our components use runes; libraries in node_modules keep whatever mode they were written for.
 */
export default {
  vitePlugin: {
    dynamicCompileOptions({ filename }) {
      if (!filename.includes('/node_modules/')) return { runes: true };
      return undefined;
    },
  },
};
