#!/usr/bin/env python3
"""Generate the golden GPT fixture that the Java (ND4J) tests compare against.

Run from the repository root:
    /usr/bin/python3 trainer/src/test/python/make_golden.py
    /usr/bin/python3 trainer/src/test/python/make_golden.py --check   # also finite-difference checks

Only torch + stdlib are used. Everything is float64 and seeded, so the output is
byte-for-byte reproducible for a given torch build.

Conventions (must match the Java implementation):
  * every weight matrix is stored as [in, out] and applied as x @ W;
  * qkv columns: [0:C] = q, [C:2C] = k, [2C:3C] = v; head h uses columns h*hd:(h+1)*hd;
  * LayerNorm: (z - mean) / sqrt(population var + 1e-5) * w (+ b), eps 1e-5;
  * GELU uses the tanh approximation;
  * loss = mean CE + z_loss * mean(logsumexp(logits)^2);
  * optimizer: torch.optim.AdamW, one param group per parameterization group.
"""
import argparse
import json
import math

import torch
import torch.nn.functional as F

GENERATOR = "trainer/src/test/python/make_golden.py"
LN_EPS = 1e-5
BETAS = (0.9, 0.95)
WARMUP_STEPS = 2
TOTAL_STEPS = 10
MIN_LR = 1e-5
N_STEPS = 2

CASES = [
    dict(
        name="sp_untied_bias_qkln_zloss",
        vocab=17, d_model=16, n_heads=4, n_layers=2, seq_len=6, batch=3,
        tied=False, bias=True, qk_layernorm=True, z_loss=1e-2,
        param_type="sp", base_width=16, base_depth=2, alpha=1.0, embedding_lr_mult=2.0,
        lr=1e-2, weight_decay=0.1, eps=1e-8, grad_clip=0.5,
        seed=1234,
    ),
    dict(
        name="depth_tied_nobias",
        vocab=13, d_model=16, n_heads=2, n_layers=2, seq_len=5, batch=2,
        tied=True, bias=False, qk_layernorm=False, z_loss=0.0,
        param_type="depth", base_width=8, base_depth=1, alpha=1.0, embedding_lr_mult=1.0,
        lr=2e-2, weight_decay=0.1, eps=1e-6, grad_clip=1.0,
        seed=5678,
    ),
]


# --------------------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------------------
def param_specs(cfg):
    """Ordered list of (name, shape, kind, group). kind in {matrix, ln_weight, bias}."""
    V, C, T, L = cfg["vocab"], cfg["d_model"], cfg["seq_len"], cfg["n_layers"]
    hd = C // cfg["n_heads"]
    bias = cfg["bias"]
    specs = [("wte", [V, C], "matrix", "embed"), ("wpe", [T, C], "matrix", "embed")]
    for i in range(L):
        p = "h.%d." % i
        specs.append((p + "ln1.w", [C], "ln_weight", "block_vec"))
        if bias:
            specs.append((p + "ln1.b", [C], "bias", "block_vec"))
        specs.append((p + "attn.wqkv", [C, 3 * C], "matrix", "hidden"))
        if bias:
            specs.append((p + "attn.bqkv", [3 * C], "bias", "block_vec"))
        if cfg["qk_layernorm"]:
            specs.append((p + "attn.q_ln.w", [hd], "ln_weight", "block_vec"))
            specs.append((p + "attn.k_ln.w", [hd], "ln_weight", "block_vec"))
        specs.append((p + "attn.wo", [C, C], "matrix", "hidden"))
        if bias:
            specs.append((p + "attn.bo", [C], "bias", "block_vec"))
        specs.append((p + "ln2.w", [C], "ln_weight", "block_vec"))
        if bias:
            specs.append((p + "ln2.b", [C], "bias", "block_vec"))
        specs.append((p + "mlp.wfc", [C, 4 * C], "matrix", "hidden"))
        if bias:
            specs.append((p + "mlp.bfc", [4 * C], "bias", "block_vec"))
        specs.append((p + "mlp.wproj", [4 * C, C], "matrix", "hidden"))
        if bias:
            specs.append((p + "mlp.bproj", [C], "bias", "block_vec"))
    specs.append(("lnf.w", [C], "ln_weight", "out_vec"))
    if bias:
        specs.append(("lnf.b", [C], "bias", "out_vec"))
    if not cfg["tied"]:
        specs.append(("head", [C, V], "matrix", "unembed"))
    return specs


