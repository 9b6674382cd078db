import Foundation

/// Several mistakes in input files, reported together so a user fixes them in one go.
public struct InputFileErrors: Error, CustomStringConvertible, Sendable, Equatable {
    /// Each mistake, in file and line order.
    public var errors: [InputFileError]

    /// Creates the list.
    public init(_ errors: [InputFileError]) {
        self.errors = errors
    }

    /// One `file:line:column: message` line per mistake.
    public var description: String { errors.map(\.description).joined(separator: "\n") }

    /// Throws nothing when `errors` is empty, the error itself when there is one, else all of them.
    public static func throwIfAny(_ errors: [InputFileError]) throws {
        switch errors.count {
        case 0: return
        case 1: throw errors[0]
        default: throw InputFileErrors(errors)
        }
    }
}
