// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "reckon",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "reckon", targets: ["reckon"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(
            name: "CLibCurl", path: "Sources/CLibCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "PostgresClient", dependencies: ["CLibPQ"]),
        .target(
            name: "ReckonCore",
            dependencies: ["PostgresClient", .product(name: "Yams", package: "Yams")]),
        .target(name: "EmbeddedPostgres", dependencies: ["PostgresClient"]),
        .target(name: "SampleData", dependencies: ["PostgresClient"]),
        .testTarget(name: "SampleDataTests", dependencies: ["SampleData", "PostgresClient", "TestSupport"]),
        .target(name: "ModelBuild", dependencies: ["PostgresClient", "ReckonCore"]),
        .target(
            name: "Checks",
            dependencies: ["PostgresClient", "ReckonCore", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "Reports",
            dependencies: [
                "Checks", "CLibXML2", "MartDiff", .product(name: "Mustache", package: "swift-mustache"),
            ]),
        .target(name: "Email", dependencies: ["CLibCurl", "Checks", "ReckonCore", "Reports"]),
        .testTarget(name: "EmailTests", dependencies: ["Email", "Checks", "Reports", "ReckonCore", "TestSupport"]),
        .target(name: "MartDiff", dependencies: ["PostgresClient", "ReckonCore"]),
        .testTarget(
            name: "MartDiffTests",
            dependencies: ["MartDiff", "ModelBuild", "PostgresClient", "ReckonCore", "Reports", "SampleData", "TestSupport"]),
        .target(name: "Investigation", dependencies: ["PostgresClient", "ReckonCore"]),
        .target(name: "AuditHistory", dependencies: ["PostgresClient", "Checks"]),
        .testTarget(name: "AuditHistoryTests", dependencies: ["AuditHistory", "Checks", "PostgresClient", "TestSupport"]),
        .testTarget(
            name: "InvestigationTests",
            dependencies: ["Investigation", "PostgresClient", "ReckonCore", "ModelBuild", "SampleData", "TestSupport"]),
        .executableTarget(
            name: "reckon",
            dependencies: [
                "PostgresClient", "ReckonCore", "EmbeddedPostgres", "SampleData", "ModelBuild",
                "Checks", "Reports", "Email", "MartDiff", "Investigation", "AuditHistory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Checks"], resources: [.copy("Resources")]),
        .testTarget(name: "ReckonCoreTests", dependencies: ["ReckonCore"]),
        .testTarget(name: "EmbeddedPostgresTests", dependencies: ["EmbeddedPostgres", "PostgresClient", "TestSupport"]),
        .testTarget(name: "ModelBuildTests", dependencies: ["ModelBuild", "PostgresClient", "ReckonCore", "SampleData", "TestSupport"]),
        .testTarget(
            name: "ChecksTests", dependencies: ["Checks", "TestSupport", "PostgresClient", "ReckonCore", "ModelBuild", "SampleData"]),
        .testTarget(name: "ReckonCLITests", dependencies: ["PostgresClient", "SampleData", "TestSupport", "reckon"]),
        .testTarget(
            name: "CIExamplesTests", dependencies: ["TestSupport", .product(name: "Yams", package: "Yams"), "reckon"]),
        .target(name: "TestSupport", dependencies: ["PostgresClient", "EmbeddedPostgres"], path: "Tests/TestSupport"),
    ]
)
