// A client-only single-page app: the relay serves index.html for every route under /app.
export const ssr = false;
export const prerender = false;
