package io.scarcity.bench.moa;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.lang.reflect.Field;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import moa.classifiers.AbstractClassifier;
import moa.classifiers.meta.AdaptiveRandomForest;

/**
 * {@code moa-arf}: MOA's Adaptive Random Forest ({@code moa.classifiers.meta.AdaptiveRandomForest}) as an
 * expert. Options: {@code ensembleSize} 10 (MOA's default is 100; 10 because a 100-tree forest learns
 * only about 1,500 rows/s, too slow for one forest per client), {@code lambda} 6.0, {@code features}
 * ({@code 60%}, MOA's default mode; or {@code sqrt} or a count), {@code threads} 0 (MOA's default: train
 * in the calling thread), {@code moaOptions}. Seeded from the context (MOA's {@code setRandomSeed}).
 *
 * <p>With {@code threads} > 1 MOA creates a thread pool per forest whose threads are not daemon threads
 * and are never shut down (an expert has no close), so a run would never let its JVM exit; the factory
 * swaps it for a pool of daemon threads of the same size.
 */
public final class AdaptiveRandomForestFactory extends MoaExpertFactory {
    private static final AtomicInteger POOLS = new AtomicInteger();

    public AdaptiveRandomForestFactory() {
    }

    @Override
    public String name() {
        return "moa-arf";
    }

    @Override
    public String description() {
        return "MOA Adaptive Random Forest (baseline; MOA 2024.07.0, GPL-3), 10 trees by default where MOA has 100, for speed";
    }

    @Override
    AbstractClassifier newLearner() {
        return new AdaptiveRandomForest();
    }

    @Override
    MoaOptions readOptions(PluginConfig config) {
        return ForestOptions.from(config);
    }

    @Override
    void prepared(AbstractClassifier learner, MoaOptions options, PluginConfig config, PluginContext context) {
        int threads = ((ForestOptions) options).threads();
        if (threads > 1) {
            useDaemonThreads((AdaptiveRandomForest) learner, threads, config, context.instanceName());
        }
    }

    private static void useDaemonThreads(AdaptiveRandomForest forest, int threads, PluginConfig config, String instance) {
        try {
            Field field = AdaptiveRandomForest.class.getDeclaredField("executor");
            field.setAccessible(true);
            ExecutorService moaPool = (ExecutorService) field.get(forest);
            if (moaPool == null) {
                throw new IllegalStateException("MOA created no thread pool for -j " + threads);
            }
            moaPool.shutdownNow(); // never used: MOA's pool starts its threads on the first task
            String prefix = "moa-arf-" + (instance.isEmpty() ? "" : instance + "-") + POOLS.incrementAndGet() + "-";
            AtomicInteger count = new AtomicInteger();
            ThreadFactory daemons = r -> {
                Thread t = new Thread(r, prefix + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            field.set(forest, Executors.newFixedThreadPool(threads, daemons));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw config.invalid("threads", "cannot run MOA's forest on " + threads + " threads with daemon threads ("
                    + e + "); use threads: 0");
        }
    }
}
