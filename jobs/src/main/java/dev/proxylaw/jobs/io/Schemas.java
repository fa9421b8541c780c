package dev.proxylaw.jobs.io;

import dev.proxylaw.trainer.model.Group;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The two Parquet schemas analysts read. Column names are the contract: README.md lists them.
 * Lists use the standard 3-level LIST layout, so Spark, DuckDB and pyarrow read them as arrays.
 */
public final class Schemas {
    private Schemas() {
    }

    public static final MessageType STEPS = steps();
    public static final MessageType RUNS = runs();

    private static MessageType steps() {
        Types.MessageTypeBuilder b = Types.buildMessage();
        string(b, "run_id", true);
        b.required(PrimitiveTypeName.INT64).named("step");
        b.required(PrimitiveTypeName.INT64).named("tokens");
        for (Group g : Group.values()) {
            b.optional(PrimitiveTypeName.DOUBLE).named("lr_" + g.column());
        }
        for (String c : new String[] {"loss", "ce_loss", "z_loss", "grad_norm"}) {
            b.optional(PrimitiveTypeName.DOUBLE).named(c);
        }
        b.required(PrimitiveTypeName.BOOLEAN).named("clipped");
        for (Group g : Group.values()) {
            b.optional(PrimitiveTypeName.DOUBLE).named("update_rms_" + g.column());
        }
        for (Group g : Group.values()) {
            b.optional(PrimitiveTypeName.DOUBLE).named("param_rms_" + g.column());
        }
        b.addField(doubleList("max_attn_logit"));
        b.addField(doubleList("act_abs_mean"));
        for (String c : new String[] {"logit_mean", "log_z_mean", "wall_s", "tokens_per_s", "val_loss"}) {
            b.optional(PrimitiveTypeName.DOUBLE).named(c);
        }
        return b.named("steps");
    }

    private static MessageType runs() {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (String c : new String[] {"run_id", "sweep_id", "name", "status"}) {
            string(b, c, c.equals("run_id") || c.equals("status"));
        }
        b.required(PrimitiveTypeName.INT32).named("attempt");
        b.optional(PrimitiveTypeName.INT64).named("diverged_step");
        b.required(PrimitiveTypeName.INT64).named("steps");
        b.required(PrimitiveTypeName.INT64).named("tokens");
        b.optional(PrimitiveTypeName.DOUBLE).named("epochs");   // tokens / training-split tokens
        for (String c : new String[] {"final_loss", "smoothed_loss", "final_val_loss", "wall_s"}) {
            b.optional(PrimitiveTypeName.DOUBLE).named(c);
        }
        for (String c : new String[] {"n_steplaw", "non_embedding_params", "total_params"}) {
            b.required(PrimitiveTypeName.INT64).named(c);
        }
        b.required(PrimitiveTypeName.DOUBLE).named("flops_per_token");
        // the config, flat (every value also sits in config_json)
        b.required(PrimitiveTypeName.INT64).named("seed");
        string(b, "data_source", true);
        string(b, "tokenizer", true);
        for (String c : new String[] {"vocab", "d_model", "n_layers", "n_heads", "seq_len"}) {
            b.required(PrimitiveTypeName.INT32).named(c);
        }
        for (String c : new String[] {"tied_embeddings", "bias", "qk_layernorm"}) {
            b.required(PrimitiveTypeName.BOOLEAN).named(c);
        }
        string(b, "attn_scale", true);
        b.required(PrimitiveTypeName.DOUBLE).named("init_std");
        string(b, "param_type", true);
        string(b, "param_variant", true);
        for (String c : new String[] {"m_n", "m_l", "alpha", "embedding_lr_mult", "lr", "beta1", "beta2", "eps",
            "weight_decay"}) {
            b.required(PrimitiveTypeName.DOUBLE).named(c);
        }
        string(b, "wd_style", true);
        b.required(PrimitiveTypeName.DOUBLE).named("grad_clip");
        b.required(PrimitiveTypeName.DOUBLE).named("z_loss");
        string(b, "schedule_type", true);
        b.required(PrimitiveTypeName.INT32).named("warmup_steps");
        b.required(PrimitiveTypeName.INT32).named("batch_size");
        b.required(PrimitiveTypeName.INT64).named("batch_tokens");
        b.required(PrimitiveTypeName.INT64).named("total_steps");
        string(b, "device", true);
        string(b, "code_version", true);
        string(b, "error", false);
        string(b, "config_json", true);
        b.required(PrimitiveTypeName.INT64).named("finished_at_ms");
        return b.named("runs");
    }

    private static void string(Types.MessageTypeBuilder b, String name, boolean required) {
        (required ? b.required(PrimitiveTypeName.BINARY) : b.optional(PrimitiveTypeName.BINARY))
                .as(LogicalTypeAnnotation.stringType()).named(name);
    }

    private static Type doubleList(String name) {
        return Types.optionalList().optionalElement(PrimitiveTypeName.DOUBLE).named(name);
    }
}
