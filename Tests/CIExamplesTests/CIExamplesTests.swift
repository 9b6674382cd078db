import Foundation
import TestSupport
import Testing
import Yams

/// The CI recipes in `ci-examples/` parse as YAML and call only reckon subcommands and options
/// that exist: the commands are read from the built `reckon` itself
/// (`--experimental-dump-help`, ArgumentParser's description of its own command tree).
@Suite struct CIExamplesTests {
    /// A command of the tree: its subcommands, long option and flag names, allowed positional values.
    struct Command {
        var subcommands: [String: Command] = [:]
        var options: Set<String> = []
        var positionalValues: [Set<String>] = []

        init(_ json: [String: Any]) {
            for sub in json["subcommands"] as? [[String: Any]] ?? [] {
                if let name = sub["commandName"] as? String { subcommands[name] = Command(sub) }
            }
            for argument in json["arguments"] as? [[String: Any]] ?? [] {
                let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                if argument["kind"] as? String == "positional" {
                    positionalValues.append(Set(argument["allValues"] as? [String] ?? []))
                } else {
                    options.formUnion(names)
                }
            }
        }
    }

    static let executable: URL = {
        var url = Bundle.main.bundleURL
        if url.pathExtension != "xctest" { url = URL(fileURLWithPath: CommandLine.arguments[0]) }
        return url.deletingLastPathComponent().appendingPathComponent("reckon")
    }()

    static func commandTree() throws -> Command {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--experimental-dump-help"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return Command(try #require(json["command"] as? [String: Any]))
    }

    /// Every shell text of a workflow: values of `run`, `script`, `before_script`, `after_script`.
    static func shellTexts(_ node: Any) -> [String] {
        var texts: [String] = []
        if let mapping = node as? [String: Any] {
            for (key, value) in mapping {
                if ["run", "script", "before_script", "after_script"].contains(key) {
                    if let text = value as? String { texts.append(text) }
                    texts += (value as? [Any] ?? []).compactMap { $0 as? String }
                } else {
                    texts += shellTexts(value)
                }
            }
        } else if let list = node as? [Any] {
            texts += list.flatMap(shellTexts)
        }
        return texts
    }

    /// The reckon invocations of a shell text, each as its words after `reckon`.
    static func invocations(in text: String) -> [[String]] {
        let joined = text.replacingOccurrences(of: "\\\n", with: " ")
        var result: [[String]] = []
        for line in joined.split(separator: "\n") {
            var segments = [String(line)]
            for separator in ["&&", "||", ";", "|", "$(", ")"] {
                segments = segments.flatMap { $0.components(separatedBy: separator) }
            }
            for segment in segments {
                var words = segment.split(separator: " ").map(String.init)
                while let first = words.first, first.contains("="), !first.hasPrefix("-") { words.removeFirst() }
                guard let first = words.first, first == "reckon" || first.hasSuffix("/reckon") else { continue }
                result.append(Array(words.dropFirst()))
            }
        }
        return result
    }

    /// Problems with one invocation against the command tree (empty when it is valid).
    static func problems(_ words: [String], tree: Command) -> [String] {
        var command = tree
        var path: [String] = []
        var positional = 0
        var problems: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            if word.hasPrefix("--") {
                let name = String(word.dropFirst(2).split(separator: "=", maxSplits: 1).first ?? "")
                if !command.options.contains(name) { problems.append("reckon \(path.joined(separator: " ")): no option --\(name)") }
                continue
            }
            if word.hasPrefix("-") || word.hasPrefix("\"") || word.hasPrefix("$") || word.contains("/") || word.contains(".") {
                continue
            }
            if let sub = command.subcommands[word], positional == 0 {
                command = sub
                path.append(word)
            } else if path.isEmpty {
                problems.append("reckon has no subcommand '\(word)'")
            } else if positional < command.positionalValues.count {
                let allowed = command.positionalValues[positional]
                if !allowed.isEmpty && !allowed.contains(word) {
                    problems.append("reckon \(path.joined(separator: " ")): '\(word)' is not one of \(allowed.sorted())")
                }
                positional += 1
            }
        }
        if path.isEmpty { problems.append("reckon called without a subcommand") }
        return problems
    }

    @Test(arguments: ["github-actions.yml", "gitlab-ci.yml"])
    func recipeCallsOnlyExistingCommandsAndOptions(file: String) throws {
        let path = TestDatabase.repositoryRoot.appendingPathComponent("ci-examples").appendingPathComponent(file).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text), "\(file) does not parse as YAML")
        let tree = try Self.commandTree()
        #expect(tree.subcommands["diff"] != nil)
        let calls = Self.shellTexts(document).flatMap(Self.invocations)
        for call in calls {
            #expect(Self.problems(call, tree: tree) == [], "\(file): reckon \(call.joined(separator: " "))")
        }
        // The recipe does what the README says: builds the candidate, checks it, diffs it, with every report.
        let used = Set(calls.compactMap(\.first))
        #expect(used.isSuperset(of: ["generate", "build", "check", "diff"]), "\(file) uses \(used.sorted())")
        let diff = try #require(calls.first { $0.first == "diff" })
        for option in ["--base", "--candidate", "--markdown", "--html", "--junit", "--json"] {
            #expect(diff.contains(option), "\(file): reckon diff without \(option)")
        }
        let check = try #require(calls.first { $0.first == "check" })
        #expect(check.contains("--junit") && check.contains("--target-schema"))
    }

    @Test func theCheckerCatchesMadeUpCommandsAndOptions() throws {
        let tree = try Self.commandTree()
        #expect(Self.problems(["diff", "--base", "a", "--candidate", "b"], tree: tree) == [])
        #expect(Self.problems(["db", "start"], tree: tree) == [])
        #expect(
            Self.problems(["db", "restart"], tree: tree) == [
                "reckon db: 'restart' is not one of [\"start\", \"status\", \"stop\", \"url\"]"
            ])
        #expect(Self.problems(["diff", "--candidates", "b"], tree: tree) == ["reckon diff: no option --candidates"])
        #expect(Self.problems(["compare", "--base", "a"], tree: tree).first == "reckon has no subcommand 'compare'")
        #expect(
            Self.invocations(in: "x=1 reckon build --jobs 2 && .build/release/reckon check \\\n  --no-fuse || true") == [
                ["build", "--jobs", "2"], ["check", "--no-fuse"],
            ])
    }
}
