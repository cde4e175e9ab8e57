// Builds the operator console into console/web/dist, which the console service serves.
// Every asset is bundled (control-room networks are offline): no CDN, system fonts only.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  // Preact's automatic JSX runtime through Vite's own transformer: no framework plugin needed.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 250,
  },
  server: {
    // `npx vite --config console/web/vite.config.ts` against a running console service.
    proxy: {
      "/api": { target: process.env.CONSOLE_URL ?? "http://127.0.0.1:8080", ws: true },
    },
  },
});
