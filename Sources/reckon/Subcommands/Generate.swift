import ArgumentParser

/// `reckon generate`: realistic sample data in the raw tables (wired when SampleData lands).
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate sample raw data.")
    func run() async throws {}
}
