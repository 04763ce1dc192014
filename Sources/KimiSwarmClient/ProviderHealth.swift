import Foundation
public import KimiSwarmCore

/// The health of one provider, as ``LLMClient/healthCheck(timeout:)`` finds it.
public struct ProviderHealth: Sendable, Hashable, Codable {
    /// What the check found.
    public enum Status: String, Sendable, Hashable, Codable {
        /// The API answered an authenticated call.
        case healthy
        /// The API answered, but rejected the key.
        case unauthorized
        /// The API answered with an error other than auth.
        case degraded
        /// No answer: connection refused, DNS, timeout.
        case unreachable
        /// The key or endpoint it needs is not set; nothing was sent.
        case notConfigured = "not_configured"
    }

    /// The provider.
    public var provider: ProviderID
    /// What the check found.
    public var status: Status
    /// Time the check call took, when one was made.
    public var latency: Duration?
    /// The base URL checked (credentials and query hidden).
    public var endpoint: String
    /// Why it is not healthy, in KimiSwarm's words (never a key).
    public var detail: String?
    /// The state of each model's circuit breaker (`closed`, `open`, `half_open`), for models
    /// this client has called.
    public var circuits: [String: String] = [:]

    /// `true` when the provider answered (even if it rejected the key).
    public var isReachable: Bool { status == .healthy || status == .unauthorized || status == .degraded }

    static func check(_ provider: any LLMProvider, timeout: Duration) async -> ProviderHealth {
        let settings = provider.configuration
        let endpoint = ProviderConfiguration.redactedURL(settings.baseURL)
        var health = ProviderHealth(provider: settings.id, status: .notConfigured, latency: nil, endpoint: endpoint, detail: nil)
        if settings.requiresAPIKey, settings.apiKey?.isEmpty ?? true {
            health.detail = "\(settings.apiKeyVariable ?? "its API key") is not set"
            return health
        }
        if settings.baseURL.isEmpty {
            health.detail = "no base URL"
            return health
        }
        let started = ContinuousClock.now
        do {
            _ = try await withTimeout(
                timeout,
                timeoutError: {
                    KimiSwarmError(category: .timeout, message: "no answer within \(timeout)", provider: settings.id)
                },
                operation: { try await provider.listModels() })
            health.status = .healthy
        } catch let error as KimiSwarmError {
            switch error.category {
            case .auth: health.status = .unauthorized
            case .network, .timeout: health.status = .unreachable
            case .configuration: health.status = .notConfigured
            default: health.status = .degraded
            }
            health.detail = error.message
        } catch {
            health.status = .unreachable
            health.detail = "\(type(of: error))"
        }
        health.latency = ContinuousClock.now - started
        return health
    }
}
