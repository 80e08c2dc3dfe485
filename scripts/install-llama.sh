#!/usr/bin/env bash
# Install llama-cpp-python into the venv given as $1, built for the CPU this runs on.
#
# PyPI ships only the source. The default "native" build (GGML_NATIVE) emits AMX
# instructions that these VMs refuse (SIGILL), so the instruction sets are named
# explicitly, picked from /proc/cpuinfo: AVX-512 (+VBMI, VNNI, BF16 where present),
# AVX2 (+AVX-VNNI), AVX, or a plain SSE build. TALKQA_LLAMA_TIER=avx512|avx2|avx|sse
# forces a tier (to measure one against another, or to build for an older CPU).
#
# The wheel is kept in a cache folder named after the chosen flags, so the ~10-minute
# build happens once per machine and CPU kind; pip's own wheel cache (keyed by the
# source URL only, blind to CMAKE_ARGS) is bypassed on purpose. What was installed is
# written to $venv/talkqa-llama-build.json: `talkqa doctor` compares it with the CPU,
# and a venv carried to a CPU that lacks one of its instruction sets is rebuilt here.
set -euo pipefail
venv=${1:-.venv}
version=0.3.36
pip="$venv/bin/python -m pip"
stamp="$venv/talkqa-llama-build.json"
cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
has() { [[ "$cpu_flags" == *" $1 "* ]]; }

tier=${TALKQA_LLAMA_TIER:-}
if [ -z "$tier" ]; then
  if has avx512f && has avx512bw && has avx512vl && has avx512dq && has avx512cd; then tier=avx512
  elif has avx2 && has fma && has f16c; then tier=avx2
  elif has avx; then tier=avx
  else tier=sse; fi
fi
# cmake flags and the /proc/cpuinfo flags the build needs, tier by tier.
case "$tier" in
  avx512)
    needs="avx avx2 fma f16c bmi2 avx512f avx512bw avx512vl avx512dq avx512cd"
    flags="-DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=ON"
    tag=avx512
    if has avx512vbmi; then flags+=" -DGGML_AVX512_VBMI=ON"; needs+=" avx512vbmi"; tag+="-vbmi"; fi
    if has avx512_vnni; then flags+=" -DGGML_AVX512_VNNI=ON"; needs+=" avx512_vnni"; tag+="-vnni"; fi
    if has avx512_bf16; then flags+=" -DGGML_AVX512_BF16=ON"; needs+=" avx512_bf16"; tag+="-bf16"; fi ;;
  avx2)
    needs="avx avx2 fma f16c bmi2"
    flags="-DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
    tag=avx2
    # AVX-VNNI only when asked for the avx2 tier on its own: TALKQA_LLAMA_VNNI=1.
    if [ "${TALKQA_LLAMA_VNNI:-0}" = 1 ] && has avx_vnni; then
      flags+=" -DGGML_AVX_VNNI=ON"; needs+=" avx_vnni"; tag+="-vnni"; fi ;;
  avx) needs="avx"; flags="-DGGML_AVX=ON -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF"; tag=avx ;;
  sse) needs=""; flags="-DGGML_AVX=OFF -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF"; tag=sse ;;
  *) echo "error: TALKQA_LLAMA_TIER must be avx512, avx2, avx or sse (got '$tier')" >&2; exit 2 ;;
esac
for flag in $needs; do
  has "$flag" || { echo "error: the $tier build needs the CPU flag '$flag', which this CPU lacks" >&2; exit 2; }
done
flags="-DGGML_NATIVE=OFF $flags"
wheelhouse=${TALKQA_WHEELHOUSE:-$HOME/.cache/talkqa/wheels-$tag}

write_stamp() {
  local needs_json
  needs_json=$(printf '"%s",' $needs); needs_json="[${needs_json%,}]"
  [ -z "$needs" ] && needs_json="[]"
  printf '{"version": "%s", "tier": "%s", "tag": "%s", "cmake_args": "%s", "cpu_flags_required": %s}\n' \
    "$version" "$tier" "$tag" "$flags" "$needs_json" > "$stamp"
}

installed_tag=$(sed -n 's/.*"tag": "\([^"]*\)".*/\1/p' "$stamp" 2>/dev/null || true)
if [ "$installed_tag" = "$tag" ] && \
   $venv/bin/python -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$version')" 2>/dev/null; then
  # Installed already for this CPU: make sure the [server] extra's dependencies are there too.
  $pip install -q "llama-cpp-python[server]==$version"
  exit 0
fi
mkdir -p "$wheelhouse"
if ! ls "$wheelhouse"/llama_cpp_python-$version-*.whl >/dev/null 2>&1; then
  echo "Building llama-cpp-python $version for $tag (about 10 minutes on 2 cores) ..."
  command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || {
    echo "error: no C compiler: install gcc and g++ (Debian: apt-get install build-essential cmake)" >&2; exit 3; }
  CMAKE_ARGS="$flags" $pip wheel --no-deps --no-cache-dir -q -w "$wheelhouse" "llama-cpp-python==$version"
fi
wheel=$(ls "$wheelhouse"/llama_cpp_python-$version-*.whl | head -n 1)
$pip install -q --force-reinstall --no-deps "$wheel"
$pip install -q "$wheel[server]"
write_stamp
echo "llama-cpp-python $version installed, built for $tag ($wheelhouse)"
