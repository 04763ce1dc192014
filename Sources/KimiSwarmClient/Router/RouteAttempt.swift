/// What the router tells the layers under it about the attempt in progress, as task-local
/// values (set by ``ModelRouter`` around each target's call).
enum RouteAttempt {
    /// Whether the router has another target to fall back to when this one fails: a
    /// ``RetryLayer`` then does not retry a refused connection, so that the fallback is at once.
    @TaskLocal static var hasFallback = false
}
