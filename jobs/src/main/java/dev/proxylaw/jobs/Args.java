package dev.proxylaw.jobs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Minimal {@code positional --flag value} parsing; unknown flags are errors. */
final class Args {
    final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> flags = new HashMap<>();

    Args(String command, String[] argv, int from, Set<String> known) {
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (!known.contains(name)) {
                    throw new UserError("Cannot run '" + command + "': unknown option --" + name
                            + (known.isEmpty() ? "" : "; options are --" + String.join(", --", known.stream().sorted().toList()))
                            + ".");
                }
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new UserError("Cannot run '" + command + "': --" + name + " needs a value.");
                    }
                    value = argv[++i];
                }
                flags.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                positional.add(a);
            }
        }
    }

    /** The last value given for {@code --name}, or the fallback. */
    String get(String name, String fallback) {
        List<String> v = flags.get(name);
        return v == null ? fallback : v.get(v.size() - 1);
    }

    /** Every value of a repeatable flag such as {@code --conf}. */
    List<String> all(String name) {
        return flags.getOrDefault(name, List.of());
    }

    double doubleValue(String name, double fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UserError("Cannot parse --" + name + "=" + v + ": expected a number.");
        }
    }

    int intValue(String name, int fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UserError("Cannot parse --" + name + "=" + v + ": expected an integer.");
        }
    }

    boolean booleanValue(String name, boolean fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new UserError("Cannot parse --" + name + "=" + v + ": expected true or false.");
        }
        return Boolean.parseBoolean(v);
    }
}
