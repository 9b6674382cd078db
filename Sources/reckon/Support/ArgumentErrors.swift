import ArgumentParser
import Foundation

extension Reckon {
    /// Parses the command line and runs the command; a bad argument exits 2, as the README's
    /// exit-code table says (ArgumentParser's own default is 64). Help and `--version` exit 0.
    static func main() async {
        do {
            var command = try parseAsRoot()
            LiveProgress.shared.start()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ReckonExitCode.badInput)
            }
            exit(withError: error)
        }
    }
}
