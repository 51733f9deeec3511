// Build the self-hosted front-end into orientamento/static/dist.
//
// - JavaScript: one bundle (esbuild) of the only Bootstrap Italia plugins the pages use
//   (the header's collapsible navbar, the form labels, mouse-focus tracking), htmx and
//   assets/app.js. The pages use no other data-bs-* API (grep templates for data-bs-).
// - CSS: Bootstrap Italia with the selectors no template, Python module or script names
//   removed (PurgeCSS), preceded by the fonts' @font-face rules (Bootstrap Italia's own
//   font loader injects an inline <style>, which our CSP forbids); assets/app.css; and
//   right-to-left variants of both for Arabic (rtlcss).
// - The SVG sprite keeps only the icons named in templates and Python modules.
// - Every file also gets a content-hashed name (name.<hash>.ext), listed in manifest.json
//   for the `asset_url` template helper (orientamento/core/assets.py); stylesheets point to
//   the hashed fonts. Text files get .gz and .br siblings, served precompressed.
// - The build is written into orientamento/static/builds/<id>/ and then published by
//   replacing the symbolic link orientamento/static/dist with rename(2), which is atomic:
//   a running server sees the old build or the new one, never half of one. Hashed files of
//   the previous build are carried over, so pages rendered just before a swap still load.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync,
  renameSync, rmSync, symlinkSync, writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { PurgeCSS } from "purgecss";
import rtlcss from "rtlcss";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nm = join(root, "node_modules");
const bi = join(nm, "bootstrap-italia", "dist");
const staticDir = join(root, "orientamento", "static");
const published = join(staticDir, "dist");
const builds = join(staticDir, "builds");
const buildId = `${new Date().toISOString().replace(/[-:.]/g, "")}-${process.pid}`;
const out = join(builds, buildId);

mkdirSync(out, { recursive: true });
const files = {}; // logical name (e.g. "css/app.css") -> contents
const put = (name, contents) => { files[name] = contents; };

// --- JavaScript ----------------------------------------------------------------------
// Bootstrap Italia declares its plugins free of side effects, so a bare import would be
// dropped: naming the classes keeps each module, and with it its data-API listeners.
const entry = `
import TrackFocus from "bootstrap-italia/dist/plugins/track-focus.js";
import NavBarCollapsible from "bootstrap-italia/dist/plugins/navbar-collapsible.js";
import Input from "bootstrap-italia/dist/plugins/input.js";
import htmx from "htmx.org";
window.bootstrap = { TrackFocus, NavBarCollapsible, Input };
window.htmx = htmx;
import "./app.js";
`;
const bundle = await esbuild.build({
  stdin: { contents: entry, resolveDir: join(root, "assets"), sourcefile: "site.js" },
  bundle: true, minify: true, format: "iife", target: ["es2020"], write: false,
  legalComments: "none", logLevel: "warning",
});
put("js/site.js", bundle.outputFiles[0].text);

// --- fonts -----------------------------------------------------------------------------
// Latin fonts of Bootstrap Italia: only woff2 and woff are needed by current browsers.
const families = [
  ["Titillium Web", "Titillium_Web", "titillium-web-v10-latin-ext_latin", ["300", "regular", "600", "700"]],
  ["Roboto Mono", "Roboto_Mono", "roboto-mono-v13-latin-ext_latin", ["regular", "700"]],
  ["Lora", "Lora", "lora-v20-latin-ext_latin", ["regular", "700"]],
];
let fonts = "";
for (const [family, folder, prefix, weights] of families) {
  for (const weight of weights) {
    for (const ext of ["woff2", "woff"]) {
      put(`fonts/${folder}/${prefix}-${weight}.${ext}`, readFileSync(join(bi, "fonts", folder, `${prefix}-${weight}.${ext}`)));
    }
    const numeric = weight === "regular" ? "400" : weight;
    fonts += `@font-face{font-family:'${family}';font-style:normal;font-weight:${numeric};font-display:swap;` +
      `src:url('../fonts/${folder}/${prefix}-${weight}.woff2') format('woff2'),url('../fonts/${folder}/${prefix}-${weight}.woff') format('woff')}\n`;
  }
}
// Arabic script: Noto Sans Arabic, self-hosted from @fontsource, subset to the Arabic block
// (the letters of Arabic, Persian and Urdu, their marks, digits and punctuation) and the
// joiners: the 1,226 characters of the full font (Arabic Supplement and Extended-A,
// presentation forms) cost a first visit in Arabic twice the bytes. assets/subset_font.py
// (fontTools, with the project's Python) keeps every layout feature, so shaping is
// unchanged. The unicode-range names only Arabic characters: Latin text never loads it.
const arabic = join(nm, "@fontsource", "noto-sans-arabic", "files");
const ARABIC_CHARACTERS = "U+0600-06FF,U+200C-200D";
const python = process.env.PYTHON
  ?? [join(root, ".venv", "bin", "python"), join(root, ".venv", "Scripts", "python.exe")].find(existsSync)
  ?? "python3";
