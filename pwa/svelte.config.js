// SvelteKit as a static single-page app served by the relay under /app.
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    // Absolute asset URLs: the fallback page is served at /app, /app/sessions, /app/terminal alike.
    paths: { base: '/app', relative: false },
    serviceWorker: { register: false },
  },
};

export default config;
