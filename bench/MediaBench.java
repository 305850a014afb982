// Writes what bench/media.sh measures: java -cp target/modeld.jar:target/test-classes bench/MediaBench.java DIR [W H]
//   DIR/projector.gguf  a Gemma 3-layout projector for the 384-dim model of EngineBench write-small: 448-pixel
//                       images in 14-pixel patches (1,024 of them), 4 blocks of 256 values, pooled 4x4 into 64
//                       embeddings, as a real Gemma 3 projector pools 4,096 patches into 256
//   DIR/image-N.png     N = 0..9: W x H (640 x 480) noise images, each different
//   DIR/audio.gguf      a Qwen2-Audio-layout projector for the same model (one Whisper block of 16 values: 750
//                       embeddings a 30-second chunk)
//   DIR/clip-N.wav      N = 0..9: 5-second tones of different pitches
import io.modeld.gguf.TinyAudioProjector;
import io.modeld.gguf.TinyProjector;
import io.modeld.testing.TestClips;
import io.modeld.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;

public class MediaBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        new TinyProjector(448, 14, 4, 256, 1024, 384, 4, 4).write(dir.resolve("projector.gguf"), 9);
        int w = args.length > 2 ? Integer.parseInt(args[1]) : 640;
        int h = args.length > 2 ? Integer.parseInt(args[2]) : 480;
        for (int i = 0; i < 10; i++) {
            Files.write(dir.resolve("image-" + i + ".png"), TestImages.png(w, h, 100 + i));
            Files.write(dir.resolve("clip-" + i + ".wav"), TestClips.tone(5000, 200 + 50 * i));
        }
        new TinyAudioProjector(16, 24, 384).write(dir.resolve("audio.gguf"), 10);
    }
}