const subsetDir = mkdtempSync(join(tmpdir(), "orientamento-fonts-"));
try {
  for (const weight of ["400", "700"]) {
    const name = `noto-sans-arabic-arabic-${weight}-normal`;
    const [woff2, woff] = ["woff2", "woff"].map((ext) => join(subsetDir, `${name}.${ext}`));
    execFileSync(python, [join(root, "assets", "subset_font.py"), join(arabic, `${name}.woff2`),
      woff2, woff, ARABIC_CHARACTERS], { stdio: ["ignore", "inherit", "inherit"] });
    put(`fonts/Noto_Sans_Arabic/${name}.woff2`, readFileSync(woff2));
    put(`fonts/Noto_Sans_Arabic/${name}.woff`, readFileSync(woff));
    fonts += `@font-face{font-family:'Noto Sans Arabic';font-style:normal;font-weight:${weight};font-display:swap;` +
      `src:url('../fonts/Noto_Sans_Arabic/${name}.woff2') format('woff2'),` +
      `url('../fonts/Noto_Sans_Arabic/${name}.woff') format('woff');unicode-range:${ARABIC_CHARACTERS}}\n`;
  }
} finally {
  rmSync(subsetDir, { recursive: true, force: true });
}
put("css/fonts.css", fonts);

// --- CSS -------------------------------------------------------------------------------
const walk = (dir, test) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
  const path = join(dir, e.name);
  if (e.isDirectory()) return e.name === "__pycache__" ? [] : walk(path, test);
  return test(e.name) ? [path] : [];
});
const content = [
  ...walk(join(root, "templates"), (n) => n.endsWith(".html")),
  ...walk(join(root, "orientamento"), (n) => n.endsWith(".py")).filter((p) => !p.includes(`${join("orientamento", "static")}`)),
  ...walk(join(root, "assets"), (n) => n.endsWith(".js")),
].map((file) => ({ raw: readFileSync(file, "utf8"), extension: extname(file).slice(1) }));
// The bundle names the classes its plugins add (expanded, show, focus--mouse, htmx-request...).
content.push({ raw: files["js/site.js"], extension: "js" });
// Words, with the characters Bootstrap class names and Jinja expressions use.
const extractor = (text) => text.match(/[A-Za-z0-9_-]+/g) || [];
const biCss = readFileSync(join(bi, "css", "bootstrap-italia.min.css"), "utf8").replace(/\/\*# sourceMappingURL=.*?\*\//g, "");
const [purged] = await new PurgeCSS().purge({
  content,
  css: [{ raw: biCss }],
  defaultExtractor: extractor,
  // Classes that templates build from parts (alert-{{ category }}, bg-{{ colour }}) or
  // that scripts add; the text direction; what the no-JavaScript page shows.
  safelist: {
    standard: [/^alert-/, /^bg-/, /^text-bg-/, /^btn-/, /^badge/, /^is-/, /^focus--/,
      /^collaps/, /^show$/, /^showing$/, /^hiding$/, /^fade$/, /^expanded$/, /^active$/,
      /^htmx-/, /^modal/, /^dropdown/, /^tooltip/, /^popover/, /^offcanvas/, /^no-js$/, /^rtl$/],
    deep: [/^collaps/, /^expanded$/, /^show$/],
    greedy: [/dir/, /focus--mouse/, /data-focus-mouse/],
  },
  dynamicAttributes: ["dir", "data-focus-mouse", "aria-expanded", "aria-current", "hidden", "open"],
});
const minify = async (css) => (await esbuild.transform(css, { loader: "css", minify: true, legalComments: "none" })).code;
put("css/bootstrap-italia.min.css", await minify(fonts + purged.css));
put("css/app.css", readFileSync(join(root, "assets", "app.css"), "utf8"));

// --- icons -----------------------------------------------------------------------------
const sprite = readFileSync(join(bi, "svg", "sprites.svg"), "utf8");
const words = new Set(content.flatMap((c) => c.raw.match(/it-[a-z0-9-]+/g) || []));
const symbols = sprite.match(/<symbol\b[\s\S]*?<\/symbol>/g) || [];
const kept = symbols.filter((s) => words.has(/id="([^"]+)"/.exec(s)[1]));
put("svg/sprites.svg", `<svg xmlns="http://www.w3.org/2000/svg">${kept.join("")}</svg>`);

// --- right-to-left variants ------------------------------------------------------------
for (const name of ["css/bootstrap-italia.min.css", "css/app.css"]) {
  const rtlName = name.replace(".min.css", ".rtl.min.css").replace(/(?<!\.min)\.css$/, ".rtl.css");
  put(rtlName, rtlcss.process(files[name]));
}

// --- hashed names, manifest, compression -----------------------------------------------
const hashOf = (contents) => createHash("sha256").update(contents).digest("hex").slice(0, 12);
const hashed = (name, contents) => {
  const ext = extname(name);
  return `${name.slice(0, -ext.length)}.${hashOf(contents)}${ext}`;
};
const manifest = {};
// Fonts first: the stylesheets name their hashed files.
for (const name of Object.keys(files).filter((n) => n.startsWith("fonts/"))) manifest[name] = hashed(name, files[name]);
for (const name of Object.keys(files).filter((n) => n.endsWith(".css"))) {
  const css = files[name];
  const linked = css.replace(/url\((['"]?)\.\.\/(fonts\/[^'")]+)\1\)/g, (whole, quote, font) =>
    manifest[font] ? `url(${quote}../${manifest[font]}${quote})` : whole);
  files[`#hashed:${name}`] = linked;
  manifest[name] = hashed(name, linked);
}
for (const name of Object.keys(files).filter((n) => !n.startsWith("#") && !manifest[n])) manifest[name] = hashed(name, files[name]);

const compressible = (name) => /\.(css|js|svg|json)$/.test(name);
const write = (name, contents) => {
  const path = join(out, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, contents);
  if (!compressible(name)) return;
  writeFileSync(`${path}.gz`, gzipSync(contents, { level: 9 }));
  writeFileSync(`${path}.br`, brotliCompressSync(contents, {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(contents) },
  }));
};
for (const [name, hashedName] of Object.entries(manifest)) {
  write(name, files[name]); // the plain name keeps working, with a short cache
  write(hashedName, files[`#hashed:${name}`] ?? files[name]);
}
writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);

// Carry over the previous build's hashed files (pages rendered before the swap name them).
const previousManifest = join(published, "manifest.json");
if (existsSync(previousManifest)) {
  for (const hashedName of Object.values(JSON.parse(readFileSync(previousManifest, "utf8")))) {
    for (const suffix of ["", ".gz", ".br"]) {
      const from = join(published, hashedName + suffix);
      const to = join(out, hashedName + suffix);
      if (existsSync(from) && !existsSync(to)) {
        mkdirSync(dirname(to), { recursive: true });
        cpSync(from, to);
      }
    }
  }
}

// --- publish ---------------------------------------------------------------------------
const isLink = (path) => { try { return lstatSync(path).isSymbolicLink(); } catch { return false; } };
const previous = isLink(published) ? basename(readlinkSync(published)) : null;
if (existsSync(published) && !isLink(published)) {
  // A dist folder from before builds were published by link: move it aside once.
  renameSync(published, join(builds, `legacy-${buildId}`));
}
const link = join(staticDir, `.dist-${buildId}`);
symlinkSync(relative(staticDir, out), link);
renameSync(link, published); // atomic replacement of the link
// Keep the previous build (a server may still be sending one of its files); drop older ones.
for (const name of readdirSync(builds)) {
  if (name !== buildId && name !== previous) rmSync(join(builds, name), { recursive: true, force: true });
}
const size = (name) => (Buffer.byteLength(files[name]) / 1024).toFixed(1);
console.log(`assets built into ${relative(root, out)}, published as ${relative(root, published)}: ` +
  `site.js ${size("js/site.js")} KB, bootstrap-italia.min.css ${size("css/bootstrap-italia.min.css")} KB, ` +
  `${kept.length} of ${symbols.length} icons`);
