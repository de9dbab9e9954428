"""Which int8 quantisation of the ONNX encoder keeps RP@5? Writes one model directory per variant.

`skillx export --format onnx-int8` quantises every operator onnxruntime's dynamic quantiser
knows (the MatMuls and the Gather of the word-embedding table) per channel. This script writes
the same skillx model directory with other graphs, each carrying the torch model's skill index
(as `skillx export` does), so that `benchmarks/rp_at_k.py` and `benchmarks/throughput.py`
compare them directly:

* ``int8-all``: what `skillx export` writes (the shipped format);
* ``int8-matmul``: only the MatMul weights quantised (embeddings stay float32);
* ``fp32``: the float32 ONNX graph (no quantisation: the format's own cost or gain).

    python research/onnx_quantisation.py MODEL_DIR --output OUT
    python benchmarks/rp_at_k.py --model OUT/int8-matmul --fusion
    python benchmarks/throughput.py pipeline --model MODEL_DIR --compare-model OUT/int8-matmul
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

VARIANTS = ("int8-all", "int8-matmul", "fp32")


def restamp_index(model_dir: Path) -> None:
    """Give the carried skill index the fingerprint of the graph now in ``model/``."""
    from skillx.encoder import encoder_fingerprint

    meta_file = model_dir / "index" / "index.json"
    if not meta_file.is_file():
        return
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["model_fingerprint"] = encoder_fingerprint(model_dir / "model")
    meta_file.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model_dir", type=Path, help="A torch skillx model directory.")
    parser.add_argument("--output", type=Path, required=True, help="Folder for the variants.")
    args = parser.parse_args(argv)

    from onnxruntime.quantization import QuantType, quantize_dynamic

    from skillx.onnx_encoder import export_onnx
    from skillx.packaging import export_model_dir

    args.output.mkdir(parents=True, exist_ok=True)
    shipped = export_model_dir(args.model_dir, args.output / "int8-all", format="onnx-int8")
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = export_onnx(args.model_dir / "model", Path(tmp) / "fp32", quantize=None)
        for name in VARIANTS[1:]:
            target = args.output / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(shipped, target)
            graph = target / "model" / "model.onnx"
            onnx_meta_file = target / "model" / "skillx_onnx.json"
            onnx_meta = json.loads(onnx_meta_file.read_text(encoding="utf-8"))
            if name == "fp32":
                shutil.copyfile(fp32 / "model.onnx", graph)
                onnx_meta.update(format="onnx", quantization=None)
            else:
                quantize_dynamic(
                    str(fp32 / "model.onnx"),
                    str(graph),
                    per_channel=True,
                    weight_type=QuantType.QInt8,
                    op_types_to_quantize=["MatMul"],
                )
                onnx_meta["quantization"] = {
                    "method": "dynamic",
                    "weight_type": "QInt8",
                    "per_channel": True,
                    "op_types": ["MatMul"],
                }
            text = json.dumps(onnx_meta, indent=2, sort_keys=True) + "\n"
            onnx_meta_file.write_text(text, encoding="utf-8")
            restamp_index(target)
    for name in VARIANTS:
        size = (args.output / name / "model" / "model.onnx").stat().st_size / 2**20
        print(f"{name:<12} graph {size:6.1f} MiB  {args.output / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
