import KimiSwarmCore

/// The producer of a ``CacheLayer`` stream: looks up on the first step, then replays a hit
/// or relays the provider's stream, storing its final response when it arrives.
struct CacheStreamProducer: ChatStreamProducer {
    private enum Phase {
        case start
        case replay([ChatStreamEvent], position: Int)
        case relay(ChatStream.AsyncIterator, key: (key: CacheKey, model: String)?, scope: String)
        case done
    }

    private let layer: CacheLayer
    private let request: ChatRequest
    private var phase = Phase.start

    init(layer: CacheLayer, request: ChatRequest) {
        self.layer = layer
        self.request = request
    }

    mutating func next() async throws -> ChatStreamEvent? {
        if case .start = phase { phase = await begin() }
        switch phase {
        case .start, .done:
            return nil
        case .replay(let events, let position):
            try Task.checkCancellation()
            guard position < events.count else {
                phase = .done
                return nil
            }
            phase = .replay(events, position: position + 1)
            return events[position]
        case .relay(var iterator, let key, let scope):
            // Leave `.done` behind while awaiting, so that an error ends the stream for good.
            phase = .done
            guard let event = try await iterator.next() else { return nil }
            if case .finished(let response) = event, let key {
                await layer.store(response, key: key, scope: scope)
            }
            phase = .relay(iterator, key: key, scope: scope)
            return event
        }
    }

    private func begin() async -> Phase {
        let scope = request.options.cacheScope
        // The provider's stream is created only when needed: a hit never touches it.
        var upstream: ChatStream.AsyncIterator { layer.upstream.chatStream(request).makeAsyncIterator() }
        guard request.options.cache != .bypass, let key = layer.key(for: request) else {
            CacheLayer.record(.bypass)
            return .relay(upstream, key: nil, scope: scope)
        }
        guard request.options.cache == .use else {
            CacheLayer.record(.refresh)
            return .relay(upstream, key: key, scope: scope)
        }
        if let hit = await layer.cache.lookup(key.key, scope: scope) {
            CacheLayer.record(.hit(hit.tier))
            return .replay(CacheLayer.replayEvents(for: hit.response), position: 0)
        }
        CacheLayer.record(.miss)
        return .relay(upstream, key: key, scope: scope)
    }
}
