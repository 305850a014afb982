package io.modeld.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modeld.config.Config;
import io.modeld.engine.Device;
import io.modeld.engine.Gpu;
import io.modeld.engine.Placement;
import io.modeld.gguf.MemoryEstimate;
import org.junit.jupiter.api.Test;

/** The layer count a model gets on a device, from its estimate and the room there. */
class DeviceFitTest {

    private static final long MB = 1L << 20;
    /** 32 repeating layers: 33 to place, 33 MB of weights each, 2 MB of KV cache each, 100 MB of compute buffer. */
    private static final MemoryEstimate E = new MemoryEstimate(33 * 33 * MB, 32 * 2 * MB, 100 * MB, 75 * MB, 4096);
    private static final Device GPU = new Device("CUDA0", "a card", "cuda", false, 8192 * MB, 8192 * MB);

    @Test
    void as_many_layers_go_as_fit_the_room_and_the_rest_stay_on_the_cpu() {
        DeviceFit all = DeviceFit.of(E, 32, GPU, 4096 * MB, -1);
        assertThat(all.full()).isTrue();
        assertThat(all.placement()).isEqualTo(new Placement("CUDA0", 33));
        assertThat(all.deviceBytes()).isEqualTo(100 * MB + 33 * 33 * MB + 32 * 2 * MB);

        DeviceFit ten = DeviceFit.of(E, 32, GPU, 100 * MB + 10 * 35 * MB + MB, -1);
        assertThat(ten.placement().layers()).isEqualTo(10);
        assertThat(ten.full()).isFalse();
        assertThat(ten.layers()).isEqualTo(33);

        DeviceFit none = DeviceFit.of(E, 32, GPU, 120 * MB, -1);
        assertThat(none.placement()).as("the compute buffer and not one layer").isEqualTo(Placement.CPU);
        assertThat(none.deviceBytes()).isZero();
    }

    @Test
    void layers_asked_for_are_given_up_to_the_models_count() {
        assertThat(DeviceFit.of(E, 32, GPU, 0, 5).placement().layers()).as("num_gpu: given, not fitted").isEqualTo(5);
        assertThat(DeviceFit.of(E, 32, GPU, 0, 999).placement().layers()).isEqualTo(33);
        assertThat(DeviceFit.of(E, 32, GPU, 8192 * MB, 0).placement()).isEqualTo(Placement.CPU);
    }

    @Test
    void the_room_is_the_memory_asked_for_or_what_the_device_had_free_less_a_margin() {
        assertThat(DeviceFit.capacity(GPU, 0)).isEqualTo(8192 * MB - 8192 * MB / 20);
        Device small = new Device("Vulkan0", "a laptop's", "vulkan", false, 1024 * MB, 2048 * MB);
        assertThat(DeviceFit.capacity(small, 0)).as("at least 256 MiB kept free").isEqualTo(768 * MB);
        assertThat(DeviceFit.capacity(small, 512 * MB)).isEqualTo(512 * MB);
        assertThat(DeviceFit.capacity(small, 64L << 30)).as("never more than the device").isEqualTo(2048 * MB);
    }

    @Test
    void bad_gpu_settings_are_refused_with_the_rule() {
        assertThatThrownBy(() -> Gpu.of("metal")).hasMessage("--gpu: auto, vulkan, cuda or none, not 'metal'");
        assertThatThrownBy(() -> new Config.Gpu("metal", -1, 0, "")).hasMessage("--gpu: auto, vulkan, cuda or none, "
                + "not 'metal'");
        assertThatThrownBy(() -> new Config.Gpu("auto", -2, 0, "")).hasMessageContaining("--gpu-layers");
        assertThatThrownBy(() -> new Config.Gpu("auto", -1, 0, "first")).hasMessageContaining("--gpu-devices");
        assertThatThrownBy(() -> new Placement(null, 3)).hasMessageContaining("needs a device");
    }
}
