package io.scarcity.runtime.cli;

import java.util.List;

/**
 * Adds commands to {@code scarcity} from a module above the runtime (e.g. {@code coordinator},
 * {@code client} and {@code certs} from the network module): registered in
 * {@code META-INF/services/io.scarcity.runtime.cli.CommandProvider}, found on the class path.
 */
public interface CommandProvider {
    /** picocli command objects (annotated with {@code @Command}), each added as a subcommand by its name. */
    List<Object> commands();
}
