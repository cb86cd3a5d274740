/**
 * The jimp the core uses: @jimp/core with only the resize plugin. Decoding goes through
 * ./decoders and encoding through ./encoders, so no jimp format plugins (and none of their
 * dependencies, such as file-type and gifwrap) are bundled.
 */
import { createJimp } from "@jimp/core";
import { methods as resize } from "@jimp/plugin-resize";

export const Jimp = createJimp({ plugins: [resize] });
