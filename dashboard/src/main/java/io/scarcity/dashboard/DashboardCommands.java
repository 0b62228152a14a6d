package io.scarcity.dashboard;

import io.scarcity.runtime.cli.CommandProvider;
import java.util.List;

/** Adds {@code scarcity dashboard} to the command line. */
public final class DashboardCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new DashboardCommand());
    }
}
