package io.modeld.download;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.catalog.ModelSource;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ResolvedSourceTest {

    @Test
    void resolves_hf_urls_to_the_resolve_endpoint_with_the_revision() {
        ResolvedSource main = ResolvedSource.of(ModelSource.of("hf://bartowski/Llama-GGUF/sub/dir/m.gguf", null),
                "https://huggingface.co");
        assertThat(main.uri()).isEqualTo(URI.create("https://huggingface.co/bartowski/Llama-GGUF/resolve/main/sub/dir/m.gguf"));
        assertThat(main.fileName()).isEqualTo("m.gguf");
        ResolvedSource pinned = ResolvedSource.of(ModelSource.of("hf://o/r/m.gguf@abc123", null), "http://mirror/");
        assertThat(pinned.uri()).isEqualTo(URI.create("http://mirror/o/r/resolve/abc123/m.gguf"));
    }

    @Test
    void file_names_from_urls_never_leave_their_folder() {
        assertThat(ResolvedSource.fileName("/a/..%2F..%2Fetc%2Fpasswd")).isEqualTo("_.._etc_passwd");
        assertThat(ResolvedSource.fileName("/a/..")).isEqualTo("model.gguf");
        assertThat(ResolvedSource.fileName("/a/")).isEqualTo("model.gguf");
        assertThat(ResolvedSource.fileName("/a/My%20Model.gguf")).isEqualTo("My_Model.gguf");
        assertThat(ResolvedSource.fileName("/.hidden")).isEqualTo("hidden");
    }

    @Test
    void file_urls_name_a_local_file() {
        ResolvedSource local = ResolvedSource.of(ModelSource.of("file:///home/me/m.gguf", null), "x");
        assertThat(local.localFile()).isEqualTo(Path.of("/home/me/m.gguf"));
        assertThat(local.uri()).isNull();
    }
}
