import KimiSwarmCore

/// The events of a routed stream: the first target's, or, when it fails before any event
/// reached the caller, the next target's. After the first event, errors pass through.
struct RouterStreamProducer: ChatStreamProducer {
    let router: ModelRouter
    let request: ChatRequest
    var cursor: FallbackCursor
    private var current: (target: RouteTarget, iterator: ChatStream.AsyncIterator)?
    private var delivered = false
    private var finished = false

    init(router: ModelRouter, request: ChatRequest, cursor: FallbackCursor) {
        self.router = router
        self.request = request
        self.cursor = cursor
    }

    mutating func next() async throws -> ChatStreamEvent? {
        while !finished {
            if let active = current {
                let target = active.target
                var iterator = active.iterator
                do {
                    let event = try await RouteAttempt.$hasFallback.withValue(cursor.hasMoreTargets) { try await iterator.next() }
                    current = (target, iterator)
                    guard let event else {
                        finished = true
                        return nil
                    }
                    delivered = true
                    if case .finished(let response) = event { router.ledger?.record(response) }
                    return event
                } catch {
                    current = nil
                    if delivered {
                        finished = true
                        throw error
                    }
                    guard cursor.fail(target, with: error) else {
                        finished = true
                        throw error
                    }
                }
            } else {
                try Task.checkCancellation()
                guard let (target, fallback) = cursor.next() else {
                    finished = true
                    throw cursor.exhaustedError()
                }
                if let fallback { router.record(fallback) }
                do {
                    let stream = try router.provider(target.provider).chatStream(ModelRouter.request(request, for: target))
                    current = (target, stream.makeAsyncIterator())
                } catch {
                    finished = true
                    throw error
                }
            }
        }
        return nil
    }
}
