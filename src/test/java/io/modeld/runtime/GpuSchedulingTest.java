package io.modeld.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.config.Config;
import io.modeld.engine.Device;
import io.modeld.testing.CoreFixture;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler on fake runners that report a GPU: device memory counted beside RAM, and evicted for. */
class GpuSchedulingTest {

    @TempDir
    Path root;

    @Test
    void a_model_that_does_not_all_fit_the_device_evicts_the_idle_model_there_and_ram_counts_the_rest() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 4L << 30, null)) {
            f.fakes.devices = List.of(new Device("Vulkan0", "a card", "vulkan", false, 8L << 30, 8L << 30));
            f.scheduler.setGpu(new Config.Gpu("vulkan", -1, 0, ""));
            String a = f.model("a", 1);
            String b = f.model("b", 2);
            f.load(a);
            LoadedModel first = f.scheduler.loadedModels().get(0);
            assertThat(first.device()).isEqualTo("Vulkan0");
            assertThat(first.gpuLayers()).isEqualTo(first.layers()).isEqualTo(2);
            long onDevice = first.deviceBytes();
            assertThat(onDevice).isPositive();
            assertThat(f.scheduler.used()).as("RAM: the estimate less what went on the device")
                    .isEqualTo(first.estimate() - onDevice);

            // room on the device for one model and a half: b needs a's place there, and a is idle
            f.scheduler.setGpu(new Config.Gpu("vulkan", -1, onDevice * 3 / 2, ""));
            f.load(b);
            assertThat(f.scheduler.loaded(a)).as("evicted from the device for b").isFalse();
            LoadedModel second = f.scheduler.loadedModels().get(0);
            assertThat(second.id()).isEqualTo(b);
            assertThat(second.gpuLayers()).isEqualTo(2);
            Device d = f.scheduler.devices().get(0);
            assertThat(f.scheduler.deviceUse(d)).containsExactly(onDevice, onDevice * 3 / 2);

            // none asked for: the CPU, and nothing on the device
            f.scheduler.setGpuLayers(0);
            f.load(a);
            assertThat(f.scheduler.onGpu(a)).isFalse();
            assertThat(f.scheduler.onGpu(b)).isTrue();
        }
    }

    @Test
    void a_layer_count_asked_again_does_not_load_the_model_again_and_without_a_gpu_none_does() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 4L << 30, null)) {
            String a = f.model("a", 1);
            RunnerRequest hi = new RunnerRequest("Hi", null, 1, io.modeld.engine.Sampling.DEFAULT, List.of(), true);
            f.generate(a, new LoadOptions(0, null, 5), hi);   // Ollama's num_gpu, on a machine without a GPU
            f.generate(a, new LoadOptions(0, null, 7), hi);
            assertThat(f.fakes.started()).hasSize(1);
            assertThat(f.fakes.started().get(0).loads).as("no GPU: the count changes nothing").hasSize(1);
        }
        try (CoreFixture f = new CoreFixture(root.resolve("gpu"), Clock.systemUTC(), 4L << 30, null)) {
            f.fakes.devices = List.of(new Device("Vulkan0", "a card", "vulkan", false, 8L << 30, 8L << 30));
            f.scheduler.setGpu(new Config.Gpu("vulkan", -1, 0, ""));
            String a = f.model("a", 1);
            RunnerRequest hi = new RunnerRequest("Hi", null, 1, io.modeld.engine.Sampling.DEFAULT, List.of(), true);
            f.generate(a, new LoadOptions(0, null, 1), hi);
            f.generate(a, new LoadOptions(0, null, 1), hi);
            f.generate(a, LoadOptions.DEFAULT, hi);
            assertThat(f.scheduler.loadedModels().get(0).gpuLayers()).isEqualTo(1);
            long loads = f.fakes.started().stream().mapToLong(r -> r.loads.size()).sum();
            assertThat(loads).as("the same count, and none named: the model stays").isEqualTo(1);
            f.generate(a, new LoadOptions(0, null, 2), hi);
            assertThat(f.scheduler.loadedModels().get(0).gpuLayers()).as("another count: loaded again").isEqualTo(2);
            assertThat(f.fakes.started().stream().mapToLong(r -> r.loads.size()).sum()).isEqualTo(2);
        }
    }
}