def init_params(cfg, specs, gen):
    params = {}
    for name, shape, kind, _ in specs:
        if kind == "matrix":
            t = 0.3 * torch.randn(shape, generator=gen)
        elif kind == "ln_weight":
            t = 1.0 + 0.1 * torch.randn(shape, generator=gen)
        else:
            t = 0.1 * torch.randn(shape, generator=gen)
        params[name] = t.clone().requires_grad_(True)
    return params


# --------------------------------------------------------------------------------------
# parameterization table
# --------------------------------------------------------------------------------------
def parameterization(cfg):
    C, H, L = cfg["d_model"], cfg["n_heads"], cfg["n_layers"]
    lam, eps = cfg["weight_decay"], cfg["eps"]
    m_N = C / cfg["base_width"]
    m_L = L / cfg["base_depth"]
    alpha = cfg["alpha"]
    hd = C / H
    hd_base = cfg["base_width"] / H
    t = cfg["param_type"]

    groups = {
        "embed": dict(lr_scale=1.0, wd=lam, eps=eps),
        "hidden": dict(lr_scale=1.0, wd=lam, eps=eps),
        "block_vec": dict(lr_scale=1.0, wd=0.0, eps=eps),
        "out_vec": dict(lr_scale=1.0, wd=0.0, eps=eps),
        "unembed": dict(lr_scale=1.0, wd=lam, eps=eps),
    }
    if t == "sp":
        res_mult, out_mult, attn_scale = 1.0, 1.0, 1.0 / math.sqrt(hd)
    elif t == "mup":
        groups["hidden"] = dict(lr_scale=1.0 / m_N, wd=lam * m_N, eps=eps / m_N)
        groups["block_vec"] = dict(lr_scale=1.0, wd=0.0, eps=eps / m_N)
        res_mult, out_mult, attn_scale = 1.0, 1.0 / m_N, math.sqrt(hd_base) / hd
    elif t == "depth":
        groups["hidden"] = dict(lr_scale=m_L ** (alpha - 1.0) / m_N, wd=lam * m_N,
                                eps=eps / (m_N * m_L ** alpha))
        groups["block_vec"] = dict(lr_scale=m_L ** (alpha - 1.0), wd=0.0,
                                   eps=eps / (m_N * m_L ** alpha))
        res_mult, out_mult, attn_scale = m_L ** (-alpha), 1.0 / m_N, math.sqrt(hd_base) / hd
    else:
        raise ValueError(t)
    groups["embed"]["lr_scale"] *= cfg["embedding_lr_mult"]
    if cfg["tied"]:
        del groups["unembed"]
    mults = dict(res_mult=res_mult, out_mult=out_mult, attn_scale=attn_scale)
    return groups, mults


# --------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------
def layer_norm(z, w, b=None):
    mean = z.mean(dim=-1, keepdim=True)
    var = ((z - mean) ** 2).mean(dim=-1, keepdim=True)  # population variance
    out = (z - mean) / torch.sqrt(var + LN_EPS) * w
    if b is not None:
        out = out + b
    return out


