import Foundation
import KimiSwarmStore
public import KimiSwarmPlatform

/// Turns a bearer token into a caller, or says why it cannot.
public protocol Authenticator: Sendable {
    /// The caller the token proves, `nil` when this authenticator does not handle this kind
    /// of token; throws an ``APIError`` (401) when it handles it and the token is bad.
    func authenticate(bearer token: String) async throws -> Principal?
}

/// Tries authenticators in order; the first that recognises the token decides.
public struct AuthenticatorChain: Authenticator {
    public var authenticators: [any Authenticator]

    public init(_ authenticators: [any Authenticator]) { self.authenticators = authenticators }

    public func authenticate(bearer token: String) async throws -> Principal? {
        for authenticator in authenticators {
            if let principal = try await authenticator.authenticate(bearer: token) { return principal }
        }
        return nil
    }
}
