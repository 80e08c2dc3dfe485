#!/usr/bin/env bash
# Install llama-cpp-python into the venv given as $1, built for a CPU without
# AMX. PyPI ships only the source; the default "native" build emits AMX
# instructions that these VMs refuse (SIGILL), so we build with explicit AVX2
# flags. The wheel is kept in a cache folder named after those flags, so the
# ~10-minute build happens once per machine, and pip's own wheel cache (keyed
# by the source URL only, blind to CMAKE_ARGS) is bypassed on purpose.
set -euo pipefail
venv=${1:-.venv}
version=0.3.36
flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
wheelhouse=${TALKQA_WHEELHOUSE:-$HOME/.cache/talkqa/wheels-avx2}
pip="$venv/bin/python -m pip"

if $venv/bin/python -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$version')" 2>/dev/null; then
  # Installed already: make sure the [server] extra's dependencies are there too (no rebuild).
  $pip install -q "llama-cpp-python[server]==$version"
  exit 0
fi
mkdir -p "$wheelhouse"
if ! ls "$wheelhouse"/llama_cpp_python-$version-*.whl >/dev/null 2>&1; then
  echo "Building llama-cpp-python $version for AVX2 (about 10 minutes on 2 cores) ..."
  CMAKE_ARGS="$flags" $pip wheel --no-deps --no-cache-dir -q -w "$wheelhouse" "llama-cpp-python==$version"
fi
wheel=$(ls "$wheelhouse"/llama_cpp_python-$version-*.whl | head -n 1)
$pip install -q "$wheel[server]"
