#!/usr/bin/env bash
# Spark GPU discovery: prints {"name": "gpu", "addresses": ["0", "1", ...]} from nvidia-smi.
set -euo pipefail
ids=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed 's/ //g' | paste -sd, - | sed 's/,/","/g')
echo "{\"name\": \"gpu\", \"addresses\": [\"$ids\"]}"
