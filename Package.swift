// swift-tools-version:6.0
// SeqLab: sequential recommendation and transfer learning on the CPU.
// Library modules do the work; `seqlab` only wires them to a command line.
import PackageDescription

let package = Package(
    name: "SeqLab",
    products: [
        .executable(name: "seqlab", targets: ["seqlab"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "Datasets", targets: ["Datasets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
        // Float32 tensors, reverse-mode autodiff, ops, optimizers, RNG streams, safetensors.
        .target(name: "Tensors", dependencies: ["COpenBLAS"], path: "Sources/Tensors"),
        // Readers, preprocessing, splits, batching and synthetic worlds (named to avoid Foundation.Data).
        .target(name: "Datasets", dependencies: ["Tensors"], path: "Sources/Datasets"),
        .executableTarget(
            name: "seqlab",
            dependencies: [
                "Tensors", "CKernels", "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/seqlab"),
        .testTarget(
            name: "TensorsTests", dependencies: ["Tensors", "CReadline"], path: "Tests/TensorsTests",
            resources: [.copy("Golden")]),
        .testTarget(
            name: "DatasetsTests", dependencies: ["Datasets", "Tensors"], path: "Tests/DatasetsTests",
            resources: [.copy("Fixtures")]),
    ]
)