def forward(cfg, mults, P, idx, targets):
    B, T = idx.shape
    C, H = cfg["d_model"], cfg["n_heads"]
    hd = C // H
    bias = cfg["bias"]
    res_mult, out_mult, attn_scale = mults["res_mult"], mults["out_mult"], mults["attn_scale"]

    def g(name):
        return P[name] if name in P else None

    x = P["wte"][idx] + P["wpe"][0:T]  # [B,T,C]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(cfg["n_layers"]):
        p = "h.%d." % i
        a = layer_norm(x, P[p + "ln1.w"], g(p + "ln1.b"))
        qkv = a @ P[p + "attn.wqkv"]
        if bias:
            qkv = qkv + P[p + "attn.bqkv"]
        q, k, v = qkv[..., 0:C], qkv[..., C:2 * C], qkv[..., 2 * C:3 * C]
        q = q.reshape(B, T, H, hd).transpose(1, 2)  # [B,H,T,hd]
        k = k.reshape(B, T, H, hd).transpose(1, 2)
        v = v.reshape(B, T, H, hd).transpose(1, 2)
        if cfg["qk_layernorm"]:
            q = layer_norm(q, P[p + "attn.q_ln.w"])
            k = layer_norm(k, P[p + "attn.k_ln.w"])
        scores = (q @ k.transpose(-2, -1)) * attn_scale
        scores = scores.masked_fill(~mask, float("-inf"))
        att = torch.softmax(scores, dim=-1)
        y = att @ v  # [B,H,T,hd]
        y = y.transpose(1, 2).reshape(B, T, C)
        o = y @ P[p + "attn.wo"]
        if bias:
            o = o + P[p + "attn.bo"]
        x = x + res_mult * o
        m = layer_norm(x, P[p + "ln2.w"], g(p + "ln2.b"))
        hmid = m @ P[p + "mlp.wfc"]
        if bias:
            hmid = hmid + P[p + "mlp.bfc"]
        gl = F.gelu(hmid, approximate="tanh")
        o2 = gl @ P[p + "mlp.wproj"]
        if bias:
            o2 = o2 + P[p + "mlp.bproj"]
        x = x + res_mult * o2
    f = layer_norm(x, P["lnf.w"], g("lnf.b"))
    if cfg["tied"]:
        logits = (f @ P["wte"].t()) * out_mult
    else:
        logits = (f @ P["head"]) * out_mult
    logz = torch.logsumexp(logits, dim=-1)  # [B,T]
    tgt = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    ce = (logz - tgt).mean()
    z = cfg["z_loss"] * (logz ** 2).mean()
    return logits, ce, z, ce + z


