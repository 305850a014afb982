package io.modeld.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.Modelfile;
import io.modeld.catalog.OllamaNames;
import io.modeld.inference.Inference;
import io.modeld.inference.Options;
import io.modeld.api.Bodies;
import io.modeld.api.ErrorStyle;
import io.modeld.api.Fields;
import io.modeld.api.Ndjson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ollama's {@code /api/blobs/:digest} and {@code /api/create}. An uploaded blob streams to
 * {@code <data-dir>/blobs/} while its SHA-256 is computed, and is kept only when it matches its name.
 * Create makes a custom model of an uploaded GGUF ({@code files}) or of a model already here
 * ({@code from}), with a template, system prompt, parameters and license of its own; the file is
 * hard-linked, never copied twice, and a blob taken by a model leaves the blob store. With {@code remote_host} it
 * makes a remote model, {@code from} naming the model on that server (as Ollama makes one); {@code from} a remote
 * model makes another on the same server with a Modelfile of its own. Every change shows in the Pieces API and its
 * identifier stream at once.
 */
final class OllamaCreate {

    private static final Pattern DIGEST = Pattern.compile("sha256[:-]([0-9a-f]{64})");

    private final ModelService models;
    private final Inference inference;
    private final Path blobs;

    private final io.modeld.remote.RemoteModels remotes;

    OllamaCreate(ModelService models, Inference inference, io.modeld.remote.RemoteModels remotes) {
        this.remotes = remotes;
        this.models = models;
        this.inference = inference;
        this.blobs = models.dataDir().blobs();
    }

    void register(RoutesConfig routes) {
        routes.head("/api/blobs/{digest}", ctx -> ctx.status(find(hex(ctx.pathParam("digest"))) != null ? 200 : 404));
        routes.post("/api/blobs/{digest}", this::upload);
        routes.post("/api/create", this::create);
    }

    /** The 64 hex digits of {@code sha256:<hex>} or {@code sha256-<hex>}; 400 otherwise. */
    private static String hex(String digest) {
        Matcher m = DIGEST.matcher(digest == null ? "" : digest);
        if (!m.matches()) {
            throw ModeldException.invalid("invalid digest format");
        }
        return m.group(1);
    }

    /** Where a blob with this digest is: uploaded, or the file of a downloaded model; null when nowhere. */
    private Path find(String hex) {
        Path blob = blobs.resolve("sha256-" + hex);
        if (Files.isRegularFile(blob)) {
            return blob;
        }
        for (ModelRecord r : models.list()) {
            if (r.downloaded() && hex.equals(r.file().sha256())) {
                return models.fileOf(r);
            }
        }
        return null;
    }

