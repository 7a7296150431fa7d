// Builds the phone app into build/: SvelteKit SPA plus a service worker that precaches the app shell only.
import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { defineConfig } from 'vite';

const THEME = '#0f1115';

export default defineConfig({
  plugins: [
    sveltekit(),
    SvelteKitPWA({
      base: '/app/',
      scope: '/app/',
      registerType: 'autoUpdate',
      injectRegister: false,
      manifest: {
        name: 'Loopsy',
        short_name: 'Loopsy',
        description: "Your laptop's terminals, on your phone.",
        start_url: '/app/',
        scope: '/app/',
        display: 'standalone',
        orientation: 'any',
        background_color: THEME,
        theme_color: THEME,
        icons: [
          { src: '/app/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/app/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          {
            src: '/app/icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      workbox: {
        // Precache the built shell; the relay's /relay and the daemon's /trpc are never cached or intercepted.
        // (An explicit modifyURLPrefix keeps the plugin from adding a prerendered/ pattern an SPA never matches.)
        modifyURLPrefix: {},
        globPatterns: ['client/**/*.{js,css,png,svg,webmanifest,woff2}'],
        navigateFallbackDenylist: [/^\/relay(?:\/|$)/, /^\/trpc(?:\/|$)/],
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        // The first visit is controlled at once, so the app starts offline from then on.
        clientsClaim: true,
      },
      kit: { adapterFallback: 'index.html', spa: true },
    }),
  ],
});
