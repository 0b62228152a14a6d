package io.scarcity.network.cli;

import io.scarcity.runtime.cli.CommandProvider;
import java.util.List;

/** The network module's commands: {@code coordinator}, {@code client} and {@code certs}. */
public final class NetworkCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new CoordinatorCommand(), new ClientCommand(), new CertsCommand());
    }
}
