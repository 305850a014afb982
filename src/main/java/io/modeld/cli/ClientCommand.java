package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.api.schema.ByteDescriptor;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** What every command that talks to the daemon shares: its options, output and a few renderings. */
abstract class ClientCommand implements Callable<Integer> {

    @Mixin
    ClientOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    DaemonClient client() {
        return options.client();
    }

    void printJson(JsonNode node) {
        try {
            out().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The name people use for a model: its unique name, else its name. */
    static String label(JsonNode model) {
        return model.hasNonNull("unique") ? model.get("unique").asText() : model.get("name").asText();
    }

    /** loaded, remote, downloading, downloaded or available. */
    static String state(JsonNode model) {
        if (model.path("loaded").asBoolean()) {
            return "loaded";
        }
        if (model.hasNonNull("remote")) {
            return "remote";
        }
        if (model.path("downloading").asBoolean()) {
            return "downloading";
        }
        return model.path("downloaded").asBoolean() ? "downloaded" : "available";
    }

    static String size(JsonNode bytes) {
        return bytes == null || bytes.isNull() ? "-" : readable(bytes.path("value").asLong());
    }

    /** Bytes as people read them, e.g. {@code 1.2 GB}. */
    static String readable(long bytes) {
        return ByteDescriptor.readable(bytes);
    }
}
