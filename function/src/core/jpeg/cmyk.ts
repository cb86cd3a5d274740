/**
 * CMYK → RGBA for CMYK/YCCK JPEGs. Such files come from Adobe applications, which store the
 * inks inverted (255 = no ink), as browsers and libvips also assume; with inverted values the
 * naive conversion is simply R = C·K/255, G = M·K/255, B = Y·K/255. No ICC profile is applied:
 * a thumbnail needs the right picture, not press-accurate colour.
 */
export function invertedCmykToRgbaInPlace(pixels: Uint8Array): void {
  for (let i = 0; i < pixels.length; i += 4) {
    const k = pixels[i + 3];
    pixels[i] = (pixels[i] * k + 127) / 255;
    pixels[i + 1] = (pixels[i + 1] * k + 127) / 255;
    pixels[i + 2] = (pixels[i + 2] * k + 127) / 255;
    pixels[i + 3] = 255;
  }
}
