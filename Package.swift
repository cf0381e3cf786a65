// swift-tools-version:6.0
// A tiny, trainable encoder-decoder Transformer translator, written from scratch.
// No package dependencies: the toolchain's Foundation, Dispatch and XCTest only.
//
// Modules follow the data flow; dependencies point one way:
//   Random (the one seeded generator, SplitMix64) <- Engine, Text, gencorpus
//   Engine (tensors, autodiff, kernels)      Text (corpus, tokenizers, vocab)
//   Checkpoint (safetensors, no model code)  Metrics (BLEU, chrF)  CLI (flag parsing)
//        Pages (offline HTML: attention explorer, training report) <- Checkpoint
//        Model (Transformer blocks)  <- Engine
//        Training (batches, loss, Adam, trainer, decoding) <- Engine, Model, Text, Checkpoint, Metrics, Pages
//          TinyTranslator (the library: Translator, train, their types) <- Training and the above
//   executables: train, translate, inspect (on TinyTranslator), bench, gencorpus;
//   Examples/TranslatorExample: the README's library example (public API only)
import PackageDescription

let package = Package(
    name: "TinyTranslator",
    products: [
        .library(name: "TinyTranslator", targets: ["TinyTranslator"]),
        .executable(name: "train", targets: ["train"]),
        .executable(name: "translate", targets: ["translate"]),
        .executable(name: "inspect", targets: ["inspect"]),
        .executable(name: "bench", targets: ["bench"]),
        .executable(name: "gencorpus", targets: ["gencorpus"]),
    ],
    targets: [
        .target(name: "Random"),
        .target(name: "Engine", dependencies: ["Random"]),
        .target(name: "Text", dependencies: ["Random"]),
        .target(name: "Checkpoint"),
        .target(name: "Metrics"),
        .target(name: "CLI"),
        .target(name: "Pages", dependencies: ["Checkpoint"]),
        .target(name: "Model", dependencies: ["Engine"]),
        .target(name: "Training", dependencies: ["Engine", "Model", "Text", "Checkpoint", "Metrics", "Pages"]),
        .target(name: "TinyTranslator", dependencies: ["Training", "Model", "Text", "Engine", "Checkpoint"]),
        .executableTarget(name: "train", dependencies: ["TinyTranslator", "CLI", "Text"]),
        .executableTarget(name: "translate", dependencies: ["TinyTranslator", "CLI", "Text", "Metrics", "Pages"]),
        .executableTarget(name: "inspect", dependencies: ["TinyTranslator", "Checkpoint", "CLI", "Pages"]),
        .executableTarget(name: "TranslatorExample", dependencies: ["TinyTranslator"], path: "Examples/TranslatorExample"),
        .executableTarget(name: "bench", dependencies: ["Engine", "Model", "Training", "Text", "Checkpoint", "CLI", "Random", "Metrics"]),
        .executableTarget(name: "gencorpus", dependencies: ["Random"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(name: "TextTests", dependencies: ["Text", "Random"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"], exclude: ["Fixtures"]),
        .testTarget(name: "ModelTests", dependencies: ["Engine", "Model"]),
        .testTarget(name: "PagesTests", dependencies: ["Pages", "Checkpoint"]),
        // Runs the built executables (make test builds them first) against bad inputs and faults.
        .testTarget(name: "CLITests", dependencies: ["Checkpoint", "Text"]),
        .testTarget(name: "TrainingTests", dependencies: ["Engine", "Model", "Text", "Checkpoint", "Training", "CLI", "Pages"]),
    ]
)
