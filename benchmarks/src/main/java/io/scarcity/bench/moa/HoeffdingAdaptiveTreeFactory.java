package io.scarcity.bench.moa;

import io.scarcity.api.PluginConfig;
import moa.classifiers.AbstractClassifier;
import moa.classifiers.trees.HoeffdingAdaptiveTree;

/**
 * {@code moa-hat}: MOA's Hoeffding Adaptive Tree ({@code moa.classifiers.trees.HoeffdingAdaptiveTree}:
 * ADWIN in every node grows alternate subtrees on change) as an expert. Options as {@code moa-ht}, MOA's
 * defaults: {@code gracePeriod} 200, {@code splitConfidence} 1e-7, {@code tieThreshold} 0.05,
 * {@code leafPrediction} (nba), {@code moaOptions}.
 */
public final class HoeffdingAdaptiveTreeFactory extends MoaExpertFactory {
    public HoeffdingAdaptiveTreeFactory() {
    }

    @Override
    public String name() {
        return "moa-hat";
    }

    @Override
    public String description() {
        return "MOA Hoeffding Adaptive Tree (baseline; MOA 2024.07.0, GPL-3), MOA's defaults";
    }

    @Override
    AbstractClassifier newLearner() {
        return new HoeffdingAdaptiveTree();
    }

    @Override
    MoaOptions readOptions(PluginConfig config) {
        return TreeOptions.from(config);
    }
}
