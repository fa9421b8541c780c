package dev.proxylaw.jobs;

/** Bad input from the command line: printed as one line, exit code 2, nothing written. */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
