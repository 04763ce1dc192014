import Foundation

extension KeyedDecodingContainer {
    /// `decodeIfPresent(Int.self, forKey:)` whose errors always name the key. For a number that
    /// is not a whole number or does not fit in `Int` (`0.5`, `1e308`, `2^63`), Foundation's
    /// decoder on Linux throws its own internal error, which `JSONDecoder.decode` turns into
    /// "the given data was not valid JSON" with no coding path: the client would be told its
    /// (valid) JSON is broken, without the field.
    func decodeIntegerIfPresent(forKey key: Key) throws -> Int? {
        do {
            return try decodeIfPresent(Int.self, forKey: key)
        } catch let error as DecodingError {
            guard case .dataCorrupted(let context) = error, context.codingPath.last?.stringValue != key.stringValue else { throw error }
            throw Self.notAnInteger(codingPath + [key], underlying: error)
        } catch {
            throw Self.notAnInteger(codingPath + [key], underlying: error)
        }
    }

    private static func notAnInteger(_ path: [any CodingKey], underlying: any Error) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: path, debugDescription: "expected a whole number that fits in 64 bits", underlyingError: underlying))
    }
}
