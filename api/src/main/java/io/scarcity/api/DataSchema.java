package io.scarcity.api;

import java.util.List;
import java.util.Objects;

/**
 * Shape of a client's stream, known before the first batch: feature names, the task and, for
 * classification, the class names (index {@code i} of a label is {@code classNames.get(i)}).
 */
public record DataSchema(List<String> featureNames, Task task, List<String> classNames) {
    public DataSchema {
        featureNames = List.copyOf(Objects.requireNonNull(featureNames, "featureNames is null"));
        Objects.requireNonNull(task, "task is null");
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        if (featureNames.isEmpty()) {
            throw new IllegalArgumentException("a schema needs at least one feature");
        }
        if (task == Task.CLASSIFICATION && classNames.size() < 2) {
            throw new IllegalArgumentException("classification needs at least two classes, got " + classNames);
        }
        if (task == Task.UNLABELLED && !classNames.isEmpty()) {
            throw new IllegalArgumentException("a stream without labels has no classes, got " + classNames);
        }
    }

    public int numFeatures() {
        return featureNames.size();
    }

    /** Number of classes; 0 for regression and for a stream without labels. */
    public int numClasses() {
        return task == Task.CLASSIFICATION ? classNames.size() : 0;
    }

    /** Whether the stream has labels (class indices or targets); false for {@link Task#UNLABELLED}. */
    public boolean labelled() {
        return task != Task.UNLABELLED;
    }
}
