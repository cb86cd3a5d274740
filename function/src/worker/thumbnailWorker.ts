/**
 * Entry of the decoder thread: the thumbnail core behind the job protocol. Bundled as its own
 * file beside index.js (function/build.ts) because a worker thread loads a file, not a module.
 */
import { makeThumbnails } from "../core/thumbnailer";
import { serve } from "./serve";

serve(makeThumbnails);
