// Build the self-hosted front-end into orientamento/static/dist.
// Copies Bootstrap Italia, htmx and the fonts from node_modules, writes a
// fonts stylesheet (Bootstrap Italia's own font loader injects an inline
// <style>, which our CSP forbids), and generates right-to-left variants of
// every stylesheet with rtlcss for Arabic.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import rtlcss from "rtlcss";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nm = join(root, "node_modules");
const out = join(root, "orientamento", "static", "dist");
const bi = join(nm, "bootstrap-italia", "dist");

rmSync(out, { recursive: true, force: true });
for (const dir of ["css", "js", "fonts", "svg"]) mkdirSync(join(out, dir), { recursive: true });

cpSync(join(bi, "js", "bootstrap-italia.bundle.min.js"), join(out, "js", "bootstrap-italia.bundle.min.js"));
cpSync(join(bi, "svg", "sprites.svg"), join(out, "svg", "sprites.svg"));
cpSync(join(nm, "htmx.org", "dist", "htmx.min.js"), join(out, "js", "htmx.min.js"));
for (const file of readdirSync(join(root, "assets")).filter((f) => f.endsWith(".js"))) {
  cpSync(join(root, "assets", file), join(out, "js", file));
}

// Latin fonts of Bootstrap Italia: only woff2 and woff are needed by current browsers.
const families = [
  ["Titillium Web", "Titillium_Web", "titillium-web-v10-latin-ext_latin", ["300", "regular", "600", "700"]],
  ["Roboto Mono", "Roboto_Mono", "roboto-mono-v13-latin-ext_latin", ["regular", "700"]],
  ["Lora", "Lora", "lora-v20-latin-ext_latin", ["regular", "700"]],
];
let fonts = "";
for (const [family, folder, prefix, weights] of families) {
  mkdirSync(join(out, "fonts", folder), { recursive: true });
  for (const weight of weights) {
    for (const ext of ["woff2", "woff"]) {
      cpSync(join(bi, "fonts", folder, `${prefix}-${weight}.${ext}`), join(out, "fonts", folder, `${prefix}-${weight}.${ext}`));
    }
    const numeric = weight === "regular" ? "400" : weight;
    fonts += `@font-face{font-family:'${family}';font-style:normal;font-weight:${numeric};font-display:swap;` +
      `src:url('../fonts/${folder}/${prefix}-${weight}.woff2') format('woff2'),url('../fonts/${folder}/${prefix}-${weight}.woff') format('woff')}\n`;
  }
}
// Arabic script: Noto Sans Arabic, self-hosted from @fontsource.
const arabic = join(nm, "@fontsource", "noto-sans-arabic", "files");
mkdirSync(join(out, "fonts", "Noto_Sans_Arabic"), { recursive: true });
for (const weight of ["400", "700"]) {
  for (const ext of ["woff2", "woff"]) {
    const name = `noto-sans-arabic-arabic-${weight}-normal.${ext}`;
    cpSync(join(arabic, name), join(out, "fonts", "Noto_Sans_Arabic", name));
  }
  fonts += `@font-face{font-family:'Noto Sans Arabic';font-style:normal;font-weight:${weight};font-display:swap;` +
    `src:url('../fonts/Noto_Sans_Arabic/noto-sans-arabic-arabic-${weight}-normal.woff2') format('woff2'),` +
    `url('../fonts/Noto_Sans_Arabic/noto-sans-arabic-arabic-${weight}-normal.woff') format('woff');unicode-range:U+0600-06FF,U+0750-077F,U+08A0-08FF,U+FB50-FDFF,U+FE70-FEFF}\n`;
}
writeFileSync(join(out, "css", "fonts.css"), fonts);

const stylesheets = {
  "bootstrap-italia.min.css": readFileSync(join(bi, "css", "bootstrap-italia.min.css"), "utf8").replace(/\/\*# sourceMappingURL=.*?\*\//g, ""),
  "app.css": readFileSync(join(root, "assets", "app.css"), "utf8"),
};
for (const [name, css] of Object.entries(stylesheets)) {
  writeFileSync(join(out, "css", name), css);
  writeFileSync(join(out, "css", name.replace(/\.css$/, ".rtl.css").replace(".min.rtl.css", ".rtl.min.css")), rtlcss.process(css));
}
console.log(`assets built into ${out}`);