    private void upload(Context ctx) throws IOException {
        String hex = hex(ctx.pathParam("digest"));
        if (find(hex) != null) {
            // read and dropped: a connection closed with an unread body is reset under a client still sending it,
            // which then sees no answer ("header parser received no bytes", once in a CI run of ProjectorSourcesTest)
            ctx.req().getInputStream().transferTo(OutputStream.nullOutputStream());
            ctx.status(200);
            return;
        }
        Files.createDirectories(blobs);
        long length = ctx.req().getContentLengthLong();
        if (length > 0 && length > Files.getFileStore(blobs).getUsableSpace()) {
            throw new ModeldException(ModeldException.Kind.INSUFFICIENT_STORAGE, "not enough disk space for a blob of "
                    + length + " bytes in " + blobs);
        }
        Path tmp = Files.createTempFile(blobs, "upload-", ".part");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(ctx.req().getInputStream(), sha);
                 OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            }
            String got = HexFormat.of().formatHex(sha.digest());
            if (!got.equals(hex)) {
                throw ModeldException.invalid("digest mismatch, expected \"sha256:" + hex + "\", got \"sha256:" + got + "\"");
            }
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, blobs.resolve("sha256-" + hex), StandardCopyOption.ATOMIC_MOVE);
            ctx.status(201);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void create(Context ctx) throws IOException {
        JsonNode body = Bodies.json(ctx);
        String name = OllamaRequest.model(body);
        if (!OllamaNames.valid(name)) {
            throw ModeldException.invalid("invalid model name");
        }
        String from = Fields.text(body, "from", null);
        JsonNode files = body.get("files");
        if (files != null && !files.isNull() && !files.isObject()) {
            throw ModeldException.invalid("files: must be an object of file names to digests, e.g. "
                    + "{\"model.gguf\": \"sha256:...\"}");
        }
        if (from == null && (files == null || files.isNull() || files.isEmpty())) {
            throw ModeldException.invalid("neither 'from' or 'files' was specified");
        }
        if (Fields.has(body, "adapters") && !body.get("adapters").isEmpty()) {
            throw ModeldException.invalid("adapters: LoRA adapters are not supported");
        }
        if (Fields.has(body, "quantize") || Fields.has(body, "quantization")) {
            throw ModeldException.invalid("quantize: quantizing on create is not supported; upload a quantized GGUF");
        }
        Modelfile given = new Modelfile(Fields.text(body, "template", null), Fields.text(body, "system", null),
                parameters(body.get("parameters")), license(body.get("license")));
        String remoteHost = Fields.text(body, "remote_host", null);
        if (remoteHost != null && from == null) {
            throw ModeldException.invalid("from: the model's name on remote_host is required");
        }
        boolean stream = Fields.bool(body, "stream", true);
        Ndjson lines = stream ? new Ndjson(ctx) : null;
        try {
            if (remoteHost != null) {
                emit(lines, "checking " + from + " on remote host");
                remotes.create(name, remoteHost, from, given.template() == null && given.system() == null
                        && given.parameters() == null && given.license() == null ? null : given);
            } else if (from != null) {
                ModelRecord source = OllamaRoutes.local(inference, from);
                Modelfile base = source.spec().modelfile() == null ? new Modelfile(null, null, null, null)
                        : source.spec().modelfile();
                Modelfile made = base.overriddenBy(given.template(), given.system(), given.parameters(), given.license());
                if (source.remote() != null) {
                    models.createRemote(OllamaNames.spec(name, source.spec(), made));   // the same remote, its own Modelfile
                } else {
                    emit(lines, "using existing layer sha256:" + source.file().sha256());
                    models.createFromFile(OllamaNames.spec(name, source.spec(), made), models.filesOf(source),
                            source.file(), models.projectorOf(source));
                }
            } else {
                createFromBlobs(name, files, given, lines);
            }
        } catch (ModeldException e) {
            if (lines == null) {
                throw e;
            }
            lines.error(ErrorStyle.OLLAMA.describe(e));
            return;
        }
        emit(lines, "writing manifest");
        ObjectNode success = Json.MAPPER.createObjectNode().put("status", "success");
        if (lines == null) {
            ctx.json(success);
        } else {
            lines.line(success);
        }
    }

    /**
     * A model of uploaded blobs: one GGUF model and, as Ollama takes it, at most one projector among the
     * {@code files} (told apart by its architecture, {@code clip}). The blobs modeld received are used up.
     */
    private void createFromBlobs(String name, JsonNode files, Modelfile given, Ndjson lines) throws IOException {
        Map.Entry<String, Path> model = null;
        Path projector = null;
        String modelHex = null;
        for (Map.Entry<String, JsonNode> file : (Iterable<Map.Entry<String, JsonNode>>) files::fields) {
            String hex = hex(file.getValue().asText());
            Path blob = find(hex);
            if (blob == null) {
                throw ModeldException.invalid("files: no blob sha256:" + hex + "; upload it first with POST "
                        + "/api/blobs/sha256:" + hex);
            }
            boolean isProjector;
            try {
                isProjector = "clip".equals(io.modeld.gguf.GgufHeaders.shared().read(blob).architecture());
            } catch (io.modeld.gguf.GgufFormatException e) {
                throw ModeldException.invalid("files." + file.getKey() + ": not a GGUF file (" + e.getMessage() + ")");
            }
            if (isProjector ? projector != null : model != null) {
                throw ModeldException.invalid("files: give one GGUF model and at most one projector (split models and "
                        + "safetensors are not supported)");
            }
            if (isProjector) {
                projector = blob;
            } else {
                model = Map.entry(io.modeld.download.FileNames.safe(file.getKey()), blob);
                modelHex = hex;
            }
        }
        if (model == null) {
            throw ModeldException.invalid("files: no GGUF model among them (only a projector)");
        }
        emit(lines, "parsing GGUF");
        ModelSpec spec = OllamaNames.spec(name, ModelSpec.defaults().withName(name), given);
        emit(lines, "using existing layer sha256:" + modelHex);
        Path blob = model.getValue();
        models.createFromFile(spec, List.of(blob), new ModelRecord.LocalFile(model.getKey(), Files.size(blob), modelHex),
                projector);
        for (Path used : projector == null ? List.of(blob) : List.of(blob, projector)) {
            if (used.startsWith(blobs)) {
                Files.deleteIfExists(used);   // the model's own link holds the data now
            }
        }
    }

    private static Map<String, Object> parameters(JsonNode p) {
        if (p == null || p.isNull()) {
            return null;
        }
        if (!p.isObject()) {
            throw ModeldException.invalid("parameters: must be an object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull() || e.getValue().isObject()) {
                throw ModeldException.invalid("parameters." + e.getKey() + ": must be a number, string, boolean or "
                        + "array, not " + (e.getValue().isNull() ? "null" : "an object"));
            }
            if (e.getValue().isArray()) {
                for (JsonNode v : e.getValue()) {
                    if (v.isNull() || v.isContainerNode()) {
                        throw ModeldException.invalid("parameters." + e.getKey() + ": an array of numbers, strings or "
                                + "booleans");
                    }
                }
            }
            out.put(e.getKey().toLowerCase(Locale.ROOT), Json.MAPPER.convertValue(e.getValue(), Object.class));
        }
        checked(out);
        return out;
    }

    /**
     * Parameters as every later request will read them: of the right type (a number may be written as text,
     * as a Modelfile writes it) and within Ollama's bounds. A parameter kept that no request could use made
     * every chat with the model a 400 ({@code "temperature": "hot"}, issue 29).
     */
    private static void checked(Map<String, Object> parameters) {
        Options merged;
        try {
            merged = Options.fromModelfile(parameters);
        } catch (ModeldException e) {
            throw ModeldException.invalid("parameters: " + e.getMessage());
        }
        ObjectNode request = Json.MAPPER.createObjectNode();
        ObjectNode o = request.putObject("options");
        parameters.forEach((k, v) -> o.set(k, v instanceof String text && NUMERIC.contains(k)
                ? Json.MAPPER.getNodeFactory().numberNode(Double.parseDouble(text.strip())) : Json.MAPPER.valueToTree(v)));
        try {
            OllamaRequest.options(request);
        } catch (ModeldException e) {
            throw ModeldException.invalid("parameters." + e.getMessage());
        }
        if (merged.context() != null && merged.context() < 0) {
            throw ModeldException.invalid("parameters.num_ctx: must not be negative");
        }
    }

    /** The numeric options a Modelfile may write as text. */
    private static final java.util.Set<String> NUMERIC = java.util.Set.of("temperature", "top_k", "top_p", "min_p",
            "typical_p", "seed", "repeat_penalty", "repeat_last_n", "presence_penalty", "frequency_penalty",
            "num_predict", "num_ctx", "num_gpu");

    private static String license(JsonNode l) {
        if (l == null || l.isNull()) {
            return null;
        }
        if (l.isTextual()) {
            return l.textValue();
        }
        if (l.isArray()) {
            StringBuilder b = new StringBuilder();
            l.forEach(x -> b.append(b.length() == 0 ? "" : "\n\n").append(x.asText()));
            return b.toString();
        }
        throw ModeldException.invalid("license: must be a string or an array of strings");
    }

    private static void emit(Ndjson lines, String status) {
        if (lines != null) {
            lines.line(Json.MAPPER.createObjectNode().put("status", status));
        }
    }
}
