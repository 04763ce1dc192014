import Foundation
public import Hummingbird
import KimiSwarmStore
public import KimiSwarmPlatform

/// The request context of every route: Hummingbird's core storage, the caller once the auth
/// middleware identified them, and the request id that error bodies and logs carry.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; `nil` before the auth middleware and on public routes.
    public var principal: Principal?
    /// The request's id (`X-Request-ID` when the client sent a sane one, else a new one).
    public var requestID: String
    /// The body size limit, from the server's configuration (set by the limits middleware).
    public var bodyLimit: Int
    /// The peer's IP address (for sign-in throttling), when the connection has one.
    public var remoteAddress: String?
    /// The dashboard's signed-in session; `nil` outside the dashboard.
    var web: WebSignIn?

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
        requestID = ""
        bodyLimit = 4 << 20
        remoteAddress = source.channel.remoteAddress?.ipAddress
        web = nil
    }

    public var maxUploadSize: Int { bodyLimit }

    /// The caller, or a 401 when the route was reached without authentication (a wiring bug).
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthenticated("this route needs authentication") }
        return principal
    }
}
