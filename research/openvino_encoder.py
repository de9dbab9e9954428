"""Encoder-only speed of torch, onnxruntime int8 and OpenVINO on the same sentences (one run).

Not a product benchmark: OpenVINO is no skillx dependency. It runs the ONNX graphs that
`skillx.onnx_encoder.export_onnx` writes (float32 and int8) with OpenVINO's CPU plugin, behind
`OnnxEncoder`'s own tokenisation and pooling, so only the graph runtime differs. Run it with an
interpreter that has openvino besides skillx (a throwaway venv; docs/models.md says how).

Example:
    python research/openvino_encoder.py --model ~/.cache/skillx/models/default \
        --onnx-int8 MODEL_DIR-onnx-int8 --sentences 1000 --threads 2
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


class OpenVinoSession:
    """The part of an onnxruntime session `OnnxEncoder._embed` uses, backed by OpenVINO."""

    def __init__(self, onnx_file: Path, threads: int) -> None:
        import openvino as ov

        core = ov.Core()
        self.compiled = core.compile_model(
            core.read_model(str(onnx_file)), "CPU", {"INFERENCE_NUM_THREADS": threads}
        )

    def run(self, _outputs: object, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [np.asarray(self.compiled(feeds)[0])]


def read_sentences(path: Path, n: int) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        next(handle)
        lines = [line.rstrip("\n").split("\t", 1)[1] for _, line in zip(range(n * 300), handle, strict=False)]
    return lines[::300][:n]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, required=True, help="skillx model directory (torch).")
    parser.add_argument("--onnx-int8", type=Path, required=True, help="Its `skillx export` copy.")
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpora/jobads_en.tsv.gz"))
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    import openvino
    import torch

    from skillx.encoder import load_encoder
    from skillx.onnx_encoder import OnnxEncoder, export_onnx

    torch.set_num_threads(args.threads)
    sentences = read_sentences(args.corpus, args.sentences)
    encoders = {"torch": load_encoder(args.model)}
    int8_dir = args.onnx_int8 / "model"
    encoders["onnxruntime int8"] = OnnxEncoder(int8_dir, num_threads=args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        fp32_dir = export_onnx(args.model / "model", Path(tmp) / "fp32", quantize=None)
        for name, folder in (("openvino fp32", fp32_dir), ("openvino int8 graph", int8_dir)):
            encoder = OnnxEncoder(folder, num_threads=args.threads)
            encoder.session = OpenVinoSession(folder / "model.onnx", args.threads)  # type: ignore[assignment]
            encoders[name] = encoder
        outputs: dict[str, np.ndarray] = {}
        best = dict.fromkeys(encoders, float("inf"))
        for encoder in encoders.values():  # warm-up
            encoder.encode(sentences[:64], batch_size=64)
        for _ in range(args.repeat):  # alternate, keep the best: the CPU is shared
            for name, encoder in encoders.items():
                t0 = time.perf_counter()
                embedded = encoder.encode(sentences, batch_size=64, normalize_embeddings=True)
                outputs[name] = np.asarray(embedded)
                best[name] = min(best[name], time.perf_counter() - t0)
    reference = outputs["torch"]
    rows = {
        name: {
            "sentences_per_s": round(len(sentences) / best[name], 1),
            "speedup_vs_torch": round(best["torch"] / best[name], 2),
            "mean_cosine_to_torch": round(float((outputs[name] * reference).sum(axis=1).mean()), 4),
        }
        for name in encoders
    }
    for name, row in rows.items():
        print(f"{name:22s} {row}")
    if args.json:
        payload = {"openvino": openvino.__version__, "threads": args.threads, "sentences": len(sentences)}
        args.json.write_text(json.dumps({**payload, "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
