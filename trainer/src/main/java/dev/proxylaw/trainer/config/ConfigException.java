package dev.proxylaw.trainer.config;

/** A user error in a configuration: the message says what is wrong and how to fix it. Exit code 2. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new ConfigException(message);
        }
    }

    static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
