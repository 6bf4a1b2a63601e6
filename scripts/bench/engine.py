#!/usr/bin/env python3
"""Times Vigil's engine against the references of ../shared/perf-anchors IN ONE PROCESS, interleaved:
the plain C loop (gcc -O3 -march=native -ffast-math), LiteRT and ONNX Runtime (with bound I/O), and
Vigil's InferenceNetwork through its C-callable benchmark library. Same weights, same inputs, every
runtime first checked against the float64 reference step of the harness.

    scripts/bench/engine.sh            # builds everything, then runs this
"""
import ctypes
import os
import sys

import numpy as np

ANCHORS = os.environ.get("PERF_ANCHORS", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "perf-anchors"))
sys.path.insert(0, os.path.abspath(ANCHORS))
import bench_lstm  # noqa: E402

_LIBS = {}


def _lib(variable):
    if variable not in _LIBS:
        lib = ctypes.CDLL(os.environ[variable])
        f = ctypes.POINTER(ctypes.c_float)
        lib.vigil_lstm_create.restype = ctypes.c_void_p
        lib.vigil_lstm_create.argtypes = [ctypes.c_int32] * 3 + [f] * 5
        lib.vigil_lstm_steps.restype = None
        lib.vigil_lstm_steps.argtypes = [ctypes.c_void_p, ctypes.c_int32, f, ctypes.c_int32, ctypes.c_int64, f, f, f]
        _LIBS[variable] = lib
    return _LIBS[variable]


def vigil_runner_factory(variable):
    return lambda h, i, b, w, xs: vigil_runner(_lib(variable), h, i, b, w, xs)


def vigil_runner(lib, h, i, b, w, xs):
    ptr = lambda a: a.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    keep = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in w.items()}
    xs = np.ascontiguousarray(xs, dtype=np.float32)
    handle = lib.vigil_lstm_create(b, i, h, ptr(keep["Wx"]), ptr(keep["Wh"]), ptr(keep["b"]), ptr(keep["Wy"]), ptr(keep["by"]))
    st = {"t": 0, "y": np.zeros((b, i), np.float32), "h": np.zeros((b, h), np.float32), "c": np.zeros((b, h), np.float32)}

    def run(n):
        lib.vigil_lstm_steps(handle, n, ptr(xs), xs.shape[0], st["t"], ptr(st["y"]), ptr(st["h"]), ptr(st["c"]))
        st["t"] += n

    run.keep = (keep, xs)  # the buffers must outlive the runner
    return run, lambda: (st["y"], st["h"], st["c"])


# The portable build (what `swift build -c release` ships) and, if built, one for this CPU
# (`-target-cpu native`, as the C reference is compiled with -march=native).
bench_lstm.RUNNERS["vigil"] = vigil_runner_factory("VIGIL_BENCH_SO")
bench_lstm.RUNNERS["vigil_native"] = vigil_runner_factory("VIGIL_BENCH_SO_NATIVE")

if __name__ == "__main__":
    bench_lstm.main()
