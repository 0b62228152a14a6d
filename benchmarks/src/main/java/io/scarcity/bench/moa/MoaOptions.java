package io.scarcity.bench.moa;

import java.util.Map;

/** What every MOA expert's validated options give the factory to configure the learner. */
interface MoaOptions {
    /**
     * The named options as a MOA command line, e.g. {@code -g 200 -c 1.0E-7 -t 0.05 -l NBAdaptive}.
     * Applied after {@link #moaOptions()}, so a named option always wins.
     */
    String commandLine();

    /**
     * Extra MOA options, appended to the learner's command line verbatim and validated by MOA; empty when
     * none. Never {@code null}.
     */
    String moaOptions();

    /**
     * The MOA option letters the named options set, each with the key that sets it (e.g. {@code 'g' ->
     * gracePeriod}), so that {@code moaOptions} cannot silently fight a named option.
     */
    Map<Character, String> keysByLetter();
}
