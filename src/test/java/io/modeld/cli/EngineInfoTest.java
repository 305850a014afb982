package io.modeld.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code modeld engine info} as a process: which GPU backend a daemon would use here, and why. */
class EngineInfoTest {

    @TempDir
    Path tmp;

    private record Run(int exit, String out) {
    }

    private Run info(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.modeld.Main", "engine", "info", "--data-dir",
                tmp.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("MODELD_"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void it_says_which_gpu_backend_serves_or_why_none_does() throws Exception {
        Run none = info("--gpu", "none");
        assertThat(none.exit()).as(none.out()).isZero();
        assertThat(none.out()).contains("GPU off (--gpu none): the CPU serves");

        Run cuda = info("--gpu", "cuda");
        assertThat(cuda.exit()).isEqualTo(ExitCodes.FAILURE);
        assertThat(cuda.out()).contains("--gpu cuda cannot be used: cuda: this build carries no CUDA backend");

        Run bad = info("--gpu", "metal");
        assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.out()).contains("--gpu: auto, vulkan, cuda or none, not 'metal'");

        assumeTrue(Files.isRegularFile(Path.of("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json")),
                "Mesa's lavapipe is not installed (.ci/run installs mesa-vulkan-drivers)");
        Run vulkan = info("--gpu", "vulkan", "--gpu-devices", "0");
        assertThat(vulkan.exit()).as(vulkan.out()).isZero();
        assertThat(vulkan.out()).contains("GPU: vulkan on Vulkan0 (llvmpipe");
    }
}
