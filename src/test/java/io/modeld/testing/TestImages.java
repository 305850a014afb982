package io.modeld.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** Images the tests draw: noise of a seed, in a format ImageIO writes (png, jpg, gif, bmp). */
public final class TestImages {

    private TestImages() {
    }

    /** A {@code width}×{@code height} image of random colours; the same seed gives the same pixels. */
    public static byte[] noise(int width, int height, long seed, String format) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        SplittableRandom r = new SplittableRandom(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalArgumentException("ImageIO writes no " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A PNG of noise. */
    public static byte[] png(int width, int height, long seed) {
        return noise(width, height, seed, "png");
    }
}
