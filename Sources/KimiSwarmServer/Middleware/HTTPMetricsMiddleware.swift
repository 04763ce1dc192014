public import KimiSwarmCore
import KimiSwarmPlatform
import Foundation
public import Hummingbird
public import Prometheus
import Synchronization

/// Counts requests and times them per (method, route pattern, status): the route is the
/// matched pattern (`/api/v1/runs/{id}`), never the raw path, so label cardinality stays
/// bounded; unmatched paths count under `unmatched`.
public struct HTTPMetricsMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    final class Instruments: Sendable {
        let registry: PrometheusCollectorRegistry
        private let counters = Mutex<[String: Counter]>([:])
        private let histograms = Mutex<[String: DurationHistogram]>([:])
        static let buckets: [Duration] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            .seconds(10), .seconds(30),
        ]

        init(registry: PrometheusCollectorRegistry) { self.registry = registry }

        func record(method: String, route: String, status: Int, duration: Duration) {
            let labels = [("method", method), ("route", route), ("status", String(status))]
            let key = "\(method) \(route) \(status)"
            let counter = counters.withLock { counters in
                if let counter = counters[key] { return counter }
                let counter = registry.makeCounter(
                    descriptor: MetricNameDescriptor(
                        namespace: "kimiswarm", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered"),
                    labels: labels)
                counters[key] = counter
                return counter
            }
            counter.increment()
            let histogramKey = "\(method) \(route)"
            let histogram = histograms.withLock { histograms in
                if let histogram = histograms[histogramKey] { return histogram }
                let histogram = registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(
                        namespace: "kimiswarm", metricName: "http_request_duration", unitName: "seconds",
                        helpText: "Time to the response head"),
                    labels: [("method", method), ("route", route)], buckets: Self.buckets)
                histograms[histogramKey] = histogram
                return histogram
            }
            histogram.record(duration)
        }
    }

    let instruments: Instruments

    let clock: any SwarmClock

    public init(registry: PrometheusCollectorRegistry, clock: any SwarmClock = SystemClock()) {
        instruments = Instruments(registry: registry)
        self.clock = clock
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = clock.now()
        do {
            let response = try await next(request, context)
            instruments.record(
                method: request.method.rawValue, route: Self.route(context), status: response.status.code, duration: clock.now() - start)
            return response
        } catch {
            let status = (error as? APIError)?.status.code ?? (error as? PlatformError).map { APIError($0).status.code } ?? (error as? HTTPError)?.status.code ?? 500
            instruments.record(method: request.method.rawValue, route: Self.route(context), status: status, duration: clock.now() - start)
            throw error
        }
    }

    static func route(_ context: Context) -> String {
        guard let path = context.endpointPath else { return "unmatched" }
        return APIRoutes.openAPIPath(path)
    }
}
