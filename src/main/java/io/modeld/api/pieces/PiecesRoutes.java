package io.modeld.api.pieces;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.config.RoutesConfig;
import io.modeld.Json;
import io.modeld.api.ModelViews;
import io.modeld.api.schema.StreamedIdentifiers;
import io.modeld.catalog.ModelService;
import io.modeld.copilot.Conversations;
import io.modeld.copilot.Copilot;
import io.modeld.copilot.CopilotModel;
import io.modeld.download.Downloads;
import io.modeld.download.Pushes;
import io.modeld.inference.Inference;
import io.modeld.runtime.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The Pieces door: the Model API ({@link ModelRoutes}), the Models API ({@link ModelsRoutes}) with their
 * WebSockets, modeld's extensions for moving models ({@link TransferRoutes}), and Pieces Copilot: the
 * client's connection and health ({@link CopilotRoutes}), QGPT ({@link QgptRoutes}) and conversations
 * ({@link ConversationRoutes}); all in the Pieces SDKs' JSON and plain-text errors.
 */
public final class PiecesRoutes implements AutoCloseable {

    private final ModelRoutes model;
    private final ModelsRoutes list;
    private final TransferRoutes transfers;
    private final CopilotRoutes copilot;
    private final QgptRoutes qgpt;
    private final ConversationRoutes conversations;

    public PiecesRoutes(ModelService models, Downloads downloads, Pushes pushes, Inference inference, Scheduler scheduler,
                        ModelViews views, Conversations conversations, CopilotModel copilotModel,
                        io.modeld.remote.RemoteModels remotes) {
        CopilotAlias alias = new CopilotAlias(copilotModel, views);
        this.model = new ModelRoutes(models, downloads, inference, views,
                new ProgressStream(models, downloads, views.schema()), alias, copilotModel);
        this.list = new ModelsRoutes(models, downloads, scheduler, views, modelIdentifiers(models, views, alias), alias,
                remotes);
        this.transfers = new TransferRoutes(models, downloads, pushes, views);
        this.copilot = new CopilotRoutes();
        this.qgpt = new QgptRoutes(new Copilot(inference, conversations, copilotModel));
        this.conversations = new ConversationRoutes(conversations, copilotModel, new ConversationViews(views.schema()));
    }

    public void register(RoutesConfig routes) {
        model.register(routes);
        list.register(routes);
        transfers.register(routes);
        copilot.register(routes);
        qgpt.register(routes);
        conversations.register(routes);
    }

    /**
     * {@code /models/stream/identifiers}: every model, the Copilot alias among them, and each change; a change
     * of the alias's target (or a change that makes another model its target) names the alias too.
     */
    private static IdentifierStream modelIdentifiers(ModelService models, ModelViews views, CopilotAlias alias) {
        Set<Consumer<IdentifierStream.Change>> followers = ConcurrentHashMap.newKeySet();
        AtomicReference<String> target = new AtomicReference<>(alias.targetId());
        models.subscribe(c -> {
            String now = alias.targetId();
            String before = target.getAndSet(now);
            boolean aliased = c.id().equals(now) || c.id().equals(before) || !Objects.equals(now, before);
            followers.forEach(f -> {
                f.accept(new IdentifierStream.Change(c.id(), c.deleted()));
                if (aliased) {
                    f.accept(new IdentifierStream.Change(CopilotModel.ALIAS_ID, now == null));
                }
            });
        });
        return new IdentifierStream((now, changes) -> {
            List<IdentifierStream.Change> all = new ArrayList<>();
            models.list().forEach(r -> all.add(new IdentifierStream.Change(r.id(), false)));
            if (alias.targetId() != null) {
                all.add(new IdentifierStream.Change(CopilotModel.ALIAS_ID, false));
            }
            followers.add(changes);
            now.accept(all);
            return () -> followers.remove(changes);
        }, changed -> render(views, changed));
    }

    private static String render(ModelViews views, Map<String, Boolean> changed) {
        List<StreamedIdentifiers.Identifier> items = new ArrayList<>();
        changed.forEach((id, deleted) -> items.add(
                new StreamedIdentifiers.Identifier(views.reference(id), deleted ? true : null)));
        try {
            return Json.MAPPER.writeValueAsString(new StreamedIdentifiers(views.schema(), items));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        copilot.close();
    }
}
