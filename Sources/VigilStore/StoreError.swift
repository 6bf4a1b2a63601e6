internal import GRDB

/// A failed database operation: what was attempted, SQLite's result code and its message.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The operation, e.g. `record events`.
    public var operation: String
    /// SQLite's extended result code, when the failure came from SQLite.
    public var code: Int32?
    /// The message.
    public var message: String

    /// Creates an error.
    public init(operation: String, code: Int32? = nil, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    public var description: String {
        code.map { "\(operation): \(message) (SQLite code \($0))" } ?? "\(operation): \(message)"
    }

    static func wrap<T>(_ operation: String, _ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            throw StoreError(operation, error)
        }
    }

    static func wrap<T>(_ operation: String, _ body: () async throws -> T) async throws(StoreError) -> T {
        do {
            return try await body()
        } catch {
            throw StoreError(operation, error)
        }
    }

    /// The error of a failed operation, keeping SQLite's code when GRDB reports one.
    init(_ operation: String, _ error: any Error) {
        switch error {
        case let error as StoreError:
            self = error
        case let error as DatabaseError:
            self.init(
                operation: operation,
                code: error.extendedResultCode.rawValue,
                message: error.message ?? "\(error)"
            )
        default:
            self.init(operation: operation, message: "\(error)")
        }
    }
}
