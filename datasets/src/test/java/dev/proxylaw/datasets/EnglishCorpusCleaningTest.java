package dev.proxylaw.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cleaning rules of the English corpus (scripts/corpus/english.py) on small hand-written samples of
 * each markup it reads: the output must equal the reviewed {@code .clean} file beside each sample, and,
 * independently of that file, keep the prose and drop the markup, code, tables and navigation.
 * A damaged package must fail the build with one line and exit code 2, leaving no partial corpus. Runs the
 * helper on /usr/bin/python3 like scripts/corpus.sh does; needs no package download.
 */
class EnglishCorpusCleaningTest {
    static final Path SCRIPT = Path.of("../scripts/corpus/english.py");
    static final Path SAMPLES = Path.of("src/test/resources/corpus/markup");

    record Run(int code, String out, String err) {
    }

    static Run python(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        // the samples are small: reading stdout before stderr cannot fill a pipe buffer
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "english.py did not finish");
        return new Run(p.exitValue(), out, err);
    }

    static String clean(String format, String file) throws Exception {
        Run r = python("clean", format, SAMPLES.resolve(file).toString());
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    @ParameterizedTest
    @CsvSource({"html, sample.html", "rst, sample.rst", "pod, sample.pod", "osis, sample.osis", "text, sample.txt"})
    void eachFormatGivesTheReviewedText(String format, String file) throws Exception {
        String expected = Files.readString(SAMPLES.resolve(file + ".clean"));
        assertEquals(expected, clean(format, file));
    }

    @Test
    void htmlKeepsParagraphsAndDropsCodeTablesNavigationAndOtherLanguages() throws Exception {
        String out = clean("html", "sample.html");
        // entities decoded, a hard-wrapped div joined into one line
        assertTrue(out.contains("\nThe bees at the outside of the cluster form an insulating shell, packed head inwards, "
                + "while those in the middle shiver their flight muscles to make heat. A healthy cluster holds its "
                + "centre near 20 \u00b0C even on a frosty night \u2014 a remarkable feat"), out);
        assertTrue(out.contains("dead bees & snow"), out);
        assertTrue(out.contains("run listen --hive 3 or simply"), out);   // inline code stays in its sentence
        for (String gone : new String[] {"<", "pageTracker", "margin", "winter.log", "sounds healthy", "18.5", "Prev", "Next", "Home",
            "Table of Contents", "1.5 kg", "\u51ac"}) {
            assertFalse(out.contains(gone), gone + " should be dropped:\n" + out);
        }
        // one paragraph per line, separated by blank lines
        for (String par : out.strip().split("\n\n")) {
            assertFalse(par.isBlank() || par.contains("\n") || !par.equals(par.strip()), "[" + par + "]");
        }
    }

    @Test
    void restKeepsDirectiveProseAndDropsCodeTablesAndComments() throws Exception {
        String out = clean("rst", "sample.rst");
        // a role and a link wrapped over two lines keep their text only; the footnote reference goes
        assertTrue(out.contains("It is described in PEP 9999 and follows the conventions of the apiary format used "
                + "by the British Beekeepers Association."), out);
        assertTrue(out.contains("Return the number of bees in the hive called name."), out);   // a function's body
        assertTrue(out.contains("The weather argument was added"), out);   // a versionchanged body
        assertTrue(out.contains("A short example of counting a hive:\n"), out);   // "::" becomes ":"
        for (String gone : new String[] {"``", ":func:", ":ref:", ">>>", "42000", "every other hive", "$ hives", "hive-1", "18.5",
            "======", "maxdepth", "hives-howto", "maintainers", "keeper@example.org", "synopsis", "weather=\"dry\"",
            "frames=None", "#weights", "https://"}) {
            assertFalse(out.contains(gone), gone + " should be dropped:\n" + out);
        }
    }

    @Test
    void podResolvesFormattingCodesAndDropsVerbatimCodeAndOtherFormats() throws Exception {
        String out = clean("pod", "sample.pod");
        assertTrue(out.contains("read perlintro first, and the section on files in \"open\" in perlfunc."), out);
        assertTrue(out.contains("Call it as $hive->count(frames => [1, 2]) when"), out);
        assertTrue(out.contains("kilograms \u2014 never in pounds. A hive is full when $hive->boxes > 2."), out);
        assertTrue(out.contains("as described in the counting section and on the project page."), out);
        assertTrue(out.contains("in the rain gives low numbers"), out);   // X<> is an index entry, S<> keeps its text
        for (String gone : new String[] {"use Hive;", "printf", "only for the HTML", "maintainers", "sub count",
            "=head", "=item", "C<", "https://", "NAME"}) {
            assertFalse(out.contains(gone), gone + " should be dropped:\n" + out);
        }
    }

    @Test
    void osisDropsFootnotesAndHeadingsAndKeepsVerseText() throws Exception {
        String out = clean("osis", "sample.osis");
        assertTrue(out.startsWith("In the beginning the keeper made a hive of cedar, and set it where"), out);
        assertTrue(out.contains("fill it with honey & wax.\u201d\n\nThe swarm rose up like smoke from the field, and "
                + "settled"), out);
        for (String gone : new String[] {"pine", "The Book of the Hive", "A song of the swarm", "strong:", "1:1"}) {
            assertFalse(out.contains(gone), gone + " should be dropped:\n" + out);
        }
    }

    @Test
    void aDamagedPackageIsOneLineAndExitTwoAndLeavesNoCorpus(@TempDir Path dir) throws Exception {
        Path deb = Files.writeString(dir.resolve("r-cran-janeaustenr_1.0.0-1_all.deb"), "not an ar archive\n");
        Run r = python("build", dir.toString(), dir.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("error: " + deb + " is not a Debian package (no ar header). Delete it and run again.",
                r.err().strip());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(deb), files.toList());   // neither english.jsonl nor a partial .tmp
        }
    }

    @Test
    void badUsageIsOneLineAndExitTwo() throws Exception {
        Run r = python("clean", "latex", SAMPLES.resolve("sample.txt").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: usage: english.py") && r.err().strip().lines().count() == 1, r.err());
        assertEquals("", r.out());
    }
}
