// swift-tools-version:6.0
// A tiny, trainable encoder-decoder Transformer translator, written from scratch.
// No package dependencies: the toolchain's Foundation, Dispatch and XCTest only.
//
// Modules follow the data flow; dependencies point one way:
//   Engine (tensors, autodiff, kernels)      Text (corpus, tokenizers, vocab)
//   Checkpoint (safetensors, no model code)  Metrics (BLEU, chrF)  CLI (flag parsing)
//        Pages (offline HTML: attention explorer, training report) <- Checkpoint
//        Model (Transformer blocks)  <- Engine
//        Training (batches, loss, Adam, trainer, decoding) <- Engine, Model, Text, Checkpoint, Metrics, Pages
//   executables: train, translate, inspect, bench, gencorpus
import PackageDescription

let package = Package(
    name: "TinyTranslator",
    products: [
        .executable(name: "train", targets: ["train"]),
        .executable(name: "translate", targets: ["translate"]),
        .executable(name: "inspect", targets: ["inspect"]),
        .executable(name: "bench", targets: ["bench"]),
        .executable(name: "gencorpus", targets: ["gencorpus"]),
    ],
    targets: [
        .target(name: "Engine"),
        .target(name: "Text"),
        .target(name: "Checkpoint"),
        .target(name: "Metrics"),
        .target(name: "CLI"),
        .target(name: "Pages", dependencies: ["Checkpoint"]),
        .target(name: "Model", dependencies: ["Engine"]),
        .target(name: "Training", dependencies: ["Engine", "Model", "Text", "Checkpoint", "Metrics", "Pages"]),
        .executableTarget(name: "train", dependencies: ["Training", "CLI"]),
        .executableTarget(name: "translate", dependencies: ["Training", "CLI"]),
        .executableTarget(name: "inspect", dependencies: ["Checkpoint", "CLI", "Pages"]),
        .executableTarget(name: "bench", dependencies: ["Engine", "Model", "Training", "Text", "Checkpoint", "CLI"]),
        .executableTarget(name: "gencorpus"),
        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(name: "TextTests", dependencies: ["Text"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"], exclude: ["Fixtures"]),
        .testTarget(name: "ModelTests", dependencies: ["Engine", "Model"]),
        .testTarget(name: "PagesTests", dependencies: ["Pages", "Checkpoint"]),
        // Runs the built executables (make test builds them first) against bad inputs and faults.
        .testTarget(name: "CLITests", dependencies: ["Checkpoint", "Text"]),
        .testTarget(name: "TrainingTests", dependencies: ["Engine", "Model", "Text", "Checkpoint", "Training", "CLI", "Pages"]),
    ]
)
