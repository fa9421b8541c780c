package dev.proxylaw.datasets;

/**
 * Bad data from the user (a missing, empty, malformed or foreign file; an unknown tokenizer or field):
 * the message names the file and says how to fix it. The CLI reports it in one line with exit code 2.
 */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
