// swift-tools-version:6.0
// SeqLab: sequential recommendation and transfer learning on the CPU.
// Library modules do the work; `seqlab` only wires them to a command line.
import PackageDescription

/// The fuzz target `fuzz-NAME` in Fuzz/<Name>. Linked with lld: with -sanitize=fuzzer, gold crashes
/// ("internal error in format_file_lineno") on libFuzzer's `main` next to SwiftPM's `--defsym main=`.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    let directory = ["script": "Script", "recbole": "RecBole", "presplit": "Presplit", "movielens": "MovieLens",
                     "sessions": "Sessions", "amazon": "Amazon", "delimited": "Delimited", "safetensors": "Safetensors",
                     "pth": "Pth"][name]!
    return .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzSupport"] + dependencies, path: "Fuzz/\(directory)",
                             linkerSettings: [.unsafeFlags(["-use-ld=lld"])])
}

let package = Package(
    name: "SeqLab",
    products: [
        .executable(name: "seqlab", targets: ["seqlab"]),
        .library(name: "Support", targets: ["Support"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Plots", targets: ["Plots"]),
        .library(name: "Text", targets: ["Text"]),
        .library(name: "Quantization", targets: ["Quantization"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries. Readline gets no pkgConfig: its .pc adds -D flags SwiftPM rejects.
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CReadline", path: "Sources/CReadline",
            providers: [.apt(["libreadline-dev"])]),
        // Plain C reference kernels: the baseline `seqlab bench` measures the engine against.
        .target(name: "CKernels", dependencies: ["COpenBLAS"], path: "Sources/CKernels"),
        // What every layer needs and nothing numeric: atomic files, Ctrl-C, the memory limit, edit distance.
        .target(name: "Support", path: "Sources/Support"),
        // Float32 tensors, reverse-mode autodiff, ops, optimizers, RNG streams, safetensors.
        .target(name: "Tensors", dependencies: ["COpenBLAS", "CKernels", "Support"], path: "Sources/Tensors"),
        // The models of the literature over the engine, one folder per family (ARCHITECTURE.md).
        .target(name: "Models", dependencies: ["Tensors"], path: "Sources/Models"),
        // Readers, preprocessing, splits, batching and synthetic worlds (named to avoid Foundation.Data).
        .target(name: "Datasets", dependencies: ["Support", "Tensors"], path: "Sources/Datasets"),
        // Trainer, evaluator, baselines, and each family's recommender adapter and descriptor (ModelCatalog).
        .target(name: "Training", dependencies: ["Support", "Tensors", "Datasets", "Models"], path: "Sources/Training"),
        // The SeqLab language: lexer, parser, interpreter, builtins registry, notebooks.
        .target(name: "Script", dependencies: ["Support"], path: "Sources/Script"),
        // The front ends: REPL on readline, script and notebook files.
        .target(name: "Console", dependencies: ["Script", "Support", "CReadline"], path: "Sources/Console"),
        // The language's builtins over the library modules (data, runs, each family's in its folder), and run bookkeeping.
        .target(name: "Workbench", dependencies: ["Script", "Support", "Datasets", "Store", "Tensors", "Models", "Training", "Plots", "Text", "Quantization"], path: "Sources/Workbench"),
        // Item text → vectors: WordPiece + all-MiniLM-L6-v2 sentence encoder, TF-IDF + truncated SVD fallback.
        // CKernels for the vectorised erf GELU and exp the forward pass shares with the engine.
        .target(name: "Text", dependencies: ["Support", "Tensors", "CKernels"], path: "Sources/Text"),
        // k-means, product quantisation, OPQ and VQ-Rec's OPQ+IVF1+PQ item codes (faiss's algorithms, no faiss).
        .target(name: "Quantization", dependencies: ["Support", "Tensors"], path: "Sources/Quantization"),
        // Benchmarks behind `seqlab bench`, one JSON object per line: GEMM, data loading, model training steps, MiniLM, OPQ.
        .target(name: "Benchmarks", dependencies: ["Tensors", "CKernels", "Datasets", "Models", "Quantization", "Text"], path: "Sources/Benchmarks"),
        // Line plots, bar charts and heatmaps as terminal text (Braille, blocks) and standalone SVG.
        .target(name: "Plots", dependencies: ["Support"], path: "Sources/Plots"),
        // The SQLite run store: runs, parameters, metrics, datasets, artifacts (GRDB over libsqlite3).
        .target(
            name: "Store", dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Store"),
        .executableTarget(
            name: "seqlab",
            dependencies: [
                "Support", "CKernels", "Tensors", "Benchmarks", "Script", "Console", "Datasets", "Workbench", "Store", "Models",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/seqlab"),
        // Fuzz targets, one per input language (`make fuzz`). Plain builds make replayers of the corpus in
        // Fuzz/corpus; built with -sanitize=fuzzer -DSEQLAB_LIBFUZZER they are libFuzzer fuzzers.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Fuzz/Support"),
        .target(name: "DatasetSupport", dependencies: ["Datasets"], path: "Fuzz/DatasetSupport"),
        fuzzTarget("script", ["Script"]),
        fuzzTarget("recbole", ["DatasetSupport", "Datasets"]),
        fuzzTarget("presplit", ["DatasetSupport", "Datasets"]),
        fuzzTarget("movielens", ["DatasetSupport", "Datasets"]),
        fuzzTarget("sessions", ["DatasetSupport", "Datasets"]),
        fuzzTarget("amazon", ["DatasetSupport", "Datasets"]),
        fuzzTarget("delimited", ["DatasetSupport", "Datasets"]),
        fuzzTarget("safetensors", ["Tensors"]),
        fuzzTarget("pth", ["Tensors", "Training"]),
        // Helpers the test targets share (finite-difference gradient checks, the seqlab binary, skips).
        .target(name: "TestSupport", dependencies: ["Tensors"], path: "Tests/TestSupport"),
        .testTarget(
            name: "TensorsTests", dependencies: ["Support", "Tensors", "CReadline", "TestSupport"], path: "Tests/TensorsTests",
            exclude: ["Golden"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Datasets", "Models", "Support", "Tensors", "TestSupport"], path: "Tests/TrainingTests"),
        .testTarget(name: "TextTests", dependencies: ["Support", "Text", "Tensors", "TestSupport"], path: "Tests/TextTests", exclude: ["Golden"]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"], path: "Tests/PlotsTests"),
        .testTarget(name: "QuantizationTests", dependencies: ["Quantization", "Support", "Tensors"], path: "Tests/QuantizationTests",
                    exclude: ["Golden"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "Script", "Store", "Support", "Tensors", "TestSupport"], path: "Tests/WorkbenchTests",
                    exclude: ["Scripts", "StoreScripts", "Fixtures"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Tensors", "TestSupport"], path: "Tests/ModelsTests",
                    exclude: ["Golden"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Datasets", "Models", "Tensors", "TestSupport"], path: "Tests/BenchmarksTests"),
        .testTarget(name: "ConsoleTests", dependencies: ["TestSupport"], path: "Tests/ConsoleTests"),
        .testTarget(name: "ScriptTests", dependencies: ["Script"], path: "Tests/ScriptTests", exclude: ["Scripts"]),
        .testTarget(
            name: "DatasetsTests", dependencies: ["Datasets", "Tensors", "TestSupport"], path: "Tests/DatasetsTests",
            resources: [.copy("Fixtures")]),
        // The bad-input corpus: malformed files, scripts, hyperparameters, checkpoints and stores, one error each.
        .testTarget(
            name: "BadInputTests",
            dependencies: ["Workbench", "Script", "Store", "Tensors", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/BadInputTests"),
        .testTarget(
            name: "StoreTests", dependencies: ["Store", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/StoreTests"),
    ]
)
