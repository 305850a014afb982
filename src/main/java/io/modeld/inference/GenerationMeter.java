package io.modeld.inference;

import io.modeld.runtime.RunnerResult;

/** What {@link Inference} tells the metrics of each generation: its model, and its result or its failure. */
public interface GenerationMeter {

    GenerationMeter NONE = new GenerationMeter() {
        @Override
        public void generated(String modelId, RunnerResult result) {
        }

        @Override
        public void failed(String modelId) {
        }
    };

    void generated(String modelId, RunnerResult result);

    void failed(String modelId);
}
