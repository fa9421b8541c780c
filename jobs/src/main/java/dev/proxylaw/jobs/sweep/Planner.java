package dev.proxylaw.jobs.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.proxylaw.jobs.io.TextFiles;
import dev.proxylaw.trainer.config.ConfigException;
import dev.proxylaw.trainer.config.ConfigIo;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.ModelStats;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * Expands a sweep spec into validated run configs. A spec is YAML:
 * <pre>
 * sweep: NAME                 # the sweep id
 * base: ../runs/tiny.yaml     # optional run config file (relative to the spec)
 * run: {...}                  # optional run config, deep-merged over base
 * derive:                     # optional derived values
 *   tokens_per_param: 20      #   train.tokens = k * N (N by the Step Law formula)
 *   batch_tokens: 8192        #   train.batch_size = batch_tokens / seq_len
 * axes:                       # the cartesian product, first axis outermost; or a list of such
 *                             # mappings (grids) whose union is the plan, a run in two grids planned once
 *   optim.lr: {ladder: {base: 3.0e-3, ratio: 2, from: -4, to: 4, per: 2}}   # base * ratio^(k/per)
 *   model.d_model: [64, 128]                                                # explicit values
 *   derive.tokens_per_param: [10, 20]                                       # derived values as axes
 *   variant: {merge: [{param: {type: sp}}, {param: {type: mup}}]}           # partial configs merged in
 * </pre>
 * Every point is parsed as a RunConfig, so a bad grid fails here, before any executor starts.
 */
public final class Planner {
    private static final ObjectMapper YAML = new YAMLMapper()   // a key written twice is a mistake
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    private static final Set<String> TOP = Set.of("sweep", "base", "run", "derive", "axes");
    private static final Set<String> DERIVED = Set.of("tokens_per_param", "batch_tokens");

    private Planner() {
    }

    /** Loads a spec from any Hadoop path; a relative {@code base} is read from the spec's directory. */
    public static Plan load(String specFile, Configuration conf) {
        String text;
        try {
            text = TextFiles.read(specFile, conf);
        } catch (FileNotFoundException e) {
            throw new ConfigException("Cannot load sweep spec " + specFile + ": the file does not exist. Check the path.");
        } catch (IOException e) {
            throw new ConfigException("Cannot load sweep spec " + specFile + ": " + e.getMessage() + ".");
        }
        return plan(text, specFile, base -> TextFiles.read(TextFiles.sibling(specFile, base), conf));
    }

    /** A spec from text; a relative {@code base} is read from {@code baseDir}. */
    public static Plan plan(String yaml, String source, Path baseDir) {
        return plan(yaml, source, base -> Files.readString(baseDir.resolve(base)));
    }

    /** Reads the base run config a spec names. */
    interface BaseReader {
        String read(String base) throws IOException;
    }

