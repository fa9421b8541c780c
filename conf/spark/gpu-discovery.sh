#!/usr/bin/env bash
# Spark GPU discovery for proxylaw's CUDA build. Prints {"name": "gpu", "addresses": [...]}: the nvidia-smi
# indices (PCI bus order) of the GPUs this node may use, honouring CUDA_VISIBLE_DEVICES (indices or UUIDs).
# Each task maps its address to CUDA's device index; executors run with CUDA_DEVICE_ORDER=PCI_BUS_ID
# (conf/spark/gpu-*.properties) so that both count in the same order.
# It fails rather than advertise a GPU the jar cannot run: nd4j-cuda-11.6 1.0.0-M2.1 carries kernels for
# compute capability 3.7 to 8.6 (8.x GPUs run the 8.x kernels); 9.0 (Hopper) and later need CUDA 11.8 or later.
set -euo pipefail
min_cc=37        # 3.7, as major*10+minor
below_cc=90      # 9.0

fail() {
  echo "gpu-discovery: $*" >&2
  exit 1
}

command -v nvidia-smi >/dev/null 2>&1 \
  || fail "Cannot list GPUs: nvidia-smi is not on PATH. Install the NVIDIA driver on this node, or drop the spark.*.resource.gpu settings for CPU executors."
none="Cannot offer GPUs: nvidia-smi finds no GPU on this node. Check the NVIDIA driver, or drop the spark.*.resource.gpu settings for CPU executors."
if ! rows=$(nvidia-smi --query-gpu=index,uuid,compute_cap,name --format=csv,noheader 2>&1); then
  [[ "$rows" != *"No devices were found"* ]] || fail "$none"
  fail "Cannot list GPUs: nvidia-smi failed: $(echo "$rows" | head -n 1). Check the NVIDIA driver on this node."
fi

visible=",${CUDA_VISIBLE_DEVICES-all},"
addresses=()
while IFS=, read -r index uuid cap name; do
  index=${index// /}; uuid=${uuid// /}; cap=${cap// /}; name=${name# }
  [[ -n "$index" ]] || continue
  # CUDA_VISIBLE_DEVICES hides the GPUs it does not name (by index or UUID); unset, all are visible
  if [[ "$visible" != ",all," && "$visible" != *",$index,"* && "$visible" != *",$uuid,"* ]]; then
    continue
  fi
  [[ "$cap" =~ ^([0-9]+)\.([0-9])$ ]] \
    || fail "Cannot read the compute capability of GPU $index ($name): nvidia-smi says '$cap'. Update the NVIDIA driver (compute_cap needs driver 510 or later)."
  cc=$(( BASH_REMATCH[1] * 10 + BASH_REMATCH[2] ))
  if (( cc < min_cc || cc >= below_cc )); then
    fail "Cannot use GPU $index ($name): compute capability $cap is outside 3.7 to 8.x, the range of the nd4j-cuda-11.6 build (capability 9.0 and later need CUDA 11.8 or later). Hide it with CUDA_VISIBLE_DEVICES on this node, or run CPU executors."
  fi
  addresses+=("\"$index\"")
done <<< "$rows"

if (( ${#addresses[@]} == 0 )); then
  [[ -n "${CUDA_VISIBLE_DEVICES+set}" ]] || fail "$none"
  fail "Cannot offer GPUs: CUDA_VISIBLE_DEVICES='$CUDA_VISIBLE_DEVICES' names none of the GPUs nvidia-smi lists. Name them by index or UUID (nvidia-smi -L), or unset it."
fi
echo "{\"name\": \"gpu\", \"addresses\": [$(IFS=,; echo "${addresses[*]}" | sed 's/,/, /g')]}"
