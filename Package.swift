// swift-tools-version:6.1
import PackageDescription

/// The upcoming features of the house style, shared by every target.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilBenchABI", type: .dynamic, targets: ["VigilBenchABI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CVigilMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        .systemLibrary(
            name: "CVigilOpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // C glue for the broker connections' OpenSSL context and its verify callback (why C: see
        // its header); used only by VigilMQTT.
        .target(name: "CVigilTLS", dependencies: ["CVigilOpenSSL"]),
        .target(
            name: "VigilMQTT",
            dependencies: [
                "CVigilMosquitto",
                "CVigilTLS",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VigilNN",
            dependencies: [],
            // The engine is optimised in debug builds too, so that the training tests run in seconds.
            swiftSettings: strictSettings + [.unsafeFlags(["-O", "-enable-testing"], .when(configuration: .debug))]
        ),
        .target(
            name: "VigilBenchABI",
            dependencies: ["VigilNN"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VigilModel",
            dependencies: [
                "VigilNN",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VigilCore",
            dependencies: ["VigilNN"],
            swiftSettings: strictSettings
        ),
        // Remaining-useful-life models: run histories, regimes, training and estimation.
        .target(
            name: "VigilPrognosis",
            dependencies: [
                "VigilNN",
                "VigilModel",
                "VigilCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // Optimised in debug builds too, like the engine, so that the training tests run in seconds.
            swiftSettings: strictSettings + [.unsafeFlags(["-O", "-enable-testing"], .when(configuration: .debug))]
        ),
        .target(
            name: "VigilStore",
            dependencies: [
                "VigilCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VigilConfig",
            dependencies: [
                "VigilNN",
                "VigilCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VigilDaemon",
            dependencies: [
                "VigilCore",
                "VigilPrognosis",
                "VigilModel",
                "VigilMQTT",
                "VigilStore",
                "VigilConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VigilReplay",
            dependencies: ["VigilCore"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VigilSimulator",
            dependencies: [
                "VigilCore",
                "VigilMQTT",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilDaemon",
                "VigilCore",
                "VigilConfig",
                "VigilStore",
                "VigilMQTT",
                "VigilSimulator",
                "VigilModel",
                "VigilNN",
                "VigilReplay",
                "VigilPrognosis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Fuzz targets for the payload decoder, the configuration loader, the model header, replay
        // files and time arguments (scripts/fuzz.sh).
        .executableTarget(
            name: "vigil-fuzz",
            dependencies: [
                "VigilCore", "VigilConfig", "VigilModel", "VigilReplay",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // Counting malloc wrappers for the no-allocation test of the engine (test support only).
        .target(name: "CVigilAllocationCounter"),
        .target(
            name: "VigilTestSupport",
            dependencies: ["VigilNN", "CVigilAllocationCounter", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilNNTests",
            dependencies: ["VigilNN", "VigilTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilModelTests",
            dependencies: [
                "VigilModel", "VigilNN", "VigilTestSupport", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilPrognosisTests",
            dependencies: ["VigilPrognosis", "VigilModel", "VigilNN", "VigilCore", "VigilTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilCoreTests",
            dependencies: ["VigilCore", "VigilTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilMQTTTests",
            dependencies: ["VigilMQTT", "VigilTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilStoreTests",
            dependencies: ["VigilStore", "VigilCore", "VigilTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilConfigTests",
            dependencies: ["VigilConfig", "VigilCore", "VigilTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilReplayTests",
            dependencies: ["VigilReplay", "VigilCore", "VigilTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilSimulatorTests",
            dependencies: ["VigilSimulator", "VigilCore", "VigilTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VigilDaemonTests",
            dependencies: [
                "VigilDaemon", "VigilMQTT", "VigilStore", "VigilConfig", "VigilCore", "VigilModel", "VigilNN",
                "VigilPrognosis", "VigilSimulator", "VigilTestSupport",
            ],
            swiftSettings: strictSettings
        ),
    ]
)
