package io.scarcity.bench.moa;

import io.scarcity.api.PluginConfig;
import moa.classifiers.AbstractClassifier;
import moa.classifiers.trees.HoeffdingTree;

/**
 * {@code moa-ht}: MOA's Hoeffding Tree ({@code moa.classifiers.trees.HoeffdingTree}, VFDT) as an expert.
 * Options, MOA's defaults: {@code gracePeriod} 200, {@code splitConfidence} 1e-7, {@code tieThreshold}
 * 0.05, {@code leafPrediction} {@code mc}|{@code nb}|{@code nba} (nba), {@code moaOptions} (further MOA
 * options, verbatim).
 */
public final class HoeffdingTreeFactory extends MoaExpertFactory {
    public HoeffdingTreeFactory() {
    }

    @Override
    public String name() {
        return "moa-ht";
    }

    @Override
    public String description() {
        return "MOA Hoeffding Tree (baseline; MOA 2024.07.0, GPL-3), MOA's defaults";
    }

    @Override
    AbstractClassifier newLearner() {
        return new HoeffdingTree();
    }

    @Override
    MoaOptions readOptions(PluginConfig config) {
        return TreeOptions.from(config);
    }
}
