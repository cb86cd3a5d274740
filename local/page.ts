/**
 * out/index.html: each original beside its thumbnails, with status and metadata record, so a
 * run can be checked by looking rather than reading.
 */
import type { ImageResult, Summary } from "./report";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A relative URL for a path under the out directory, each segment percent-encoded. */
export function relativeUrl(...segments: string[]): string {
  return segments
    .flatMap((s) => s.split("/"))
    .map((s) => encodeURIComponent(s))
    .join("/");
}

/** Originals larger than this are linked rather than embedded. */
const MAX_SHOWN_PIXELS = 40_000_000;

export interface PageImage {
  result: ImageResult;
  /** Path of the original under the out directory. */
  original: string;
  /** Paths of the thumbnails under the out directory, in result.thumbnails order. */
  thumbnails: string[];
  record: unknown;
  /** Path of the function's output for this image under the out directory. */
  log?: string;
}

export function renderPage(summary: Summary, images: PageImage[]): string {
  const rows = images
    .map(({ result, original, thumbnails, record, log }) => {
      const thumbs = result.thumbnails
        .map((t, i) => {
          const size = t.width && t.height ? `${t.width}×${t.height}` : "";
          const bytes = t.bytes ? `${(t.bytes / 1024).toFixed(1)} KB` : "";
          return `<figure><img src="${relativeUrl(thumbnails[i])}" alt="thumbnail ${escapeHtml(t.key)}"><figcaption>${escapeHtml([size, bytes].filter(Boolean).join(", "))}</figcaption></figure>`;
        })
        .join("");
      const status = result.status === "SUCCEEDED" ? "ok" : result.status === "FAILED" ? "failed" : "gone";
      const detail = result.reason ? ` — ${escapeHtml(result.reason)}` : "";
      const dims = result.width && result.height ? ` · ${result.width}×${result.height}` : "";
      // A browser decodes whatever it is given: the original of a refused decompression bomb
      // (or anything not processed) is linked, not shown.
      const showable = result.status === "SUCCEEDED" && (result.width ?? 0) * (result.height ?? 0) <= MAX_SHOWN_PIXELS;
      const originalFigure = showable
        ? `<figure class="original"><img src="${relativeUrl(original)}" alt="original ${escapeHtml(result.key)}"><figcaption>original</figcaption></figure>`
        : `<figure class="original"><a href="${relativeUrl(original)}">original</a><figcaption>not shown${result.reason ? `: ${escapeHtml(result.reason)}` : ""}</figcaption></figure>`;
      return `<section class="${status}">
<h2><span class="status">${result.status}</span> ${escapeHtml(result.key)}${detail}</h2>
<p class="facts">${result.durationMs.toFixed(0)} ms${dims}${result.attempts > 1 ? ` · ${result.attempts} attempts` : ""}${result.error ? ` · ${escapeHtml(result.error)}` : ""}${log ? ` · <a href="${relativeUrl(log)}">function log</a>` : ""}</p>
<div class="images">${originalFigure}${thumbs || `<p class="none">${status === "gone" ? "thumbnails deleted with the upload" : "no thumbnails"}</p>`}</div>
<details><summary>metadata record</summary><pre>${escapeHtml(JSON.stringify(record ?? null, null, 2))}</pre></details>
</section>`;
    })
    .join("\n");
  const reasons = Object.entries(summary.failedByReason)
    .map(([reason, n]) => `${escapeHtml(reason)}: ${n}`)
    .join(", ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Thumbnail pipeline — local run (${escapeHtml(summary.stack)})</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; background: #fafafa; color: #222; }
section { background: #fff; border: 1px solid #ddd; border-left: 6px solid #2a7; border-radius: 4px; padding: .5rem 1rem; margin: 1rem 0; }
section.failed { border-left-color: #c33; }
h2 { font-size: 1rem; margin: .3rem 0; }
.status { font-size: .75rem; padding: 1px 6px; border-radius: 3px; background: #2a7; color: #fff; }
.failed .status { background: #c33; }
section.gone { border-left-color: #888; }
.gone .status { background: #888; }
.images { display: flex; gap: 1rem; align-items: flex-end; flex-wrap: wrap; }
figure { margin: 0; text-align: center; }
figure img { display: block; background: repeating-conic-gradient(#ccc 0 25%, #fff 0 50%) 0 0 / 16px 16px; }
.original img { max-width: 360px; max-height: 360px; }
figcaption, .facts { color: #666; font-size: .8rem; }
pre { background: #f4f4f4; padding: .5rem; overflow: auto; font-size: .75rem; }
</style>
</head>
<body>
<h1>Thumbnail pipeline — local run</h1>
<p>Stack <b>${escapeHtml(summary.stack)}</b>: ${summary.images} images, ${summary.succeeded} succeeded, ${summary.failed} failed${reasons ? ` (${reasons})` : ""}.
Per image p50 ${summary.durationMs.p50} ms, p95 ${summary.durationMs.p95} ms, max ${summary.durationMs.max} ms; ${summary.imagesPerSecond} images/s at concurrency ${summary.concurrency}.</p>
${rows}
</body>
</html>
`;
}