# --------------------------------------------------------------------------------------
# schedule
# --------------------------------------------------------------------------------------
def scheduled_lr(eta, step):
    if step < WARMUP_STEPS:
        return eta * (step + 1) / WARMUP_STEPS
    progress = (step - WARMUP_STEPS) / (TOTAL_STEPS - WARMUP_STEPS)
    return MIN_LR + (eta - MIN_LR) * 0.5 * (1.0 + math.cos(math.pi * progress))


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def flat(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def fd_check(cfg, mults, P, idx, targets, grads, names, h=1e-6):
    worst = 0.0
    for name in names:
        n = P[name].numel()
        for j in sorted({0, n // 2, n - 1}):
            with torch.no_grad():
                orig = P[name].view(-1)[j].item()
                P[name].view(-1)[j] = orig + h
                lp = forward(cfg, mults, P, idx, targets)[3].item()
                P[name].view(-1)[j] = orig - h
                lm = forward(cfg, mults, P, idx, targets)[3].item()
                P[name].view(-1)[j] = orig
            num = (lp - lm) / (2 * h)
            ana = grads[name].view(-1)[j].item()
            err = abs(num - ana) / max(1e-8, abs(num) + abs(ana))
            worst = max(worst, err)
            print("    fd %-22s[%4d] analytic=% .10e numeric=% .10e rel=%.2e" % (name, j, ana, num, err))
    return worst


def run_case(cfg, check=False):
    gen = torch.Generator().manual_seed(cfg["seed"])
    specs = param_specs(cfg)
    names = [s[0] for s in specs]
    groups, mults = parameterization(cfg)
    P = init_params(cfg, specs, gen)
    V, B, T = cfg["vocab"], cfg["batch"], cfg["seq_len"]
    idx = torch.randint(0, V, (B, T), generator=gen)
    targets = torch.randint(0, V, (B, T), generator=gen)

    initial_params = {n: flat(P[n]) for n in names}

    logits, ce, z, loss = forward(cfg, mults, P, idx, targets)
    grads = torch.autograd.grad(loss, [P[n] for n in names])
    grads = {n: gr.detach().clone() for n, gr in zip(names, grads)}

    if check:
        print("  finite-difference check:")
        fd_names = ["wte", "h.0.attn.wqkv", "h.1.mlp.wproj", "lnf.w"]
        fd_names += [n for n in ("h.0.attn.q_ln.w", "h.1.attn.bqkv", "head") if n in P]
        worst = fd_check(cfg, mults, P, idx, targets, grads, fd_names)
        print("  worst relative error: %.3e" % worst)
        assert worst < 1e-6, "finite-difference check failed"

    group_of = {s[0]: s[3] for s in specs}
    param_groups = []
    for gname, gs in groups.items():
        ps = [P[n] for n in names if group_of[n] == gname]
        if not ps:
            continue
        param_groups.append(dict(params=ps, lr=cfg["lr"] * gs["lr_scale"], eps=gs["eps"],
                                 weight_decay=gs["wd"], betas=BETAS, group_name=gname))
    opt = torch.optim.AdamW(param_groups, lr=cfg["lr"], betas=BETAS, foreach=False)
    all_params = [P[n] for n in names]

    steps = []
    for step in range(N_STEPS):
        lr = scheduled_lr(cfg["lr"], step)
        for pg in opt.param_groups:
            pg["lr"] = lr * groups[pg["group_name"]]["lr_scale"]
        opt.zero_grad(set_to_none=True)
        _, _, _, step_loss = forward(cfg, mults, P, idx, targets)
        step_loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(all_params, cfg["grad_clip"])
        opt.step()
        steps.append(dict(lr=lr, grad_norm=float(gn), loss=float(step_loss.item())))

    grad_norm = math.sqrt(sum(float((g ** 2).sum()) for g in grads.values()))
    print("  loss=%.12f ce=%.12f z=%.12f |grad|=%.12f" % (loss.item(), ce.item(), z.item(), grad_norm))
    for s in steps:
        print("  step lr=%.6g grad_norm=%.12f loss=%.12f" % (s["lr"], s["grad_norm"], s["loss"]))

    return {
        "name": cfg["name"],
        "model": {k: cfg[k] for k in ("vocab", "d_model", "n_layers", "n_heads", "seq_len",
                                      "batch", "tied", "bias", "qk_layernorm", "z_loss")},
        "param": {"type": cfg["param_type"], "base_width": cfg["base_width"],
                  "base_depth": cfg["base_depth"], "alpha": cfg["alpha"],
                  "embedding_lr_mult": cfg["embedding_lr_mult"]},
        "optim": {"lr": cfg["lr"], "weight_decay": cfg["weight_decay"], "eps": cfg["eps"],
                  "beta1": BETAS[0], "beta2": BETAS[1], "grad_clip": cfg["grad_clip"]},
        "schedule": {"warmup_steps": WARMUP_STEPS, "total_steps": TOTAL_STEPS, "min_lr": MIN_LR},
        "multipliers": mults,
        "groups": groups,
        "param_group": {n: group_of[n] for n in names},
        "inputs": idx.tolist(),
        "targets": targets.tolist(),
        "params": initial_params,
        "logits": flat(logits),
        "ce": float(ce.item()),
        "z": float(z.item()),
        "loss": float(loss.item()),
        "grads": {n: flat(grads[n]) for n in names},
        "steps": steps,
        "params_after": {n: flat(P[n]) for n in names},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="trainer/src/test/resources/golden/gpt_golden.json")
    ap.add_argument("--check", action="store_true", help="finite-difference gradient check")
    args = ap.parse_args()

    torch.manual_seed(0)
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)

    cases = []
    for cfg in CASES:
        print("case %s" % cfg["name"])
        cases.append(run_case(cfg, check=args.check))
    doc = {"generator": GENERATOR, "torch": torch.__version__, "cases": cases}
    with open(args.out, "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))
        fh.write("\n")
    print("wrote %s" % args.out)


if __name__ == "__main__":
    main()
