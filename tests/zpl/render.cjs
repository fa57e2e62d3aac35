// Render ZPL read from stdin to PNG: prints a JSON array of base64 PNGs, one per label.
// Usage: node render.cjs WIDTH_MM HEIGHT_MM DOTS_PER_MM < label.zpl
const { ready } = require("zpl-renderer-js");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const [width, height, dpmm] = process.argv.slice(2).map(Number);
  try {
    const { api } = await ready;
    const pngs = await api.zplToBase64MultipleAsync(input, width, height, dpmm);
    process.stdout.write(JSON.stringify(pngs));
  } catch (error) {
    process.stderr.write(String(error) + "\n");
    process.exit(1);
  }
});
