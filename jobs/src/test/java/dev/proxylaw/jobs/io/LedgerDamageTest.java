package dev.proxylaw.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.jobs.CliRunner;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger trusts content, not names: part files damaged on disk (truncated, swapped, emptied) are
 * found, named by every reader in one line with exit code 2, set aside by the next sweep (never deleted)
 * and their runs trained again. Real files, real Parquet, a real local Spark sweep.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LedgerDamageTest {
    static final String SPEC = """
            sweep: damage-test
            run:
              data: {source: markov, markov_tokens: 5000}
              model: {d_model: 16, n_layers: 1, n_heads: 2, seq_len: 8}
              schedule: {type: constant, warmup_steps: 2}
              train: {batch_size: 4, steps: 12}
            axes:
              optim.lr: [0.001, 0.003, 0.01]
            """;

    @TempDir
    static Path dir;
    static Path spec;
    static Path out;
    static final Configuration CONF = new Configuration();

    @BeforeAll
    static void sweep() throws Exception {
        spec = Files.writeString(dir.resolve("sweep.yaml"), SPEC);
        out = dir.resolve("out");
        CliRunner.Result r = CliRunner.run("sweep", spec.toString(), "--out", out.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
    }

    static org.apache.hadoop.fs.Path hout() {
        return new org.apache.hadoop.fs.Path(out.toUri());
    }

    static List<Path> parts(String table) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve(table))) {
            return s.filter(p -> p.getFileName().toString().matches("part-[0-9a-f]{16}\\.parquet")).sorted().toList();
        }
    }

    static List<Path> quarantined() throws Exception {
        if (!Files.exists(out.resolve(Ledger.QUARANTINE))) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(out.resolve(Ledger.QUARANTINE))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
        }
    }

    static void truncate(Path p, long bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(bytes);
        }
        Files.deleteIfExists(p.resolveSibling("." + p.getFileName() + ".crc"));   // damage as a copy tool leaves it
    }

    static void assertOneLine(CliRunner.Result r, String damagedName) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(damagedName + " is damaged"), r.err());
        assertTrue(r.err().contains("./proxylaw sweep SPEC --out"), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("ERROR") || r.err().contains("Exception"), r.err());
    }

    @Test
    @Order(1)
    void anIntactDirectoryVerifies() {
        Ledger l = Ledger.read(hout(), CONF);
        assertEquals(3, l.terminal().size());
        assertEquals(List.of(), l.damaged());
    }

    @Test
    @Order(2)
    void aTruncatedRunsFileIsNamedByEveryReaderInOneLine() throws Exception {
        Path victim = parts("runs").get(0);
        truncate(victim, 100);
        Ledger l = Ledger.read(hout(), CONF);
        assertEquals(2, l.terminal().size(), "a damaged runs file is not a commit");
        assertTrue(l.damaged().stream().anyMatch(d -> d.file().getName().equals(victim.getFileName().toString())));
        String name = "runs/" + victim.getFileName();
        assertOneLine(CliRunner.run("status", out.toString()), name);
        assertOneLine(CliRunner.run("fit", out.toString(), "--bootstraps", "5", "--surface-bootstraps", "5"), name);
        assertOneLine(CliRunner.run("report", out.toString()), name);
        assertOneLine(CliRunner.run("notebooks", out.toString()), name);
        assertEquals(100, Files.size(victim), "readers only read");
    }

    @Test
    @Order(3)
    void theNextSweepSetsItAsideAndTrainsTheRunAgain() throws Exception {
        Path victim = parts("runs").get(0);
        CliRunner.Result r = CliRunner.run("sweep", spec.toString(), "--out", out.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("damaged: ") && r.out().contains(victim.getFileName().toString()), r.out());
        assertTrue(r.out().contains("2 already in") && r.out().contains("1 to train"), r.out());
        List<Path> q = quarantined();
        assertEquals(2, q.size(), "the runs file and its steps file, both kept: " + q);
        Path moved = q.stream().filter(p -> p.getParent().getFileName().toString().equals("runs")).findFirst().orElseThrow();
        assertEquals(100, Files.size(moved), "set aside as it was, not deleted");
        assertTrue(Files.readString(moved.resolveSibling(moved.getFileName() + ".why.txt")).contains(victim.toString()));
        Ledger l = Ledger.read(hout(), CONF);
        assertEquals(3, l.terminal().size());
        assertEquals(List.of(), l.damaged());
        CliRunner.Result st = CliRunner.run("status", out.toString());
        assertEquals(0, st.code(), st.err());
        assertTrue(st.out().contains("set aside   2 damaged files"), st.out());
    }

    @Test
    @Order(4)
    void aStepsFileOfAnotherRunOrNoneAtAllIsDamage() throws Exception {
        List<Path> runs = parts("runs");
        List<Path> steps = parts("steps");
        // valid Parquet with the right schema and row count, but another run's rows
        Files.copy(steps.get(1), steps.get(0), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(steps.get(0).resolveSibling("." + steps.get(0).getFileName() + ".crc"));
        CliRunner.Result st = CliRunner.run("status", out.toString());
        assertOneLine(st, "runs/" + runs.get(0).getFileName());
        assertTrue(st.err().contains("steps file is damaged") && st.err().contains("holds run"), st.err());
        Files.delete(steps.get(1));
        Files.deleteIfExists(steps.get(1).resolveSibling("." + steps.get(1).getFileName() + ".crc"));
        Ledger l = Ledger.read(hout(), CONF);
        assertTrue(l.damaged().stream().anyMatch(d -> d.why().contains("is missing")), l.damaged().toString());
        assertEquals(1, l.terminal().size());
    }

    @Test
    @Order(5)
    void anEmptyOrForeignFileUnderARunsNameIsDamage() throws Exception {
        Path victim = parts("runs").get(2);
        Files.write(victim, new byte[0]);
        Files.deleteIfExists(victim.resolveSibling("." + victim.getFileName() + ".crc"));
        Ledger l = Ledger.read(hout(), CONF);
        assertTrue(l.damaged().stream().anyMatch(d -> d.file().getName().equals(victim.getFileName().toString())
                && d.why().contains("too short")), l.damaged().toString());
        // a steps file renamed as a runs file: valid Parquet, wrong schema
        Files.copy(parts("steps").get(0), victim, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        l = Ledger.read(hout(), CONF);
        assertTrue(l.damaged().stream().anyMatch(d -> d.file().getName().equals(victim.getFileName().toString())
                && d.why().contains("column")), l.damaged().toString());
        Ledger.repair(hout(), CONF, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        Ledger after = Ledger.read(hout(), CONF);
        assertEquals(List.of(), after.damaged());
        assertEquals(0, after.terminal().size(), "every run's files were damaged by now; all are set aside");
        assertEquals(2 + 5, quarantined().size(), "nothing deleted: " + quarantined());
        CliRunner.Result r = CliRunner.run("sweep", spec.toString(), "--out", out.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(3, Ledger.read(hout(), CONF).terminal().size());
    }

    @Test
    @Order(6)
    void aRunsFileWrittenBeforeAColumnWasAddedStillVerifies() throws Exception {
        Path victim = parts("runs").get(0);
        org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(victim.toUri());
        java.util.Map<String, String> meta;
        try (var r = org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(hp, CONF))) {
            meta = r.getFooter().getFileMetaData().getKeyValueMetaData();
        }
        org.apache.parquet.example.data.Group row;
        try (var r = org.apache.parquet.hadoop.ParquetReader.builder(new org.apache.parquet.hadoop.example.GroupReadSupport(), hp)
                .withConf(CONF).build()) {
            row = r.read();
        }
        // the runs schema as it was before the epochs column
        var older = new org.apache.parquet.schema.MessageType("runs",
                Schemas.RUNS.getFields().stream().filter(f -> !f.getName().equals("epochs")).toList());
        var g = new org.apache.parquet.example.data.simple.SimpleGroupFactory(older).newGroup();
        for (var f : older.getFields()) {
            String n = f.getName();
            if (row.getFieldRepetitionCount(n) == 0) {
                continue;
            }
            switch (f.asPrimitiveType().getPrimitiveTypeName()) {
                case BINARY -> g.add(n, row.getBinary(n, 0));
                case INT32 -> g.add(n, row.getInteger(n, 0));
                case INT64 -> g.add(n, row.getLong(n, 0));
                case DOUBLE -> g.add(n, row.getDouble(n, 0));
                case BOOLEAN -> g.add(n, row.getBoolean(n, 0));
                default -> throw new IllegalStateException(n);
            }
        }
        Path tmp = dir.resolve("older.parquet");
        try (var w = org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(tmp.toUri()))
                .withConf(CONF).withType(older).withExtraMetaData(meta).build()) {
            w.write(g);
        }
        Files.copy(tmp, victim, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(victim.resolveSibling("." + victim.getFileName() + ".crc"));
        Ledger l = Ledger.read(hout(), CONF);
        assertEquals(List.of(), l.damaged(), "a column added since is not damage");
        assertEquals(3, l.terminal().size());
    }
}
