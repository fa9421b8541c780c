package dev.proxylaw.trainer.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** YAML in, canonical JSON out. Unknown keys and impossible values are errors naming the key and the fix. */
public final class ConfigIo {
    private static final ObjectMapper YAML = configure(YAMLMapper.builder(new YAMLFactory()).build());
    private static final ObjectMapper JSON = configure(JsonMapper.builder().build())
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    private ConfigIo() {
    }

    private static ObjectMapper configure(ObjectMapper m) {
        // a key written twice is a mistake, not "the last one wins"
        m.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
                .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);
    }

    /** Reads and validates a run config file. */
    public static RunConfig load(Path file) {
        return parseYaml(readText(file, "run config"), file.toString());
    }

    /** A config file's text: missing files, directories and files that are not UTF-8 text are named as such. */
    public static String readText(Path file, String what) {
        try {
            return decodeText(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("Cannot load " + what + " " + file + ": the file does not exist. Check the path.");
        } catch (CharacterCodingException e) {
            throw new ConfigException("Cannot load " + what + " " + file + ": it is not UTF-8 text (a binary file?). "
                    + "Give a YAML file.");
        } catch (IOException e) {
            throw new ConfigException("Cannot load " + what + " " + file + ": " + (Files.isDirectory(file)
                    ? "it is a directory" : e.getMessage()) + ". Give a YAML file.");
        }
    }

    /** A parser's message on one line: SnakeYAML's own lines, without its source excerpts and carets. */
    public static String problem(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        return m.lines().filter(l -> !l.isBlank() && !l.startsWith(" ") && !l.contains("in 'reader'"))
                .map(String::strip).collect(Collectors.joining("; "));
    }

    /** Strict UTF-8: malformed bytes or a NUL (a binary file) fail instead of becoming replacement characters. */
    public static String decodeText(byte[] bytes) throws CharacterCodingException {
        for (byte b : bytes) {
            if (b == 0) {
                throw new CharacterCodingException();
            }
        }
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }

    /** Jackson's duplicate-key error (wrapped or not) as one line naming the key and its line; null for other errors. */
    public static String duplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonProcessingException j && j.getOriginalMessage() != null
                    && j.getOriginalMessage().startsWith("Duplicate field '")) {
                String m = j.getOriginalMessage();
                String key = m.substring("Duplicate field '".length(), m.indexOf('\'', "Duplicate field '".length()));
                return "key '" + key + "' is given twice" + line(j) + ". Keep one of them";
            }
        }
        return null;
    }

    public static RunConfig parseYaml(String yaml, String source) {
        return read(YAML, yaml, source, RunConfig.class);
    }

    public static RunConfig parseJson(String json) {
        return read(JSON, json, "config JSON", RunConfig.class);
    }

    /** Reads JSON into any config type with the same rules. */
    public static <T> T readJson(String json, String source, Class<T> type) {
        return read(JSON, json, source, type);
    }

    /** Reads YAML into any config type with the same rules (used by the sweep specs too). */
    public static <T> T readYaml(String yaml, String source, Class<T> type) {
        return read(YAML, yaml, source, type);
    }

    private static <T> T read(ObjectMapper mapper, String text, String source, Class<T> type) {
        if (text.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
            throw new ConfigException("Cannot load " + source + ": it is empty. Write a run config (see conf/runs/tiny.yaml).");
        }
        try {
            T value = mapper.readValue(text, type);
            if (value == null) {
                throw new ConfigException("Cannot load " + source + ": it is empty. Write a run config (see conf/runs/tiny.yaml).");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException("Cannot load " + source + ": unknown key '" + path(e) + "'" + line(e)
                    + ". Remove it or use one of: " + known + ".");
        } catch (InvalidTypeIdException e) {
            throw new ConfigException("Cannot load " + source + ": '" + path(e) + "' has unknown type '" + e.getTypeId()
                    + "'" + line(e) + ". Use one of: constant, cosine, wsd, power.");
        } catch (ValueInstantiationException e) {
            Throwable root = e.getCause() == null ? e : e.getCause();
            // a check over the whole run has no line of its own: the parser is then at the end of the file
            throw new ConfigException("Cannot load " + source + ": " + root.getMessage()
                    + (path(e).isEmpty() ? "" : " (in '" + path(e) + "')" + line(e)), root);
        } catch (MismatchedInputException e) {
            if (duplicateKey(e) != null) {
                throw new ConfigException("Cannot load " + source + ": " + duplicateKey(e) + ".");
            }
            if (path(e).isEmpty()) {
                throw new ConfigException("Cannot load " + source + ": it is not a mapping of sections" + line(e)
                        + ". Write a run config (see conf/runs/tiny.yaml).");
            }
            if (e.getTargetType() != null && e.getTargetType().isPrimitive() && e.getOriginalMessage() != null
                    && e.getOriginalMessage().contains("null")) {   // a required number left out (or written as null)
                throw new ConfigException("Cannot load " + source + ": '" + path(e) + "' is missing" + line(e)
                        + "; give it a value (" + e.getTargetType().getSimpleName() + ").");
            }
            throw new ConfigException("Cannot load " + source + ": '" + path(e) + "' has the wrong type" + line(e)
                    + "; expected " + e.getTargetType().getSimpleName() + ".");
        } catch (JsonMappingException e) {
            if (duplicateKey(e) != null) {
                throw new ConfigException("Cannot load " + source + ": " + duplicateKey(e) + ".");
            }
            if (e.getCause() instanceof JsonProcessingException p) {   // the parser failed while a value was being read
                throw new ConfigException("Cannot load " + source + ": it is not valid " + (mapper == YAML ? "YAML" : "JSON")
                        + line(p) + ": " + problem(p) + ".");
            }
            Throwable root = e.getCause() instanceof RuntimeException ? e.getCause() : e;
            String at = path(e).isEmpty() ? "" : "'" + path(e) + "': ";
            throw new ConfigException("Cannot load " + source + ": " + at + root.getMessage().lines().findFirst().orElse("")
                    + line(e), root);
        } catch (JsonProcessingException e) {
            if (duplicateKey(e) != null) {
                throw new ConfigException("Cannot load " + source + ": " + duplicateKey(e) + ".");
            }
            throw new ConfigException("Cannot load " + source + ": it is not valid " + (mapper == YAML ? "YAML" : "JSON")
                    + line(e) + ": " + problem(e) + ".");
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String line(JsonProcessingException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 0 ? "" : " at line " + e.getLocation().getLineNr();
    }

    /** Canonical JSON: sorted keys, every field present, defaults filled in. Hash input of the run id. */
    public static String canonicalJson(Object config) {
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise config: " + e.getMessage(), e);
        }
    }
}
