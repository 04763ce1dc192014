import Foundation

/// The queue job that executes a run: which run, of which tenant, for whom.
struct RunJobPayload: Codable, Sendable, Hashable {
    static let kind = "run"
    static let queue = "runs"

    var tenantID: String
    var runID: String

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case runID = "run_id"
    }

    var text: String { String(decoding: (try? JSONEncoder.sorted.encode(self)) ?? Data(), as: UTF8.self) }
}
