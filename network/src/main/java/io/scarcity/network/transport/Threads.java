package io.scarcity.network.transport;

import java.util.concurrent.ThreadFactory;

/** The transport's own threads: daemons, so that an open connection never keeps a JVM alive. */
final class Threads {
    private Threads() {
    }

    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
