// Bundles the UI into dist/ (embedded by the Tauri build): one script, one
// stylesheet, no inline code (the CSP allows neither inline scripts nor styles).
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  format: "esm",
  target: "es2022",
  outfile: "dist/app.js",
  minify: true,
  sourcemap: false,
  logLevel: "warning",
});
cpSync("index.html", "dist/index.html");
cpSync("src/style.css", "dist/style.css");