    static Plan plan(String yaml, String source, BaseReader baseReader) {
        JsonNode spec;
        try {
            spec = YAML.readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String dup = ConfigIo.duplicateKey(e);
            throw new ConfigException("Cannot load sweep spec " + source + ": " + (dup != null ? dup + "." : "it is not valid YAML"
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()) + ": " + ConfigIo.problem(e) + "."));
        }
        if (spec == null || !spec.isObject()) {
            throw new ConfigException("Cannot load sweep spec " + source + ": it is empty or not a mapping. "
                    + "See conf/sweeps/demo.yaml.");
        }
        for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TOP.contains(k)) {
                throw new ConfigException("Cannot load sweep spec " + source + ": unknown key '" + k
                        + "'. Use sweep, base, run, derive, axes.");
            }
        }
        String sweep = spec.path("sweep").asText("");
        if (!sweep.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new ConfigException("Cannot load sweep spec " + source + ": 'sweep' must name the sweep "
                    + "(letters, digits, . _ -), got '" + sweep + "'.");
        }
        ObjectNode base = YAML.createObjectNode();
        if (spec.has("base")) {
            String file = spec.get("base").asText();
            try {
                merge(base, YAML.readTree(baseReader.read(file)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                String dup = ConfigIo.duplicateKey(e);
                throw new ConfigException("Cannot load sweep spec " + source + ": base run config " + file + ": "
                        + (dup != null ? dup : "it is not valid YAML: " + ConfigIo.problem(e)) + ".");
            } catch (IOException e) {
                throw new ConfigException("Cannot load sweep spec " + source + ": base run config " + file
                        + " cannot be read (" + e.getMessage() + "). Fix 'base'.");
            }
        }
        if (spec.has("run")) {
            merge(base, spec.get("run"));
        }
        base.put("name", sweep);
        ObjectNode derive = spec.has("derive") ? (ObjectNode) spec.get("derive").deepCopy() : YAML.createObjectNode();
        List<List<Axis>> grids = grids(spec.path("axes"), source);
        List<PlannedRun> runs = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (int g = 0; g < grids.size(); g++) {
            expand(grids.get(g), grids.size() > 1 ? "grid" + (g + 1) + ": " : "", base, derive, sweep, source, runs, seen);
        }
        return new Plan(sweep, List.copyOf(runs));
    }

    /**
     * Appends one grid's cartesian product to {@code runs}. A config twice in one grid is a mistake; a config
     * that an earlier grid already planned is planned once (grids overlap on purpose: extra seeds at some cells).
     */
    private static void expand(List<Axis> axes, String grid, ObjectNode base, ObjectNode derive, String sweep, String source,
                               List<PlannedRun> runs, Map<String, String> seen) {
        int[] idx = new int[axes.size()];
        long total = 1;
        for (Axis a : axes) {
            total *= a.values.size();
        }
        if (total == 0) {
            throw new ConfigException("Cannot plan sweep " + sweep + " (" + source + "): " + (grid.isEmpty() ? "an" : grid + "an")
                    + " axis has no values, so the grid is empty.");
        }
        if (total + runs.size() > 1_000_000) {
            throw new ConfigException("Cannot plan sweep " + sweep + " (" + source + "): " + (total + runs.size())
                    + " runs is more than 1,000,000. Split the sweep.");
        }
        Map<String, String> here = new HashMap<>();
        for (long n = 0; n < total; n++) {
            ObjectNode point = base.deepCopy();
            ObjectNode d = derive.deepCopy();
            StringBuilder label = new StringBuilder(grid);
            for (int i = 0; i < axes.size(); i++) {
                Axis a = axes.get(i);
                JsonNode v = a.values.get(idx[i]);
                if (a.merge) {
                    merge(point, v);
                } else if (a.path.startsWith("derive.")) {
                    d.set(a.path.substring("derive.".length()), v);
                } else {
                    set(point, a.path, v);
                }
                label.append(label.length() == grid.length() ? "" : " ").append(a.path).append('=')
                        .append(a.merge ? String.valueOf(idx[i]) : v.isTextual() ? v.asText() : v.toString());
            }
            applyDerived(point, d, sweep + " (" + source + ")", label.toString());
            RunConfig cfg;
            try {
                cfg = ConfigIo.parseJson(point.toString());
            } catch (ConfigException e) {
                throw new ConfigException("Cannot plan sweep " + sweep + " (" + source + "): the run " + label + " is invalid: "
                        + e.getMessage().replaceFirst("^Cannot load config JSON: ", ""));
            }
            String id = cfg.id();
            String twin = here.putIfAbsent(id, label.toString());
            if (twin != null) {
                throw new ConfigException("Cannot plan sweep " + sweep + " (" + source + "): runs " + twin + " and " + label
                        + " have the same config. Remove the duplicate axis value.");
            }
            if (seen.putIfAbsent(id, label.toString()) == null) {
                runs.add(new PlannedRun(runs.size(), id, cfg, label.toString()));
            }
            for (int i = axes.size() - 1; i >= 0; i--) {   // odometer: the last axis turns fastest
                if (++idx[i] < axes.get(i).values.size()) {
                    break;
                }
                idx[i] = 0;
            }
        }
    }

    /** One grid (a mapping of axes), or a list of them whose union is the plan. */
    private static List<List<Axis>> grids(JsonNode node, String source) {
        List<List<Axis>> out = new ArrayList<>();
        if (node.isArray()) {
            if (node.isEmpty()) {
                throw new ConfigException("Cannot load sweep spec " + source + ": 'axes' is an empty list. Give one grid "
                        + "(a mapping of axes) or a list of them.");
            }
            for (JsonNode g : node) {
                if (!g.isObject()) {
                    throw new ConfigException("Cannot load sweep spec " + source + ": every item of the 'axes' list must map "
                            + "a config path to its values (one grid each).");
                }
                out.add(axes(g, source));
            }
        } else {
            out.add(axes(node, source));
        }
        return out;
    }

    private record Axis(String path, List<JsonNode> values, boolean merge) {
    }

    private static List<Axis> axes(JsonNode node, String source) {
        List<Axis> out = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new ConfigException("Cannot load sweep spec " + source + ": 'axes' must map a config path to its values, or be a list of such mappings.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = e.getKey();
            JsonNode v = e.getValue();
            if (v.isArray()) {
                out.add(new Axis(path, list(v), false));
            } else if (v.isObject() && v.has("ladder")) {
                out.add(new Axis(path, ladder(path, v.get("ladder"), source), false));
            } else if (v.isObject() && v.has("merge") && v.get("merge").isArray()) {
                out.add(new Axis(path, list(v.get("merge")), true));
            } else {
                throw new ConfigException("Cannot load sweep spec " + source + ": axis '" + path + "' needs a list of "
                        + "values, {ladder: {base, ratio, from, to, per}} or {merge: [partial configs]}.");
            }
            if (path.startsWith("derive.") && !DERIVED.contains(path.substring(7))) {
                throw new ConfigException("Cannot load sweep spec " + source + ": unknown derived value '" + path
                        + "'. Use derive.tokens_per_param or derive.batch_tokens.");
            }
        }
        return out;
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    /** base * ratio^(k / per) for k = from..to. */
    static List<JsonNode> ladder(String path, JsonNode l, String source) {
        for (String k : new String[] {"base", "from", "to"}) {
            if (!l.has(k)) {
                throw new ConfigException("Cannot load sweep spec " + source + ": ladder of '" + path + "' needs '" + k
                        + "' (base * ratio^(k/per) for k = from..to).");
            }
        }
        double base = l.get("base").asDouble();
        double ratio = l.path("ratio").asDouble(2.0);
        int per = l.path("per").asInt(1);
        int from = l.get("from").asInt();
        int to = l.get("to").asInt();
        if (!(base > 0) || !(ratio > 0) || per < 1 || to < from) {
            throw new ConfigException("Cannot load sweep spec " + source + ": ladder of '" + path
                    + "' needs base > 0, ratio > 0, per >= 1 and from <= to.");
        }
        List<JsonNode> out = new ArrayList<>();
        for (int k = from; k <= to; k++) {
            // rounded to 6 significant digits so that ids and labels stay readable and stable
            double v = Double.parseDouble(String.format("%.6g", base * Math.pow(ratio, (double) k / per)));
            out.add(YAML.getNodeFactory().numberNode(v));
        }
        return out;
    }

    private static void applyDerived(ObjectNode point, ObjectNode derive, String sweep, String label) {
        for (Iterator<String> it = derive.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!DERIVED.contains(k)) {
                throw new ConfigException("Cannot plan sweep " + sweep + ": unknown derived value 'derive." + k
                        + "'. Use tokens_per_param or batch_tokens.");
            }
        }
        ObjectNode train = point.with("train");
        // the model section with its defaults filled in, so derived values see what the run will use
        ModelConfig model = ConfigIo.readJson(point.with("model").toString(), "model of run " + label, ModelConfig.class);
        int seqLen = model.seqLen();
        if (derive.has("batch_tokens")) {
            long bt = derive.get("batch_tokens").asLong();
            if (bt <= 0 || bt % seqLen != 0) {
                throw new ConfigException("Cannot plan sweep " + sweep + ": derive.batch_tokens=" + bt + " is not a "
                        + "positive multiple of seq_len=" + seqLen + " (run " + label + ").");
            }
            train.put("batch_size", bt / seqLen);
        }
        if (derive.has("tokens_per_param")) {
            double k = derive.get("tokens_per_param").asDouble();
            long n = ModelStats.nStepLaw(model.dModel(), model.nLayers());
            train.remove("steps");
            train.put("tokens", Math.max(1, Math.round(k * n)));
        }
    }

    private static void set(ObjectNode root, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.with(parts[i]);
        }
        node.set(parts[parts.length - 1], value.deepCopy());
    }

    /** Deep merge: mappings merge key by key, anything else replaces. */
    static void merge(ObjectNode into, JsonNode from) {
        if (from == null || !from.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                into.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }
}
