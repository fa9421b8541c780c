package dev.proxylaw.jobs;

import dev.proxylaw.datasets.DataException;
import dev.proxylaw.trainer.config.ConfigException;
import java.io.PrintStream;

/** {@code ./proxylaw COMMAND ...}: the entry point of every command. */
public final class Cli {
    static final String USAGE = """
            usage: proxylaw COMMAND [ARGS]
              demo [--out out/demo]          the demo sweep on Spark local mode, then loss against LR
              train RUN.yaml --out DIR       one proxy training run, no Spark; writes DIR/runs and DIR/steps
              plan SWEEP.yaml                expand and validate a sweep; runs, tokens, FLOPs, estimated time
              sweep SWEEP.yaml --out DIR     every run of a sweep as Spark tasks, exactly once, resumable
                    [--master URL] [--properties FILE] [--conf k=v]... [--max-attempts 3] [--timeout-minutes M]
                    [--runs-per-task N]
              status DIR                     a sweep's state from its dataset alone
              fit DIR [--out DIR2]           per-cell optima and laws with bootstrap intervals: cells/, laws/, laws.json
              fit --runs FILE --out DIR2     the same for a published results table (--columns maps its columns)
                    [--loss smoothed|val]    rank runs on the Step Law smoothed train loss (default) or final val loss
              export DIR --out DIR2          a sweep as a compact dataset to keep: runs/ and thinned steps/, one file
                    [--steps-every 20]       each; what the fit ranks on stays exact; fit and report read it as a sweep
                    [--logit-step 100]       the step the fit reads block 0's max attention logit at (kept)
              predict --laws DIR --N n --D d LR and batch for a target model, with 95% intervals
              report DIR [--laws DIR2]       figures of a fitted sweep or table: DIR/report/index.html (PNG, SVG, data)
              notebooks DIR                  execute notebooks/ headless against a sweep and its fit; copies with
                    [--out DIR/notebooks]    figures in DIR/notebooks (Debian's nbconvert, a Java kernel from Maven Central)
              tokenize INPUT... --out DIR    corpora (text, jsonl, parquet; any Hadoop path) to token shards, on Spark
                    [--format text] [--field text] [--tokenizer gpt2|cl100k|byte] [--val-fraction 0.01] [--shard-mb 64]
                    [--master URL] [--properties FILE] [--conf k=v]...
              bench trainer                  tokens/s of this trainer vs PyTorch, same shapes, one thread each
              bench tokenize                 tokenize throughput per core against jtokkit's raw encode loop
              test                           run the test suite (the launcher script handles this one)
            demo, sweep, fit, report and tokenize take Spark's options: --master URL, --properties FILE (Spark
            properties, conf/spark/), --conf k=v. A cluster deploy mode goes through spark-submit.
            """;

    private Cli() {
    }

    public static void main(String[] argv) {
        LogFile.choose(argv.length == 0 ? "help" : argv[0]);   // before Spark or Hadoop first log
        System.exit(run(argv, System.out, System.err));
    }

    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
            out.print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        try {
            return switch (argv[0]) {
                case "train" -> TrainCommand.run(argv, out);
                case "demo" -> DemoCommand.run(argv, out);
                case "bench" -> BenchCommand.run(argv, out);
                case "plan" -> PlanCommand.run(argv, out);
                case "sweep" -> SweepCommand.run(argv, out);
                case "status" -> StatusCommand.run(argv, out);
                case "fit" -> FitCommand.run(argv, out);
                case "export" -> ExportCommand.run(argv, out);
                case "predict" -> PredictCommand.run(argv, out);
                case "report" -> ReportCommand.run(argv, out);
                case "notebooks" -> NotebooksCommand.run(argv, out);
                case "tokenize" -> TokenizeCommand.run(argv, out);
                default -> throw new UserError("Unknown command '" + argv[0] + "'.\n" + USAGE);
            };
        } catch (UserError | ConfigException | DataException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception | Error e) {
            // not the user's input: one line on the console, the trace in the log file it names (and on the
            // console too with PROXYLAW_DEBUG=1)
            java.nio.file.Path log = LogFile.write(e);
            err.println("error: Cannot run '" + argv[0] + "': " + oneLine(e) + ". "
                    + (log == null ? "Rerun with PROXYLAW_DEBUG=1 for the stack trace." : "The stack trace is in " + log + "."));
            if (System.getenv("PROXYLAW_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /** The exception and its root cause, each the first line of its message. */
    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = first(e) + (root == e ? "" : " (" + first(root) + ")");
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    private static String first(Throwable t) {
        String m = t.getMessage() == null ? "" : t.getMessage().strip().lines().findFirst().orElse("");
        return t.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
    }
}
