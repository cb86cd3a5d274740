/**
 * Entry of the decoder thread: the thumbnail core behind the job protocol. Bundled as its own
 * file beside index.js (function/build.ts) because a worker thread loads a file, not a module.
 */
import { prepareJpegModule } from "../core/jpeg/turbo";
import { makeThumbnails } from "../core/thumbnailer";
import { serve } from "./serve";

serve(makeThumbnails);
// After "ready", while the handler is still reading the upload from S3, so the first JPEG finds
// the decoder compiled; a job that arrives sooner waits for it, no longer than it would itself.
setImmediate(prepareJpegModule);
