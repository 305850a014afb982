package io.modeld.remote;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.Modelfile;
import io.modeld.catalog.OllamaNames;
import io.modeld.catalog.Remote;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Making remote models and telling whether their hosts answer. A remote model is made as Ollama makes one: a name,
 * the model's name on the server and the server ({@code /api/create} with {@code from} and {@code remote_host}); or
 * from a Pieces SeededModel with a {@code remote} object; or all of a server's models at once ({@code modeld remote
 * add}). Each is checked against the allow-list and asked of the server before it is kept: what it can do comes
 * from the server's answer. A host's reachability is probed on request and kept for {@link #FRESH}.
 */
public final class RemoteModels {

    /** How long a probe's answer stands before a listing probes again. */
    static final java.time.Duration FRESH = java.time.Duration.ofSeconds(10);

    private final ModelService models;
    private final RemoteClient client;
    private final Clock clock;
    private final Map<String, Reach> probed = new ConcurrentHashMap<>();

    public RemoteModels(ModelService models, RemoteClient client, Clock clock) {
        this.models = models;
        this.client = client;
        this.clock = clock;
    }

    public RemoteClient client() {
        return client;
    }

    /**
     * A remote model answering to the Ollama name {@code name}, with its own Modelfile (a system prompt, parameters;
     * null for none), that is {@code model} on the server at {@code host}.
     */
    public ModelRecord create(String name, String host, String model, Modelfile modelfile) {
        return create(OllamaNames.spec(name, ModelSpec.defaults().withName(name), modelfile), host, model,
                "remote_host", "from");
    }

    /**
     * A remote model with the names and fields of {@code spec}, that is {@code model} on the server at {@code host};
     * an error names the request's fields for them, {@code hostField} and {@code modelField}.
     */
    public ModelRecord create(ModelSpec spec, String host, String model, String hostField, String modelField) {
        String base = RemoteHosts.base(host, hostField);
        if (model == null || model.isBlank() || model.length() > 256) {
            throw ModeldException.invalid(modelField + ": the model's name on the remote server, at most 256 characters");
        }
        client.hosts().check(base);
        List<String> caps = client.capabilities(base, model);
        return models.createRemote(spec.withRemote(new Remote(base, model, caps)));
    }

    /**
     * Keeps {@code key} for the server at {@code url} (null: keeps the one kept), then makes a remote model of each
     * of {@code names} there, or of every model it lists when none are named, each named as on the server. Models
     * already made for the same model on the same server are kept as they are; a name another model here has is a
     * CONFLICT, before anything is made.
     */
    public List<ModelRecord> add(String url, String key, List<String> names) {
        String base = RemoteHosts.base(url, "url");
        if (key != null) {
            RemoteHosts.checkKey(key);
            key = key.strip();
        }
        client.hosts().check(base);
        // the key is tried before it is kept: a wrong one never replaces one that works
        List<String> listed = client.models(base, key != null ? key : client.hosts().key(base));
        if (key != null) {
            client.hosts().key(base, key);
        }
        List<String> wanted = names == null || names.isEmpty() ? listed : names;
        // every name checked before any model is made: a model of this machine is never replaced by a bulk add
        List<String> taken = new ArrayList<>();
        for (String name : wanted) {
            if (!OllamaNames.valid(name)) {
                throw ModeldException.invalid("models: '" + name + "' is not a name modeld can give a model; make it "
                        + "with /api/create and a name of your own");
            }
            ModelRecord holder = models.list().stream().filter(r -> OllamaNames.of(r).equalsIgnoreCase(
                    OllamaNames.withTag(OllamaNames.normalize(name)))).findFirst().orElse(null);
            if (holder != null && !same(holder, base, name)) {
                taken.add(name);
            }
        }
        if (!taken.isEmpty()) {
            throw ModeldException.conflict("models: " + String.join(", ", taken) + " already name models here; make "
                    + "those with /api/create (from, remote_host) and names of your own; nothing was made");
        }
        List<ModelRecord> made = new ArrayList<>();
        for (String name : wanted) {
            ModelRecord existing = models.list().stream().filter(r -> same(r, base, name)).findFirst().orElse(null);
            made.add(existing != null ? existing : create(name, base, name, null));
        }
        probed.remove(base);
        return made;
    }

    private static boolean same(ModelRecord r, String base, String model) {
        return r.remote() != null && r.remote().host().equals(base) && r.remote().model().equals(model);
    }

    /** Forgets the key kept for the server at {@code url}; its models stay (and are refused by it, if it wants a key). */
    public void forget(String url) {
        String base = RemoteHosts.base(url, "url");
        client.hosts().key(base, null);
        probed.remove(base);
    }

    /** How a host answered its last probe. */
    public record Reach(String host, boolean allowed, boolean key, boolean reachable, String error, long millis,
                        Instant checked, List<String> models) {
    }

    /**
     * Every host that remote models live on or that has a key kept, probed (a listing of its models) unless its last
     * probe is fresh; with the local names of the models on it.
     */
    public List<Reach> hosts() {
        Map<String, List<String>> byHost = new LinkedHashMap<>();
        for (ModelRecord r : models.list()) {
            if (r.remote() != null) {
                byHost.computeIfAbsent(r.remote().host(), h -> new ArrayList<>()).add(r.spec().name());
            }
        }
        for (String hp : client.hosts().keyed()) {
            boolean known = byHost.keySet().stream().anyMatch(b -> RemoteHosts.hostPort(b).equals(hp));
            if (!known) {
                byHost.put("http://" + hp, new ArrayList<>());
            }
        }
        List<Reach> out = new ArrayList<>();
        byHost.forEach((base, names) -> out.add(reach(base, names)));
        return out;
    }

    /** The probe of {@code base}, fresh or made now. */
    public Reach reach(String base) {
        List<String> names = models.list().stream().filter(r -> r.remote() != null && r.remote().host().equals(base))
                .map(r -> r.spec().name()).toList();
        return reach(base, names);
    }

    private Reach reach(String base, List<String> names) {
        Reach last = probed.get(base);
        Instant now = clock.instant();
        boolean allowed = client.hosts().refusal(base) == null;
        boolean key = client.hosts().hasKey(base);
        if (last != null && last.allowed() == allowed && last.key() == key
                && last.checked().plus(FRESH).isAfter(now)) {
            return new Reach(base, allowed, key, last.reachable(), last.error(), last.millis(), last.checked(), names);
        }
        Reach r;
        long began = System.nanoTime();
        if (!allowed) {
            r = new Reach(base, false, key, false, client.hosts().refusal(base), 0, now, names);
        } else {
            try {
                client.models(base);
                r = new Reach(base, true, key, true, null, (System.nanoTime() - began) / 1_000_000, now, names);
            } catch (ModeldException e) {
                r = new Reach(base, true, key, false, e.getMessage(), (System.nanoTime() - began) / 1_000_000, now, names);
            }
        }
        probed.put(base, r);
        return r;
    }
}
