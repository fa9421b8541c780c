package dev.proxylaw.jobs.io;

import dev.proxylaw.analysis.fit.RunStatus;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the readers of runs/ rely on, in one place: the columns the fit reads (each one is in {@link Schemas#RUNS},
 * which the sink writes; RunsContractTest checks it), the terminal statuses as SQL, and the family key. Status is
 * {@link RunStatus} everywhere past this edge.
 */
public final class RunsContract {
    /** The runs/ columns the fit reads (beyond them, config_json and total_steps when present). */
    public static final List<String> FIT_COLUMNS = List.of("run_id", "status", "smoothed_loss", "n_steplaw", "tokens",
            "lr", "batch_tokens", "batch_size", "d_model", "n_layers", "param_type", "param_variant", "embedding_lr_mult",
            "m_n", "alpha", "qk_layernorm", "z_loss", "weight_decay", "wd_style", "eps", "schedule_type", "warmup_steps");

    /** Runs that measured something about their hyperparameters: COMPLETED and DIVERGED, as a SQL predicate. */
    public static final String TERMINAL = "status IN (" + Arrays.stream(RunStatus.values())
            .filter(s -> s != RunStatus.FAILED).map(s -> "'" + s.name() + "'").collect(Collectors.joining(", ")) + ")";

    /**
     * The family key: everything that is neither N, D, LR nor batch. The embedding-LR multiplier enters relative
     * to the width multiplier m_N (as m_N^k), so that "SP with embedding LR x m_N" is one family across widths
     * (Kalra and Barkeshli's comparison) rather than one per width; at base width (m_N = 1), and for a
     * multiplier of 1, it is the plain value. SP trains with m_N = 1, so its width factor is d_model / base_width
     * when the run's config names a base width (config_json; PlanChecks.family applies the same rule), else 1.
     */
    public static final String WIDTH_FACTOR = "COALESCE(IF(param_type = 'sp', d_model / CAST(get_json_object(config_json, "
            + "'$.param.base_width') AS DOUBLE), m_n), m_n)";

    public static final String FAMILY = "concat_ws(' ', concat('param=', param_type), concat('variant=', param_variant), "
            + "IF(" + WIDTH_FACTOR + " = 1 OR embedding_lr_mult = 1, concat('emb_lr=', embedding_lr_mult), "
            + "concat('emb_lr=m_N^', CAST(round(ln(embedding_lr_mult) / ln(" + WIDTH_FACTOR + "), 3) AS STRING))), "
            + "concat('alpha=', alpha), concat('qk_ln=', qk_layernorm), "
            + "concat('z_loss=', z_loss), concat('wd=', weight_decay, '/', wd_style), concat('eps=', eps), "
            + "concat('schedule=', schedule_type, '/', warmup_steps), concat('init=', init_std), concat('attn=', attn_scale), "
            + "concat('betas=', beta1, '/', beta2), concat('clip=', grad_clip), concat('tied=', tied_embeddings), "
            + "concat('bias=', bias))";

    /** Settings in the family key that a runs table written before them, or elsewhere, may lack (read as absent). */
    public static final List<String> OPTIONAL_FAMILY_COLUMNS = List.of("init_std", "attn_scale", "beta1", "beta2",
            "grad_clip", "tied_embeddings", "bias");

    private RunsContract() {
    }
}
