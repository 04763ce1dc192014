import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import KimiSwarmStore
import KimiSwarmPlatform
import Logging
import ServiceLifecycle

/// The request context of the WebSocket router.
struct WebSocketRequestContextImpl: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    var principal: Principal?

    init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
        principal = nil
    }
}

/// `GET /api/v1/runs/{id}/ws`: the run's events over WebSocket, as JSON text frames
/// `{"id": seq, "type": ..., "data": {...}}`, from `?after=` (default 0) until the run ended and
/// everything was sent. Browsers cannot set headers on a WebSocket, so the bearer token may
/// come as `?access_token=` (a short-lived session token is the right thing to pass there).
struct RunWebSocketRoutes {
    let store: SwarmStore
    let hub: RunEventHub
    let authenticator: any Authenticator
    let tenants: TenantStatusCache

    /// The WebSocket router (its route is in the route table through the HTTP route of the
    /// same path, which answers plain GETs with 426).
    func router() -> Router<WebSocketRequestContextImpl> {
        let router = Router(context: WebSocketRequestContextImpl.self)
        router.ws("api/v1/runs/:id/ws") { request, context in
            let principal = try await authenticate(request)
            guard principal.allows(.runsRead) else { throw HTTPError(.forbidden, message: "your role may not read runs") }
            let id = try context.parameters.require("id")
            guard try await store.runs.run(tenantID: principal.tenantID, runID: id) != nil else { throw HTTPError(.notFound, message: "run not found") }
            return .upgrade([:])
        } onUpgrade: { _, outbound, context in
            let request = context.request
            guard let principal = try? await authenticate(request), let id = context.requestContext.parameters.get("id") else { return }
            let after = request.uri.queryParameters["after"].flatMap { Int($0) } ?? 0
            try await RunEventReader(store: store, hub: hub).follow(tenantID: principal.tenantID, runID: id, after: after) { batch in
                for event in batch { try await outbound.write(.text(event.webSocketFrame)) }
            }
        }
        return router
    }

    private func authenticate(_ request: Request) async throws -> Principal {
        do {
            return try await BearerAuthentication(authenticator: authenticator, store: store, tenants: tenants)
                .principal(of: request, queryToken: true)
        } catch let error as APIError {
            throw HTTPError(error.status, message: error.message)
        }
    }
}
