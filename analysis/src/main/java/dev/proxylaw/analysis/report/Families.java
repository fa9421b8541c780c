package dev.proxylaw.analysis.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Short names for families. A family key lists every setting that is not N, D, LR or batch
 * ("param=sp variant=table emb_lr=1.0 ..."); a legend only needs the settings that differ.
 */
public final class Families {
    private Families() {
    }

    public static Map<String, String> shortNames(Collection<String> families) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(families));
        Map<String, String> out = new LinkedHashMap<>();
        if (sorted.size() <= 1) {
            sorted.forEach(f -> out.put(f, first(f)));
            return out;
        }
        List<String[]> parts = sorted.stream().map(f -> f.split(" ")).toList();
        int width = parts.stream().mapToInt(p -> p.length).max().orElse(0);
        List<Integer> varying = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            final int k = i;
            if (parts.stream().map(p -> k < p.length ? p[k] : "").distinct().count() > 1) {
                varying.add(i);
            }
        }
        for (int j = 0; j < sorted.size(); j++) {
            StringBuilder b = new StringBuilder();
            for (int i : varying) {
                if (i < parts.get(j).length) {
                    b.append(b.length() == 0 ? "" : " ").append(parts.get(j)[i]);
                }
            }
            out.put(sorted.get(j), b.length() == 0 ? sorted.get(j) : b.toString());
        }
        return out;
    }

    private static String first(String family) {
        int sp = family.indexOf(' ');
        return sp < 0 ? family : family.substring(0, sp);
    }
}
