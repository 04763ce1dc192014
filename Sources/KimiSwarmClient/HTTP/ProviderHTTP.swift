import AsyncHTTPClient
import Foundation
import KimiSwarmCore
import Logging
import NIOCore
import NIOHTTP1

/// Sends a provider's HTTP requests over the process's shared `HTTPClient` and turns every
/// failure into a ``KimiSwarmError``.
struct ProviderHTTP: Sendable {
    let client: HTTPClient
    let provider: ProviderConfiguration
    let logger: Logger

    /// Largest response body read (embeddings of big batches are the largest).
    static let maxBodyBytes = 64 * 1024 * 1024
    /// Largest error body read.
    static let maxErrorBodyBytes = 1024 * 1024

    static let userAgent = "kimiswarm/0.1 (swift)"

    /// Sends a request and returns the body of a 2xx answer; throws the mapped error otherwise.
    func send(method: HTTPMethod, url: String, headers: HTTPHeaders, body: Data?) async throws -> [UInt8] {
        let request = try makeRequest(method: method, url: url, headers: headers, body: body, accept: "application/json")
        let timeout = provider.requestTimeout
        let client = self.client
        let provider = self.provider
        logger.debug("provider request", metadata: ["provider": "\(provider.id)", "method": "\(method.rawValue)", "path": "\(Self.path(of: url))"])
        return try await withTimeout(
            timeout,
            timeoutError: {
                KimiSwarmError(
                    category: .timeout, message: "the request took longer than \(timeout) and was abandoned",
                    recoveryHint: "Retry, or raise the provider's request timeout in the config file.", provider: provider.id)
            },
            operation: {
                let response: HTTPClientResponse
                do {
                    response = try await client.execute(request, timeout: .nanoseconds(Self.nanoseconds(timeout)))
                } catch {
                    throw ProviderErrorMapper.mapTransport(error, provider: provider, phase: "waiting for the response")
                }
                let status = Int(response.status.code)
                let bytes: ByteBuffer
                do {
                    bytes = try await response.body.collect(
                        upTo: (200..<300).contains(status) ? Self.maxBodyBytes : Self.maxErrorBodyBytes)
                } catch is NIOTooManyBytesError {
                    throw KimiSwarmError(
                        category: .provider, message: "the response body exceeded \(Self.maxBodyBytes / 1_048_576) MiB",
                        recoveryHint: "Ask for less at once (fewer embedding inputs).", isRetryable: false, provider: provider.id)
                } catch {
                    throw ProviderErrorMapper.mapTransport(error, provider: provider, phase: "reading the response body")
                }
                guard (200..<300).contains(status) else {
                    throw ProviderErrorMapper.map(
                        status: status, headers: response.headers, body: Array(bytes.readableBytesView), provider: provider)
                }
                return Array(bytes.readableBytesView)
            })
    }

    /// Opens a streaming request and returns the response once its head says 2xx.
    func openStream(url: String, headers: HTTPHeaders, body: Data) async throws -> HTTPClientResponse {
        let request = try makeRequest(method: .POST, url: url, headers: headers, body: body, accept: "text/event-stream")
        logger.debug("provider stream", metadata: ["provider": "\(provider.id)", "path": "\(Self.path(of: url))"])
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .nanoseconds(Self.nanoseconds(provider.firstByteTimeout)))
        } catch {
            throw ProviderErrorMapper.mapTransport(error, provider: provider, phase: "waiting for the stream to start")
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let bytes = (try? await response.body.collect(upTo: Self.maxErrorBodyBytes)).map { Array($0.readableBytesView) } ?? []
            throw ProviderErrorMapper.map(status: status, headers: response.headers, body: bytes, provider: provider)
        }
        return response
    }

    /// A stream that opens `url` when iterated and decodes its SSE events with `decoder`.
    func chatStream<Decoder: StreamEventDecoder>(url: String, headers: HTTPHeaders, body: Data, decoder: Decoder) -> ChatStream {
        let http = self
        return ChatStream {
            SSEChatStreamProducer(provider: http.provider, decoder: decoder) {
                try await http.openStream(url: url, headers: headers, body: body)
            }
        }
    }

    private func makeRequest(method: HTTPMethod, url: String, headers: HTTPHeaders, body: Data?, accept: String) throws
        -> HTTPClientRequest
    {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
            parsed.host != nil
        else {
            throw KimiSwarmError(
                category: .configuration,
                message: "the base URL of provider '\(provider.id)' is not a valid http(s) URL",
                recoveryHint: "Set it in the config file or its *_BASE_URL variable, e.g. https://api.example.com/v1.",
                provider: provider.id)
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "user-agent", value: Self.userAgent)
        request.headers.add(name: "accept", value: accept)
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        for (name, value) in provider.headers.sorted(by: { $0.key < $1.key }) {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.headers.add(contentsOf: headers)
        return request
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The path of a URL without its query (which may carry a key for some gateways).
    static func path(of url: String) -> String {
        URLComponents(string: url)?.path ?? ""
    }
}

extension JSONValue {
    /// The JSON text as bytes, for request bodies: keys sorted, so that the same request is
    /// always the same bytes. A JSON object is a dictionary here, whose order differs from one
    /// instance to the next: unsorted, every retry of a call would send other bytes, defeating
    /// the provider's idempotency and caching keyed on the body.
    func encodedData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
