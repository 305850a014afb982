package io.modeld.catalog;

import java.util.Map;

/**
 * What Ollama keeps beside a model's weights, for models made through Ollama's API or pulled from a
 * registry: a prompt template (Go template syntax), a system prompt, default parameters ({@code stop},
 * {@code temperature}, ...) and the license text. Any part may be null.
 */
public record Modelfile(String template, String system, Map<String, Object> parameters, String license) {

    public Modelfile {
        parameters = parameters == null ? null : Map.copyOf(parameters);
    }

    /** This one with the given parts replacing its own where they are not null. */
    public Modelfile overriddenBy(String newTemplate, String newSystem, Map<String, Object> newParameters,
                                  String newLicense) {
        return new Modelfile(newTemplate != null ? newTemplate : template, newSystem != null ? newSystem : system,
                newParameters != null ? newParameters : parameters, newLicense != null ? newLicense : license);
    }
}
